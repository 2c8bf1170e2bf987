// RUN: swr-compile %s --target=cpu --emit=llvm -o - | FileCheck %s
// RUN: swr-compile %s --target=cpu -o %t.so && swr-run %t.so --function=copy_in --input=2xf16 | FileCheck %s --check-prefix=OUT

// The manifest: target, each public function's arguments (kind, dtype,
// dims, whether it writes them), results, and the dimensions its scans need
// equal. Private functions and declarations are not in it.
// CHECK: @swr_artifact_manifest = constant {{.*}} c"swr-artifact 1\0Atarget cpu\0A
// CHECK-SAME: function scan\0Aarg tensor f32 2,3,?\0Aarg tensor bf16 2,3,4,?\0Aarg tensor f32 2,3,4\0Aresult tensor f32 2,3,4,?\0A
// CHECK-SAME: same 0.0 1.0\0Asame 0.0 2.0\0Asame 0.1 1.1\0Asame 0.1 2.1\0Asame 1.2 2.2\0Asame 0.2 1.3\0Aend\0A
// CHECK-SAME: function dps\0Aarg memref f32 ?,?,?,?\0Aarg memref f32 ?,?,?,?\0Aarg memref f32 ?,?,?,? written\0A
// CHECK-SAME: same 0.0 1.0\0Asame 0.0 2.0\0Asame 0.1 1.1\0Asame 0.1 2.1\0Asame 0.2 1.2\0Asame 0.2 2.2\0Asame 0.3 1.3\0Asame 0.3 2.3\0Aend\0A
// CHECK-SAME: function copy_in\0Aarg memref f16 2 written\0Aresult memref f16 2\0Aend\0A
// CHECK-SAME: function scalar\0Aarg tensor f64 -\0Aresult tensor f64 -\0Aend\0A\00"

// One packed entry point per public function: args[0] holds the results'
// descriptors when there are results.
// CHECK-LABEL: define void @_swr_entry_scan(ptr %0)
// CHECK: getelementptr ptr, ptr %0, i64 3
// CHECK: call void @_mlir_ciface_scan(ptr %{{.*}}, ptr %{{.*}}, ptr %{{.*}}, ptr %{{.*}})
// CHECK-LABEL: define void @_swr_entry_dps(ptr %0)
// CHECK: call void @_mlir_ciface_dps(ptr
// CHECK-NOT: _swr_entry_helper

// A result that aliases an argument is not the caller's to free: swr-run
// still reads it.
// OUT: result[0]: 2xf16 = 1 1
// OUT-NEXT: argument[0]: 2xf16 = 1 1

func.func @scan(%a: tensor<2x3x?xf32>, %x: tensor<2x3x4x?xbf16>, %h: tensor<2x3x4xf32>) -> tensor<2x3x4x?xf32> {
  %c3 = arith.constant 3 : index
  %n = tensor.dim %x, %c3 : tensor<2x3x4x?xbf16>
  %e = tensor.empty(%n) : tensor<2x3x4x?xf32>
  %y = swr.scan <tile = 16, hops = 1> ins(%a, %x : tensor<2x3x?xf32>, tensor<2x3x4x?xbf16>) init(%h : tensor<2x3x4xf32>)
         outs(%e : tensor<2x3x4x?xf32>) -> tensor<2x3x4x?xf32>
  return %y : tensor<2x3x4x?xf32>
}

func.func @dps(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>, %y: memref<?x?x?x?xf32>) {
  swr.scan <tile = 8, hops = 2> reverse ins(%a, %x : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    outs(%y : memref<?x?x?x?xf32>)
  return
}

// Writes through a cast, and returns its argument.
func.func @copy_in(%m: memref<2xf16>) -> memref<2xf16> {
  %one = arith.constant 1.0 : f16
  %d = memref.cast %m : memref<2xf16> to memref<?xf16>
  linalg.fill ins(%one : f16) outs(%d : memref<?xf16>)
  return %m : memref<2xf16>
}

func.func @scalar(%s: tensor<f64>) -> tensor<f64> {
  return %s : tensor<f64>
}

func.func private @helper(%m: memref<2xf16>) {
  return
}

func.func private @external(i32)
