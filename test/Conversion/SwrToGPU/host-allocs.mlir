// RUN: swr-opt %s -swr-host-allocs-to-gpu | FileCheck %s

// Host buffers become unified memory that kernels can reach; allocations in
// GPU code are left alone.
// CHECK-LABEL: func.func @host
//       CHECK:   %[[B:.*]] = gpu.alloc  host_shared (%{{.*}}) : memref<?xf32>
//       CHECK:   gpu.launch
//       CHECK:     memref.alloca
//       CHECK:   gpu.dealloc  %[[B]] : memref<?xf32>
//   CHECK-NOT:   memref.alloc(
//   CHECK-NOT:   memref.dealloc
func.func @host(%n: index) {
  %c1 = arith.constant 1 : index
  %b = memref.alloc(%n) {alignment = 64 : i64} : memref<?xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %t = memref.alloca() : memref<4xf32>
    gpu.terminator
  }
  memref.dealloc %b : memref<?xf32>
  return
}
