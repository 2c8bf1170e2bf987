// The decisions of convert-swr-to-gpu (KernelMapping), checked directly: the
// test pass takes the same options and prints the mapping of each scan.
// RUN: swr-opt %s -split-input-file -swr-decompose -test-swr-kernel-mapping -verify-diagnostics
// RUN: not swr-opt %s -split-input-file -swr-decompose -test-swr-kernel-mapping="vectors-per-lane=4 warps-per-sequence=3 warps-per-block=8" 2>&1 | FileCheck %s --check-prefix=KNOBS
// RUN: not swr-opt %s -split-input-file -swr-decompose -test-swr-kernel-mapping="channels-per-warp=4 channels-per-lane=1" 2>&1 | FileCheck %s --check-prefix=GROUPS
// RUN: not swr-opt %s -split-input-file -swr-decompose -test-swr-kernel-mapping="adjacent-channels=0 channels-per-lane=3" 2>&1 | FileCheck %s --check-prefix=ADJACENT
// RUN: not swr-opt %s -split-input-file -swr-decompose -test-swr-kernel-mapping="prefetch-steps=3 min-chunk-steps=8" 2>&1 | FileCheck %s --check-prefix=EXPLICIT
// RUN: not swr-opt %s -test-swr-kernel-mapping=prefetch-steps=5 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -test-swr-kernel-mapping=channels-per-warp=3 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -test-swr-kernel-mapping="channels-per-warp=2 warps-per-sequence=2" 2>&1 | FileCheck %s --check-prefix=GROUP-TEAM
// OPTION: error: convert-swr-to-gpu: warps-per-block must be in [1, 32]
// OPTION-SAME: channels-per-warp 0, 1, 2, 4 or 8, channels-per-lane in [0, 4]
// GROUP-TEAM: error: convert-swr-to-gpu: channels-per-warp > 1 needs one warp per sequence

// Four channels per warp: lane groups of 8 lanes, steps of 8 lanes; 16
// groups (4 warps) per block; work items channel fastest. The exact scan
// walks with one group per sequence (no team).
// GROUPS: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 8, elems = 8, span = 64, team = 1, stride = 64, items-per-block = 16, block-threads = 128, tile-in-step = 1, lanes-per-tile = 2, {{.*}} channels-per-warp = 4, lanes = 8, channels-per-lane = 1, adjacent-channels = 1
// GROUPS: remark: kernel mapping: tile = 16, hops = inf, forward, vector-elems = 4, elems = 8, span = 64, team = 1, stride = 64, items-per-block = 16, block-threads = 128, tile-in-step = 0, lanes-per-tile = 8, {{.*}} channels-per-warp = 4, lanes = 8, channels-per-lane = 1, adjacent-channels = 1
// Work items chunk fastest; three channels per lane with per-head gates
// (the exact scan's lanes of several channels keep three steps in flight),
// one with per-channel gates.
// ADJACENT: remark: kernel mapping: tile = 16, hops = 1, {{.*}} span = 256, {{.*}} channels-per-warp = 1, lanes = 32, channels-per-lane = 3, adjacent-channels = 0
// ADJACENT: remark: kernel mapping: tile = 16, hops = inf, {{.*}} prefetch-steps = 3, {{.*}} channels-per-lane = 3, adjacent-channels = 0
// ADJACENT: remark: kernel mapping: tile = 512, hops = 2, {{.*}} channels-per-lane = 3, adjacent-channels = 0
// ADJACENT: remark: kernel mapping: tile = 16, hops = 1, {{.*}} channels-per-lane = 1, adjacent-channels = 0

// Finite windows split sequences into chunks of at least 2 steps by
// default, 8 (or any) when asked.
// EXPLICIT: remark: kernel mapping: tile = 16, hops = 1, {{.*}} prefetch-steps = 3, min-chunk-steps = 8,

// Phalanx: bf16, per-head gates, tile 16, one hop. A lane holds one vector
// (8 positions) of two channels of a head (their gates loaded once), a
// tile two lanes; blocks of 4 lone warps; work items channel fastest.
// KNOBS: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 8, elems = 16, span = 512, team = 1, stride = 512, items-per-block = 8, block-threads = 256, tile-in-step = 1, lanes-per-tile = 1,
func.func @phalanx(%a: memref<4x128x8192xbf16>, %x: memref<4x128x16x8192xbf16>, %y: memref<4x128x16x8192xbf16>) {
  // expected-remark @+1 {{kernel mapping: tile = 16, hops = 1, forward, vector-elems = 8, elems = 8, span = 256, team = 1, stride = 256, items-per-block = 4, block-threads = 128, tile-in-step = 1, lanes-per-tile = 2, vectorizable = 1, prefetch-steps = 3, min-chunk-steps = 2, target-warps = 1048576, channels-per-warp = 1, lanes = 32, channels-per-lane = 2, adjacent-channels = 1}}
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<4x128x8192xbf16>, memref<4x128x16x8192xbf16>) outs(%y : memref<4x128x16x8192xbf16>)
  return
}

// -----

