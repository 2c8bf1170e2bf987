"""The ctypes bindings of libswr_runtime on a CPU artifact: signatures from
the manifest, calls checked against the float64 reference, results that the
function allocates, and every argument error as an SwrError.

Needs SWR_COMPILE (the swr-compile binary) and SWR_RUNTIME (the path of
libswr_runtime.so); skipped without them (test/python/runtime.test sets
them)."""

import ctypes
import os
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from swr.dtypes import decode, encode  # noqa: E402
from swr.reference import scan_reference  # noqa: E402
from swr.runtime import Runtime, SwrError, buffer  # noqa: E402

COMPILE, RUNTIME = os.environ.get("SWR_COMPILE"), os.environ.get("SWR_RUNTIME")
pytestmark = pytest.mark.skipif(not (COMPILE and RUNTIME),
                                reason="needs SWR_COMPILE and SWR_RUNTIME")

MODULE = """
func.func @scan(%a: tensor<2x3x?xf32>, %x: tensor<2x3x4x?xbf16>) -> tensor<2x3x4x?xf32> {
  %c3 = arith.constant 3 : index
  %n = tensor.dim %x, %c3 : tensor<2x3x4x?xbf16>
  %e = tensor.empty(%n) : tensor<2x3x4x?xf32>
  %y = swr.scan <tile = 4, hops = 1> reverse ins(%a, %x : tensor<2x3x?xf32>, tensor<2x3x4x?xbf16>)
         outs(%e : tensor<2x3x4x?xf32>) -> tensor<2x3x4x?xf32>
  return %y : tensor<2x3x4x?xf32>
}
func.func @dps(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %y: memref<?x?x?x?xf16>) {
  swr.scan <tile = 8, hops = inf> ins(%a, %x : memref<?x?x?xf32>, memref<?x?x?x?xf32>)
    outs(%y : memref<?x?x?x?xf16>)
  return
}
"""


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    d = tmp_path_factory.mktemp("rt")
    (d / "m.mlir").write_text(MODULE)
    subprocess.run([COMPILE, str(d / "m.mlir"), "--target=cpu", "-o", str(d / "m.so")],
                   check=True)
    rt = Runtime(RUNTIME)
    rt.lib.swr_runtime_set_verbose(0)
    return rt.load(d / "m.so")


def inputs(n, seed=0):
    g = np.random.default_rng(seed)
    a = g.uniform(0.5, 1.0, (2, 3, n)).astype(np.float32)
    x = encode(g.uniform(-1, 1, (2, 3, 4, n)), "bf16")
    return a, x


def addr(array):
    return array.ctypes.data_as(ctypes.c_void_p).value


def test_signature(artifact):
    assert artifact.target == "cpu" and not artifact.is_cuda
    assert sorted(artifact.functions) == ["dps", "scan"]
    assert repr(artifact["scan"].args[1]) == "tensor<2x3x4x?xbf16>"
    assert [t.written for t in artifact["dps"].args] == [0, 0, 1]


def test_tensor_result(artifact):
    a, x = inputs(37)
    y, = artifact["scan"](buffer(addr(a), "f32", a.shape), buffer(addr(x), "bf16", x.shape))
    assert y.shape == x.shape and y.dtype_name == "f32" and y.allocation
    got = np.ctypeslib.as_array(ctypes.cast(y.data, ctypes.POINTER(ctypes.c_float)),
                                shape=x.shape).astype(np.float64)
    artifact.release(y)
    ref = scan_reference(a.astype(np.float64), decode(x, "bf16"), tile=4, hops=1, reverse=True)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


