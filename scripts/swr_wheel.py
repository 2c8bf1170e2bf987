"""Packs the swr Python package into a wheel: python/swr (the reference,
the runtime bindings, swr.torch) plus `swr/_lib`, the kernel library and
libswr_runtime.so that the build made (build/python/swr/_lib; another build
directory through SWR_BUILD_DIR). Pure Python loading shared libraries with
ctypes, so one wheel serves every CPython 3 on Linux x86_64; it needs no MLIR
or LLVM where it is installed.

Two ways in:
  - the PEP 517 backend of pyproject.toml, so that `python -m pip install .`
    works after scripts/build.sh (it needs nothing from PyPI to build);
  - `python3 scripts/swr_wheel.py DIR`, which scripts/build.sh runs to write
    the wheel into build/dist.
"""

import base64
import hashlib
import os
import sys
import zipfile

NAME, VERSION = "swr", "0.1.0"
TAG = "py3-none-linux_x86_64"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

METADATA = f"""Metadata-Version: 2.1
Name: {NAME}
Version: {VERSION}
Summary: Sliding window recurrences: the swr compiler's kernels for PyTorch and NumPy
Requires-Python: >=3.9
Requires-Dist: numpy
Provides-Extra: torch
Requires-Dist: torch>=2.4; extra == "torch"
"""

WHEEL = f"""Wheel-Version: 1.0
Generator: swr_wheel
Root-Is-Purelib: false
Tag: {TAG}
"""


def _files():
    """(path in the wheel, path on disk) of every packaged file."""
    src = os.path.join(ROOT, "python", "swr")
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and d != "_lib")
        for f in sorted(filenames):
            if f.endswith(".py"):
                disk = os.path.join(dirpath, f)
                yield os.path.join("swr", os.path.relpath(disk, src)), disk
    build = os.environ.get("SWR_BUILD_DIR") or os.path.join(ROOT, "build")
    lib = os.path.join(build if os.path.isabs(build) else os.path.join(ROOT, build), "python",
                       "swr", "_lib")
    if not os.path.exists(os.path.join(lib, "index.json")):
        raise SystemExit(f"swr_wheel: no kernel library at {lib}; run scripts/build.sh first "
                         f"(or set SWR_BUILD_DIR)")
    for f in sorted(os.listdir(lib)):
        if f.endswith(".so") or f in ("index.json", "torch-version"):
            yield os.path.join("swr", "_lib", f), os.path.join(lib, f)


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build(directory):
    """Writes the wheel into `directory`; returns its file name."""
    os.makedirs(directory, exist_ok=True)
    wheel = f"{NAME}-{VERSION}-{TAG}.whl"
    info = f"{NAME}-{VERSION}.dist-info"
    records = []
    with zipfile.ZipFile(os.path.join(directory, wheel), "w", zipfile.ZIP_DEFLATED) as z:
        def add(name, data, executable=False):
            zi = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            zi.external_attr = (0o755 if executable else 0o644) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
            records.append(_record_line(name, data))

        for name, disk in _files():
            with open(disk, "rb") as f:
                add(name, f.read(), executable=name.endswith(".so"))
        add(f"{info}/METADATA", METADATA.encode())
        add(f"{info}/WHEEL", WHEEL.encode())
        records.append(f"{info}/RECORD,,")
        z.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return wheel


# PEP 517 hooks.
def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return build(wheel_directory)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: swr_wheel.py OUTPUT_DIR")
    print(os.path.join(sys.argv[1], build(sys.argv[1])))
