// RUN: swr-opt %s --convert-swr-to-scf --canonicalize --cse --split-input-file | FileCheck %s

// K = 1 from a state: the K + 1 = 2 slots are loaded as the loop's carried
// values, the position in the tile read back clamped (NaN or out of range
// -> 0); every position steps both slots and stores slot K; a tile's end
// moves slot 0 to slot 1 and clears slot 0 (selects, no branch); the state
// out is the slots and the next position in the tile.

// CHECK-LABEL: func @hops1_state
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?xf32>, %[[X:.*]]: memref<?x?x?x?xbf16>, %[[S0:.*]]: memref<?x?x?x3xf32>, %[[Y:.*]]: memref<?x?x?x?xbf16>, %[[S:.*]]: memref<?x?x?x3xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[FOUR:.*]] = arith.constant 4.000000e+00 : f32
// CHECK: %[[N:.*]] = memref.dim %[[X]], %[[C3]]
// CHECK: scf.for %[[B:.*]] = %[[C0]]
// CHECK: scf.for %[[H:.*]] = %[[C0]]
// CHECK: scf.for %[[D:.*]] = %[[C0]]
// CHECK:   %[[V0:.*]] = memref.load %[[S0]][%[[B]], %[[H]], %[[D]], %[[C0]]]
// CHECK:   %[[V1:.*]] = memref.load %[[S0]][%[[B]], %[[H]], %[[D]], %[[C1]]]
// CHECK:   %[[POSF:.*]] = memref.load %[[S0]][%[[B]], %[[H]], %[[D]], %[[C2]]]
// CHECK:   %[[GE:.*]] = arith.cmpf oge, %[[POSF]], %[[ZERO]]
// CHECK:   %[[LT:.*]] = arith.cmpf olt, %[[POSF]], %[[FOUR]]
// CHECK:   %[[OK:.*]] = arith.andi %[[GE]], %[[LT]]
// CHECK:   %[[SAFE:.*]] = arith.select %[[OK]], %[[POSF]], %[[ZERO]]
// CHECK:   %[[POSI:.*]] = arith.fptosi %[[SAFE]] : f32 to i64
// CHECK:   %[[POS:.*]] = arith.index_cast %[[POSI]] : i64 to index
// CHECK:   %[[LAST:.*]]:2 = scf.for %[[I:.*]] = %[[C0]] to %[[N]] step %[[C1]] iter_args(%[[OPEN:.*]] = %[[V0]], %[[WIN:.*]] = %[[V1]]) -> (f32, f32) {
// CHECK:     %[[GATE:.*]] = memref.load %[[A]][%[[B]], %[[H]], %[[I]]]
// CHECK:     %[[XI:.*]] = memref.load %[[X]][%[[B]], %[[H]], %[[D]], %[[I]]]
// CHECK:     %[[XF:.*]] = arith.extf %[[XI]] : bf16 to f32
// CHECK:     %[[P0:.*]] = arith.mulf %[[GATE]], %[[OPEN]]
// CHECK:     %[[OPEN2:.*]] = arith.addf %[[P0]], %[[XF]]
// CHECK:     %[[P1:.*]] = arith.mulf %[[GATE]], %[[WIN]]
// CHECK:     %[[WIN2:.*]] = arith.addf %[[P1]], %[[XF]]
// CHECK:     %[[OUT:.*]] = arith.truncf %[[WIN2]] : f32 to bf16
// CHECK:     memref.store %[[OUT]], %[[Y]][%[[B]], %[[H]], %[[D]], %[[I]]]
// CHECK:     %[[SEEN:.*]] = arith.addi %[[I]], %[[C1]]
// CHECK:     %[[AT:.*]] = arith.addi %[[POS]], %[[SEEN]]
// CHECK:     %[[IN:.*]] = arith.remsi %[[AT]], %[[C4]]
// CHECK:     %[[END:.*]] = arith.cmpi eq, %[[IN]], %[[C0]]
// CHECK:     %[[NEWOPEN:.*]] = arith.select %[[END]], %[[ZERO]], %[[OPEN2]]
// CHECK:     %[[NEWWIN:.*]] = arith.select %[[END]], %[[OPEN2]], %[[WIN2]]
// CHECK:     scf.yield %[[NEWOPEN]], %[[NEWWIN]]
// CHECK:   memref.store %[[LAST]]#0, %[[S]][%[[B]], %[[H]], %[[D]], %[[C0]]]
// CHECK:   memref.store %[[LAST]]#1, %[[S]][%[[B]], %[[H]], %[[D]], %[[C1]]]
// CHECK:   %[[NEXT:.*]] = arith.addi %[[POS]], %[[N]]
// CHECK:   %[[NEXTIN:.*]] = arith.remsi %[[NEXT]], %[[C4]]
// CHECK:   %[[NEXTI:.*]] = arith.index_cast %[[NEXTIN]] : index to i64
// CHECK:   %[[NEXTF:.*]] = arith.sitofp %[[NEXTI]] : i64 to f32
// CHECK:   memref.store %[[NEXTF]], %[[S]][%[[B]], %[[H]], %[[D]], %[[C2]]]
func.func @hops1_state(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xbf16>, %s0: memref<?x?x?x3xf32>,
                       %y: memref<?x?x?x?xbf16>, %s: memref<?x?x?x3xf32>) {
  swr.scan_chunk <tile = 4, hops = 1> ins(%a, %x : memref<?x?x?xf32>, memref<?x?x?x?xbf16>)
    state_in(%s0 : memref<?x?x?x3xf32>) outs(%y : memref<?x?x?x?xbf16>) state_out(%s : memref<?x?x?x3xf32>)
  return
}

// -----

// hops = inf from init: one slot, starting at h0; no tile ends, no position.

// CHECK-LABEL: func @exact_init
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?x?xf32>, %[[X:.*]]: memref<?x?x?x?xf32>, %[[H0:.*]]: memref<?x?x?xf32>, %[[Y:.*]]: memref<?x?x?x?xf32>, %[[S:.*]]: memref<?x?x?x1xf32>)
// CHECK: %[[H:.*]] = memref.load %[[H0]]
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[H]]) -> (f32)
// CHECK-NOT: arith.remsi
// CHECK-NOT: scf.if
// CHECK: memref.store %{{.*}}, %[[S]]
// CHECK-NOT: arith.sitofp
func.func @exact_init(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>, %h0: memref<?x?x?xf32>,
                      %y: memref<?x?x?x?xf32>, %s: memref<?x?x?x1xf32>) {
  swr.scan_chunk <tile = 4, hops = inf> ins(%a, %x : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    init(%h0 : memref<?x?x?xf32>) outs(%y : memref<?x?x?x?xf32>) state_out(%s : memref<?x?x?x1xf32>)
  return
}
