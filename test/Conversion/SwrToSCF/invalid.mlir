// RUN: swr-opt %s --convert-swr-to-scf -verify-diagnostics

func.func @tensor_form(%a: tensor<1x1x8xf32>, %x: tensor<1x1x1x8xf32>, %o: tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32> {
  // expected-error @+1 {{on tensors must be bufferized (e.g. with one-shot-bufferize) before convert-swr-to-scf}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<1x1x8xf32>, tensor<1x1x1x8xf32>) outs(%o : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return %y : tensor<1x1x1x8xf32>
}
