// RUN: swr-opt %s --convert-swr-to-scf --split-input-file | FileCheck %s

// Every dimension an op's roles tie to its sequence operand's, when either
// side is dynamic, is compared at run time before the op runs; the first
// pair that differs calls swr_runtime_shape_error with a message naming
// the op, its place and the two dimensions, and nothing runs.

// CHECK-LABEL: module
// CHECK-DAG: llvm.func @swr_runtime_shape_error(!llvm.ptr, i64, i64)
// CHECK-DAG: llvm.mlir.global internal constant @[[$GATES_N:swr_shape_error_[0-9]+]]("swr.scan at {{.*}}shape-checks.mlir:[[# @LINE + 20]]:3: gates dimension 2 (N) must equal input dimension 3 (N)\00")
// CHECK-LABEL: func @dynamic
// CHECK-SAME: (%[[A:.*]]: memref<2x3x?xf32>, %[[X:.*]]: memref<2x3x4x?xf32>, %[[Y:.*]]: memref<2x3x4x?xf32>)
// CHECK: %[[AN:.*]] = memref.dim %[[A]], %{{.*}}
// CHECK: %[[XN:.*]] = memref.dim %[[X]], %{{.*}}
// CHECK: %[[YN:.*]] = memref.dim %[[Y]], %{{.*}}
// CHECK: %[[XN2:.*]] = memref.dim %[[X]], %{{.*}}
// CHECK: %[[DIFFER:.*]] = arith.cmpi ne, %[[AN]], %[[XN]]
// CHECK: scf.if %[[DIFFER]] {
// CHECK:   %[[MSG:.*]] = llvm.mlir.addressof @[[$GATES_N]]
// CHECK:   %[[GOT:.*]] = arith.index_cast %[[AN]] : index to i64
// CHECK:   %[[WANT:.*]] = arith.index_cast %[[XN]] : index to i64
// CHECK:   llvm.call @swr_runtime_shape_error(%[[MSG]], %[[GOT]], %[[WANT]])
// CHECK: } else {
// CHECK:   %[[DIFFER2:.*]] = arith.cmpi ne, %[[YN]], %[[XN2]]
// CHECK:   scf.if %[[DIFFER2]] {
// CHECK:     llvm.call @swr_runtime_shape_error
// CHECK:   } else {
// CHECK:     scf.for
func.func @dynamic(%a: memref<2x3x?xf32>, %x: memref<2x3x4x?xf32>, %y: memref<2x3x4x?xf32>) {
  swr.scan <tile = 4, hops = 1> ins(%a, %x : memref<2x3x?xf32>, memref<2x3x4x?xf32>) outs(%y : memref<2x3x4x?xf32>)
  return
}

// -----

// Static shapes: the verifier compared them; no check.

// CHECK-LABEL: func @static
// CHECK-NOT: swr_runtime_shape_error
// CHECK: scf.for
func.func @static(%a: memref<2x3x8xf32>, %x: memref<2x3x4x8xf32>, %y: memref<2x3x4x8xf32>) {
  swr.scan <tile = 4, hops = 1> ins(%a, %x : memref<2x3x8xf32>, memref<2x3x4x8xf32>) outs(%y : memref<2x3x4x8xf32>)
  return
}
