#!/usr/bin/env python3
"""GPU integration suite: swr-cuda-pipeline kernels against float64.

Two phases, so that compiling (which needs swr-compile: this machine) and
running (which needs a GPU and PyTorch: the device) can happen on different
machines:

  gpu_suite.py build --out DIR --swr-compile ...
      writes one artifact per case (swr-compile --target=cuda:sm_90a: host
      code + embedded cubin) and DIR/cases.json;
  gpu_suite.py run --dir DIR --runtime libswr_runtime.so
      runs every case through the runtime's artifact API (swr_artifact_load,
      swr_function_call) on random inputs (gates mostly in (0.5, 1), some
      negative, some > 1; with values "slow" in magnitude within 0.005 of 1,
      so that a state from hundreds of positions back still shows in the
      outputs; inputs never zero) in PyTorch memory, compares
      every output with a float64 reference, and prints one line per case
      and a summary. The output buffer is poisoned with NaN first, so
      unwritten outputs fail.

The float64 reference here restarts the recurrence at the start of every
tile's window (the direct form, vectorized over tiles with PyTorch); `run`
first checks it against swr.reference.scan_reference, the O(N * window)
oracle, on small shapes.
"""

import argparse
import ctypes
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "python"))
from swr.twophase import scan_module  # noqa: E402


# (name, B, H, D, N) shapes: N not a multiple of any tile, a multiple of
# every tile, long sequences, and a single short sequence.
SHAPES = {
    "odd": (2, 3, 4, 1000),
    "mult": (1, 2, 16, 4096),
    "long": (1, 1, 4, 65536),
    "tiny": (1, 1, 1, 37),
    "big": (4, 128, 16, 8192),
}


