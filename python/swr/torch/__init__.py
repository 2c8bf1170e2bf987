"""swr for PyTorch: the sliding window recurrence as a `torch.library` op
with autograd, fake tensors and torch.compile support (`scan`), and the
Phalanx layer built on it (`Phalanx`).

The kernels are the kernel library that swr-compile built ahead of time for
the CPU and sm_90a (python/swr/kernels.py); no MLIR or LLVM at run time.
"""

from ._library import LibraryError  # noqa: F401
from .ops import scan  # noqa: F401
from .phalanx import Phalanx, PhalanxState  # noqa: F401
