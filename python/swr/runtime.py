"""ctypes bindings of libswr_runtime (include/swr/Runtime/swr_runtime.h):
load artifacts of swr-compile and call their functions on buffers given as
(address, dtype, shape), in host memory for CPU artifacts and in device
memory (e.g. a PyTorch CUDA tensor's data_ptr()) for CUDA ones.

    rt = Runtime("build/lib/libswr_runtime.so")
    art = rt.load("scan.so")
    y, = art["scan"](buffer(a_ptr, "f32", a_shape), buffer(x_ptr, "bf16", x_shape))
    ...                      # y.data, y.shape; then art.release(y)
"""

import ctypes

#: The runtime's element types, indexed by swr_dtype: read from the first
#: loaded libswr_runtime (swr_dtype_name), which holds the one table.
DTYPES = []
MAX_RANK = 8


class SwrError(RuntimeError):
    """A runtime call failed; the message is the runtime's one-line error."""


class Buffer(ctypes.Structure):
    """swr_buffer: a dense row-major buffer."""
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("sizes", ctypes.c_int64 * MAX_RANK), ("allocation", ctypes.c_void_p)]

    @property
    def shape(self):
        return tuple(self.sizes[:self.rank])

    @property
    def dtype_name(self):
        return DTYPES[self.dtype]


class Type(ctypes.Structure):
    """swr_type: an argument's or result's type in the manifest."""
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("sizes", ctypes.c_int64 * MAX_RANK), ("is_memref", ctypes.c_int32),
                ("written", ctypes.c_int32)]

    def __repr__(self):
        dims = "".join(("?" if s < 0 else str(s)) + "x" for s in self.sizes[:self.rank])
        return f"{'memref' if self.is_memref else 'tensor'}<{dims}{DTYPES[self.dtype]}>"


def buffer(address, dtype, shape):
    """A Buffer over `address` holding `shape` elements of `dtype`."""
    if len(shape) > MAX_RANK:
        raise ValueError(f"rank {len(shape)} is above {MAX_RANK}")
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; the runtime has {DTYPES or 'not been loaded'}")
    b = Buffer()
    b.data, b.dtype, b.rank = address, DTYPES.index(dtype), len(shape)
    for i, s in enumerate(shape):
        b.sizes[i] = s
    return b


class Function:
    def __init__(self, artifact, handle):
        lib = artifact.runtime.lib
        self.artifact, self.handle = artifact, handle
        self.name = lib.swr_function_name(handle).decode()
        self.args, self.results = [], []
        for count, query, out in ((lib.swr_function_num_args, lib.swr_function_arg_type, self.args),
                                  (lib.swr_function_num_results, lib.swr_function_result_type,
                                   self.results)):
            for i in range(count(handle)):
                t = Type()
                query(handle, i, ctypes.byref(t))
                out.append(t)

    def __call__(self, *args):
        """Calls the function on Buffers; returns its results as Buffers
        (release them with the artifact's `release`)."""
        if self.artifact.closed:
            raise SwrError(f"@{self.name}: its artifact is closed")
        rt = self.artifact.runtime
        arr = (Buffer * max(len(args), 1))(*args)
        results = (Buffer * max(len(self.results), 1))()
        if rt.lib.swr_function_call(self.handle, arr, len(args), results, len(self.results)):
            raise SwrError(rt.last_error())
        return [results[i] for i in range(len(self.results))]


class Artifact:
    def __init__(self, runtime, handle):
        lib = runtime.lib
        self.runtime, self.handle = runtime, handle
        self.target = lib.swr_artifact_target(handle).decode()
        self.is_cuda = bool(lib.swr_artifact_is_cuda(handle))
        self.functions = {}
        for i in range(lib.swr_artifact_num_functions(handle)):
            f = Function(self, lib.swr_artifact_function(handle, i))
            self.functions[f.name] = f

    @property
    def closed(self):
        return self.handle is None

    def close(self):
        """Unloads the artifact (swr_artifact_unload); its functions can no
        longer be called. Closing twice does nothing."""
        if self.handle is not None:
            self.runtime.lib.swr_artifact_unload(self.handle)
            self.handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getitem__(self, name):
        if name not in self.functions:
            raise SwrError(f"no function '{name}' in the artifact (it has: "
                           f"{', '.join(self.functions) or 'none'})")
        return self.functions[name]

    def release(self, result):
        self.runtime.lib.swr_buffer_release(self.handle, ctypes.byref(result))