def cases():
    out = []

    def add(shape, tile, hops, dtype, **kw):
        c = dict(shape=shape, tile=tile, hops=hops, x=dtype, a=dtype, y=dtype,
                 per_channel=False, reverse=False, init=False, dynamic=True)
        c.update(kw)
        c["name"] = "c%03d" % len(out)
        out.append(c)

    for dtype in ("f32", "bf16"):
        for hops in (0, 1, 2, "inf"):
            for tile in (16, 32, 64, 128):
                add("odd", tile, hops, dtype)
            add("mult", 16, hops, dtype, reverse=True)
            add("odd", 64, hops, dtype, reverse=True, init=True)
            add("odd", 16, hops, dtype, init=True, per_channel=True)
            add("long", 16 if hops != 2 else 32, hops, dtype)
        add("mult", 256, 1, dtype)
        add("mult", 256, 2, dtype, reverse=True, init=True)
        add("tiny", 16, 1, dtype, reverse=True, init=True)
        add("tiny", 16, "inf", dtype, init=True)
    # Mixed storage, static shapes, per-channel reverse.
    add("odd", 32, 1, "bf16", y="f32")
    add("mult", 16, 1, "f32", x="bf16", a="f32", y="bf16", dynamic=False)
    add("mult", 64, "inf", "f16", per_channel=True, reverse=True)
    add("long", 16, 1, "bf16", reverse=True, init=True, dynamic=False)
    # Tensor functions: the result is allocated in unified memory by the
    # runtime (swr-host-allocs-to-gpu).
    add("odd", 32, 1, "f32", tensor=True, dynamic=False)
    add("mult", 16, "inf", "bf16", tensor=True, dynamic=False, reverse=True)
    # Tiles longer than a warp's step (256 positions in bf16, 128 in f32),
    # the smallest tiles (one or two lanes), wide windows whose carries come
    # from several steps back, and sequences split into many chunks.
    add("long", 512, 2, "bf16", reverse=True, init=True)
    add("odd", 1024, 1, "bf16")
    add("mult", 512, 3, "f32", init=True)
    add("odd", 4, 1, "f32", init=True)
    add("odd", 8, 2, "bf16", reverse=True)
    add("long", 128, 8, "bf16", init=True)
    add("odd", 64, 5, "f32", reverse=True, init=True, per_channel=True)
    chunky = "min-chunk-steps=1 target-warps=100000 prefetch-steps=3 warps-per-block=3"
    for hops in (1, 2, "inf"):
        add("odd", 16, hops, "f32", init=True, options=chunky)
        add("odd", 32, hops, "bf16", reverse=True, init=True, options=chunky)
    add("odd", 256, 2, "f32", init=True, options=chunky)
    add("long", 16, 1, "bf16", options="prefetch-steps=1 warps-per-block=1")
    # Several vectors per lane (fewer where a tile is shorter).
    for tile, hops, dtype, kw in ((16, 1, "bf16", {}), (8, 2, "bf16", dict(reverse=True)),
                                  (16, 1, "f32", dict(init=True)),
                                  (32, "inf", "bf16", dict(reverse=True, init=True)),
                                  (512, 2, "f32", dict(init=True))):
        add("odd", tile, hops, dtype, options="vectors-per-lane=4 prefetch-steps=2", **kw)
    add("long", 16, 1, "bf16", options="vectors-per-lane=2")
    add("long", 16, "inf", "f32", options="vectors-per-lane=2", reverse=True)
    # The benchmark shape of issue 5 (also timed when --time is given).
    for hops in (1, "inf"):
        for dtype in ("bf16", "f32"):
            add("big", 16, hops, dtype)
    # Exact scans walked by a block of warps per sequence: sequences shorter
    # than one block step, partial last steps, reverse, init, per-channel
    # gates, odd team sizes, one and several vectors per lane.
    for team, shape, dtype, kw in ((2, "odd", "f32", dict(reverse=True, init=True)),
                                   (4, "odd", "bf16", {}),
                                   (3, "odd", "bf16", dict(per_channel=True, init=True)),
                                   (8, "tiny", "f32", dict(init=True)),
                                   (4, "mult", "bf16", dict(reverse=True)),
                                   (4, "long", "f32", {})):
        add(shape, 16, "inf", dtype, options=f"warps-per-sequence={team}", **kw)
    add("odd", 16, "inf", "bf16", reverse=True,
        options="warps-per-sequence=2 vectors-per-lane=1 prefetch-steps=1")
    add("big", 16, "inf", "bf16", options="warps-per-sequence=4")
    # Several channels per warp (lane groups of 16, 8, 4 lanes) and work
    # items channel fastest: groups of one warp on channels of different
    # heads, batches and chunks (D = 4 < 8 groups), groups past the last
    # item (tiny), tiles longer than a group's step, every window, reverse,
    # init, per-channel gates, chunks of one step.
    for g, shape, tile, hops, dtype, kw in (
            (2, "odd", 16, 1, "bf16", {}),
            (4, "odd", 16, 1, "bf16", dict(reverse=True, init=True)),
            (8, "odd", 16, 2, "f32", dict(init=True)),
            (4, "odd", 16, 0, "bf16", dict(per_channel=True)),
            (2, "odd", 16, "inf", "bf16", dict(init=True)),
            (4, "odd", 32, "inf", "f32", dict(reverse=True)),
            (8, "tiny", 16, 1, "bf16", dict(init=True)),
            (8, "tiny", 16, "inf", "f32", dict(reverse=True, init=True)),
            (4, "odd", 256, 2, "bf16", dict(reverse=True, init=True)),
            (2, "mult", 64, 1, "f32", dict(per_channel=True, reverse=True)),
            (4, "long", 16, 1, "bf16", {}),
            (2, "long", 16, "inf", "bf16", {}),
            (4, "big", 16, 1, "bf16", {}),
            (2, "big", 16, "inf", "bf16", {})):
        add(shape, tile, hops, dtype, options=f"channels-per-warp={g}", **kw)
    add("odd", 16, 1, "f32", init=True, options=f"channels-per-warp=4 {chunky}")
    add("odd", 32, 2, "bf16", reverse=True, options="adjacent-channels=1")
    add("odd", 16, 1, "bf16", init=True, options=f"adjacent-channels=1 {chunky}")
    add("odd", 16, "inf", "bf16", options="adjacent-channels=1 warps-per-sequence=2")
    # Several channels per lane (per-head gates loaded once for them): D = 4
    # split into groups of 2, 3 (one channel past the end), 4; one channel
    # (tiny: D = 1); every window, reverse, init, tiles longer than a step,
    # exact scans in teams (workgroup memory holds every channel's state),
    # with lane groups, element accesses (odd N, unaligned rows), and
    # per-channel gates (which walk one channel per lane).
    for cl, shape, tile, hops, dtype, kw in (
            (2, "odd", 16, 1, "bf16", {}),
            (3, "odd", 16, 1, "f32", dict(init=True)),
            (4, "odd", 16, 2, "bf16", dict(reverse=True, init=True)),
            (2, "odd", 32, 0, "f32", dict(reverse=True)),
            (2, "odd", 16, "inf", "bf16", dict(init=True)),
            (3, "odd", 64, "inf", "f32", dict(reverse=True, init=True)),
            (2, "tiny", 16, 1, "bf16", dict(reverse=True, init=True)),
            (4, "tiny", 16, "inf", "bf16", dict(init=True)),
            (2, "odd", 512, 2, "bf16", dict(init=True)),
            (4, "odd", 1024, 1, "f32", dict(reverse=True)),
            (2, "odd", 16, 1, "bf16", dict(per_channel=True, init=True)),
            (2, "mult", 16, 1, "bf16", dict(reverse=True)),
            (2, "long", 16, 1, "bf16", {}),
            (4, "long", 16, "inf", "f32", dict(reverse=True)),
            (2, "big", 16, 1, "bf16", {}),
            (2, "big", 16, "inf", "bf16", {})):
        add(shape, tile, hops, dtype, options=f"channels-per-lane={cl}", **kw)
    add("odd", 16, 1, "bf16", init=True, options=f"channels-per-lane=2 {chunky}")
    add("odd", 16, "inf", "bf16", reverse=True, init=True,
        options="channels-per-lane=2 warps-per-sequence=3")
    add("mult", 16, "inf", "f32", options="channels-per-lane=3 warps-per-sequence=2")
    add("odd", 16, 2, "bf16", reverse=True, options="channels-per-lane=2 channels-per-warp=2")
    add("mult", 16, "inf", "bf16", init=True, options="channels-per-lane=2 channels-per-warp=4")
    add("odd", 32, 1, "bf16", y="f32", options="channels-per-lane=2")
    # The defaults for static shapes with many long sequences and per-head
    # gates: two channels per lane (and, bf16, two lane groups per warp).
    add("big", 16, "inf", "bf16", dynamic=False)
    add("big", 16, "inf", "f32", dynamic=False, init=True, reverse=True)
    # The time-major layout: a, x, y dense [B, N, H(, D)] (what linear
    # projections produce), seen by the scan through transposed views,
    # first on the scan kernel (element accesses: time-major=0), then with
    # the time-major mapping (a thread per vector of channels, walking
    # positions): every window, both dtypes, per-head and per-channel
    # gates, reverse, init, static and dynamic shapes.
    for mapping in ("time-major=0", "time-major=1"):
        for hops in (0, 1, 2, "inf"):
            for dtype in ("f32", "bf16"):
                add("odd", 16, hops, dtype, layout="time", init=hops != 0, options=mapping)
            add("mult", 32, hops, "bf16", layout="time", reverse=True, per_channel=hops == 1,
                options=mapping)
        add("odd", 16, 1, "bf16", layout="time", dynamic=False, reverse=True, init=True,
            options=mapping)
        add("tiny", 16, "inf", "f32", layout="time", dynamic=False, per_channel=True,
            options=mapping)
    # What only the time-major mapping allows: odd tiles, D not a multiple
    # of the vector (element accesses), chunks of a few tiles.
    add("odd", 3, 2, "f32", layout="time", reverse=True, init=True, options="time-major=1")
    add("odd", 5, 1, "bf16", layout="time", per_channel=True, options="time-major=1")
    add("odd", 16, 1, "f32", layout="time", init=True,
        options=f"time-major=1 chain-windows=0 {chunky}")
    add("long", 16, 1, "bf16", layout="time", options="time-major=1")
    # The default for small static time-major inputs (B * H * D * N <= 2^24)
    # of 16-bit types with per-head gates, hops = 1: chained blocks of 4 warps.
    add("mult", 16, 1, "bf16", layout="time", dynamic=False, init=True, options="time-major=1")
    add("long", 16, "inf", "f32", layout="time", reverse=True, options="time-major=1")
    # The exact scan on the time-major layout, a chained scan (blocks of 32
    # rows by chain-warps segments of positions-in-flight positions,
    # decoupled look-back over the chunks before): partial row groups (6
    # rows), D not a multiple of the vector (the element-access kernel),
    # chunks of one position (look-back chains of 1000 and 65536 / 4),
    # every dtype, per-head and per-channel gates, reverse, init, mixed
    # storage, the benchmark's shape.
    for dtype, shape, kw in (("bf16", "big", {}),
                             ("f32", "big", dict(per_channel=True, init=True)),
                             ("f16", "mult", dict(per_channel=True, reverse=True, init=True)),
                             ("bf16", "mult", dict(y="f32", init=True)),
                             ("bf16", "odd", dict(reverse=True, init=True))):
        add(shape, 16, "inf", dtype, layout="time", **kw)
    for opts, shape, dtype, kw in (
            ("positions-in-flight=1 chain-warps=1", "odd", "f32", dict(init=True)),
            ("positions-in-flight=1 chain-warps=1", "odd", "bf16", dict(reverse=True)),
            ("positions-in-flight=2 chain-warps=2", "long", "f32", dict(reverse=True, init=True)),
            ("positions-in-flight=3 chain-warps=5", "mult", "bf16", dict(per_channel=True)),
            ("positions-in-flight=16 chain-warps=4", "mult", "f32", dict(init=True))):
        add(shape, 16, "inf", dtype, layout="time", options=f"time-major=1 {opts}", **kw)
    # The default for static lengths: 4 warps per sequence for these.
    add("long", 16, "inf", "f32", reverse=True, init=True, dynamic=False)
    add("long", 64, "inf", "bf16", dynamic=False)
    # Special values (swr.reference.plant_special, as in the CPU's
    # scan-special-values.test): gates of exactly 0 and 1, denormal gates
    # and inputs, NaN and +-inf gates and inputs at the sequence's and a
    # tile's first position, inside a tile and at the end; through every
    # mapping: tiles within and longer than a step, chunks, teams, lane
    # groups, channels per lane, the time-major mapping. "denormal": every
    # input denormal, compared without an absolute floor, so that a kernel
    # that flushes denormals to zero fails.
    for hops in (0, 1, 2, "inf"):
        add("odd", 16, hops, "f32", values="special")
        add("odd", 32, hops, "bf16", values="special", reverse=True, init=hops != 0)
        add("odd", 256, hops, "f32", values="special", init=hops == 1)
        add("odd", 16, hops, "bf16", values="special", layout="time", options="time-major=1")
    add("odd", 512, 1, "bf16", values="special", reverse=True)
    add("odd", 16, 1, "f32", values="special", per_channel=True, options=chunky)
    add("odd", 16, 2, "bf16", values="special", options=f"channels-per-lane=2 {chunky}")
    add("odd", 16, "inf", "bf16", values="special", options="warps-per-sequence=4")
    add("odd", 16, "inf", "f32", values="special", reverse=True,
        options="channels-per-lane=2 warps-per-sequence=2")
    add("odd", 16, 1, "bf16", values="special", options="channels-per-warp=4")
    add("odd", 16, 0, "f32", values="special", options="channels-per-warp=2 vectors-per-lane=4")
    add("odd", 16, 1, "f32", values="special", layout="time")
    add("odd", 5, 2, "f32", values="special", layout="time", init=True, options="time-major=1")
    for hops, kw in ((1, dict(init=True)), ("inf", dict(reverse=True, init=True)),
                     (2, dict(per_channel=True)), (0, {})):
        add("odd", 16, hops, "f32", values="denormal", **kw)
    add("odd", 16, 1, "bf16", y="f32", values="denormal", options="channels-per-lane=2")
    add("odd", 256, 1, "f32", values="denormal", reverse=True)
    add("odd", 16, "inf", "f32", values="denormal", options="warps-per-sequence=2")
    add("odd", 16, 1, "f32", values="denormal", layout="time", options="time-major=1")
    # The defaults on time-major layouts (the time-major mapping for finite
    # windows), and its chunks at the defaults and longer.
    add("long", 16, 1, "bf16", layout="time", init=True)
    add("mult", 16, 2, "f32", layout="time", reverse=True, dynamic=False)
    add("long", 32, 1, "f32", layout="time", per_channel=True,
        options="chain-windows=0 min-chunk-steps=2")
    # The chained scan's status words: NaNs and infinities published as
    # maps and prefixes (made canonical: never the unpublished NaN) along
    # look-back chains of one- and four-position chunks; launch bounds with
    # spills (3 blocks of 8 warps: 80 registers) and none (ptxas's choice).
    add("odd", 16, "inf", "f32", values="special", layout="time", init=True,
        options="time-major=1 positions-in-flight=1 chain-warps=1")
    add("odd", 16, "inf", "bf16", values="special", layout="time", per_channel=True,
        options="time-major=1 positions-in-flight=2 chain-warps=2")
    add("big", 16, "inf", "bf16", layout="time", per_channel=True,
        options="time-major=1 chain-blocks-per-sm=3")
    add("mult", 16, "inf", "f32", layout="time", reverse=True,
        options="time-major=1 chain-blocks-per-sm=1")
    # hops = 1 on the chained scan's blocks (the default on time-major
    # layouts): a tile per segment, tiles of 2, 4 and 8 segments (a tile per
    # block: a one-hop look-back at every block), tiles of 12 and 6, chunks
    # of one position (tile 1), D not a multiple of the vector, special
    # values through the status words; and the warm-up chunks
    # (chain-windows=0) that it replaces.
    for tile, dtype, shape, opts, kw in (
            (16, "bf16", "big", "", {}),
            (16, "f32", "big", "", dict(per_channel=True, init=True)),
            (32, "f32", "mult", "", dict(reverse=True, init=True)),
            (64, "bf16", "mult", "", dict(per_channel=True)),
            (64, "f16", "odd", "positions-in-flight=16 chain-warps=4", dict(init=True)),
            (12, "bf16", "odd", "", dict(reverse=True, y="f32")),
            (6, "f32", "odd", "positions-in-flight=3 chain-warps=2", dict(per_channel=True)),
            (1, "f32", "odd", "positions-in-flight=1 chain-warps=1", dict(init=True)),
            (16, "bf16", "long", "", dict(reverse=True, init=True))):
        add(shape, tile, 1, dtype, layout="time", options=f"time-major=1 {opts}", **kw)
    add("odd", 4, 1, "f32", values="special", layout="time", init=True,
        options="time-major=1 positions-in-flight=2 chain-warps=2")
    add("odd", 16, 1, "bf16", values="special", layout="time", per_channel=True,
        options="time-major=1 positions-in-flight=8 chain-warps=2")
    add("odd", 16, 1, "bf16", layout="time", init=True, options="time-major=1 chain-windows=0")
    add("mult", 32, 1, "bf16", layout="time", reverse=True, per_channel=True,
        options="time-major=1 chain-windows=0")
    add("odd", 16, 1, "bf16", values="special", layout="time",
        options="time-major=1 chain-windows=0")
    # The exact scan's first look (look-window): the block's warps read the
    # chunks before its own at once; long chains of chunks (one row group
    # of 65536 positions), many rows, special values through the maps it
    # composes, a window wider than the warps.
    add("big", 16, "inf", "bf16", layout="time", per_channel=True,
        options="time-major=1 look-window=8")
    add("long", 16, "inf", "f32", layout="time", reverse=True, init=True,
        options="time-major=1 look-window=8")
    add("mult", 16, "inf", "bf16", layout="time", init=True,
        options="time-major=1 look-window=8")
    add("odd", 16, "inf", "bf16", values="special", layout="time", per_channel=True,
        options="time-major=1 positions-in-flight=2 chain-warps=2 look-window=8")
    add("long", 16, "inf", "bf16", layout="time", per_channel=True,
        options="time-major=1 positions-in-flight=1 chain-warps=4 look-window=4")
    # Narrower channel vectors (channel-bytes): 4 and 2 channels of bf16 a
    # thread, 2 and 1 of f32, holding 2 and 4 times the positions; the
    # exact scan and hops = 1 on chained blocks, partial row groups, D not a
    # multiple of the vector (tiny: one channel), long chains, special
    # values.
    for bytes_, tile, hops, shape, dtype, kw in (
            (8, 16, "inf", "big", "bf16", dict(per_channel=True)),
            (8, 16, "inf", "long", "bf16", dict(reverse=True, init=True)),
            (8, 16, 1, "big", "bf16", {}),
            (8, 16, 1, "mult", "f32", dict(per_channel=True, init=True)),
            (4, 16, "inf", "mult", "bf16", dict(per_channel=True, init=True)),
            (4, 16, "inf", "long", "f32", {}),
            (4, 16, 1, "odd", "bf16", dict(reverse=True)),
            (8, 16, "inf", "odd", "bf16", dict(values="special", per_channel=True)),
            (4, 16, 1, "odd", "f32", dict(values="special", init=True)),
            (8, 16, "inf", "tiny", "bf16", dict(init=True)),
            (4, 16, 1, "tiny", "bf16", dict(per_channel=True))):
        add(shape, tile, hops, dtype, layout="time",
            options=f"time-major=1 channel-bytes={bytes_}", **kw)
    # The defaults where static shapes make few rows of chained blocks: the
    # exact scan of bf16 with per-head gates on 8-byte vectors holding 32
    # positions (ptxas spills), hops = 1 of bf16 with per-channel gates on
    # 4-byte vectors; and the exact scan of f32 with per-head gates (8
    # bytes, 24 positions).
    add("odd", 16, "inf", "bf16", layout="time", dynamic=False, init=True)
    add("long", 16, "inf", "bf16", values="special", layout="time", dynamic=False,
        reverse=True)
    add("mult", 16, 1, "bf16", layout="time", dynamic=False, per_channel=True,
        reverse=True)
    add("odd", 16, "inf", "f32", values="special", layout="time", init=True)
    # look-depth: each warp of the first look reads a group of chunks at
    # once and composes them: long chains (65536 positions), many rows,
    # special values through the groups' compositions, depths that do not
    # divide the chain, bf16 per head at depth 4 (ptxas spills); gates near
    # 1, so that a carry composed from the wrong chunks fails.
    add("long", 16, "inf", "bf16", values="slow", layout="time", init=True,
        options="time-major=1 look-window=8 look-depth=4")
    add("big", 16, "inf", "f32", values="slow", layout="time", per_channel=True, reverse=True,
        options="time-major=1 look-window=8 look-depth=4")
    add("odd", 16, "inf", "bf16", values="special", layout="time",
        options="time-major=1 positions-in-flight=2 chain-warps=2 look-window=2 look-depth=3")
    add("long", 16, "inf", "f32", values="slow", layout="time", reverse=True,
        options="time-major=1 positions-in-flight=1 chain-warps=4 look-window=4 look-depth=8")
    add("long", 16, "inf", "bf16", values="slow", layout="time", per_channel=True,
        options="time-major=1 look-window=4")
    # own-carries (hops = 1 on chained blocks): each warp forms its own
    # segment's carry, the later tiles' warps storing while the first
    # tile's wait for the chunk before: a tile per segment and tiles of 2
    # and 4 segments, long chains, many rows, special values, reverse and
    # init; gates near 1, so that a carry from the wrong tile fails.
    add("long", 16, 1, "bf16", values="slow", layout="time", init=True,
        options="time-major=1 own-carries=1")
    add("big", 16, 1, "f32", values="slow", layout="time", per_channel=True, reverse=True,
        options="time-major=1 own-carries=1")
    add("odd", 16, 1, "bf16", values="special", layout="time", per_channel=True,
        options="time-major=1 positions-in-flight=8 chain-warps=4 own-carries=1")
    add("long", 16, 1, "f32", values="slow", layout="time", reverse=True,
        options="time-major=1 positions-in-flight=4 chain-warps=8 own-carries=1")
    add("mult", 16, 1, "bf16", values="slow", layout="time", dynamic=False, init=True,
        options="time-major=1 own-carries=1")
    # look-far-prefix: the look-depth groups reading only the farthest
    # chunk's prefix; long chains and many rows with slow gates, a depth
    # that does not divide the chain, special values.
    add("long", 16, "inf", "bf16", values="slow", layout="time", init=True,
        options="time-major=1 look-window=8 look-depth=4 look-far-prefix=1")
    add("big", 16, "inf", "f32", values="slow", layout="time", per_channel=True, reverse=True,
        options="time-major=1 look-window=8 look-depth=8 look-far-prefix=1")
    add("odd", 16, "inf", "bf16", values="special", layout="time",
        options="time-major=1 positions-in-flight=2 chain-warps=2 look-window=2 look-depth=3 "
                "look-far-prefix=1")
    return out


