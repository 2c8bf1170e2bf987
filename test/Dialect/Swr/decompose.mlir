// RUN: swr-opt %s -split-input-file -swr-decompose -cse -verify-diagnostics | FileCheck %s

// The block-two-pass form: local scans into f32 scratch (v, and g with the
// gates' shape), carries per tile, the rank-1 update into the output.
// CHECK-LABEL: func.func @swr
//  CHECK-SAME: (%[[A:.*]]: memref<2x4x37xbf16>, %[[X:.*]]: memref<2x4x8x37xbf16>, %[[Y:.*]]: memref<2x4x8x37xf32>)
//       CHECK:   %[[V:.*]] = memref.alloc() : memref<2x4x8x37xf32>
//       CHECK:   %[[G:.*]] = memref.alloc() : memref<2x4x37xf32>
//       CHECK:   %[[C:.*]] = memref.alloc() : memref<2x4x8x3xf32>
//       CHECK:   swr.tile_scan tile = 16 ins(%[[A]], %[[X]] : {{.*}}) outs(%[[V]] : {{.*}}) prefixes(%[[G]] : {{.*}})
//       CHECK:   swr.tile_carry <tile = 16, hops = 1> ins(%[[V]], %[[G]] : {{.*}}) outs(%[[C]] : {{.*}})
//       CHECK:   swr.tile_apply tile = 16 ins(%[[V]], %[[G]], %[[C]] : {{.*}}) outs(%[[Y]] : {{.*}})
//   CHECK-DAG:   memref.dealloc %[[V]]
//   CHECK-DAG:   memref.dealloc %[[G]]
//   CHECK-DAG:   memref.dealloc %[[C]]
//   CHECK-NOT:   swr.scan
func.func @swr(%a: memref<2x4x37xbf16>, %x: memref<2x4x8x37xbf16>, %y: memref<2x4x8x37xf32>) {
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<2x4x37xbf16>, memref<2x4x8x37xbf16>)
    outs(%y : memref<2x4x8x37xf32>)
  return
}

// -----

// Reverse with init: the first tile in scan order takes init's carry.
// CHECK-LABEL: func.func @reverse_init
//       CHECK:   swr.tile_scan tile = 8 reverse
//       CHECK:   swr.tile_carry <tile = 8, hops = inf> reverse ins({{.*}}) init(%{{.*}} : memref<1x2x3xf32>)
//       CHECK:   swr.tile_apply tile = 8 reverse with_init
func.func @reverse_init(%a: memref<1x2x3x20xf32>, %x: memref<1x2x3x20xf32>, %h: memref<1x2x3xf32>, %y: memref<1x2x3x20xf32>) {
  swr.scan <tile = 8, hops = inf> reverse ins(%a, %x : memref<1x2x3x20xf32>, memref<1x2x3x20xf32>)
    init(%h : memref<1x2x3xf32>) outs(%y : memref<1x2x3x20xf32>)
  return
}

// -----

// Dynamic shapes: scratch sized from the input, ceil(N / T) tiles.
// CHECK-LABEL: func.func @dynamic
//       CHECK:   %[[N:.*]] = memref.dim %{{.*}}, %c3
//       CHECK:   %[[M:.*]] = arith.ceildivui %[[N]], %c32
//       CHECK:   memref.alloc(%{{.*}}, %{{.*}}, %{{.*}}, %[[M]]) : memref<?x?x?x?xf32>
//       CHECK:   swr.tile_carry <tile = 32, hops = 2>
func.func @dynamic(%a: memref<?x?x?xf16>, %x: memref<?x?x?x?xf16>, %y: memref<?x?x?x?xf16>) {
  swr.scan <tile = 32, hops = 2> ins(%a, %x : memref<?x?x?xf16>, memref<?x?x?x?xf16>)
    outs(%y : memref<?x?x?x?xf16>)
  return
}

// -----

// Nothing crosses a tile boundary (hops = 0, or one static tile without
// init): one local scan straight into the output, no scratch.
// CHECK-LABEL: func.func @no_carry
//   CHECK-NOT:   memref.alloc
//       CHECK:   swr.tile_scan tile = 4 ins({{.*}}) outs(%{{.*}} : memref<1x1x2x9xf32>)
//   CHECK-NOT:   prefixes
//       CHECK:   swr.tile_scan tile = 16 reverse ins({{.*}}) outs(%{{.*}} : memref<1x1x2x9xf32>)
//   CHECK-NOT:   swr.tile_carry
func.func @no_carry(%a: memref<1x1x9xf32>, %x: memref<1x1x2x9xf32>, %y: memref<1x1x2x9xf32>) {
  swr.scan <tile = 4, hops = 0> ins(%a, %x : memref<1x1x9xf32>, memref<1x1x2x9xf32>)
    outs(%y : memref<1x1x2x9xf32>)
  swr.scan <tile = 16, hops = inf> reverse ins(%a, %x : memref<1x1x9xf32>, memref<1x1x2x9xf32>)
    outs(%y : memref<1x1x2x9xf32>)
  return
}

// -----

func.func @tensors(%a: tensor<1x1x8xf32>, %x: tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32> {
  // expected-error @+1 {{on tensors must be bufferized (e.g. with one-shot-bufferize) before swr-decompose}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<1x1x8xf32>, tensor<1x1x1x8xf32>)
    outs(%x : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return %y : tensor<1x1x1x8xf32>
}
