"""Calls a CUDA artifact through the Python bindings under each stream
setting, printing the setting before its call so that the fake driver's
trace (FAKE_CUDA_TRACE=1) shows where each call launched and whether it
waited. Usage: streams.py RUNTIME ARTIFACT"""
import ctypes
import sys

from swr.runtime import Runtime, buffer

rt = Runtime(sys.argv[1])
rt.lib.swr_cuda_alloc.restype = ctypes.c_void_p
rt.lib.swr_cuda_alloc.argtypes = [ctypes.c_size_t]
rt.lib.swr_cuda_stream_create.restype = ctypes.c_void_p
dyn = rt.load(sys.argv[2])["dyn"]
shapes = [(2, 3, 17), (2, 3, 4, 17), (2, 3, 4, 17)]
args = [buffer(rt.lib.swr_cuda_alloc(4 * 2 * 3 * 4 * 17), "f32", s) for s in shapes]
for label, stream in (("default", None), ("stream 0", 0),
                      ("own stream", rt.lib.swr_cuda_stream_create()), ("unset", None)):
    rt.set_stream(stream)
    print(f"call: {label}", file=sys.stderr, flush=True)
    dyn(*args)
print("done", file=sys.stderr, flush=True)