// The exact scan with per-head gates walks one channel per lane, two
// vectors a lane, four steps in flight, and the most warps per sequence,
// up to 4, that leave each 8 steps of a static length: f32 steps of 256, 4
// warps at N = 8192; bf16 steps of 512, 2 warps.
// KNOBS: remark: kernel mapping: tile = 16, hops = inf, forward, vector-elems = 4, elems = 16, span = 512, team = 3, stride = 1536, items-per-block = 1, block-threads = 96, tile-in-step = 0, lanes-per-tile = 32,
// KNOBS: remark: kernel mapping: tile = 16, hops = inf, reverse, vector-elems = 8, elems = 32, span = 1024, team = 3,
func.func @exact(%a: memref<4x128x8192xf32>, %x: memref<4x128x16x8192xf32>, %y: memref<4x128x16x8192xf32>,
                 %ab: memref<4x128x8192xbf16>, %xb: memref<4x128x16x8192xbf16>, %yb: memref<4x128x16x8192xbf16>) {
  // expected-remark @+1 {{kernel mapping: tile = 16, hops = inf, forward, vector-elems = 4, elems = 8, span = 256, team = 4, stride = 1024, items-per-block = 1, block-threads = 128, tile-in-step = 0, lanes-per-tile = 32, vectorizable = 1, prefetch-steps = 4, min-chunk-steps = 8, target-warps = 1048576, channels-per-warp = 1, lanes = 32, channels-per-lane = 1, adjacent-channels = 1}}
  swr.scan <tile = 16, hops = inf> ins(%a, %x : memref<4x128x8192xf32>, memref<4x128x16x8192xf32>) outs(%y : memref<4x128x16x8192xf32>)
  // expected-remark @+1 {{kernel mapping: tile = 16, hops = inf, reverse, vector-elems = 8, elems = 16, span = 512, team = 2, stride = 1024, items-per-block = 1, block-threads = 64, tile-in-step = 0, lanes-per-tile = 32, vectorizable = 1, prefetch-steps = 4, min-chunk-steps = 8, target-warps = 1048576, channels-per-warp = 1, lanes = 32, channels-per-lane = 1, adjacent-channels = 1}}
  swr.scan <tile = 16, hops = inf> reverse ins(%ab, %xb : memref<4x128x8192xbf16>, memref<4x128x16x8192xbf16>) outs(%yb : memref<4x128x16x8192xbf16>)
  return
}

// -----

// The exact scan (one channel per lane, per-channel and per-head gates)
// keeps four steps in flight by default, two for 16-bit inputs with
// per-channel gates unless B * H * D is static and at least 4096, any when
// asked; the team still leaves each warp 8
// steps at N = 4096 (bf16: steps of 512, 1 warp; f32: steps of 256, 2
// warps).
// EXPLICIT: remark: kernel mapping: tile = 16, hops = inf, {{.*}} team = 1, {{.*}} prefetch-steps = 3, min-chunk-steps = 8,
// EXPLICIT: remark: kernel mapping: tile = 16, hops = inf, {{.*}} team = 2, {{.*}} prefetch-steps = 3, min-chunk-steps = 8,
// EXPLICIT: remark: kernel mapping: tile = 16, hops = inf, {{.*}} team = 1, {{.*}} prefetch-steps = 3, min-chunk-steps = 8,
func.func @exact_one_channel(%a: memref<1x128x16x4096xbf16>, %x: memref<1x128x16x4096xbf16>, %y: memref<1x128x16x4096xbf16>,
                             %af: memref<1x128x4096xf32>, %xf: memref<1x128x16x4096xf32>, %yf: memref<1x128x16x4096xf32>,
                             %ah: memref<1x128x4096xbf16>) {
  // expected-remark @+1 {{kernel mapping: tile = 16, hops = inf, forward, vector-elems = 8, elems = 16, span = 512, team = 1, stride = 512, items-per-block = 4, block-threads = 128, tile-in-step = 0, lanes-per-tile = 32, vectorizable = 1, prefetch-steps = 2, min-chunk-steps = 8, target-warps = 1048576, channels-per-warp = 1, lanes = 32, channels-per-lane = 1, adjacent-channels = 1}}
  swr.scan <tile = 16, hops = inf> ins(%a, %x : memref<1x128x16x4096xbf16>, memref<1x128x16x4096xbf16>) outs(%y : memref<1x128x16x4096xbf16>)
  // expected-remark @+1 {{kernel mapping: tile = 16, hops = inf, forward, vector-elems = 4, elems = 8, span = 256, team = 2, stride = 512, items-per-block = 1, block-threads = 64, tile-in-step = 0, lanes-per-tile = 32, vectorizable = 1, prefetch-steps = 4, min-chunk-steps = 8, target-warps = 1048576, channels-per-warp = 1, lanes = 32, channels-per-lane = 1, adjacent-channels = 1}}
  swr.scan <tile = 16, hops = inf> ins(%af, %xf : memref<1x128x4096xf32>, memref<1x128x16x4096xf32>) outs(%yf : memref<1x128x16x4096xf32>)
  // expected-remark @+1 {{kernel mapping: tile = 16, hops = inf, forward, vector-elems = 8, elems = 16, span = 512, team = 1, stride = 512, items-per-block = 4, block-threads = 128, tile-in-step = 0, lanes-per-tile = 32, vectorizable = 1, prefetch-steps = 4, min-chunk-steps = 8, target-warps = 1048576, channels-per-warp = 1, lanes = 32, channels-per-lane = 1, adjacent-channels = 1}}
  swr.scan <tile = 16, hops = inf> ins(%ah, %x : memref<1x128x4096xbf16>, memref<1x128x16x4096xbf16>) outs(%y : memref<1x128x16x4096xbf16>)
  return
}

