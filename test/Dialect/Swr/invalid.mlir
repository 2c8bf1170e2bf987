// RUN: swr-opt %s -split-input-file -verify-diagnostics

func.func @tile_zero(%a: tensor<1x1x8xf32>, %x: tensor<1x1x1x8xf32>, %o: tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32> {
  // expected-error @+1 {{window tile must be >= 1, got 0}}
  %y = swr.scan <tile = 0, hops = 1> ins(%a, %x : tensor<1x1x8xf32>, tensor<1x1x1x8xf32>) outs(%o : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return %y : tensor<1x1x1x8xf32>
}

// -----

func.func @hops_negative(%a: tensor<1x1x8xf32>, %x: tensor<1x1x1x8xf32>, %o: tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32> {
  // expected-error @+1 {{hops must be a non-negative integer or 'inf', got -1}}
  %y = swr.scan <tile = 4, hops = -1> ins(%a, %x : tensor<1x1x8xf32>, tensor<1x1x1x8xf32>) outs(%o : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return %y : tensor<1x1x1x8xf32>
}

// -----

func.func @hops_not_a_number() attributes {
  // expected-error @+1 {{expected integer value}}
  w = #swr.window<tile = 4, hops = many>} {
  return
}

// -----

func.func @mixed_forms(%a: memref<1x1x8xf32>, %x: tensor<1x1x1x8xf32>, %o: tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32> {
  // expected-error @+1 {{operands must be all tensors or all memrefs, but output is a tensor and an operand has type 'memref<1x1x8xf32>'}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : memref<1x1x8xf32>, tensor<1x1x1x8xf32>) outs(%o : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return %y : tensor<1x1x1x8xf32>
}

// -----

func.func @tensor_without_result(%a: tensor<1x1x8xf32>, %x: tensor<1x1x1x8xf32>, %o: tensor<1x1x1x8xf32>) {
  // expected-error @+1 {{on tensors must return one result of the output's type 'tensor<1x1x1x8xf32>'}}
  swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<1x1x8xf32>, tensor<1x1x1x8xf32>) outs(%o : tensor<1x1x1x8xf32>)
  return
}

// -----

func.func @tensor_wrong_result(%a: tensor<1x1x8xf32>, %x: tensor<1x1x1x8xf32>, %o: tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf16> {
  // expected-error @+1 {{on tensors must return one result of the output's type 'tensor<1x1x1x8xf32>'}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<1x1x8xf32>, tensor<1x1x1x8xf32>) outs(%o : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf16>
  return %y : tensor<1x1x1x8xf16>
}

// -----

func.func @memref_with_result(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %o: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{on memrefs must not return a result}}
  %y = "swr.scan"(%a, %x, %o) <{window = #swr.window<tile = 4, hops = 1>}> : (memref<1x1x8xf32>, memref<1x1x1x8xf32>, memref<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return
}

// -----

func.func @unranked(%a: tensor<*xf32>, %x: tensor<1x1x1x8xf32>, %o: tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor or memref, but got 'tensor<*xf32>'}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<*xf32>, tensor<1x1x1x8xf32>) outs(%o : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return %y : tensor<1x1x1x8xf32>
}

// -----

func.func @gates_element_type(%a: tensor<1x1x8xi32>, %x: tensor<1x1x1x8xf32>, %o: tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32> {
  // expected-error @+1 {{gates element type must be f32, f16 or bf16, got 'i32'}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<1x1x8xi32>, tensor<1x1x1x8xf32>) outs(%o : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return %y : tensor<1x1x1x8xf32>
}

// -----

func.func @input_element_type(%a: tensor<1x1x8xf32>, %x: tensor<1x1x1x8xf64>, %o: tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32> {
  // expected-error @+1 {{input element type must be f32, f16 or bf16, got 'f64'}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<1x1x8xf32>, tensor<1x1x1x8xf64>) outs(%o : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  return %y : tensor<1x1x1x8xf32>
}

// -----

func.func @output_element_type(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %o: memref<1x1x1x8xf8E4M3FN>) {
  // expected-error @+1 {{output element type must be f32, f16 or bf16, got 'f8E4M3FN'}}
  swr.scan <tile = 4, hops = 1> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%o : memref<1x1x1x8xf8E4M3FN>)
  return
}

// -----

func.func @init_element_type(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %h: memref<1x1x1xi8>, %o: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{init element type must be f32, f16 or bf16, got 'i8'}}
  swr.scan <tile = 4, hops = 1> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) init(%h : memref<1x1x1xi8>) outs(%o : memref<1x1x1x8xf32>)
  return
}

// -----

func.func @input_rank(%a: memref<1x1x8xf32>, %x: memref<1x1x8xf32>, %o: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{input must have rank 4 ([B, H, D, N]), got rank 3}}
  swr.scan <tile = 4, hops = 1> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x8xf32>) outs(%o : memref<1x1x1x8xf32>)
  return
}

// -----

func.func @output_rank(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %o: memref<1x1x1x1x8xf32>) {
  // expected-error @+1 {{output must have rank 4 ([B, H, D, N]), got rank 5}}
  swr.scan <tile = 4, hops = 1> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%o : memref<1x1x1x1x8xf32>)
  return
}

