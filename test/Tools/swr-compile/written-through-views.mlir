// RUN: swr-compile %s --target=cpu --emit=llvm -o - | FileCheck %s
// RUN: swr-compile %s --target=cpu -o %t.so
// RUN: swr-run %t.so --function=k --input=1x1x4xf32 --input=1x1x1x4xf32 --input=1x4x1x1xf32 --output=@%t.y.npy
// RUN: %python -c "import numpy as np; y = np.load('%t.y.npy'); assert y.shape == (1, 4, 1, 1), y.shape"

// An argument written through any view is marked written (issue 15,
// reproducer 1: y written through a transpose was not, so swr-run refused
// --output for it); through a call, conservatively, too.
// CHECK: function k\0Aarg memref f32 1,1,4\0Aarg memref f32 1,1,1,4\0Aarg memref f32 1,4,1,1 written\0A
// CHECK-SAME: function through_call\0Aarg memref f32 4 written\0Aend
// CHECK-SAME: function read_only\0Aarg memref f32 4\0Aresult memref f32 4\0Aend

func.func @k(%a: memref<1x1x4xf32>, %x: memref<1x1x1x4xf32>, %ys: memref<1x4x1x1xf32>) {
  %y = memref.transpose %ys (i, j, k, l) -> (i, k, l, j) : memref<1x4x1x1xf32> to memref<1x1x1x4xf32, strided<[4, 1, 1, 1]>>
  swr.scan <tile = 2, hops = 1> ins(%a, %x : memref<1x1x4xf32>, memref<1x1x1x4xf32>) outs(%y : memref<1x1x1x4xf32, strided<[4, 1, 1, 1]>>)
  return
}

func.func private @fill(%m: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  memref.store %one, %m[%c0] : memref<4xf32>
  return
}

func.func @through_call(%m: memref<4xf32>) {
  call @fill(%m) : (memref<4xf32>) -> ()
  return
}

func.func @read_only(%m: memref<4xf32>) -> memref<4xf32> {
  %c = memref.alloc() : memref<4xf32>
  memref.copy %m, %c : memref<4xf32> to memref<4xf32>
  return %c : memref<4xf32>
}
