// RUN: swr-opt %s -split-input-file -verify-diagnostics

// One case per error of swr.scan_chunk beyond those of every op's roles,
// and the state's slot count, which comes from its roles and its window.

func.func @init_and_state(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %h: memref<1x1x1xf32>,
                          %s: memref<1x1x1x3xf32>, %y: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{starts from init or from state_in, not both}}
  swr.scan_chunk <tile = 4, hops = 1> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) init(%h : memref<1x1x1xf32>) state_in(%s : memref<1x1x1x3xf32>) outs(%y : memref<1x1x1x8xf32>)
  return
}

// -----

func.func @slots(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %y: memref<1x1x1x8xf32>, %s: memref<1x1x1x2xf32>) {
  // expected-error @+1 {{state_out must have 3 slots for this window, got 2}}
  swr.scan_chunk <tile = 4, hops = 1> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%y : memref<1x1x1x8xf32>) state_out(%s : memref<1x1x1x2xf32>)
  return
}

// -----

func.func @exact_slots(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %s: memref<1x1x1x3xf32>, %y: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{state_in must have 1 slots for this window, got 3}}
  swr.scan_chunk <tile = 4, hops = inf> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) state_in(%s : memref<1x1x1x3xf32>) outs(%y : memref<1x1x1x8xf32>)
  return
}

// -----

func.func @dynamic_slots(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %y: memref<1x1x1x8xf32>, %s: memref<1x1x1x?xf32>) {
  // expected-error @+1 {{state_out must have a static slot dimension (4 for this window)}}
  swr.scan_chunk <tile = 4, hops = 2> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%y : memref<1x1x1x8xf32>) state_out(%s : memref<1x1x1x?xf32>)
  return
}

// -----

func.func @state_type(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %y: memref<1x1x1x8xf32>, %s: memref<1x1x1x3xbf16>) {
  // expected-error @+1 {{state_out element type must be f32, got 'bf16'}}
  swr.scan_chunk <tile = 4, hops = 1> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%y : memref<1x1x1x8xf32>) state_out(%s : memref<1x1x1x3xbf16>)
  return
}

// -----

func.func @state_channels(%a: memref<1x1x8xf32>, %x: memref<1x1x2x8xf32>, %y: memref<1x1x2x8xf32>, %s: memref<1x1x3x3xf32>) {
  // expected-error @+1 {{state_out dimension 2 (D) is 3, not 2 as in the input}}
  swr.scan_chunk <tile = 4, hops = 1> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x2x8xf32>) outs(%y : memref<1x1x2x8xf32>) state_out(%s : memref<1x1x3x3xf32>)
  return
}

// -----

func.func @hops(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %y: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{a chunk state holds hops + 2 values per channel; hops must be inf or at most 64, got 65}}
  swr.scan_chunk <tile = 4, hops = 65> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%y : memref<1x1x1x8xf32>)
  return
}

// -----

func.func @tile(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %y: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{a chunk state keeps the position in its tile as an f32; the tile must be at most 2^24, got 16777217}}
  swr.scan_chunk <tile = 16777217, hops = 1> ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%y : memref<1x1x1x8xf32>)
  return
}

// -----

func.func @mixed(%a: tensor<1x1x8xf32>, %x: tensor<1x1x1x8xf32>, %y: tensor<1x1x1x8xf32>, %s: memref<1x1x1x3xf32>) {
  // expected-error @+1 {{operands must be all tensors or all memrefs, but output is a tensor and an operand has type 'memref<1x1x1x3xf32>'}}
  %r = swr.scan_chunk <tile = 4, hops = 1> ins(%a, %x : tensor<1x1x8xf32>, tensor<1x1x1x8xf32>) outs(%y : tensor<1x1x1x8xf32>) state_out(%s : memref<1x1x1x3xf32>) -> tensor<1x1x1x8xf32>
  return
}