def tensor_module_for(c):
    b, h, d, n = SHAPES[c["shape"]]
    ta = f"tensor<{b}x{h}x{n}x{c['a']}>"
    tx = f"tensor<{b}x{h}x{d}x{n}x{c['x']}>"
    ty = f"tensor<{b}x{h}x{d}x{n}x{c['y']}>"
    rev = " reverse" if c["reverse"] else ""
    return (f"func.func @scan(%a: {ta}, %x: {tx}) -> {ty} {{\n"
            f"  %e = tensor.empty() : {ty}\n"
            f"  %y = swr.scan <tile = {c['tile']}, hops = {c['hops']}>{rev} ins(%a, %x : {ta}, {tx})"
            f" outs(%e : {ty}) -> {ty}\n  return %y : {ty}\n}}\n")


def module_for(c):
    if c.get("tensor"):
        return tensor_module_for(c)
    return scan_module(SHAPES[c["shape"]], tile=c["tile"], hops=c["hops"], x=c["x"], a=c["a"],
                       y=c["y"], per_channel=c["per_channel"], reverse=c["reverse"],
                       init=c["init"], dynamic=c["dynamic"], time_major=c.get("layout") == "time")


def build(args):
    os.makedirs(args.out, exist_ok=True)
    built = []
    t0 = time.time()
    for c in cases():
        if args.only and c["name"] not in args.only.split(","):
            continue
        mlir = module_for(c)
        base = os.path.join(args.out, c["name"])
        with open(base + ".mlir", "w") as f:
            f.write(mlir)
        step = [args.swr_compile, base + ".mlir", f"--target=cuda:{args.chip}",
                "--pipeline-options=" + " ".join(filter(None, [args.pipeline_options, c.get("options")])),
                "-o", base + ".so"]
        r = subprocess.run(step, capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"error: case {c['name']}: {' '.join(step)} failed:\n{r.stderr}")
        built.append(c)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"shapes": SHAPES, "cases": built}, f, indent=1)
    print(f"built {len(built)} cases in {time.time() - t0:.1f} s under {args.out}")


