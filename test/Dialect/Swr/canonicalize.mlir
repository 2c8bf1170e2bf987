// RUN: swr-opt %s --canonicalize --split-input-file | FileCheck %s

// hops = 0 never reaches init: it is dropped.
// CHECK-LABEL: func @local_drops_init
// CHECK: swr.scan <tile = 4, hops = 0> ins({{.*}}) outs(
func.func @local_drops_init(%a: tensor<1x2x37xf32>, %x: tensor<1x2x3x37xf32>, %h: tensor<1x2x3xf32>, %o: tensor<1x2x3x37xf32>) -> tensor<1x2x3x37xf32> {
  %y = swr.scan <tile = 4, hops = 0> ins(%a, %x : tensor<1x2x37xf32>, tensor<1x2x3x37xf32>) init(%h : tensor<1x2x3xf32>) outs(%o : tensor<1x2x3x37xf32>) -> tensor<1x2x3x37xf32>
  return %y : tensor<1x2x3x37xf32>
}

// -----

// 37 positions are 10 tiles of 4: hops = 10 reaches init from every tile.
// CHECK-LABEL: func @wide_window_with_init
// CHECK: swr.scan <tile = 4, hops = inf> reverse ins({{.*}}) init(
func.func @wide_window_with_init(%a: memref<1x2x37xf32>, %x: memref<1x2x3x37xf32>, %h: memref<1x2x3xf32>, %o: memref<1x2x3x37xf32>) {
  swr.scan <tile = 4, hops = 10> reverse ins(%a, %x : memref<1x2x37xf32>, memref<1x2x3x37xf32>) init(%h : memref<1x2x3xf32>) outs(%o : memref<1x2x3x37xf32>)
  return
}

// -----

// With init, hops = 9 is not enough: the last tile does not reach it.
// CHECK-LABEL: func @almost_wide_with_init
// CHECK: swr.scan <tile = 4, hops = 9> ins(
func.func @almost_wide_with_init(%a: memref<1x2x37xf32>, %x: memref<1x2x3x37xf32>, %h: memref<1x2x3xf32>, %o: memref<1x2x3x37xf32>) {
  swr.scan <tile = 4, hops = 9> ins(%a, %x : memref<1x2x37xf32>, memref<1x2x3x37xf32>) init(%h : memref<1x2x3xf32>) outs(%o : memref<1x2x3x37xf32>)
  return
}

// -----

// Without init, hops = 9 already covers the sequence from every tile.
// CHECK-LABEL: func @wide_window
// CHECK: swr.scan <tile = 4, hops = inf> ins(
func.func @wide_window(%a: memref<1x2x37xf32>, %x: memref<1x2x3x37xf32>, %o: memref<1x2x3x37xf32>) {
  swr.scan <tile = 4, hops = 9> ins(%a, %x : memref<1x2x37xf32>, memref<1x2x3x37xf32>) outs(%o : memref<1x2x3x37xf32>)
  return
}

// -----

// A sequence that fits in one tile: any hops >= 1 is exact; 8 hops less
// would not be.
// CHECK-LABEL: func @one_tile
// CHECK: swr.scan <tile = 64, hops = inf> ins(
// CHECK: swr.scan <tile = 8, hops = 1> ins(
func.func @one_tile(%a: memref<1x2x37xf32>, %x: memref<1x2x3x37xf32>, %h: memref<1x2x3xf32>, %o: memref<1x2x3x37xf32>) {
  swr.scan <tile = 64, hops = 1> ins(%a, %x : memref<1x2x37xf32>, memref<1x2x3x37xf32>) init(%h : memref<1x2x3xf32>) outs(%o : memref<1x2x3x37xf32>)
  swr.scan <tile = 8, hops = 1> ins(%a, %x : memref<1x2x37xf32>, memref<1x2x3x37xf32>) init(%h : memref<1x2x3xf32>) outs(%o : memref<1x2x3x37xf32>)
  return
}

// -----

// A dynamic length says nothing about the number of tiles.
// CHECK-LABEL: func @dynamic_length
// CHECK: swr.scan <tile = 4, hops = 1000> ins(
func.func @dynamic_length(%a: memref<1x2x?xf32>, %x: memref<1x2x3x?xf32>, %o: memref<1x2x3x?xf32>) {
  swr.scan <tile = 4, hops = 1000> ins(%a, %x : memref<1x2x?xf32>, memref<1x2x3x?xf32>) outs(%o : memref<1x2x3x?xf32>)
  return
}

// -----

// An unused tensor-form scan has no effects and folds away.
// CHECK-LABEL: func @dead
// CHECK-NOT: swr.scan
func.func @dead(%a: tensor<1x2x37xf32>, %x: tensor<1x2x3x37xf32>, %o: tensor<1x2x3x37xf32>) {
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<1x2x37xf32>, tensor<1x2x3x37xf32>) outs(%o : tensor<1x2x3x37xf32>) -> tensor<1x2x3x37xf32>
  return
}
