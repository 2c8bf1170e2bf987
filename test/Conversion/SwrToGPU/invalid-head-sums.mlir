// RUN: swr-opt %s -split-input-file -convert-swr-to-gpu=prefetch-steps=3 -verify-diagnostics

// Per-head gate gradients sum a head's warps through workgroup memory, a
// row of 8 * 32 positions (padded to 272 floats) per warp and step: three
// steps of 16 warps need 52224 bytes even in one round of slots, more than
// a block has without opting in. The automatic prefetch-steps picks fewer.

func.func @too_many_steps(%a: memref<?x?x?xf32>, %y: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                          %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @+1 {{the per-head gate gradient with prefetch-steps = 3 needs 52224 bytes of workgroup memory per block, more than 49152: use fewer prefetch-steps or vectors-per-lane}}
  swr.scan_grad <tile = 16, hops = inf> from_output ins(%a, %y, %dy : memref<?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>) outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?xf32>)
  return
}

// -----

// Heads of at most 4 channels (static D) take 4 warps: three steps fit.
func.func @narrow_head(%a: memref<?x?x?xf32>, %y: memref<?x?x4x?xf32>, %dy: memref<?x?x4x?xf32>,
                       %dx: memref<?x?x4x?xf32>, %da: memref<?x?x?xf32>) {
  swr.scan_grad <tile = 16, hops = inf> from_output ins(%a, %y, %dy : memref<?x?x?xf32>, memref<?x?x4x?xf32>, memref<?x?x4x?xf32>) outs(%dx, %da : memref<?x?x4x?xf32>, memref<?x?x?xf32>)
  return
}
