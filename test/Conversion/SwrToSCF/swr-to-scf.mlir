// RUN: swr-opt %s --convert-swr-to-scf --canonicalize --cse --split-input-file | FileCheck %s

// Forward, K = 1, per-head bf16 gates, init, f16 output: one walk per tile
// that starts one tile early (the warm-up writes nothing) and starts from
// init only when the window reaches tile -1.

// CHECK-LABEL: func @forward_hops1_init
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?xbf16>, %[[X:.*]]: memref<?x?x?x?xf32>, %[[H:.*]]: memref<?x?x?xf32>, %[[Y:.*]]: memref<?x?x?x?xf16>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[N:.*]] = memref.dim %[[X]], %[[C3]] :
// CHECK: %[[TILES:.*]] = arith.ceildivsi %[[N]], %[[C16]]
// CHECK: scf.for %[[B:.*]] = %[[C0]]
// CHECK: scf.for %[[HH:.*]] = %[[C0]]
// CHECK: scf.for %[[D:.*]] = %[[C0]]
// CHECK: scf.for %[[C:.*]] = %[[C0]] to %[[TILES]]
// CHECK:   %[[START:.*]] = arith.muli %[[C]], %[[C16]]
// CHECK:   %[[LO:.*]] = arith.subi %[[START]], %[[C16]]
// CHECK:   %[[FIRST:.*]] = arith.maxsi %[[LO]], %[[C0]]
// CHECK:   %[[REACH:.*]] = arith.cmpi slt, %[[LO]], %[[C0]]
// CHECK:   %[[X0:.*]] = memref.load %[[X]][%[[B]], %[[HH]], %[[D]], %[[FIRST]]]
// CHECK:   %[[H0:.*]] = memref.load %[[H]][%[[B]], %[[HH]], %[[D]]]
// CHECK:   %[[G0:.*]] = memref.load %[[A]][%[[B]], %[[HH]], %[[FIRST]]]
// CHECK:   %[[G0F:.*]] = arith.extf %[[G0]] : bf16 to f32
// CHECK:   %[[CARRIED:.*]] = arith.mulf %[[G0F]], %[[H0]]
// CHECK:   %[[FROMINIT:.*]] = arith.addf %[[CARRIED]], %[[X0]]
// CHECK:   %[[ACC0:.*]] = arith.select %[[REACH]], %[[FROMINIT]], %[[X0]]
// CHECK:   scf.if
// CHECK:     arith.truncf %[[ACC0]] : f32 to f16
// CHECK:   %[[WARM:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[ACC0]]) -> (f32) {
// CHECK-NOT:  memref.store
// CHECK:     scf.yield
// CHECK:   scf.for {{.*}} iter_args(%{{.*}} = %[[WARM]]) -> (f32) {
// CHECK:     arith.mulf
// CHECK:     arith.addf
// CHECK:     arith.truncf %{{.*}} : f32 to f16
// CHECK:     memref.store %{{.*}}, %[[Y]][%[[B]], %[[HH]], %[[D]], %{{.*}}] : memref<?x?x?x?xf16>
func.func @forward_hops1_init(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xf32>, %h: memref<?x?x?xf32>, %y: memref<?x?x?x?xf16>) {
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<?x?x?xbf16>, memref<?x?x?x?xf32>) init(%h : memref<?x?x?xf32>) outs(%y : memref<?x?x?x?xf16>)
  return
}

// -----

// Reverse exact scan: one backward walk from N - 1; the gate that carries the
// state into position p is a_{p+1}; no gate touches the first element.

// CHECK-LABEL: func @reverse_exact
// CHECK-SAME: (%[[A:.*]]: memref<2x3x4x10xf32>, %[[X:.*]]: memref<2x3x4x10xf32>, %[[Y:.*]]: memref<2x3x4x10xf32>)
// CHECK-DAG: %[[C9:.*]] = arith.constant 9 : index
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK: %[[LAST:.*]] = memref.load %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %[[C9]]]
// CHECK-NEXT: memref.store %[[LAST]], %[[Y]][%{{.*}}, %{{.*}}, %{{.*}}, %[[C9]]]
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[C10]] {{.*}} iter_args(%[[ACC:.*]] = %[[LAST]])
// CHECK:   %[[POS:.*]] = arith.subi %[[C9]], %[[I]]
// CHECK:   %[[NEXT:.*]] = arith.subi %[[C10]], %[[I]]
// CHECK:   %[[G:.*]] = memref.load %[[A]][%{{.*}}, %{{.*}}, %{{.*}}, %[[NEXT]]]
// CHECK:   %[[XV:.*]] = memref.load %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %[[POS]]]
// CHECK:   %[[M:.*]] = arith.mulf %[[G]], %[[ACC]]
// CHECK:   %[[S:.*]] = arith.addf %[[M]], %[[XV]]
// CHECK:   memref.store %[[S]], %[[Y]][%{{.*}}, %{{.*}}, %{{.*}}, %[[POS]]]
func.func @reverse_exact(%a: memref<2x3x4x10xf32>, %x: memref<2x3x4x10xf32>, %y: memref<2x3x4x10xf32>) {
  swr.scan <tile = 4, hops = inf> reverse ins(%a, %x : memref<2x3x4x10xf32>, memref<2x3x4x10xf32>) outs(%y : memref<2x3x4x10xf32>)
  return
}

// -----

// Reverse with K = 2: the walk of tile c starts at min(N - 1, T (c + 3) - 1)
// and starts from init only when c + K reaches the tile after the last.

// CHECK-LABEL: func @reverse_hops2_init
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C11:.*]] = arith.constant 11 : index
// CHECK-DAG: %[[C9:.*]] = arith.constant 9 : index
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step
// CHECK:   %[[START:.*]] = arith.muli %[[C]]
// CHECK:   %[[HI:.*]] = arith.addi %[[START]], %[[C11]]
// CHECK:   %[[FIRST:.*]] = arith.minsi %[[HI]], %[[C9]]
// CHECK:   %[[REACH:.*]] = arith.addi %[[C]], %[[C2]]
// CHECK:   arith.cmpi sge, %[[REACH]]
func.func @reverse_hops2_init(%a: memref<1x1x10xf32>, %x: memref<1x1x1x10xf32>, %h: memref<1x1x1xf32>, %y: memref<1x1x1x10xf32>) {
  swr.scan <tile = 4, hops = 2> reverse ins(%a, %x : memref<1x1x10xf32>, memref<1x1x1x10xf32>) init(%h : memref<1x1x1xf32>) outs(%y : memref<1x1x1x10xf32>)
  return
}

// -----

// A window whose reach T * (K + 1) does not fit in index arithmetic covers
// every sequence: it lowers as the exact scan (one walk, no tile loop).

// CHECK-LABEL: func @huge_window_is_exact
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args
// CHECK-NOT: scf.for
func.func @huge_window_is_exact(%a: memref<2x2x9xf32>, %x: memref<2x2x2x9xf32>, %y: memref<2x2x2x9xf32>) {
  swr.scan <tile = 4611686018427387904, hops = 9223372036854775807> ins(%a, %x : memref<2x2x9xf32>, memref<2x2x2x9xf32>) outs(%y : memref<2x2x2x9xf32>)
  return
}
