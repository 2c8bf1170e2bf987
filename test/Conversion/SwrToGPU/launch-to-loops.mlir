// test-swr-gpu-launch-to-loops: a launch whose threads never communicate
// becomes a loop nest over blocks and threads (grid x, y, z, then block x,
// y, z) running its body; one that shuffles or has workgroup memory is an
// error.
// RUN: swr-opt %s -split-input-file -test-swr-gpu-launch-to-loops -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @independent
//  CHECK-SAME:   (%[[OUT:.*]]: memref<?xindex>, %[[G:.*]]: index, %[[T:.*]]: index)
//       CHECK:   scf.for %[[BX:.*]] = %c0 to %[[G]] step %{{.*}} {
//       CHECK:     scf.for
//       CHECK:       scf.for
//       CHECK:         scf.for %[[TX:.*]] = %c0 to %[[T]] step %{{.*}} {
//       CHECK:           scf.for
//       CHECK:             scf.for
//       CHECK:               %[[I:.*]] = arith.muli %[[BX]], %[[T]] : index
//       CHECK:               %[[J:.*]] = arith.addi %[[I]], %[[TX]] : index
//       CHECK:               memref.store %[[J]], %[[OUT]][%[[J]]] : memref<?xindex>
//   CHECK-NOT:   gpu.launch
func.func @independent(%out: memref<?xindex>, %grid: index, %threads: index) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %grid, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %threads, %sy = %c1, %sz = %c1) {
    %i = arith.muli %bx, %sx : index
    %j = arith.addi %i, %tx : index
    memref.store %j, %out[%j] : memref<?xindex>
    gpu.terminator
  }
  return
}

// -----

func.func @shuffles(%out: memref<?xf32>, %v: f32) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %o = arith.constant 1 : i32
  %w = arith.constant 32 : i32
  // expected-error @+1 {{cannot run as host loops: its threads communicate (shuffles or barriers)}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %s, %ok = gpu.shuffle up %v, %o, %w : f32
    memref.store %s, %out[%tx] : memref<?xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @workgroup(%out: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{cannot run as host loops: it has workgroup or private memory}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1)
             workgroup(%shared : memref<4xf32, #gpu.address_space<workgroup>>) {
    %c0 = arith.constant 0 : index
    %x = memref.load %shared[%c0] : memref<4xf32, #gpu.address_space<workgroup>>
    memref.store %x, %out[%tx] : memref<?xf32>
    gpu.terminator
  }
  return
}
