// RUN: swr-opt %s -convert-swr-to-gpu -verify-diagnostics

func.func @scan(%a: memref<1x1x64xf32>, %x: memref<1x1x1x64xf32>, %y: memref<1x1x1x64xf32>) {
  // expected-error @+1 {{must be decomposed (swr-decompose, after bufferization) before convert-swr-to-gpu}}
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<1x1x64xf32>, memref<1x1x1x64xf32>) outs(%y : memref<1x1x1x64xf32>)
  return
}