def test_memref_output(artifact):
    a, x = inputs(50, seed=1)
    x32 = decode(x, "bf16").astype(np.float32)
    y = np.full(x.shape, np.nan, dtype=np.float16)
    assert artifact["dps"](buffer(addr(a), "f32", a.shape), buffer(addr(x32), "f32", x.shape),
                           buffer(addr(y), "f16", y.shape)) == []
    ref = scan_reference(a.astype(np.float64), x32.astype(np.float64), tile=8, hops=float("inf"))
    np.testing.assert_allclose(y.astype(np.float64), ref, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("case,message", [
    ("dtype", "argument 1 of @scan: dtype f32 does not match the signature (tensor<2x3x4x?xbf16>)"),
    ("rank", "argument 0 of @scan: rank 2 does not match the signature (tensor<2x3x?xf32>)"),
    ("static", "argument 0 of @scan: dimension 1 is 5, the signature says tensor<2x3x?xf32>"),
    ("dynamic", "dimension 2 of argument 0 is 36 but dimension 3 of argument 1 is 37; they must be "
                "equal"),
    ("count", "@scan takes 2 arguments and returns 1 results, got 1 and 1"),
    ("null", "argument 0 of @scan: no data"),
    ("overflow", "argument 0 of @scan: 2x3x4611686018427387904xf32 is more than 2^62 bytes"),
])
def test_argument_errors(artifact, case, message):
    a, x = inputs(37)
    args = [buffer(addr(a), "f32", a.shape), buffer(addr(x), "bf16", x.shape)]
    if case == "dtype":
        args[1] = buffer(addr(x), "f32", x.shape)
    elif case == "rank":
        args[0] = buffer(addr(a), "f32", (2, 111))
    elif case == "static":
        args[0] = buffer(addr(a), "f32", (2, 5, 7))
    elif case == "dynamic":
        args[0] = buffer(addr(a), "f32", (2, 3, 36))
    elif case == "count":
        args = args[:1]
    elif case == "null":
        args[0] = buffer(None, "f32", a.shape)
    elif case == "overflow":  # Sizes whose byte count wraps (issue 15, 5).
        args[0] = buffer(addr(a), "f32", (2, 3, 2**62))
    artifact.runtime.lib.swr_runtime_clear_error()
    with pytest.raises(SwrError) as e:
        artifact["scan"](*args)
    assert str(e.value) == message


def test_bad_artifacts(artifact, tmp_path):
    rt = artifact.runtime
    (tmp_path / "text.so").write_text("not a library")
    with pytest.raises(SwrError, match="cannot load artifact"):
        rt.load(tmp_path / "text.so")
    with pytest.raises(SwrError, match="no function 'nope' in the artifact"):
        artifact["nope"]


def test_errors_are_per_thread(tmp_path):
    # The recorded error belongs to the thread whose call failed: another
    # thread neither sees it nor loses its own.
    import threading
    rt = Runtime(RUNTIME)
    rt.lib.swr_runtime_set_verbose(0)
    rt.lib.swr_runtime_clear_error()
    seen = {}

    def fail():
        rt.lib.swr_runtime_clear_error()
        rt.lib.swr_artifact_load(str(tmp_path / "missing.so").encode())
        seen["other"] = rt.lib.swr_runtime_last_error()

    t = threading.Thread(target=fail)
    t.start()
    t.join()
    assert seen["other"] and b"missing.so" in seen["other"]
    assert rt.lib.swr_runtime_last_error() is None


def test_artifact_close(tmp_path):
    (tmp_path / "m.mlir").write_text(MODULE)
    subprocess.run([COMPILE, str(tmp_path / "m.mlir"), "--target=cpu", "-o",
                    str(tmp_path / "m.so")], check=True)
    rt = Runtime(RUNTIME)
    with rt.load(tmp_path / "m.so") as art:
        f = art["dps"]
        assert not art.closed
    assert art.closed
    with pytest.raises(SwrError, match="closed"):
        f()
    art.close()  # closing twice is harmless


def test_copy_helpers_report_errors():
    # Without a GPU (CI) the copy helpers raise one-line errors; with one,
    # a round trip through device memory returns the bytes.
    rt = Runtime(RUNTIME)
    rt.lib.swr_runtime_set_verbose(0)
    src = np.arange(8, dtype=np.float32)
    dst = np.zeros_like(src)
    if not rt.lib.swr_cuda_available():
        with pytest.raises(SwrError):
            rt.copy_to_host(addr(dst), addr(src), src.nbytes)
        return
    device = rt.lib.swr_cuda_alloc(src.nbytes)
    rt.copy_to_device(device, addr(src), src.nbytes)
    rt.copy_to_host(addr(dst), device, src.nbytes)
    rt.lib.swr_cuda_free(device)
    np.testing.assert_array_equal(dst, src)


def test_dependent_launch_counts():
    # Without a driver nothing launches as a dependent kernel: both counts
    # zero, and no summary line. On a GPU the suite and the bench print them.
    rt = Runtime(RUNTIME)
    if rt.lib.swr_cuda_available():
        pytest.skip("counted on the GPU by gpu_suite.py and bench.py")
    assert rt.dependent_launches() == (0, 0)
    assert rt.dependent_launch_summary() is None


def test_dtypes_come_from_the_runtime(artifact):
    from swr import runtime
    rt = artifact.runtime
    assert runtime.DTYPES == ["f32", "f16", "bf16", "f64"]
    assert [rt.dtype_size(d) for d in runtime.DTYPES] == [4, 2, 2, 8]
    assert rt.lib.swr_dtype_from_name(b"bf16") == 2 and rt.lib.swr_dtype_from_name(b"i8") == -1
    with pytest.raises(ValueError, match="unknown dtype 'i8'"):
        buffer(0, "i8", (1,))
