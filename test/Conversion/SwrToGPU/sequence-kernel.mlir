// RUN: swr-opt %s --convert-swr-to-gpu --canonicalize --cse --split-input-file -verify-diagnostics | FileCheck %s

// An op with independent sequences (swr.scan_chunk) becomes a kernel with
// one thread per (b, h, d) sequence, the channel fastest, blocks of
// 32 * warps-per-block threads, no launch for no sequences; each thread
// runs the op's own loops (here the decode step: one position, its slots
// in registers).

// CHECK-LABEL: func @decode
// CHECK-SAME: (%[[A:.*]]: memref<?x?x1xf32>, %[[X:.*]]: memref<?x?x?x1xbf16>, %[[S0:.*]]: memref<?x?x?x3xf32>, %[[Y:.*]]: memref<?x?x?x1xbf16>, %[[S:.*]]: memref<?x?x?x3xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[B:.*]] = memref.dim %[[X]], %[[C0]]
// CHECK: %[[H:.*]] = memref.dim %[[X]], %[[C1]]
// CHECK: %[[D:.*]] = memref.dim %[[X]], %[[C2]]
// CHECK: %[[BH:.*]] = arith.muli %[[B]], %[[H]]
// CHECK: %[[TOTAL:.*]] = arith.muli %[[BH]], %[[D]]
// CHECK: %[[BLOCKS:.*]] = arith.ceildivsi %[[TOTAL]], %[[C128]]
// CHECK: %[[ANY:.*]] = arith.cmpi sgt, %[[TOTAL]], %[[C0]]
// CHECK: scf.if %[[ANY]] {
// CHECK:   gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]]) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// CHECK:     %[[BASE:.*]] = arith.muli %[[BX]], %[[C128]]
// CHECK:     %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]]
// CHECK:     %[[IN:.*]] = arith.cmpi slt, %[[ID]], %[[TOTAL]]
// CHECK:     scf.if %[[IN]] {
// CHECK:       %[[DI:.*]] = arith.remui %[[ID]], %[[D]]
// CHECK:       %[[REST:.*]] = arith.divui %[[ID]], %[[D]]
// CHECK:       %[[HI:.*]] = arith.remui %[[REST]], %[[H]]
// CHECK:       %[[BI:.*]] = arith.divui %[[REST]], %[[H]]
// CHECK:       memref.load %[[S0]][%[[BI]], %[[HI]], %[[DI]], %[[C0]]]
// CHECK:       memref.load %[[A]][%[[BI]], %[[HI]], %{{.*}}]
// CHECK:       memref.load %[[X]][%[[BI]], %[[HI]], %[[DI]], %{{.*}}]
// CHECK:       memref.store %{{.*}}, %[[Y]][%[[BI]], %[[HI]], %[[DI]], %{{.*}}]
// CHECK:       memref.store %{{.*}}, %[[S]][%[[BI]], %[[HI]], %[[DI]], %[[C2]]]
// CHECK:     gpu.terminator
// CHECK-NOT: swr.
func.func @decode(%a: memref<?x?x1xf32>, %x: memref<?x?x?x1xbf16>, %s0: memref<?x?x?x3xf32>,
                  %y: memref<?x?x?x1xbf16>, %s: memref<?x?x?x3xf32>) {
  swr.scan_chunk <tile = 16, hops = 1> ins(%a, %x : memref<?x?x1xf32>, memref<?x?x?x1xbf16>)
    state_in(%s0 : memref<?x?x?x3xf32>) outs(%y : memref<?x?x?x1xbf16>) state_out(%s : memref<?x?x?x3xf32>)
  return
}

// -----

// A window without a GPU kernel yet is a located error.

func.func @grad(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @+1 {{has a GPU kernel for hops 0 and 1 only, got hops = 2 (convert-swr-to-scf runs it on the CPU)}}
  swr.scan_grad <tile = 4, hops = 2> ins(%a, %x, %dy : memref<?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?xf32>)
  return
}
