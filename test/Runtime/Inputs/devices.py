"""Calls a CUDA artifact through the Python bindings on devices 0, 1, 1
again and 5 (which the fake driver lacks), printing each before its call so
that the fake driver's trace (FAKE_CUDA_TRACE_DEVICES=1) shows the primary
context retained and the kernel module loaded once per device.
Usage: devices.py RUNTIME ARTIFACT"""
import ctypes
import sys

from swr.runtime import Runtime, SwrError, buffer

rt = Runtime(sys.argv[1])
rt.lib.swr_runtime_set_verbose(0)
rt.lib.swr_cuda_alloc.restype = ctypes.c_void_p
rt.lib.swr_cuda_alloc.argtypes = [ctypes.c_size_t]
dyn = rt.load(sys.argv[2])["dyn"]
shapes = [(2, 3, 17), (2, 3, 4, 17), (2, 3, 4, 17)]
for device in (0, 1, 1, 5):
    print(f"call on device {device}", file=sys.stderr, flush=True)
    rt.set_device(device)
    try:
        args = [buffer(rt.lib.swr_cuda_alloc(4 * 2 * 3 * 4 * 17) or 0, "f32", s)
                for s in shapes]
        dyn(*args)
    except SwrError as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
print("done", file=sys.stderr, flush=True)
