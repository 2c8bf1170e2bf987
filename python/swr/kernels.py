"""The kernel library: every configuration the PyTorch op offers, compiled
ahead of time by swr-compile, and the names the op looks its functions up by.

At build time (CMake's `swr-kernels` target) this module writes one MLIR
module per target and storage type (`python3 python/swr/kernels.py emit DIR`;
standard library only, so the build needs no NumPy), which
swr-compile turns into the artifacts `kernels-<target>-<dtype>.so`, and an
index (`index.json`) saying which configurations each artifact holds. At run
time `swr.torch` reads the index and calls the functions through
libswr_runtime: no MLIR, no LLVM.

A configuration is one `Config`; its function takes memrefs with dynamic
sizes, in this order:

  scan   a, x, [init], y                     (swr.scan, optionally reverse)
  chunk  a, x, [init | state_in], y, state_out   (swr.scan_chunk)
  tail   a, x, y_tail, state_out               (swr.scan_chunk over the last
                                              L positions of x, L = y_tail's
                                              length, at most N; finite
                                              windows)
  grad   a, x, dy, [init], dx, da, [dinit]   (swr.scan_grad)
  gradout  a, y, dy, [init], dx, da, [dinit] (swr.scan_grad from_output;
                                              hops = inf only)

a is `[B, H, N]` (per-head gates) or `[B, H, D, N]` (per-channel), x, y, dy,
dx `[B, H, D, N]`, init and dinit `[B, H, D]`, all of the configuration's
storage type; states are f32 `[B, H, D, S]` (layout version 1 of
swr.scan_chunk: S = hops + 2, or 1 for hops = inf).

Forward scans and tails also come time-major (`layout = "tm"`, names ending
in `_tm`): a, x and a scan's y are then dense `[B, N, H]` / `[B, N, H, D]`,
what linear projections produce in PyTorch, and the function scans them
through transposed views `[B, H(, D), N]` (on the GPU the time-major
mapping: no transposing copy; a tail's y_tail stays `[B, H, D, L]`);
`swr.torch` calls them for tensors of those strides.

A tail gives a long prefill its state: with a finite window the state
after position N - 1 depends only on the last K + 1 tiles, so `swr.torch`
scans the whole sequence (`scan`) and then runs a tail over the positions
from `T * (N // T - K)` on, read in place through subviews (y_tail, the
scratch of those positions' outputs, is dropped): no copy of a or x.
"""

import argparse
import itertools
import json
import math
import os
from dataclasses import dataclass

INF = -1  #: hops = inf

DTYPES = ("f32", "bf16", "f16")
TILES = (16, 32, 64)
HOPS = (0, 1, 2, INF)
GATES = ("head", "channel")

#: Windows of swr.scan_grad that have a GPU kernel (GradKernel.cpp: hops 0
#: and 1, tiles of at most 32). For hops = inf the library has the backward
#: from the output (`gradout`, every target), which `swr.torch` uses.
GPU_GRAD_TILES = (16, 32)
GPU_GRAD_HOPS = (0, 1)

TARGETS = ("cpu", "cuda:sm_90a")


class LibraryError(RuntimeError):
    """The kernel library is missing, or lacks a configuration."""


