"""swr: sliding window recurrences.

``swr.scan`` runs the operator on NumPy arrays with the kernel library's
CPU functions (``swr.numpy_api``; ``swr.torch`` is the PyTorch front end).
This package also holds the float64 reference of the operator (``swr.reference``),
the oracle that every lowering is checked against, the helpers the test
suites use to move f32/f16/bf16 data in and out of MLIR, and ctypes bindings
of libswr_runtime (``swr.runtime``), which loads and calls swr-compile
artifacts.
"""

from .numpy_api import scan  # noqa: F401
from .reference import INF, scan_reference, window_bounds  # noqa: F401
