// RUN: swr-opt %s --one-shot-bufferize="bufferize-function-boundaries" --split-input-file | FileCheck %s

// The destination bufferizes in place; operands keep their buffers; the op
// becomes its memref form with no result.

// CHECK-LABEL: func @in_place
// CHECK-SAME: (%[[A:.*]]: memref<2x3x10xf32{{.*}}>, %[[X:.*]]: memref<2x3x4x10xbf16{{.*}}>, %[[H:.*]]: memref<2x3x4xf32{{.*}}>, %[[O:.*]]: memref<2x3x4x10xf32{{.*}}>)
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: swr.scan <tile = 4, hops = inf> reverse ins(%[[A]], %[[X]] : {{.*}}) init(%[[H]] : {{.*}}) outs(%[[O]] : {{.*}}){{$}}
// CHECK: return %[[O]]
func.func @in_place(%a: tensor<2x3x10xf32>, %x: tensor<2x3x4x10xbf16>, %h: tensor<2x3x4xf32>, %o: tensor<2x3x4x10xf32>) -> tensor<2x3x4x10xf32> {
  %y = swr.scan <tile = 4, hops = inf> reverse ins(%a, %x : tensor<2x3x10xf32>, tensor<2x3x4x10xbf16>) init(%h : tensor<2x3x4xf32>) outs(%o : tensor<2x3x4x10xf32>) -> tensor<2x3x4x10xf32>
  return %y : tensor<2x3x4x10xf32>
}

// -----

// The output's old contents are never read, so a fresh tensor.empty needs an
// allocation but no copy.

// CHECK-LABEL: func @fresh_destination
// CHECK: %[[ALLOC:.*]] = memref.alloc({{.*}}) {{.*}}: memref<?x4x8x?xf16>
// CHECK-NOT: memref.copy
// CHECK: swr.scan <tile = 16, hops = 1> ins({{.*}}) outs(%[[ALLOC]] : memref<?x4x8x?xf16>)
func.func @fresh_destination(%a: tensor<?x4x8x?xf32>, %x: tensor<?x4x8x?xf32>, %b: index, %n: index) -> tensor<?x4x8x?xf16> {
  %o = tensor.empty(%b, %n) : tensor<?x4x8x?xf16>
  %y = swr.scan <tile = 16, hops = 1> ins(%a, %x : tensor<?x4x8x?xf32>, tensor<?x4x8x?xf32>) outs(%o : tensor<?x4x8x?xf16>) -> tensor<?x4x8x?xf16>
  return %y : tensor<?x4x8x?xf16>
}

// -----

// The input is read after the scan wrote into a destination that aliases it:
// bufferization must copy rather than clobber it.

// CHECK-LABEL: func @destination_still_needed
// CHECK-SAME: (%[[A:.*]]: memref{{.*}}, %[[X:.*]]: memref{{.*}})
// CHECK: %[[ALLOC:.*]] = memref.alloc
// CHECK: swr.scan <tile = 8, hops = 0> ins(%[[A]], %[[X]] : {{.*}}) outs(%[[ALLOC]] : {{.*}})
func.func @destination_still_needed(%a: tensor<1x1x9xf32>, %x: tensor<1x1x1x9xf32>) -> (tensor<1x1x1x9xf32>, tensor<1x1x1x9xf32>) {
  %y = swr.scan <tile = 8, hops = 0> ins(%a, %x : tensor<1x1x9xf32>, tensor<1x1x1x9xf32>) outs(%x : tensor<1x1x1x9xf32>) -> tensor<1x1x1x9xf32>
  return %y, %x : tensor<1x1x1x9xf32>, tensor<1x1x1x9xf32>
}

// -----

// A scan that reads and writes the same tensor does not bufferize in place:
// a window re-reads inputs of earlier tiles after their outputs are written.

// CHECK-LABEL: func @same_tensor_in_and_out
// CHECK-SAME: (%[[A:.*]]: memref{{.*}}, %[[X:.*]]: memref{{.*}})
// CHECK: %[[ALLOC:.*]] = memref.alloc
// CHECK: swr.scan <tile = 8, hops = 1> ins(%[[A]], %[[X]] : {{.*}}) outs(%[[ALLOC]] : {{.*}})
func.func @same_tensor_in_and_out(%a: tensor<1x1x9xf32>, %x: tensor<1x1x1x9xf32>) -> tensor<1x1x1x9xf32> {
  %y = swr.scan <tile = 8, hops = 1> ins(%a, %x : tensor<1x1x9xf32>, tensor<1x1x1x9xf32>) outs(%x : tensor<1x1x1x9xf32>) -> tensor<1x1x1x9xf32>
  return %y : tensor<1x1x1x9xf32>
}

