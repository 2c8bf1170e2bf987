// test-swr-gpu-launch-to-loops: a launch becomes a loop nest over blocks
// (grid x, y, z) and, per phase between top-level barriers, over threads
// (block x, y, z) running that phase; workgroup memory is a host buffer per
// block, values crossing a barrier a per-thread buffer; host device buffers
// become host buffers. Shuffles, barriers inside control flow and private
// memory are errors.
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
  // expected-error @+1 {{cannot run as host loops: its threads shuffle, or meet at a barrier inside control flow}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %s, %ok = gpu.shuffle up %v, %o, %w : f32
    memref.store %s, %out[%tx] : memref<?xf32>
    gpu.terminator
  }
  return
}

// -----

// Each thread writes its slot of workgroup memory and, after the barrier,
// reads its neighbour's: two phases, each a loop nest over the block's
// threads; %v crosses the barrier through a per-thread buffer.
// CHECK-LABEL: func.func @phases
//       CHECK:   scf.for %[[BX:.*]] = %c0 to %{{.*}} step
//       CHECK:     scf.for
//       CHECK:       scf.for
//       CHECK:         %[[SHARED:.*]] = memref.alloc() : memref<4xf32>
//       CHECK:         %[[KEEP:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
//       CHECK:         scf.for %[[TX:.*]] = %c0 to
//       CHECK:           scf.for
//       CHECK:             scf.for
//       CHECK:               %[[V:.*]] = arith.uitofp
//       CHECK:               memref.store %[[V]], %[[KEEP]][
//       CHECK:               memref.store %[[V]], %[[SHARED]][%[[TX]]] : memref<4xf32>
//       CHECK:         scf.for %[[TX2:.*]] = %c0 to
//       CHECK:           scf.for
//       CHECK:             scf.for
//       CHECK:               %[[W:.*]] = memref.load %[[KEEP]][
//       CHECK:               %[[N:.*]] = memref.load %[[SHARED]][
//       CHECK:               arith.addf %[[W]], %[[N]]
//   CHECK-NOT:   gpu.barrier
func.func @phases(%out: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1)
             workgroup(%shared : memref<4xf32, #gpu.address_space<workgroup>>) {
    %i = arith.index_cast %tx : index to i32
    %v = arith.uitofp %i : i32 to f32
    memref.store %v, %shared[%tx] : memref<4xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %c1_ = arith.constant 1 : index
    %next = arith.addi %tx, %c1_ : index
    %wrap = arith.remui %next, %sx : index
    %n = memref.load %shared[%wrap] : memref<4xf32, #gpu.address_space<workgroup>>
    %sum = arith.addf %v, %n : f32
    memref.store %sum, %out[%tx] : memref<?xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @nested_barrier(%out: memref<?xf32>, %c: i1) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{cannot run as host loops: its threads shuffle, or meet at a barrier inside control flow}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    scf.if %c {
      gpu.barrier
    }
    gpu.terminator
  }
  return
}

// -----

func.func @private(%out: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{cannot run as host loops: it has private memory}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1)
             private(%mine : memref<4xf32, #gpu.address_space<private>>) {
    %c0 = arith.constant 0 : index
    %x = memref.load %mine[%c0] : memref<4xf32, #gpu.address_space<private>>
    memref.store %x, %out[%tx] : memref<?xf32>
    gpu.terminator
  }
  return
}

// -----

// Device buffers of the host code: host buffers, tokens and waits gone.
// CHECK-LABEL: func.func @buffers
//       CHECK:   %[[B:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
//       CHECK:   memref.store %{{.*}}, %[[B]]
//   CHECK-NOT:   gpu.
func.func @buffers(%n: index) {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0 : i32
  %t = gpu.wait async
  %b, %t1 = gpu.alloc async [%t] (%n) : memref<?xi32>
  gpu.wait [%t1]
  memref.store %z, %b[%c0] : memref<?xi32>
  %t2 = gpu.wait async
  %t3 = gpu.dealloc async [%t2] %b : memref<?xi32>
  gpu.wait [%t3]
  return
}
