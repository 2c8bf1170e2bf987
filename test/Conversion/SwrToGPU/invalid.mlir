// RUN: swr-opt %s -split-input-file -swr-decompose -convert-swr-to-gpu -verify-diagnostics
// RUN: swr-opt %s -split-input-file -swr-decompose -convert-swr-to-gpu=time-major=1 -verify-diagnostics
// RUN: not swr-opt %s -convert-swr-to-gpu=channels-per-lane=5 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=channels-per-warp=3 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=warps-per-block=0 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=prefetch-steps=5 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=target-warps=0 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=min-chunk-steps=-1 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=vectors-per-lane=5 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=warps-per-sequence=-1 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=warps-per-sequence=33 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=time-major=2 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=positions-in-flight=65 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=channel-bytes=2 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=channel-bytes=12 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=chain-warps=33 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=chain-blocks-per-sm=33 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=chain-blocks-per-sm=-1 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=look-window=33 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=look-window=-2 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=look-depth=0 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not swr-opt %s -convert-swr-to-gpu=look-depth=9 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: error: convert-swr-to-gpu: warps-per-block must be in [1, 32], warps-per-sequence in [0, 32], vectors-per-lane in [0, 4], prefetch-steps in [0, 4], min-chunk-steps at least 0, target-warps at least 1, {{.*}} chain-warps and chain-blocks-per-sm in [0, 32], look-window in [-1, 32], look-depth in [1, 8]{{$}}

func.func @small_tile(%a: memref<1x1x64xbf16>, %x: memref<1x1x1x64xbf16>, %y: memref<1x1x1x64xbf16>) {
  // expected-error @+1 {{tile 4 is not supported on the GPU: it must be a power of two of at least 8 for these element types (or use hops = inf)}}
  swr.scan <tile = 4, hops = 1> ins(%a, %x : memref<1x1x64xbf16>, memref<1x1x1x64xbf16>) outs(%y : memref<1x1x1x64xbf16>)
  return
}

// -----

func.func @odd_tile(%a: memref<1x1x64xf32>, %x: memref<1x1x1x64xf32>, %y: memref<1x1x1x64xf32>) {
  // expected-error @+1 {{tile 24 is not supported on the GPU: it must be a power of two of at least 4 for these element types}}
  swr.scan <tile = 24, hops = 2> ins(%a, %x : memref<1x1x64xf32>, memref<1x1x1x64xf32>) outs(%y : memref<1x1x1x64xf32>)
  return
}

// -----

func.func @many_hops(%a: memref<1x1x640xf32>, %x: memref<1x1x1x640xf32>, %y: memref<1x1x1x640xf32>) {
  // expected-error @+1 {{hops = 9 is not supported on the GPU: use at most 8, or inf}}
  swr.scan <tile = 16, hops = 9> ins(%a, %x : memref<1x1x640xf32>, memref<1x1x1x640xf32>) outs(%y : memref<1x1x1x640xf32>)
  return
}

// -----

// The time-major mapping has the same limit.
func.func @many_hops_time_major(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>, %y: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) {
  // expected-error @+1 {{hops = 9 is not supported on the GPU: use at most 8, or inf}}
  swr.scan <tile = 16, hops = 9> ins(%a, %x : memref<?x?x?xf32>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  return
}

// -----

// Not decomposed (no swr-decompose in this RUN line's view: a tile_carry
// alone is not the form it produces).
func.func @carry_alone(%v: memref<1x1x1x8xf32>, %g: memref<1x1x8xf32>, %c: memref<1x1x1x2xf32>) {
  // expected-error @+1 {{is not part of the form swr-decompose produces}}
  swr.tile_carry <tile = 4, hops = 1> ins(%v, %g : memref<1x1x1x8xf32>, memref<1x1x8xf32>) outs(%c : memref<1x1x1x2xf32>)
  return
}

// -----

// tile_apply on buffers that are not scratch of one tile_scan/tile_carry.
func.func @apply_alone(%v: memref<1x1x1x8xf32>, %g: memref<1x1x8xf32>, %c: memref<1x1x1x2xf32>, %y: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{is not part of the form swr-decompose produces (tile_scan, tile_carry and tile_apply on scratch buffers)}}
  swr.tile_apply tile = 4 ins(%v, %g, %c : memref<1x1x1x8xf32>, memref<1x1x8xf32>, memref<1x1x1x2xf32>) outs(%y : memref<1x1x1x8xf32>)
  return
}