class Runtime:
    """The loaded libswr_runtime."""

    def __init__(self, path):
        lib = self.lib = ctypes.CDLL(path)
        vp, c = ctypes.c_void_p, ctypes
        sigs = {
            "swr_runtime_last_error": (c.c_char_p, []),
            "swr_runtime_clear_error": (None, []),
            "swr_runtime_set_verbose": (None, [c.c_int]),
            "swr_runtime_set_stream": (None, [vp]),
            "swr_runtime_set_device": (None, [c.c_int]),
            "swr_runtime_unset_stream": (None, []),
            "swr_cuda_available": (c.c_int, []),
            "swr_cuda_dependent_launches": (None, [c.POINTER(c.c_uint64)] * 2),
            "swr_artifact_load": (vp, [c.c_char_p]),
            "swr_artifact_unload": (None, [vp]),
            "swr_artifact_target": (c.c_char_p, [vp]),
            "swr_artifact_is_cuda": (c.c_int, [vp]),
            "swr_artifact_num_functions": (c.c_int, [vp]),
            "swr_artifact_function": (vp, [vp, c.c_int]),
            "swr_function_name": (c.c_char_p, [vp]),
            "swr_function_num_args": (c.c_int, [vp]),
            "swr_function_num_results": (c.c_int, [vp]),
            "swr_function_arg_type": (c.c_int, [vp, c.c_int, c.POINTER(Type)]),
            "swr_function_result_type": (c.c_int, [vp, c.c_int, c.POINTER(Type)]),
            "swr_function_call": (c.c_int, [vp, c.POINTER(Buffer), c.c_int, c.POINTER(Buffer),
                                            c.c_int]),
            "swr_buffer_release": (None, [vp, c.POINTER(Buffer)]),
            "swr_cuda_copy_to_host": (c.c_int, [vp, vp, c.c_size_t]),
            "swr_cuda_copy_to_device": (c.c_int, [vp, vp, c.c_size_t]),
            "swr_cuda_alloc": (vp, [c.c_size_t]),
            "swr_cuda_free": (None, [vp]),
            "swr_dtype_name": (c.c_char_p, [c.c_int]),
            "swr_dtype_size": (c.c_size_t, [c.c_int]),
        }
        for name, (restype, argtypes) in sigs.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        names = []
        while lib.swr_dtype_name(len(names)):
            names.append(lib.swr_dtype_name(len(names)).decode())
        if DTYPES and DTYPES != names:
            raise SwrError(f"{path} has dtypes {names}, another loaded runtime {DTYPES}")
        DTYPES[:] = names

    def dtype_size(self, dtype):
        """Bytes per element of the dtype named `dtype`."""
        return self.lib.swr_dtype_size(DTYPES.index(dtype))

    def dependent_launches(self):
        """(early, refused): launches of dependent kernels so far that ran as
        programmatic dependents, and that the driver refused (run ordinarily)."""
        early, refused = ctypes.c_uint64(), ctypes.c_uint64()
        self.lib.swr_cuda_dependent_launches(ctypes.byref(early), ctypes.byref(refused))
        return early.value, refused.value

    def dependent_launch_summary(self):
        """A line for a log ("dependent launches: E early, R refused by the
        driver"), or None if no dependent kernel has launched."""
        early, refused = self.dependent_launches()
        if early or refused:
            return f"dependent launches: {early} early, {refused} refused by the driver"
        return None

    def last_error(self):
        e = self.lib.swr_runtime_last_error()
        return e.decode() if e else "unknown error"

    def load(self, path):
        self.lib.swr_runtime_clear_error()
        handle = self.lib.swr_artifact_load(str(path).encode())
        if not handle:
            raise SwrError(self.last_error())
        return Artifact(self, handle)

    def copy_to_host(self, host, device, nbytes):
        """Copies `nbytes` from device (or managed) memory at address
        `device` to host memory at `host`; raises SwrError on failure."""
        self.lib.swr_runtime_clear_error()
        if self.lib.swr_cuda_copy_to_host(host, device, nbytes):
            raise SwrError(self.last_error())

    def copy_to_device(self, device, host, nbytes):
        """Copies `nbytes` from host memory at `host` to device memory at
        `device`; raises SwrError on failure."""
        self.lib.swr_runtime_clear_error()
        if self.lib.swr_cuda_copy_to_device(device, host, nbytes):
            raise SwrError(self.last_error())

    def set_device(self, device):
        """This thread's calls use CUDA device `device` (an ordinal; 0
        until set)."""
        self.lib.swr_runtime_set_device(device)

    def set_stream(self, stream):
        """Calls launch their kernels on `stream` (a CUstream handle, e.g.
        `torch.cuda.current_stream().cuda_stream`; 0 is the default stream)
        and return without waiting for them. None restores the default:
        the default stream, waited for before each call returns."""
        if stream is None:
            self.lib.swr_runtime_unset_stream()
        else:
            self.lib.swr_runtime_set_stream(stream)
