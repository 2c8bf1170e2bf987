"""Where `swr.torch`'s compiled code is, and loading it: the kernel library
that swr-compile built (python/swr/kernels.py lists it), libswr_runtime, and
libswr_torch_ops.so, the C++ library that defines the ops
(python/csrc/TorchOps.cpp) and calls the kernels.

The directory is `swr.kernels.library_dir()`: `$SWR_LIB_DIR`, else the
package's own `_lib` (what the wheel installs).
"""

import os
import threading

import torch

from ..kernels import LibraryError, library_dir

#: torch dtype -> the library's (MLIR) name of it.
DTYPE_NAMES = {torch.float32: "f32", torch.bfloat16: "bf16", torch.float16: "f16"}


_loaded = False
_lock = threading.Lock()


def load():
    """Loads libswr_torch_ops.so (once), which registers the swr:: ops."""
    global _loaded
    with _lock:
        if _loaded:
            return
        d = library_dir()
        ops = os.path.join(d, "libswr_torch_ops.so")
        try:
            with open(os.path.join(d, "torch-version")) as f:
                built = f.read().strip()
        except OSError:
            raise LibraryError(
                f"swr.torch: no ops library at {d}; build it (scripts/build.sh, which makes "
                f"build/venv with PyTorch) and set SWR_LIB_DIR, or install the swr wheel"
            ) from None
        if built.split("+")[0].split(".")[:2] != torch.__version__.split("+")[0].split(".")[:2]:
            raise LibraryError(f"swr.torch: {ops} was built for torch {built}; this is torch "
                               f"{torch.__version__}")
        torch.ops.load_library(ops)
        _loaded = True

