// RUN: swr-opt %s | swr-opt | FileCheck %s
// RUN: swr-opt %s --mlir-print-op-generic | swr-opt | FileCheck %s

// swr.scan_grad round-trips in its four forms: tensors and memrefs, with
// and without init (and its gradient).

// CHECK-LABEL: func @tensor_per_head
func.func @tensor_per_head(%a: tensor<2x4x100xf32>, %x: tensor<2x4x8x100xbf16>,
                           %dy: tensor<2x4x8x100xf32>, %dx0: tensor<2x4x8x100xf32>,
                           %da0: tensor<2x4x100xf32>) -> (tensor<2x4x8x100xf32>, tensor<2x4x100xf32>) {
  // CHECK: %{{.*}}:2 = swr.scan_grad <tile = 16, hops = 1> ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4x100xf32>, tensor<2x4x8x100xbf16>, tensor<2x4x8x100xf32>) outs(%{{.*}}, %{{.*}} : tensor<2x4x8x100xf32>, tensor<2x4x100xf32>) -> tensor<2x4x8x100xf32>, tensor<2x4x100xf32>
  %dx, %da = swr.scan_grad <tile = 16, hops = 1>
      ins(%a, %x, %dy : tensor<2x4x100xf32>, tensor<2x4x8x100xbf16>, tensor<2x4x8x100xf32>)
      outs(%dx0, %da0 : tensor<2x4x8x100xf32>, tensor<2x4x100xf32>)
      -> tensor<2x4x8x100xf32>, tensor<2x4x100xf32>
  return %dx, %da : tensor<2x4x8x100xf32>, tensor<2x4x100xf32>
}

// CHECK-LABEL: func @tensor_init
func.func @tensor_init(%a: tensor<?x?x?x?xf16>, %x: tensor<?x?x?x?xf32>, %dy: tensor<?x?x?x?xf32>,
                       %h0: tensor<?x?x?xf32>, %dx0: tensor<?x?x?x?xf32>, %da0: tensor<?x?x?x?xf32>,
                       %dh00: tensor<?x?x?xbf16>) -> tensor<?x?x?xbf16> {
  // CHECK: %{{.*}}:3 = swr.scan_grad <tile = 32, hops = inf> ins({{.*}}) init(%{{.*}} : tensor<?x?x?xf32>) outs({{.*}}) grad_init(%{{.*}} : tensor<?x?x?xbf16>) -> tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?xbf16>
  %dx, %da, %dh0 = swr.scan_grad <tile = 32, hops = inf>
      ins(%a, %x, %dy : tensor<?x?x?x?xf16>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>)
      init(%h0 : tensor<?x?x?xf32>)
      outs(%dx0, %da0 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>)
      grad_init(%dh00 : tensor<?x?x?xbf16>)
      -> tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?xbf16>
  return %dh0 : tensor<?x?x?xbf16>
}

// CHECK-LABEL: func @memref_init
func.func @memref_init(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                       %h0: memref<?x?x?xf32>, %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?xf32>,
                       %dh0: memref<?x?x?xf32>) {
  // CHECK: swr.scan_grad <tile = 4, hops = 0> ins({{.*}}) init(%{{.*}} : memref<?x?x?xf32>) outs({{.*}}) grad_init(%{{.*}} : memref<?x?x?xf32>){{$}}
  swr.scan_grad <tile = 4, hops = 0>
      ins(%a, %x, %dy : memref<?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
      init(%h0 : memref<?x?x?xf32>)
      outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?xf32>)
      grad_init(%dh0 : memref<?x?x?xf32>)
  return
}

// CHECK-LABEL: func @from_output
func.func @from_output(%a: memref<?x?x?xbf16>, %y: memref<?x?x?x?xbf16>, %dy: memref<?x?x?x?xbf16>,
                       %dx: memref<?x?x?x?xbf16>, %da: memref<?x?x?xbf16>) {
  // CHECK: swr.scan_grad <tile = 16, hops = inf> from_output ins(%{{.*}}, %{{.*}}, %{{.*}} : memref<?x?x?xbf16>, memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>) outs({{.*}}){{$}}
  swr.scan_grad <tile = 16, hops = inf> from_output
      ins(%a, %y, %dy : memref<?x?x?xbf16>, memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>)
      outs(%dx, %da : memref<?x?x?x?xbf16>, memref<?x?x?xbf16>)
  return
}
