// RUN: swr-opt %s | swr-opt | FileCheck %s
// RUN: swr-opt %s --mlir-print-op-generic | swr-opt | FileCheck %s

// CHECK-LABEL: func @tensor_per_head
func.func @tensor_per_head(%a: tensor<2x4x100xf32>, %x: tensor<2x4x8x100xbf16>,
                           %o: tensor<2x4x8x100xf32>) -> tensor<2x4x8x100xf32> {
  // CHECK: swr.scan <tile = 16, hops = 1> ins(%{{.*}}, %{{.*}} : tensor<2x4x100xf32>, tensor<2x4x8x100xbf16>) outs(%{{.*}} : tensor<2x4x8x100xf32>) -> tensor<2x4x8x100xf32>
  %y = swr.scan <tile = 16, hops = 1> ins(%a, %x : tensor<2x4x100xf32>, tensor<2x4x8x100xbf16>)
         outs(%o : tensor<2x4x8x100xf32>) -> tensor<2x4x8x100xf32>
  return %y : tensor<2x4x8x100xf32>
}

// CHECK-LABEL: func @tensor_dynamic_exact_reverse_init
func.func @tensor_dynamic_exact_reverse_init(
    %a: tensor<?x?x?x?xf16>, %x: tensor<?x?x?x?xf16>, %h: tensor<?x?x?xf32>,
    %o: tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16> {
  // CHECK: swr.scan <tile = 64, hops = inf> reverse ins({{.*}}) init(%{{.*}} : tensor<?x?x?xf32>) outs({{.*}}) -> tensor<?x?x?x?xbf16>
  %y = swr.scan <tile = 64, hops = inf> reverse
         ins(%a, %x : tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16>)
         init(%h : tensor<?x?x?xf32>)
         outs(%o : tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16>
  return %y : tensor<?x?x?x?xbf16>
}

// CHECK-LABEL: func @memref_local
func.func @memref_local(%a: memref<1x2x3xf32>, %x: memref<1x2x5x3xf32>,
                        %y: memref<1x2x5x3xf32>) {
  // CHECK: swr.scan <tile = 1, hops = 0> ins({{.*}}) outs(%{{.*}} : memref<1x2x5x3xf32>){{$}}
  swr.scan <tile = 1, hops = 0> ins(%a, %x : memref<1x2x3xf32>, memref<1x2x5x3xf32>)
    outs(%y : memref<1x2x5x3xf32>)
  return
}

// A time-major [B, N, H, D] buffer seen as [B, H, D, N] through strides.
// CHECK-LABEL: func @memref_strided
func.func @memref_strided(%a: memref<2x4x8x?xf32, strided<[?, ?, ?, ?], offset: ?>>,
                          %x: memref<2x4x8x?xbf16, strided<[?, 8, 1, 32]>>,
                          %h: memref<2x4x8xbf16>,
                          %y: memref<2x4x8x?xbf16, strided<[?, 8, 1, 32]>>) {
  // CHECK: swr.scan <tile = 256, hops = 2> ins({{.*}}) init(%{{.*}} : memref<2x4x8xbf16>) outs(%{{.*}} : memref<2x4x8x?xbf16, strided<[?, 8, 1, 32]>>)
  swr.scan <tile = 256, hops = 2>
    ins(%a, %x : memref<2x4x8x?xf32, strided<[?, ?, ?, ?], offset: ?>>,
                 memref<2x4x8x?xbf16, strided<[?, 8, 1, 32]>>)
    init(%h : memref<2x4x8xbf16>)
    outs(%y : memref<2x4x8x?xbf16, strided<[?, 8, 1, 32]>>)
  return
}

// The window attribute stands on its own too.
// CHECK-LABEL: func @window_attr
// CHECK-SAME: swr.window = #swr.window<tile = 32, hops = inf>
func.func @window_attr() attributes {swr.window = #swr.window<tile = 32, hops = inf>} {
  return
}