# ---------------------------------------------------------------------------
# Device side
# ---------------------------------------------------------------------------

def buffer_of(t, dtype):
    """A runtime Buffer over a contiguous CUDA tensor."""
    from swr.runtime import buffer
    return buffer(t.data_ptr(), dtype, tuple(t.shape))


def walk_reference(torch, a, x, *, tile, hops, init, reverse):
    """Float64, the direct form: for every tile, the recurrence restarted at
    the first position of its window (from init when the window reaches it),
    all tiles at once. a: [R, N] or broadcastable, x: [R, N], init: [R]."""
    r, n = x.shape
    if hops == "inf":
        return exact_walk(torch, a, x, init=init, reverse=reverse)
    m = -(-n // tile)
    c = torch.arange(m, device=x.device)
    y = torch.full_like(x, float("nan"))
    acc = torch.zeros(r, m, dtype=x.dtype, device=x.device)
    started = torch.zeros(m, dtype=torch.bool, device=x.device)
    rows = torch.arange(r, device=x.device)[:, None]
    for i in range((hops + 1) * tile):
        if not reverse:
            p = tile * (c - hops) + i
            first = torch.clamp(tile * (c - hops), min=0)
            reaches = (c - hops) <= -1
            mine = (p >= tile * c) & (p < tile * (c + 1))
        else:
            p = tile * (c + hops + 1) - 1 - i
            first = torch.clamp(tile * (c + hops + 1) - 1, max=n - 1)
            reaches = (c + hops) >= m
            mine = (p >= tile * c) & (p < tile * (c + 1))
        valid = (p >= 0) & (p < n) & ((p >= first) if not reverse else (p <= first))
        pc = torch.clamp(p, 0, n - 1)
        xv = x[rows, pc[None, :].expand(r, m)]
        if not reverse:
            gv = a[rows, pc[None, :].expand(r, m)]
        else:
            gnext = torch.clamp(pc + 1, max=n - 1)
            gv = torch.where((pc + 1 < n)[None, :], a[rows, gnext[None, :].expand(r, m)],
                             torch.ones((), dtype=x.dtype, device=x.device))
        is_first = valid & (p == first)
        start_val = xv
        if init is not None:
            with_init = xv + (gv if not reverse else 1.0) * init[:, None]
            start_val = torch.where(reaches[None, :], with_init, xv)
        stepped = gv * acc + xv
        acc = torch.where(is_first[None, :], start_val,
                          torch.where((valid & started)[None, :], stepped, acc))
        started = started | is_first
        write = valid & mine
        cols = pc[write]
        y[:, cols] = acc[:, write]
    return y


def exact_walk(torch, a, x, *, init, reverse):
    """The exact recurrence in float64, position by position on the host
    over all rows at once (a loop of N steps: far fewer calls than walking
    on the device). Reverse: the gate linking position p to p + 1 is
    a_{p+1}, 1 after the last. The first position multiplies no gate
    (init, when given, by a_0)."""
    import numpy as np
    r, n = x.shape
    a_np = a.expand(r, n).cpu().numpy()
    x_np = x.cpu().numpy()
    if reverse:
        a_np = np.concatenate([a_np[:, 1:], np.ones((r, 1))], axis=1)[:, ::-1]
        x_np = x_np[:, ::-1]
    h0 = None if init is None else init.cpu().numpy()
    y = np.empty((r, n))
    for t in range(n):
        if t:
            y[:, t] = a_np[:, t] * y[:, t - 1] + x_np[:, t]
        else:
            y[:, 0] = x_np[:, 0] if h0 is None else a_np[:, 0] * h0 + x_np[:, 0]
    if reverse:
        y = y[:, ::-1]
    return torch.from_numpy(np.ascontiguousarray(y)).to(x.device)


def time_case(torch, fn, bufs, tensors, runtime, reps=50):
    """Median time of the kernel call (on PyTorch's stream, so that no
    stream is created per call) against a device-to-device copy of the same
    bytes (read a and x, write y), both with CUDA events."""
    stream = torch.cuda.current_stream()
    runtime.set_stream(stream.cuda_stream)
    nbytes = sum(t.numel() * t.element_size() for t in tensors)
    src = torch.empty(nbytes // 2, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    flush = torch.empty(256 << 20, dtype=torch.uint8, device="cuda")

    def timed(fn):
        times = []
        for _ in range(reps):
            flush.zero_()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
        return sorted(times)[len(times) // 2]

    t_kernel = timed(lambda: fn(*bufs))
    t_copy = timed(lambda: dst.copy_(src))
    runtime.set_stream(None)
    return (f"| {t_kernel * 1e3:.1f} us, copy of the same bytes {t_copy * 1e3:.1f} us: "
            f"{100 * t_copy / t_kernel:.0f}% of copy")


def run(args):
    import numpy as np
    import torch

    from swr.cpu_runner import check_close
    from swr.reference import DENORMAL_SCALE, plant_special, scan_reference
    from swr.runtime import Runtime, SwrError

    with open(os.path.join(args.dir, "cases.json")) as f:
        suite = json.load(f)
    runtime = Runtime(args.runtime)
    dev = torch.device("cuda")
    tdt = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}

    # The walk reference against the formula, on small shapes.
    g = np.random.default_rng(1)
    for tile, hops, reverse, init in [(4, 1, False, True), (4, 2, True, True), (4, "inf", True, True),
                                      (4, "inf", False, True), (4, 0, False, False),
                                      (3, 1, True, False), (5, 2, False, False)]:
        a = g.uniform(-1, 1, (8, 1, 1, 23)); x = g.uniform(-1, 1, (8, 1, 1, 23))
        h = g.uniform(-1, 1, (8, 1, 1))
        for special in (False, True):
            if special:
                plant_special(g, a, x, tile)
            ref = scan_reference(a, x, tile=tile, hops=float("inf") if hops == "inf" else hops,
                                 init=h if init else None, reverse=reverse)
            got = walk_reference(torch, torch.tensor(a.reshape(8, 23), device=dev),
                                 torch.tensor(x.reshape(8, 23), device=dev), tile=tile, hops=hops,
                                 init=torch.tensor(h.reshape(8), device=dev) if init else None,
                                 reverse=reverse).cpu().numpy()
            # Non-finite where the formula is (NaN or +-inf: the order of
            # evaluation decides), equal elsewhere.
            ok, summary = check_close(got, ref.reshape(8, 23), np.ones_like(got), "f32",
                                      rtol=1e-12, roundings=0, floor=0.0)
            assert ok, (tile, hops, reverse, special, summary)
    print("walk reference matches scan_reference (also on special values)")

    failures = 0
    rows_out = []
    selected = [c for c in suite["cases"] if not args.only or c["name"] in args.only.split(",")]
    for c in selected:
        b, h, d, n = suite["shapes"][c["shape"]]
        gen = torch.Generator(device=dev).manual_seed(int(c["name"][1:]))
        ashape = (b, h, d, n) if c["per_channel"] else (b, h, n)
        slow = c.get("values") == "slow"
        gates = torch.rand(ashape, generator=gen, device=dev, dtype=torch.float64)
        gates = 1 - gates * 0.005 if slow else gates * 0.5 + 0.5
        gates = torch.where(torch.rand(ashape, generator=gen, device=dev) < 0.1, -gates, gates)
        gates = torch.where(torch.rand(ashape, generator=gen, device=dev) < (0 if slow else 0.05),
                            gates * 1.2, gates)
        xs = (torch.rand((b, h, d, n), generator=gen, device=dev, dtype=torch.float64) * 0.75 + 0.25)
        xs = xs * torch.where(torch.rand((b, h, d, n), generator=gen, device=dev) < 0.5, -1.0, 1.0)
        h0 = torch.rand((b, h, d), generator=gen, device=dev, dtype=torch.float64) * 1.5 + 0.5
        if c.get("values") == "special":
            a_np, x_np = gates.cpu().numpy(), xs.cpu().numpy()
            plant_special(np.random.default_rng(int(c["name"][1:])), a_np, x_np, c["tile"])
            gates, xs = torch.from_numpy(a_np).to(dev), torch.from_numpy(x_np).to(dev)
        elif c.get("values") == "denormal":
            xs, h0 = xs * DENORMAL_SCALE, h0 * DENORMAL_SCALE
        a_t = gates.to(tdt[c["a"]]).contiguous()
        x_t = xs.to(tdt[c["x"]]).contiguous()
        h_t = h0.to(tdt[c["a"]]).contiguous()
        y_t = torch.full((b, h, d, n), float("nan"), dtype=tdt[c["y"]], device=dev)
        fn = runtime.load(os.path.join(args.dir, c["name"] + ".so"))["scan"]
        time_major = c.get("layout") == "time"
        if time_major:  # Dense [B, N, H(, D)] arguments; y is read back as a view.
            a_arg, x_arg = a_t.movedim(-1, 1).contiguous(), x_t.movedim(-1, 1).contiguous()
            y_arg = torch.full((b, n, h, d), float("nan"), dtype=tdt[c["y"]], device=dev)
            y_t = y_arg.movedim(1, -1)
        else:
            a_arg, x_arg, y_arg = a_t, x_t, y_t
        bufs = [buffer_of(a_arg, c["a"]), buffer_of(x_arg, c["x"])] + \
            ([buffer_of(h_t, c["a"])] if c["init"] else [])
        runtime.lib.swr_runtime_clear_error()
        torch.cuda.synchronize()
        err = None
        try:
            if c.get("tensor"):
                # The function allocates and returns y (unified memory).
                result, = fn(*bufs)
                raw = bytearray(b * h * d * n * runtime.dtype_size(c["y"]))
                host = (ctypes.c_char * len(raw)).from_buffer(raw)
                runtime.copy_to_host(ctypes.addressof(host), result.data, len(raw))
                y_t = torch.frombuffer(raw, dtype=tdt[c["y"]]).reshape(b, h, d, n).to(dev)
                fn.artifact.release(result)
            else:
                bufs.append(buffer_of(y_arg, c["y"]))
                fn(*bufs)
            torch.cuda.synchronize()
        except SwrError as e:
            err = str(e)
        if args.no_check:  # Only run the kernels (e.g. under compute-sanitizer).
            print(f"{'FAIL' if err else 'ran '} {c['name']}{': ' + err if err else ''}")
            failures += bool(err)
            continue
        timing = ""
        if args.time and not err and not c.get("tensor"):
            timing = " " + time_case(torch, fn, bufs, [a_t, x_t, y_t], runtime)
        if err:
            print(f"FAIL {c['name']}: runtime error: {err}")
            failures += 1
            continue
        # float64 reference from the stored (rounded) inputs.
        a64 = a_t.double()
        a64 = (a64[:, :, None, :].expand(b, h, d, n) if not c["per_channel"] else a64).reshape(-1, n)
        x64 = x_t.double().reshape(-1, n)
        h64 = h_t.double().reshape(-1) if c["init"] else None
        window = dict(tile=c["tile"], hops=c["hops"], reverse=c["reverse"])
        ref = walk_reference(torch, a64, x64, init=h64, **window)
        scale = walk_reference(torch, a64.abs(), x64.abs(),
                               init=None if h64 is None else h64.abs(), **window)
        got = y_t.double().reshape(-1, n).cpu().numpy()
        ok, summary = check_close(got, ref.cpu().numpy(), scale.cpu().numpy(), c["y"],
                                  floor=0.0 if c.get("values") == "denormal" else 1e-30)
        desc = (f"{c['shape']:>4} {b}x{h}x{d}x{n:<6} T={c['tile']:<3} K={c['hops']:<3} "
                f"{c['x']}/{c['a']}/{c['y']:<4} {'chan' if c['per_channel'] else 'head'}"
                f"{' rev' if c['reverse'] else '    '}{' init' if c['init'] else '     '}"
                f"{' static' if not c['dynamic'] else ''}{' tensor' if c.get('tensor') else ''}"
                f"{' time-major' if c.get('layout') == 'time' else ''}"
                f"{' ' + c['values'] if c.get('values') else ''}"
                f"{' [' + c['options'] + ']' if c.get('options') else ''}")
        print(f"{'ok  ' if ok else 'FAIL'} {c['name']} {desc}: {summary}{timing}")
        rows_out.append(dict(case=c, ok=ok, summary=summary))
        failures += not ok
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows_out, f, indent=1)
    launches = runtime.dependent_launch_summary()
    if launches:
        print(launches)
    print(f"{len(selected) - failures} of {len(selected)} GPU cases passed")
    sys.exit(1 if failures else 0)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    pb = sub.add_parser("build")
    pb.add_argument("--out", required=True)
    pb.add_argument("--swr-compile", required=True)
    pb.add_argument("--chip", default="sm_90a")
    pb.add_argument("--pipeline-options", default="")
    pb.add_argument("--only", help="comma-separated case names (default: all)")
    pr = sub.add_parser("run")
    pr.add_argument("--dir", required=True)
    pr.add_argument("--runtime", required=True)
    pr.add_argument("--json")
    pr.add_argument("--time", action="store_true", help="time each case against a copy")
    pr.add_argument("--only", help="comma-separated case names (default: all)")
    pr.add_argument("--no-check", action="store_true",
                    help="run the kernels without comparing (for compute-sanitizer)")
    args = p.parse_args()
    build(args) if args.cmd == "build" else run(args)


if __name__ == "__main__":
    main()