// -----

// swr.scan_grad gets the same bufferization from its roles: its three
// destinations in place, its inputs read.

// CHECK-LABEL: func @scan_grad_in_place
// CHECK-SAME: (%[[A:.*]]: memref<2x3x10xf32{{.*}}>, %[[X:.*]]: memref<2x3x4x10xbf16{{.*}}>, %[[DY:.*]]: memref<2x3x4x10xf32{{.*}}>, %[[H:.*]]: memref<2x3x4xf32{{.*}}>, %[[DX:.*]]: memref<2x3x4x10xf32{{.*}}>, %[[DA:.*]]: memref<2x3x10xf32{{.*}}>, %[[DH:.*]]: memref<2x3x4xf32{{.*}}>)
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: swr.scan_grad <tile = 4, hops = 2> ins(%[[A]], %[[X]], %[[DY]] : {{.*}}) init(%[[H]] : {{.*}}) outs(%[[DX]], %[[DA]] : {{.*}}) grad_init(%[[DH]] : {{.*}}){{$}}
// CHECK: return %[[DX]], %[[DA]], %[[DH]]
func.func @scan_grad_in_place(%a: tensor<2x3x10xf32>, %x: tensor<2x3x4x10xbf16>, %dy: tensor<2x3x4x10xf32>, %h: tensor<2x3x4xf32>,
                              %dx0: tensor<2x3x4x10xf32>, %da0: tensor<2x3x10xf32>, %dh0: tensor<2x3x4xf32>)
    -> (tensor<2x3x4x10xf32>, tensor<2x3x10xf32>, tensor<2x3x4xf32>) {
  %dx, %da, %dh = swr.scan_grad <tile = 4, hops = 2> ins(%a, %x, %dy : tensor<2x3x10xf32>, tensor<2x3x4x10xbf16>, tensor<2x3x4x10xf32>)
      init(%h : tensor<2x3x4xf32>) outs(%dx0, %da0 : tensor<2x3x4x10xf32>, tensor<2x3x10xf32>) grad_init(%dh0 : tensor<2x3x4xf32>)
      -> tensor<2x3x4x10xf32>, tensor<2x3x10xf32>, tensor<2x3x4xf32>
  return %dx, %da, %dh : tensor<2x3x4x10xf32>, tensor<2x3x10xf32>, tensor<2x3x4xf32>
}

// -----

// swr.scan_chunk: the output and the state out in place, the state in read.

// CHECK-LABEL: func @scan_chunk_in_place
// CHECK-SAME: (%[[A:.*]]: memref<1x2x5xf32{{.*}}>, %[[X:.*]]: memref<1x2x3x5xf32{{.*}}>, %[[S0:.*]]: memref<1x2x3x3xf32{{.*}}>, %[[Y:.*]]: memref<1x2x3x5xf32{{.*}}>, %[[S:.*]]: memref<1x2x3x3xf32{{.*}}>)
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: swr.scan_chunk <tile = 4, hops = 1> ins(%[[A]], %[[X]] : {{.*}}) state_in(%[[S0]] : {{.*}}) outs(%[[Y]] : {{.*}}) state_out(%[[S]] : {{.*}}){{$}}
// CHECK: return %[[Y]], %[[S]]
func.func @scan_chunk_in_place(%a: tensor<1x2x5xf32>, %x: tensor<1x2x3x5xf32>, %s0: tensor<1x2x3x3xf32>,
                               %y0: tensor<1x2x3x5xf32>, %s1: tensor<1x2x3x3xf32>) -> (tensor<1x2x3x5xf32>, tensor<1x2x3x3xf32>) {
  %y, %s = swr.scan_chunk <tile = 4, hops = 1> ins(%a, %x : tensor<1x2x5xf32>, tensor<1x2x3x5xf32>) state_in(%s0 : tensor<1x2x3x3xf32>)
      outs(%y0 : tensor<1x2x3x5xf32>) state_out(%s1 : tensor<1x2x3x3xf32>) -> tensor<1x2x3x5xf32>, tensor<1x2x3x3xf32>
  return %y, %s : tensor<1x2x3x5xf32>, tensor<1x2x3x3xf32>
}