// -----

// EXPLICIT: remark: kernel mapping: tile = 16, hops = inf, {{.*}} prefetch-steps = 3, min-chunk-steps = 8,
// EXPLICIT: remark: kernel mapping: tile = 16, hops = inf, {{.*}} prefetch-steps = 3, min-chunk-steps = 8,
func.func @exact_per_channel_16_bit(%a: memref<4x128x16x4096xbf16>, %x: memref<4x128x16x4096xbf16>, %y: memref<4x128x16x4096xbf16>,
                                    %ad: memref<?x128x16x4096xbf16>, %xd: memref<?x128x16x4096xbf16>, %yd: memref<?x128x16x4096xbf16>) {
  // 8192 channels: four steps.
  // expected-remark @+1 {{kernel mapping: tile = 16, hops = inf, forward, vector-elems = 8, elems = 16, span = 512, team = 1, stride = 512, items-per-block = 4, block-threads = 128, tile-in-step = 0, lanes-per-tile = 32, vectorizable = 1, prefetch-steps = 4, min-chunk-steps = 8,}}
  swr.scan <tile = 16, hops = inf> ins(%a, %x : memref<4x128x16x4096xbf16>, memref<4x128x16x4096xbf16>) outs(%y : memref<4x128x16x4096xbf16>)
  // Channels not known: two.
  // expected-remark @+1 {{kernel mapping: tile = 16, hops = inf, forward, vector-elems = 8, elems = 16, span = 512, team = 1, stride = 512, items-per-block = 4, block-threads = 128, tile-in-step = 0, lanes-per-tile = 32, vectorizable = 1, prefetch-steps = 2, min-chunk-steps = 8,}}
  swr.scan <tile = 16, hops = inf> ins(%ad, %xd : memref<?x128x16x4096xbf16>, memref<?x128x16x4096xbf16>) outs(%yd : memref<?x128x16x4096xbf16>)
  return
}

// -----

// Dynamic lengths: one warp per sequence. A time-major input seen through
// strides has no unit innermost stride: element accesses. A tile longer
// than a step (512 > 256) is scanned by the whole warp.
// KNOBS: remark: kernel mapping: tile = 512, hops = 2, forward, vector-elems = 8, elems = 32, span = 1024, team = 1, stride = 1024, items-per-block = 8, block-threads = 256, tile-in-step = 1, lanes-per-tile = 16, vectorizable = 0,
func.func @strided(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>, %y: memref<?x?x?x?xbf16>) {
  // expected-remark @+1 {{kernel mapping: tile = 512, hops = 2, forward, vector-elems = 8, elems = 8, span = 256, team = 1, stride = 256, items-per-block = 4, block-threads = 128, tile-in-step = 0, lanes-per-tile = 32, vectorizable = 0}}
  swr.scan <tile = 512, hops = 2> ins(%a, %x : memref<?x?x?xbf16>, memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xbf16>)
  return
}

// -----

// Per-channel gates: one channel per lane, whatever channels-per-lane says.
// KNOBS: remark: kernel mapping: tile = 16, hops = 1, {{.*}} channels-per-lane = 1,
// GROUPS: remark: kernel mapping: tile = 16, hops = 1, {{.*}} channels-per-lane = 1,
func.func @per_channel(%a: memref<2x4x8x1000xbf16>, %x: memref<2x4x8x1000xbf16>, %y: memref<2x4x8x1000xbf16>) {
  // expected-remark @+1 {{kernel mapping: tile = 16, hops = 1, forward, vector-elems = 8, elems = 8, span = 256, team = 1, stride = 256, items-per-block = 4, block-threads = 128, tile-in-step = 1, lanes-per-tile = 2, vectorizable = 1, prefetch-steps = 3, min-chunk-steps = 2, target-warps = 1048576, channels-per-warp = 1, lanes = 32, channels-per-lane = 1, adjacent-channels = 1}}
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<2x4x8x1000xbf16>, memref<2x4x8x1000xbf16>) outs(%y : memref<2x4x8x1000xbf16>)
  return
}

// -----

func.func @unsupported(%a: memref<1x1x64xbf16>, %x: memref<1x1x1x64xbf16>, %y: memref<1x1x1x64xbf16>) {
  // expected-error @+1 {{tile 4 is not supported on the GPU}}
  swr.scan <tile = 4, hops = 1> ins(%a, %x : memref<1x1x64xbf16>, memref<1x1x1x64xbf16>) outs(%y : memref<1x1x1x64xbf16>)
  return
}
