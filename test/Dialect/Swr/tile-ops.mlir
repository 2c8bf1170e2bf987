// RUN: swr-opt %s | FileCheck %s
// RUN: swr-opt %s | swr-opt | FileCheck %s
// RUN: swr-opt %s --mlir-print-op-generic | swr-opt | FileCheck %s

// CHECK-LABEL: func.func @hierarchical
func.func @hierarchical(%a: memref<2x4x37xbf16>, %x: memref<2x4x8x37xf32>,
                        %h: memref<2x4x8xf16>, %y: memref<2x4x8x37xbf16>,
                        %v: memref<2x4x8x37xf32>, %g: memref<2x4x37xf32>,
                        %c: memref<2x4x8x3xf32>) {
  // CHECK: swr.tile_scan tile = 16 reverse ins(%{{.*}}, %{{.*}} : memref<2x4x37xbf16>, memref<2x4x8x37xf32>) outs(%{{.*}} : memref<2x4x8x37xf32>) prefixes(%{{.*}} : memref<2x4x37xf32>)
  swr.tile_scan tile = 16 reverse ins(%a, %x : memref<2x4x37xbf16>, memref<2x4x8x37xf32>)
    outs(%v : memref<2x4x8x37xf32>) prefixes(%g : memref<2x4x37xf32>)
  // CHECK: swr.tile_carry <tile = 16, hops = 2> reverse ins({{.*}}) init(%{{.*}} : memref<2x4x8xf16>) outs(%{{.*}} : memref<2x4x8x3xf32>)
  swr.tile_carry <tile = 16, hops = 2> reverse
    ins(%v, %g : memref<2x4x8x37xf32>, memref<2x4x37xf32>)
    init(%h : memref<2x4x8xf16>) outs(%c : memref<2x4x8x3xf32>)
  // CHECK: swr.tile_apply tile = 16 reverse with_init ins({{.*}}) outs(%{{.*}} : memref<2x4x8x37xbf16>)
  swr.tile_apply tile = 16 reverse with_init
    ins(%v, %g, %c : memref<2x4x8x37xf32>, memref<2x4x37xf32>, memref<2x4x8x3xf32>)
    outs(%y : memref<2x4x8x37xbf16>)
  // A lone local scan (hops = 0) writes the output directly.
  // CHECK: swr.tile_scan tile = 4 ins({{.*}}) outs(%{{.*}} : memref<2x4x8x37xbf16>)
  // CHECK-NOT: prefixes
  swr.tile_scan tile = 4 ins(%a, %x : memref<2x4x37xbf16>, memref<2x4x8x37xf32>)
    outs(%y : memref<2x4x8x37xbf16>)
  // CHECK: swr.tile_carry <tile = 16, hops = inf> ins
  swr.tile_carry <tile = 16, hops = inf>
    ins(%v, %g : memref<2x4x8x37xf32>, memref<2x4x37xf32>) outs(%c : memref<2x4x8x3xf32>)
  return
}

// Dynamic lengths: the number of tiles is not checked statically.
// CHECK-LABEL: func.func @dynamic
func.func @dynamic(%v: memref<?x?x?x?xf32>, %g: memref<?x?x?x?xf32>,
                   %c: memref<?x?x?x?xf32>, %y: memref<?x?x?x?xf16>) {
  // CHECK: swr.tile_apply tile = 32 ins
  swr.tile_apply tile = 32 ins(%v, %g, %c : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    outs(%y : memref<?x?x?x?xf16>)
  return
}
