// RUN: swr-opt %s -split-input-file -verify-diagnostics

func.func @tile_zero(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %v: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{attribute 'tile' failed to satisfy constraint}}
  swr.tile_scan tile = 0 ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%v : memref<1x1x1x8xf32>)
  return
}

// -----

func.func @scan_states_type(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %v: memref<1x1x1x8xi32>) {
  // expected-error @+1 {{states element type must be f32, f16 or bf16, got 'i32'}}
  swr.tile_scan tile = 4 ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%v : memref<1x1x1x8xi32>)
  return
}

// -----

func.func @scan_states_shape(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %v: memref<1x1x1x9xf32>) {
  // expected-error @+1 {{states dimension 3 (N) is 9, not 8 as in the input}}
  swr.tile_scan tile = 4 ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%v : memref<1x1x1x9xf32>)
  return
}

// -----

func.func @scan_prefixes_type(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %v: memref<1x1x1x8xf32>, %g: memref<1x1x8xbf16>) {
  // expected-error @+1 {{prefixes element type must be f32, got 'bf16'}}
  swr.tile_scan tile = 4 ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%v : memref<1x1x1x8xf32>) prefixes(%g : memref<1x1x8xbf16>)
  return
}

// -----

func.func @scan_prefixes_rank(%a: memref<1x1x8xf32>, %x: memref<1x1x1x8xf32>, %v: memref<1x1x1x8xf32>, %g: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{prefixes must have the rank of the gates (3), got rank 4}}
  swr.tile_scan tile = 4 ins(%a, %x : memref<1x1x8xf32>, memref<1x1x1x8xf32>) outs(%v : memref<1x1x1x8xf32>) prefixes(%g : memref<1x1x1x8xf32>)
  return
}

// -----

func.func @scan_input_rank(%a: memref<1x1x8xf32>, %x: memref<1x8xf32>, %v: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{input must have rank 4 ([B, H, D, N]), got rank 2}}
  swr.tile_scan tile = 4 ins(%a, %x : memref<1x1x8xf32>, memref<1x8xf32>) outs(%v : memref<1x1x1x8xf32>)
  return
}

// -----

func.func @carry_zero_hops(%v: memref<1x1x1x8xf32>, %g: memref<1x1x8xf32>, %c: memref<1x1x1x2xf32>) {
  // expected-error @+1 {{needs hops >= 1 (a window of 0 hops carries nothing)}}
  swr.tile_carry <tile = 4, hops = 0> ins(%v, %g : memref<1x1x1x8xf32>, memref<1x1x8xf32>) outs(%c : memref<1x1x1x2xf32>)
  return
}

// -----

func.func @carry_states_type(%v: memref<1x1x1x8xbf16>, %g: memref<1x1x8xf32>, %c: memref<1x1x1x2xf32>) {
  // expected-error @+1 {{states element type must be f32, got 'bf16'}}
  swr.tile_carry <tile = 4, hops = 1> ins(%v, %g : memref<1x1x1x8xbf16>, memref<1x1x8xf32>) outs(%c : memref<1x1x1x2xf32>)
  return
}

// -----

func.func @carry_tiles(%v: memref<1x1x1x9xf32>, %g: memref<1x1x9xf32>, %c: memref<1x1x1x2xf32>) {
  // expected-error @+1 {{carries must have ceil(9 / 4) = 3 tiles, got 2}}
  swr.tile_carry <tile = 4, hops = 1> ins(%v, %g : memref<1x1x1x9xf32>, memref<1x1x9xf32>) outs(%c : memref<1x1x1x2xf32>)
  return
}

// -----

func.func @carry_carries_rank(%v: memref<1x1x1x8xf32>, %g: memref<1x1x8xf32>, %c: memref<1x1x2xf32>) {
  // expected-error @+1 {{carries must have rank 4 ([B, H, D, tiles]), got rank 3}}
  swr.tile_carry <tile = 4, hops = 1> ins(%v, %g : memref<1x1x1x8xf32>, memref<1x1x8xf32>) outs(%c : memref<1x1x2xf32>)
  return
}

// -----

func.func @carry_init(%v: memref<1x1x1x8xf32>, %g: memref<1x1x8xf32>, %h: memref<1x2x1xf32>, %c: memref<1x1x1x2xf32>) {
  // expected-error @+1 {{init dimension 1 (H) is 2, not 1 as in the states}}
  swr.tile_carry <tile = 4, hops = 1> ins(%v, %g : memref<1x1x1x8xf32>, memref<1x1x8xf32>) init(%h : memref<1x2x1xf32>) outs(%c : memref<1x1x1x2xf32>)
  return
}

// -----

func.func @carry_prefixes_rank(%v: memref<1x1x1x8xf32>, %g: memref<8xf32>, %c: memref<1x1x1x2xf32>) {
  // expected-error @+1 {{prefixes must have rank 3 ([B, H, N], per head) or 4 ([B, H, D, N], per channel), got rank 1}}
  swr.tile_carry <tile = 4, hops = 1> ins(%v, %g : memref<1x1x1x8xf32>, memref<8xf32>) outs(%c : memref<1x1x1x2xf32>)
  return
}

// -----

func.func @apply_output(%v: memref<1x1x1x8xf32>, %g: memref<1x1x8xf32>, %c: memref<1x1x1x2xf32>, %y: memref<1x1x8xf32>) {
  // expected-error @+1 {{output must have rank 4 ([B, H, D, N]), got rank 3}}
  swr.tile_apply tile = 4 ins(%v, %g, %c : memref<1x1x1x8xf32>, memref<1x1x8xf32>, memref<1x1x1x2xf32>) outs(%y : memref<1x1x8xf32>)
  return
}

// -----

func.func @apply_carries_type(%v: memref<1x1x1x8xf32>, %g: memref<1x1x8xf32>, %c: memref<1x1x1x2xf16>, %y: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{carries element type must be f32, got 'f16'}}
  swr.tile_apply tile = 4 ins(%v, %g, %c : memref<1x1x1x8xf32>, memref<1x1x8xf32>, memref<1x1x1x2xf16>) outs(%y : memref<1x1x1x8xf32>)
  return
}

// -----

func.func @apply_tiles(%v: memref<1x1x1x8xf32>, %g: memref<1x1x8xf32>, %c: memref<1x1x1x3xf32>, %y: memref<1x1x1x8xf32>) {
  // expected-error @+1 {{carries must have ceil(8 / 4) = 2 tiles, got 3}}
  swr.tile_apply tile = 4 ins(%v, %g, %c : memref<1x1x1x8xf32>, memref<1x1x8xf32>, memref<1x1x1x3xf32>) outs(%y : memref<1x1x1x8xf32>)
  return
}
