// A Phalanx-style sliding window recurrence: per-head bf16 gates, bf16
// inputs, f32 outputs, tiles of 16 with one hop (each token sees its own tile
// up to itself plus the whole previous tile). Shapes are [B, H, D, N].
//
//   swr-opt examples/phalanx_swr.mlir --swr-cpu-pipeline
//
// scripts/demo.py runs it on random inputs and checks it against the float64
// reference.
func.func @phalanx_swr(%a: tensor<2x4x100xbf16>, %x: tensor<2x4x16x100xbf16>)
    -> tensor<2x4x16x100xf32> {
  %empty = tensor.empty() : tensor<2x4x16x100xf32>
  %y = swr.scan <tile = 16, hops = 1>
         ins(%a, %x : tensor<2x4x100xbf16>, tensor<2x4x16x100xbf16>)
         outs(%empty : tensor<2x4x16x100xf32>) -> tensor<2x4x16x100xf32>
  return %y : tensor<2x4x16x100xf32>
}
