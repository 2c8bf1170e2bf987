// The module of the swr-run tests: a tensor function with static shapes and
// a memref function with dynamic ones that writes its last argument.
func.func @scan(%a: tensor<2x3x17xf32>, %x: tensor<2x3x4x17xbf16>) -> tensor<2x3x4x17xf32> {
  %e = tensor.empty() : tensor<2x3x4x17xf32>
  %y = swr.scan <tile = 16, hops = 1> ins(%a, %x : tensor<2x3x17xf32>, tensor<2x3x4x17xbf16>)
         outs(%e : tensor<2x3x4x17xf32>) -> tensor<2x3x4x17xf32>
  return %y : tensor<2x3x4x17xf32>
}

func.func @dyn(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %y: memref<?x?x?x?xf32>) {
  swr.scan <tile = 16, hops = inf> ins(%a, %x : memref<?x?x?xf32>, memref<?x?x?x?xf32>)
    outs(%y : memref<?x?x?x?xf32>)
  return
}
