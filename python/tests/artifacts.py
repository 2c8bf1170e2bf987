"""What the artifact tests share: where their artifact comes from and where
their buffers live.

SWR_RUNTIME is libswr_runtime.so. The artifact is compiled here for the CPU
when SWR_COMPILE is set, or is SWR_ARTIFACT, compiled beforehand (for the
GPU: scripts/gpu_prepare.sh); with SWR_TARGET=cuda the buffers live in
device memory."""

import ctypes
import os
import subprocess

import pytest

COMPILE, RUNTIME = os.environ.get("SWR_COMPILE"), os.environ.get("SWR_RUNTIME")
ARTIFACT, CUDA = os.environ.get("SWR_ARTIFACT"), os.environ.get("SWR_TARGET") == "cuda"

needs_artifact = pytest.mark.skipif(
    not ((COMPILE or ARTIFACT) and RUNTIME),
    reason="needs SWR_RUNTIME and SWR_COMPILE or SWR_ARTIFACT")


def load_artifact(tmp_path_factory, module_text, stem):
    """The loaded artifact of `module_text`: SWR_ARTIFACT, or compiled for
    the CPU with SWR_COMPILE."""
    from swr.runtime import Runtime
    path = ARTIFACT
    if not path:
        d = tmp_path_factory.mktemp(stem)
        (d / f"{stem}.mlir").write_text(module_text)
        path = str(d / f"{stem}.so")
        subprocess.run([COMPILE, str(d / f"{stem}.mlir"), "--target=cpu", "-o", path],
                       check=True)
    rt = Runtime(RUNTIME)
    rt.lib.swr_runtime_set_verbose(0)
    art = rt.load(path)
    assert art.is_cuda == CUDA, f"{path} is for {art.target}"
    return art


def addr(array):
    return array.ctypes.data_as(ctypes.c_void_p).value


class placed:
    """The addresses of `arrays` (NumPy) where `artifact` runs: the arrays
    themselves for a CPU artifact; device copies for a CUDA one, copied back
    (all of them: outputs and inputs alike) and freed on exit."""

    def __init__(self, artifact, arrays):
        self.rt, self.cuda, self.arrays = artifact.runtime, artifact.is_cuda, arrays

    def __enter__(self):
        if not self.cuda:
            return [addr(v) for v in self.arrays]
        self.device = []
        for v in self.arrays:
            p = self.rt.lib.swr_cuda_alloc(max(v.nbytes, 1))
            assert p, self.rt.last_error()
            if v.nbytes:
                self.rt.copy_to_device(p, addr(v), v.nbytes)
            self.device.append(p)
        return self.device

    def __exit__(self, *exc):
        if self.cuda:
            for v, p in zip(self.arrays, self.device):
                if v.nbytes:
                    self.rt.copy_to_host(addr(v), p, v.nbytes)
                self.rt.lib.swr_cuda_free(p)


def call(artifact, name, args):
    """Calls function `name` on [(array, dtype name)], arrays updated in
    place (outputs included)."""
    from swr.runtime import buffer
    with placed(artifact, [v for v, _ in args]) as addrs:
        bufs = [buffer(p, d, v.shape) for p, (v, d) in zip(addrs, args)]
        assert artifact[name](*bufs) == []
