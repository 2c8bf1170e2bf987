"""The kernel library of `swr.torch`: the artifacts that swr-compile built
(python/swr/kernels.py lists them), found through `index.json`, loaded on
first use and called on PyTorch tensors through libswr_runtime.

Where the library is: `$SWR_LIB_DIR`, else the package's own `_lib`
directory (what the wheel installs). The runtime is `$SWR_RUNTIME`, else
`libswr_runtime.so` in that directory.
"""

import json
import os
import threading

import torch

from .. import kernels
from ..runtime import Buffer, Runtime, SwrError

#: torch dtype -> the library's (MLIR) name of it.
DTYPE_NAMES = {torch.float32: "f32", torch.bfloat16: "bf16", torch.float16: "f16"}


class LibraryError(RuntimeError):
    """The kernel library is missing or lacks a configuration."""


def _default_dir():
    return os.environ.get("SWR_LIB_DIR") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "_lib")


class Library:
    def __init__(self, directory):
        self.directory = directory
        path = os.path.join(directory, "index.json")
        try:
            with open(path) as f:
                index = json.load(f)
        except OSError as e:
            raise LibraryError(
                f"swr.torch: no kernel library at {directory} ({e.strerror}); build it "
                f"(scripts/build.sh) and set SWR_LIB_DIR, or install the swr wheel") from None
        if index.get("version") != 1:
            raise LibraryError(f"swr.torch: {path} has index version {index.get('version')}, "
                               f"this package reads version 1")
        #: target -> function name -> artifact file
        self.where = {t: {fn: art for art, fns in arts.items() for fn in fns}
                      for t, arts in index["targets"].items()}
        self.runtime = Runtime(os.environ.get("SWR_RUNTIME")
                               or os.path.join(directory, "libswr_runtime.so"))
        self.runtime.lib.swr_runtime_set_verbose(0)
        self._artifacts, self._functions = {}, {}
        self._lock = threading.Lock()

    def target_of(self, device):
        if device.type == "cpu":
            return "cpu"
        if device.type == "cuda":
            if device.index not in (None, 0):
                raise ValueError(f"swr.torch: CUDA tensors must be on cuda:0 (the runtime "
                                 f"drives device 0); got {device}")
            for t in self.where:
                if t.startswith("cuda:"):
                    return t
            raise LibraryError(f"swr.torch: the kernel library at {self.directory} has no "
                               f"CUDA kernels (it was built without the CUDA toolkit)")
        raise ValueError(f"swr.torch: tensors on {device.type} are not supported "
                         f"(cpu or cuda:0)")

    def has(self, target, name):
        return name in self.where.get(target, ())

    def function(self, target, name):
        """The runtime function `name` of `target` (loading its artifact)."""
        key = (target, name)
        fn = self._functions.get(key)
        if fn is not None:
            return fn
        art_name = self.where.get(target, {}).get(name)
        if art_name is None:
            raise LibraryError(f"swr.torch: the kernel library has no {name} for {target}")
        with self._lock:
            art = self._artifacts.get(art_name)
            if art is None:
                art = self.runtime.load(os.path.join(self.directory, art_name))
                self._artifacts[art_name] = art
        fn = self._functions[key] = art[name]
        return fn

    def call(self, target, name, tensors):
        """Calls `name` on `tensors` (contiguous, on the target's device);
        outputs are among them, written in place. On CUDA the kernels run
        on PyTorch's current stream, without waiting."""
        fn = self.function(target, name)
        rt = self.runtime
        args = (Buffer * len(tensors))()
        for buf, t in zip(args, tensors):
            buf.data = t.data_ptr()
            buf.dtype = _DTYPE_CODES[t.dtype]
            buf.rank = t.dim()
            for i, s in enumerate(t.shape):
                buf.sizes[i] = s
        if target != "cpu":
            rt.lib.swr_runtime_set_stream(torch.cuda.current_stream().cuda_stream)
        rt.lib.swr_runtime_clear_error()
        if rt.lib.swr_function_call(fn.handle, args, len(tensors), None, 0):
            raise SwrError(f"swr.torch: {name}: {rt.last_error()}")


_DTYPE_CODES = {}
_library = None
_library_lock = threading.Lock()


def library():
    """The process's kernel library (loaded on first use)."""
    global _library
    if _library is None:
        with _library_lock:
            if _library is None:
                lib = Library(_default_dir())
                from ..runtime import DTYPES
                for dt, name in DTYPE_NAMES.items():
                    _DTYPE_CODES[dt] = DTYPES.index(name)
                _library = lib
    return _library


def available():
    """A one-line summary of what the library offers, for messages."""
    hops = ", ".join(kernels.hops_text(h) for h in kernels.HOPS)
    return (f"tiles {', '.join(map(str, kernels.TILES))}; hops {hops}; storage "
            f"{', '.join(str(d).replace('torch.', '') for d in DTYPE_NAMES)}")

