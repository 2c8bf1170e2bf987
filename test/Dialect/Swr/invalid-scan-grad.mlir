// RUN: swr-opt %s -split-input-file -verify-diagnostics

// One case per error of swr.scan_grad beyond those every op gets from its
// operand roles (see invalid.mlir), and one of those.

func.func @mixed(%a: tensor<1x1x8xf32>, %x: tensor<1x1x1x8xf32>, %dy: tensor<1x1x1x8xf32>,
                 %dx: tensor<1x1x1x8xf32>, %da: memref<1x1x8xf32>) {
  // expected-error @+1 {{operands must be all tensors or all memrefs, but grad_input is a tensor and an operand has type 'memref<1x1x8xf32>'}}
  %r = swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : tensor<1x1x8xf32>, tensor<1x1x1x8xf32>, tensor<1x1x1x8xf32>) outs(%dx, %da : tensor<1x1x1x8xf32>, memref<1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return
}

// -----

func.func @results(%a: tensor<1x1x8xf32>, %x: tensor<1x1x1x8xf32>, %dy: tensor<1x1x1x8xf32>,
                   %dx: tensor<1x1x1x8xf32>, %da: tensor<1x1x8xf32>) {
  // expected-error @+1 {{on tensors must return one result per destination, of types 'tensor<1x1x1x8xf32>', 'tensor<1x1x8xf32>'}}
  %r = swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : tensor<1x1x8xf32>, tensor<1x1x1x8xf32>, tensor<1x1x1x8xf32>) outs(%dx, %da : tensor<1x1x1x8xf32>, tensor<1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return
}

// -----

func.func @memref_result(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %dy: memref<1x1x1x8xf32>,
                         %dx: memref<1x1x1x8xf32>, %da: memref<1x1x8xf32>) {
  // expected-error @+1 {{on memrefs must not return a result}}
  %r = swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : memref<1x1x8xf32>, memref<1x1x1x8xf32>, memref<1x1x1x8xf32>) outs(%dx, %da : memref<1x1x1x8xf32>, memref<1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return
}

// -----

func.func @init_without_grad(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %dy: memref<1x1x1x8xf32>,
                             %h0: memref<1x1x1xf32>, %dx: memref<1x1x1x8xf32>, %da: memref<1x1x8xf32>) {
  // expected-error @+1 {{grad_init must be given exactly when init is}}
  swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : memref<1x1x8xf32>, memref<1x1x1x8xf32>, memref<1x1x1x8xf32>) init(%h0 : memref<1x1x1xf32>) outs(%dx, %da : memref<1x1x1x8xf32>, memref<1x1x8xf32>)
  return
}

// -----

func.func @grad_without_init(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %dy: memref<1x1x1x8xf32>,
                             %dx: memref<1x1x1x8xf32>, %da: memref<1x1x8xf32>, %dh0: memref<1x1x1xf32>) {
  // expected-error @+1 {{grad_init must be given exactly when init is}}
  swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : memref<1x1x8xf32>, memref<1x1x1x8xf32>, memref<1x1x1x8xf32>) outs(%dx, %da : memref<1x1x1x8xf32>, memref<1x1x8xf32>) grad_init(%dh0 : memref<1x1x1xf32>)
  return
}

// -----

func.func @per_channel_grad_of_per_head_gates(%a: memref<1x1x8xf32>, %x: memref<1x1x2x8xf32>, %dy: memref<1x1x2x8xf32>,
                                              %dx: memref<1x1x2x8xf32>, %da: memref<1x1x2x8xf32>) {
  // expected-error @+1 {{grad_gates must have the rank of gates (3, per head), got rank 4}}
  swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : memref<1x1x8xf32>, memref<1x1x2x8xf32>, memref<1x1x2x8xf32>) outs(%dx, %da : memref<1x1x2x8xf32>, memref<1x1x2x8xf32>)
  return
}

// -----

func.func @grad_output_length(%a: memref<1x1x8xf32>, %x: memref<1x1x2x8xf32>, %dy: memref<1x1x2x9xf32>,
                              %dx: memref<1x1x2x8xf32>, %da: memref<1x1x8xf32>) {
  // expected-error @+1 {{grad_output dimension 3 (N) is 9, not 8 as in the input}}
  swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : memref<1x1x8xf32>, memref<1x1x2x8xf32>, memref<1x1x2x9xf32>) outs(%dx, %da : memref<1x1x2x8xf32>, memref<1x1x8xf32>)
  return
}

// -----

func.func @grad_init_type(%a: memref<1x1x8xf32>, %x: memref<1x1x2x8xf32>, %dy: memref<1x1x2x8xf32>, %h0: memref<1x1x2xf32>,
                          %dx: memref<1x1x2x8xf32>, %da: memref<1x1x8xf32>, %dh0: memref<1x1x2xi32>) {
  // expected-error @+1 {{grad_init element type must be f32, f16 or bf16, got 'i32'}}
  swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : memref<1x1x8xf32>, memref<1x1x2x8xf32>, memref<1x1x2x8xf32>) init(%h0 : memref<1x1x2xf32>) outs(%dx, %da : memref<1x1x2x8xf32>, memref<1x1x8xf32>) grad_init(%dh0 : memref<1x1x2xi32>)
  return
}

// -----

func.func @from_output_finite(%a: memref<1x1x8xf32>, %y: memref<1x1x1x8xf32>, %dy: memref<1x1x1x8xf32>,
                              %dx: memref<1x1x1x8xf32>, %da: memref<1x1x8xf32>) {
  // expected-error @+1 {{from_output needs hops = inf: the output of a finite window does not determine da}}
  swr.scan_grad <tile = 4, hops = 1> from_output ins(%a, %y, %dy : memref<1x1x8xf32>, memref<1x1x1x8xf32>, memref<1x1x1x8xf32>) outs(%dx, %da : memref<1x1x1x8xf32>, memref<1x1x8xf32>)
  return
}