def library_dir():
    """Where the kernel library is: $SWR_LIB_DIR, else the package's own
    `_lib` (what the wheel installs)."""
    return os.environ.get("SWR_LIB_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "_lib")


def hops_text(hops):
    return "inf" if hops == INF else str(hops)


def available():
    """A one-line summary of the windows the library offers, for messages."""
    return (f"tiles {', '.join(map(str, TILES))}; hops "
            f"{', '.join(hops_text(h) for h in HOPS)}")


def window(tile, hops, who):
    """(tile, hops as an int, INF for inf) of a call's window attributes,
    checked: ValueError for values that are no window, LibraryError for a
    window the library lacks; messages start with `who`."""
    if isinstance(tile, bool) or not isinstance(tile, int) or tile < 1:
        raise ValueError(f"{who}: tile must be an integer >= 1; got {tile!r}")
    if isinstance(hops, float) and math.isinf(hops) and hops > 0:
        hops = INF
    elif isinstance(hops, float) and math.isfinite(hops) and hops == int(hops) and hops >= 0:
        hops = int(hops)
    elif isinstance(hops, bool) or not isinstance(hops, int) or hops < 0:
        raise ValueError(f"{who}: hops must be an integer >= 0 or math.inf; got {hops!r}")
    if tile not in TILES or hops not in HOPS:
        raise LibraryError(f"{who}: no kernels for tile={tile}, hops={hops_text(hops)}; the "
                           f"kernel library has {available()}")
    return tile, hops


def state_slots(hops):
    """The slot dimension of a swr.scan_chunk state (layout version 1)."""
    return 1 if hops == INF else hops + 2


@dataclass(frozen=True)
class Config:
    kind: str  # "scan", "chunk", "tail", "grad" or "gradout"
    dtype: str
    tile: int
    hops: int  # INF for inf
    gates: str  # "head" or "channel"
    start: str = ""  # "", "init" or (chunk only) "state"
    reverse: bool = False  # scan only
    layout: str = ""  # "" or (forward scans and tails) "tm": time-major a, x(, y)

    @property
    def name(self):
        """The function's name in its artifact."""
        parts = [self.kind, self.dtype, f"t{self.tile}", f"k{hops_text(self.hops)}", self.gates]
        if self.start:
            parts.append(self.start)
        if self.reverse:
            parts.append("rev")
        if self.layout:
            parts.append(self.layout)
        return "_".join(parts)

    def module_text(self):
        """The MLIR function of this configuration."""
        t = self.dtype
        seq = f"memref<?x?x?x?x{t}>"
        gate = f"memref<?x?x?x{t}>" if self.gates == "head" else seq
        vec = f"memref<?x?x?x{t}>"
        state = f"memref<?x?x?x{state_slots(self.hops)}xf32>"  # states are f32
        window = f"<tile = {self.tile}, hops = {hops_text(self.hops)}>"
        # Time-major: the parameters a, x, y are dense [B, N, H(, D)] and the
        # op takes their transposed views (`view`: a parameter's type -> its
        # view's, `dense` back).
        ref, prologue, dense = {n: f"%{n}" for n in "axy"}, "", {}
        if self.layout == "tm":
            assert self.kind in ("scan", "tail") and not self.reverse
            view = {seq: f"memref<?x?x?x?x{t}, strided<[?, ?, 1, ?]>>",
                    vec: f"memref<?x?x?x{t}, strided<[?, 1, ?]>>"}
            dense = {view_type: dense_type for dense_type, view_type in view.items()}
            perm = {seq: "(b, n, h, d) -> (b, h, d, n)", vec: "(b, n, h) -> (b, h, n)"}
            for n, ty in (("a", gate), ("x", seq)) + ((("y", seq),) if self.kind == "scan" else ()):
                prologue += f"  %{n}t = memref.transpose %{n} {perm[ty]} : {ty} to {view[ty]}\n"
                ref[n] = f"%{n}t"
            seq, gate = view[seq], view[gate]
        args = [("a", gate), ("y" if self.kind == "gradout" else "x", seq)]
        if self.kind in ("grad", "gradout"):
            args.append(("dy", seq))
        if self.start == "init":
            args.append(("h", vec))
        elif self.start == "state":
            args.append(("s", state))
        start = {"": "", "init": f" init(%h : {vec})", "state": f" state_in(%s : {state})"}
        ins = f"ins({ref['a']}, {ref['x']} : {gate}, {seq})"
        if self.kind == "scan":
            args.append(("y", seq))
            body = (f"swr.scan {window}{' reverse' if self.reverse else ''} {ins}"
                    f"{start[self.start]} outs({ref['y']} : {seq})")
        elif self.kind == "tail":
            return self._tail_text(gate, seq, state, window, ref, prologue, dense)
        elif self.kind == "chunk":
            args += [("y", seq), ("so", state)]
            body = (f"swr.scan_chunk {window} {ins}{start[self.start]} outs(%y : {seq}) "
                    f"state_out(%so : {state})")
        else:
            args += [("dx", seq), ("da", gate)]
            grad_init = ""
            if self.start == "init":
                args.append(("dh", vec))
                grad_init = f" grad_init(%dh : {vec})"
            form = " from_output" if self.kind == "gradout" else ""
            body = (f"swr.scan_grad {window}{form} ins(%a, %{args[1][0]}, %dy : {gate}, {seq}, "
                    f"{seq}){start[self.start]} outs(%dx, %da : {seq}, {gate}){grad_init}")
        params = ", ".join(f"%{n}: {dense.get(ty, ty)}" for n, ty in args)
        return f"func.func @{self.name}({params}) {{\n{prologue}  {body}\n  return\n}}\n"

    def _tail_text(self, gate, seq, state, window, ref, prologue, dense):
        """swr.scan_chunk over the last L positions of the (views of) a and x,
        L = y_tail's length: subviews from position N - L."""
        t = self.dtype
        per_head = self.gates == "head"
        # The subviews' types: the strides of a and x (time-major: of their
        # views, channels of unit stride) and a dynamic offset.
        seq_strides, vec_strides = (("?, ?, 1, ?", "?, 1, ?") if self.layout == "tm"
                                    else ("?, ?, ?, 1", "?, ?, 1"))
        seq_sub = f"memref<?x?x?x?x{t}, strided<[{seq_strides}], offset: ?>>"
        gate_sub = (f"memref<?x?x?x{t}, strided<[{vec_strides}], offset: ?>>" if per_head
                    else seq_sub)
        ytail = f"memref<?x?x?x?x{t}>"
        body = prologue
        for i in range(4):
            body += f"  %c{i} = arith.constant {i} : index\n"
        for i, dim in enumerate("bhdn"):
            body += f"  %{dim} = memref.dim {ref['x']}, %c{i} : {seq}\n"
        body += (f"  %len = memref.dim %yt, %c3 : {ytail}\n"
                 f"  %first = arith.subi %n, %len : index\n")
        gate_at = "[0, 0, %first] [%b, %h, %len] [1, 1, 1]" if per_head else \
            "[0, 0, 0, %first] [%b, %h, %d, %len] [1, 1, 1, 1]"
        body += (f"  %as = memref.subview {ref['a']}{gate_at} : {gate} to {gate_sub}\n"
                 f"  %xs = memref.subview {ref['x']}[0, 0, 0, %first] [%b, %h, %d, %len] "
                 f"[1, 1, 1, 1] : {seq} to {seq_sub}\n"
                 f"  swr.scan_chunk {window} ins(%as, %xs : {gate_sub}, {seq_sub}) "
                 f"outs(%yt : {ytail}) state_out(%so : {state})\n")
        params = ", ".join(f"%{n}: {dense.get(ty, ty)}" for n, ty in
                           (("a", gate), ("x", seq), ("yt", ytail), ("so", state)))
        return f"func.func @{self.name}({params}) {{\n{body}  return\n}}\n"


def configs(target, dtype):
    """The configurations of `target`'s artifact for storage type `dtype`."""
    gpu = target != "cpu"
    for tile, hops, gates in itertools.product(TILES, HOPS, GATES):
        common = dict(dtype=dtype, tile=tile, hops=hops, gates=gates)
        for start, reverse in itertools.product(("", "init"), (False, True)):
            yield Config("scan", start=start, reverse=reverse, **common)
        for start in ("", "init"):
            yield Config("scan", start=start, layout="tm", **common)
        for start in ("", "init", "state"):
            yield Config("chunk", start=start, **common)
        if hops != INF:
            for layout in ("", "tm"):
                yield Config("tail", layout=layout, **common)
        if not gpu or (tile in GPU_GRAD_TILES and hops in GPU_GRAD_HOPS):
            for start in ("", "init"):
                yield Config("grad", start=start, **common)
        if hops == INF:
            for start in ("", "init"):
                yield Config("gradout", start=start, **common)


def artifact_name(target, dtype):
    return f"kernels-{target.split(':')[0]}-{dtype}.so"


def index(targets):
    """The index the op reads: for each target, its artifacts and the
    function names each holds."""
    return {
        "version": 1,
        "targets": {
            target: {artifact_name(target, d): sorted(c.name for c in configs(target, d))
                     for d in DTYPES}
            for target in targets
        },
    }


def emit(directory, targets):
    """Writes `<artifact>.mlir` for every artifact of `targets` and
    `index.json` into `directory`."""
    os.makedirs(directory, exist_ok=True)
    for target, dtype in itertools.product(targets, DTYPES):
        text = "".join(c.module_text() for c in configs(target, dtype))
        path = os.path.join(directory, artifact_name(target, dtype)[:-3] + ".mlir")
        _write_if_changed(path, text)
    _write_if_changed(os.path.join(directory, "index.json"),
                      json.dumps(index(targets), indent=1) + "\n")


def _write_if_changed(path, text):
    # Keeps the build incremental: an unchanged module is not recompiled.
    if os.path.exists(path):
        with open(path) as f:
            if f.read() == text:
                return
    with open(path, "w") as f:
        f.write(text)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("emit", help="write the modules and index.json into DIR")
    e.add_argument("directory")
    e.add_argument("--targets", default=",".join(TARGETS),
                   help=f"comma-separated subset of {', '.join(TARGETS)}")
    args = p.parse_args(argv)
    targets = [t for t in args.targets.split(",") if t]
    for t in targets:
        if t not in TARGETS:
            p.error(f"unknown target {t!r}; the library has {', '.join(TARGETS)}")
    emit(args.directory, targets)


if __name__ == "__main__":
    main()
