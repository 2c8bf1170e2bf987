// RUN: swr-opt %s -split-input-file -swr-decompose -convert-swr-to-gpu -canonicalize -cse | FileCheck %s
// RUN: swr-opt %s -split-input-file -swr-decompose -convert-swr-to-gpu="warps-per-block=8 steps-per-block=2" \
// RUN:   -canonicalize -cse | FileCheck %s --check-prefix=KNOBS
// Steps of 2048 positions, chunks of 2 steps less the warm-up tile: two
// chunks per sequence of 5000.
// KNOBS-LABEL: func.func @swr_bf16
//       KNOBS:   gpu.launch blocks({{.*}}) in ({{.*}} = %c128, {{.*}}) threads({{.*}}) in ({{.*}} = %c256,
//  KNOBS-SAME:     workgroup(%{{.*}} : memref<512xf32, #gpu.address_space<workgroup>>)

// SWR (tile 16, one hop), bf16: 8 positions per lane (16 bytes), blocks of
// 4 warps (steps of 1024 positions), one chunk per sequence (2 * 4 * 8 = 64
// blocks), tiles of two lanes combined by shuffles, tile terminals through
// double-buffered shared memory (2 x 64 tiles x (gate, state)), 16-byte
// loads and stores guarded by a run-time alignment check.
// CHECK-LABEL: func.func @swr_bf16
//   CHECK-NOT:   swr.
//   CHECK-NOT:   memref.alloc
//       CHECK:   memref.extract_aligned_pointer_as_index
//       CHECK:   gpu.launch blocks({{.*}}) in ({{.*}} = %c64, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1)
//  CHECK-SAME:     workgroup(%[[SMEM:.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
//       CHECK:     vector.load %{{.*}} {alignment = 16 : i64} : memref<2x4x8x5000xbf16>, vector<8xbf16>
//       CHECK:     vector.load %{{.*}} {alignment = 16 : i64} : memref<2x4x5000xbf16>, vector<8xbf16>
//       CHECK:     scf.for
//       CHECK:       gpu.shuffle  up {{.*}} : f32
//       CHECK:       memref.store {{.*}}, %[[SMEM]]
//       CHECK:       gpu.barrier
//       CHECK:       memref.load %[[SMEM]]
//       CHECK:       vector.store {{.*}} {alignment = 16 : i64} : memref<2x4x8x5000xbf16>, vector<8xbf16>
func.func @swr_bf16(%a: memref<2x4x5000xbf16>, %x: memref<2x4x8x5000xbf16>, %y: memref<2x4x8x5000xbf16>) {
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<2x4x5000xbf16>, memref<2x4x8x5000xbf16>)
    outs(%y : memref<2x4x8x5000xbf16>)
  return
}

// -----

// The exact recurrence, f32 (4 positions per lane): one block per sequence
// whatever N; warp totals (gate, state, started) through shared memory
// (2 x 4 warps x 3), no tile terminals.
// CHECK-LABEL: func.func @exact_f32
//       CHECK:   gpu.launch
//  CHECK-SAME:     workgroup(%{{.*}} : memref<24xf32, #gpu.address_space<workgroup>>)
//       CHECK:     vector.load {{.*}} vector<4xf32>
//       CHECK:     scf.for
//   CHECK-COUNT-18: gpu.shuffle  up
//       CHECK:       gpu.barrier
//   CHECK-NOT:       gpu.barrier
//       CHECK:     vector.store {{.*}} vector<4xf32>
func.func @exact_f32(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>, %h: memref<?x?x?xf32>, %y: memref<?x?x?x?xf32>) {
  swr.scan <tile = 64, hops = inf> ins(%a, %x : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    init(%h : memref<?x?x?xf32>) outs(%y : memref<?x?x?x?xf32>)
  return
}

// -----

// A time-major buffer seen as [B, H, D, N] has no unit innermost stride:
// element accesses only.
// CHECK-LABEL: func.func @time_major
//       CHECK:   gpu.launch
//   CHECK-NOT:   vector.load
//   CHECK-NOT:   vector.store
//       CHECK:   return
func.func @time_major(%a: memref<1x2x64xf32>, %x: memref<1x2x4x64xf32, strided<[512, 4, 1, 8]>>,
                      %y: memref<1x2x4x64xf32, strided<[512, 4, 1, 8]>>) {
  swr.scan <tile = 16, hops = 2> reverse
    ins(%a, %x : memref<1x2x64xf32>, memref<1x2x4x64xf32, strided<[512, 4, 1, 8]>>)
    outs(%y : memref<1x2x4x64xf32, strided<[512, 4, 1, 8]>>)
  return
}

// -----

// hops = 0: a lone local scan, no shared memory traffic and no barrier.
// CHECK-LABEL: func.func @local
//       CHECK:   gpu.launch
//   CHECK-NOT:   gpu.barrier
//       CHECK:   return
func.func @local(%a: memref<1x2x4x64xf16>, %x: memref<1x2x4x64xf16>, %y: memref<1x2x4x64xf32>) {
  swr.scan <tile = 32, hops = 0> ins(%a, %x : memref<1x2x4x64xf16>, memref<1x2x4x64xf16>)
    outs(%y : memref<1x2x4x64xf32>)
  return
}
