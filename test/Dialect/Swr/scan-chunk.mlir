// RUN: swr-opt %s | swr-opt | FileCheck %s
// RUN: swr-opt %s --mlir-print-op-generic | swr-opt | FileCheck %s

// CHECK-LABEL: func @prefill
func.func @prefill(%a: tensor<1x8x1000xf32>, %x: tensor<1x8x16x1000xbf16>, %y0: tensor<1x8x16x1000xbf16>,
                   %s0: tensor<1x8x16x3xf32>) -> (tensor<1x8x16x1000xbf16>, tensor<1x8x16x3xf32>) {
  // CHECK: %{{.*}}:2 = swr.scan_chunk <tile = 16, hops = 1> ins(%{{.*}}, %{{.*}} : tensor<1x8x1000xf32>, tensor<1x8x16x1000xbf16>) outs(%{{.*}} : tensor<1x8x16x1000xbf16>) state_out(%{{.*}} : tensor<1x8x16x3xf32>) -> tensor<1x8x16x1000xbf16>, tensor<1x8x16x3xf32>
  %y, %s = swr.scan_chunk <tile = 16, hops = 1> ins(%a, %x : tensor<1x8x1000xf32>, tensor<1x8x16x1000xbf16>)
      outs(%y0 : tensor<1x8x16x1000xbf16>) state_out(%s0 : tensor<1x8x16x3xf32>)
      -> tensor<1x8x16x1000xbf16>, tensor<1x8x16x3xf32>
  return %y, %s : tensor<1x8x16x1000xbf16>, tensor<1x8x16x3xf32>
}

// CHECK-LABEL: func @decode
func.func @decode(%a: memref<?x?x?x1xf32>, %x: memref<?x?x?x1xf32>, %s: memref<?x?x?x1xf32>,
                  %y: memref<?x?x?x1xf32>, %s2: memref<?x?x?x1xf32>) {
  // CHECK: swr.scan_chunk <tile = 64, hops = inf> ins({{.*}}) state_in(%{{.*}} : memref<?x?x?x1xf32>) outs(%{{.*}} : memref<?x?x?x1xf32>) state_out(%{{.*}} : memref<?x?x?x1xf32>){{$}}
  swr.scan_chunk <tile = 64, hops = inf> ins(%a, %x : memref<?x?x?x1xf32>, memref<?x?x?x1xf32>)
      state_in(%s : memref<?x?x?x1xf32>) outs(%y : memref<?x?x?x1xf32>) state_out(%s2 : memref<?x?x?x1xf32>)
  return
}

// CHECK-LABEL: func @from_init_no_state
func.func @from_init_no_state(%a: memref<2x3x9xf32>, %x: memref<2x3x4x9xf16>, %h: memref<2x3x4xf32>,
                              %y: memref<2x3x4x9xf16>) {
  // CHECK: swr.scan_chunk <tile = 4, hops = 0> ins({{.*}}) init(%{{.*}} : memref<2x3x4xf32>) outs(%{{.*}} : memref<2x3x4x9xf16>){{$}}
  swr.scan_chunk <tile = 4, hops = 0> ins(%a, %x : memref<2x3x9xf32>, memref<2x3x4x9xf16>)
      init(%h : memref<2x3x4xf32>) outs(%y : memref<2x3x4x9xf16>)
  return
}
