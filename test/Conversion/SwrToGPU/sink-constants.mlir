// RUN: swr-opt %s --swr-gpu-sink-constants | FileCheck %s

// A launch marked swr.sink_constants gets copies of the constants, dims,
// comparisons and selects it uses from above (built from those alone);
// other values (the subtraction) stay operands from above, as do all
// values of unmarked launches.

// CHECK-LABEL: func @marked
// CHECK: %[[LAST:.*]] = arith.subi
// CHECK: gpu.launch
// CHECK-DAG: %[[TWO:.*]] = arith.constant 2.0{{.*}} : f32
// CHECK-DAG: %[[DIM:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<?xf32>
// CHECK-DAG: %[[EMPTY:.*]] = arith.cmpi eq, %[[DIM]]
// CHECK: memref.store %[[TWO]], %{{.*}}[%[[LAST]]]
// CHECK: scf.if %[[EMPTY]]
// CHECK: } {swr.sink_constants}
func.func @marked(%m: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %two = arith.constant 2.0 : f32
  %n = memref.dim %m, %c0 : memref<?xf32>
  %empty = arith.cmpi eq, %n, %c0 : index
  %last = arith.subi %n, %c1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %two, %m[%last] : memref<?xf32>
    scf.if %empty {
      memref.store %two, %m[%c0] : memref<?xf32>
    }
    gpu.terminator
  } {swr.sink_constants}
  return
}

// CHECK-LABEL: func @unmarked
// CHECK: %[[TWO:.*]] = arith.constant 2.0{{.*}} : f32
// CHECK: gpu.launch
// CHECK-NOT: arith.constant
// CHECK: memref.store %[[TWO]]
func.func @unmarked(%m: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %two = arith.constant 2.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %two, %m[%c0] : memref<?xf32>
    gpu.terminator
  }
  return
}