// -----

func.func @output_shape(%a: tensor<2x3x8xf32>, %x: tensor<2x3x4x8xf32>, %o: tensor<2x3x4x9xf32>) -> tensor<2x3x4x9xf32> {
  // expected-error @+1 {{output dimension 3 (N) is 9, not 8 as in the input}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<2x3x8xf32>, tensor<2x3x4x8xf32>) outs(%o : tensor<2x3x4x9xf32>) -> tensor<2x3x4x9xf32>
  return %y : tensor<2x3x4x9xf32>
}

// -----

func.func @gates_rank(%a: tensor<2x8xf32>, %x: tensor<2x3x4x8xf32>, %o: tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32> {
  // expected-error @+1 {{gates must have rank 3 ([B, H, N], per head) or 4 ([B, H, D, N], per channel), got rank 2}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<2x8xf32>, tensor<2x3x4x8xf32>) outs(%o : tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32>
  return %y : tensor<2x3x4x8xf32>
}

// -----

func.func @gates_per_head_shape(%a: tensor<2x3x4xf32>, %x: tensor<2x3x4x8xf32>, %o: tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32> {
  // expected-error @+1 {{gates dimension 2 (N) is 4, not 8 as in the input}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<2x3x4xf32>, tensor<2x3x4x8xf32>) outs(%o : tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32>
  return %y : tensor<2x3x4x8xf32>
}

// -----

func.func @gates_per_channel_shape(%a: tensor<2x3x5x?xf32>, %x: tensor<2x3x4x8xf32>, %o: tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32> {
  // expected-error @+1 {{gates dimension 2 (D) is 5, not 4 as in the input}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<2x3x5x?xf32>, tensor<2x3x4x8xf32>) outs(%o : tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32>
  return %y : tensor<2x3x4x8xf32>
}

// -----

func.func @init_rank(%a: tensor<2x3x8xf32>, %x: tensor<2x3x4x8xf32>, %h: tensor<2x3xf32>, %o: tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32> {
  // expected-error @+1 {{init must have rank 3 ([B, H, D]), got rank 2}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<2x3x8xf32>, tensor<2x3x4x8xf32>) init(%h : tensor<2x3xf32>) outs(%o : tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32>
  return %y : tensor<2x3x4x8xf32>
}

// -----

func.func @init_shape(%a: tensor<2x3x8xf32>, %x: tensor<2x?x4x8xf32>, %h: tensor<2x3x8xf32>, %o: tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32> {
  // expected-error @+1 {{init dimension 2 (D) is 8, not 4 as in the input}}
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<2x3x8xf32>, tensor<2x?x4x8xf32>) init(%h : tensor<2x3x8xf32>) outs(%o : tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32>
  return %y : tensor<2x3x4x8xf32>
}
