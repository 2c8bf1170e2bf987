// RUN: swr-opt %s --convert-swr-to-scf --canonicalize --cse --split-input-file | FileCheck %s

// K = 1, per-head gates: K + 1 = 2 bands unless the sequence has at most
// one tile (then the window is exact: one band); per sequence a reverse
// sweep (register shifted at tile ends, dx stored, bands of dy recorded)
// and a forward sweep (register shifted at tile starts, da summed over the
// head's channels in f32 scratch, stored after the channels).

// CHECK-LABEL: func @hops1_per_head
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?xf32>, %[[X:.*]]: memref<?x?x?x?xbf16>, %[[DY:.*]]: memref<?x?x?x?xf32>, %[[DX:.*]]: memref<?x?x?x?xf32>, %[[DA:.*]]: memref<?x?x?xbf16>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[N:.*]] = memref.dim %[[X]], %[[C3]]
// CHECK: %[[TILES:.*]] = arith.ceildivsi %[[N]], %[[C4]]
// CHECK: %[[EXACT:.*]] = arith.cmpi sle, %[[TILES]], %[[C1]]
// CHECK: %[[BANDS:.*]] = arith.select %[[EXACT]], %[[C1]], %[[C2]]
// CHECK: %[[Z:.*]] = memref.alloc(%[[BANDS]], %[[N]]) : memref<?x?xf32>
// CHECK: %[[REV:.*]] = memref.alloc(%[[BANDS]]) : memref<?xf32>
// CHECK: %[[FWD:.*]] = memref.alloc(%[[BANDS]]) : memref<?xf32>
// CHECK: %[[SUM:.*]] = memref.alloc(%[[N]]) : memref<?xf32>
// CHECK: scf.for %[[B:.*]] = %[[C0]]
// CHECK: scf.for %[[H:.*]] = %[[C0]]
// CHECK: scf.for %[[D:.*]] = %[[C0]]
//        The reverse sweep, from position N - 1 down.
// CHECK:   scf.for %{{.*}} = %[[C0]] to %[[N]] step %[[C1]] iter_args(%[[NEXTGATE:.*]] = %{{.*}}) -> (f32)
// CHECK:     %[[LAST:.*]] = arith.subi %[[N]], %[[C1]]
// CHECK:     %[[K:.*]] = arith.subi %[[LAST]], %{{.*}}
// CHECK:     arith.remsi %[[K]], %[[C4]]
// CHECK:     scf.if
// CHECK:     %[[DYK:.*]] = memref.load %[[DY]][%[[B]], %[[H]], %[[D]], %[[K]]]
// CHECK:     %[[WIDEST:.*]] = scf.for %[[J:.*]] = %[[C0]] to %[[BANDS]] step %[[C1]] iter_args(%[[NARROWER:.*]] = %{{.*}}) -> (f32)
// CHECK:       %[[OLD:.*]] = memref.load %[[REV]][%[[J]]]
// CHECK:       %[[CARRIED:.*]] = arith.mulf %[[NEXTGATE]], %[[OLD]]
// CHECK:       %[[ZJ:.*]] = arith.addf %[[DYK]], %[[CARRIED]]
// CHECK:       memref.store %[[ZJ]], %[[REV]][%[[J]]]
// CHECK:       %[[BAND:.*]] = arith.subf %[[ZJ]], %[[NARROWER]]
// CHECK:       memref.store %[[BAND]], %[[Z]][%[[J]], %[[K]]]
// CHECK:     memref.store %[[WIDEST]], %[[DX]][%[[B]], %[[H]], %[[D]], %[[K]]]
// CHECK:     %[[GATE:.*]] = memref.load %[[A]][%[[B]], %[[H]], %[[K]]]
// CHECK:     scf.yield %[[GATE]]
//        The forward sweep.
// CHECK:   scf.for %[[T:.*]] = %[[C0]] to %[[N]] step %[[C1]] {
// CHECK:     arith.remsi %[[T]], %[[C4]]
// CHECK:     scf.if
// CHECK:     %[[DAT:.*]] = scf.for %[[JJ:.*]] = %[[C0]] to %[[BANDS]]
// CHECK:       memref.load %[[FWD]]
// CHECK:       memref.load %[[Z]][%[[JJ]], %[[T]]]
// CHECK:     %[[PARTIAL:.*]] = memref.load %[[SUM]][%[[T]]]
// CHECK:     %[[TOTAL:.*]] = arith.addf %[[PARTIAL]], %[[DAT]]
// CHECK:     memref.store %[[TOTAL]], %[[SUM]][%[[T]]]
// CHECK:     %[[XT:.*]] = memref.load %[[X]][%[[B]], %[[H]], %[[D]], %[[T]]]
// CHECK:     arith.extf %[[XT]] : bf16 to f32
//        After the channels: da of the head, narrowed once.
// CHECK: scf.for %[[P:.*]] = %[[C0]] to %[[N]]
// CHECK:   %[[S:.*]] = memref.load %[[SUM]][%[[P]]]
// CHECK:   %[[SN:.*]] = arith.truncf %[[S]] : f32 to bf16
// CHECK:   memref.store %[[SN]], %[[DA]][%[[B]], %[[H]], %[[P]]]
// CHECK: memref.dealloc %[[Z]]
// CHECK: memref.dealloc %[[REV]]
// CHECK: memref.dealloc %[[FWD]]
// CHECK: memref.dealloc %[[SUM]]
func.func @hops1_per_head(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xbf16>, %dy: memref<?x?x?x?xf32>,
                          %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?xbf16>) {
  swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : memref<?x?x?xf32>, memref<?x?x?x?xbf16>, memref<?x?x?x?xf32>)
    outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?xbf16>)
  return
}

// -----

// hops = inf, per-channel gates, init: one band, no register shifts, da
// stored per position, the forward register starts at h0, and dh0 = a_0 *
// dx_0 (0 for an empty sequence).

// CHECK-LABEL: func @exact_per_channel_init
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?x?xf32>, %[[X:.*]]: memref<?x?x?x?xf32>, %[[DY:.*]]: memref<?x?x?x?xf32>, %[[H0:.*]]: memref<?x?x?xf32>, %[[DX:.*]]: memref<?x?x?x?xf32>, %[[DA:.*]]: memref<?x?x?x?xf32>, %[[DH0:.*]]: memref<?x?x?xf32>)
// CHECK-NOT: arith.remsi
// CHECK-NOT: scf.if {
// CHECK: %[[NONEMPTY:.*]] = arith.cmpi sgt, %{{.*}}, %{{.*}} : index
// CHECK: %[[G:.*]] = scf.if %[[NONEMPTY]] -> (f32) {
// CHECK:   %[[A0:.*]] = memref.load %[[A]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}]
// CHECK:   %[[Z0:.*]] = memref.load
// CHECK:   %[[P:.*]] = arith.mulf %[[A0]], %[[Z0]]
// CHECK:   scf.yield %[[P]]
// CHECK: } else {
// CHECK:   scf.yield %{{.*}} : f32
// CHECK: memref.store %[[G]], %[[DH0]]
// CHECK: %[[H:.*]] = memref.load %[[H0]]
// CHECK: memref.store %[[H]]
// CHECK: scf.for
// CHECK-NOT: arith.remsi
// CHECK:   memref.store %{{.*}}, %[[DA]]
func.func @exact_per_channel_init(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                                  %h0: memref<?x?x?xf32>, %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?x?xf32>,
                                  %dh0: memref<?x?x?xf32>) {
  swr.scan_grad <tile = 4, hops = inf> ins(%a, %x, %dy : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    init(%h0 : memref<?x?x?xf32>) outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>) grad_init(%dh0 : memref<?x?x?xf32>)
  return
}

// -----

// K = 0: no window reaches h0, so dh0 is 0.

// CHECK-LABEL: func @hops0_init
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f16
// CHECK: memref.store %[[ZERO]], %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x?x?xf16>
func.func @hops0_init(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                      %h0: memref<?x?x?xf32>, %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?xf32>,
                      %dh0: memref<?x?x?xf16>) {
  swr.scan_grad <tile = 4, hops = 0> ins(%a, %x, %dy : memref<?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    init(%h0 : memref<?x?x?xf32>) outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?xf32>) grad_init(%dh0 : memref<?x?x?xf16>)
  return
}

// -----

// from_output (hops = inf): one band; the forward sweep starts from h0 and,
// after position k's da, takes the saved output y_k as the state (no gate,
// no x).

// CHECK-LABEL: func @from_output
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?x?xf32>, %[[Y:.*]]: memref<?x?x?x?xf32>, %{{.*}}: memref<?x?x?x?xf32>, %[[H0:.*]]: memref<?x?x?xf32>, %{{.*}}: memref<?x?x?x?xf32>, %[[DA:.*]]: memref<?x?x?x?xf32>, %{{.*}}: memref<?x?x?xf32>)
// CHECK: %[[Z:.*]] = memref.alloc(%{{.*}}) : memref<1x?xf32>
// CHECK: %[[REV:.*]] = memref.alloc() : memref<1xf32>
// CHECK: %[[FWD:.*]] = memref.alloc() : memref<1xf32>
// CHECK: scf.for %[[B:.*]] =
// CHECK: scf.for %[[H:.*]] =
// CHECK: scf.for %[[D:.*]] =
// CHECK:   %[[START:.*]] = memref.load %[[H0]][%[[B]], %[[H]], %[[D]]]
// CHECK:   memref.store %[[START]], %[[FWD]][%[[C0:.*]]]
// CHECK:   scf.for %[[K:.*]] =
// CHECK:     %[[STATE:.*]] = memref.load %[[FWD]][%[[C0]]]
// CHECK:     %[[BAND:.*]] = memref.load %[[Z]][%[[C0]], %[[K]]]
// CHECK:     %[[DAK:.*]] = arith.mulf %[[BAND]], %[[STATE]]
// CHECK:     %[[SUM:.*]] = arith.addf %[[DAK]]
// CHECK:     memref.store %[[SUM]], %[[DA]][%[[B]], %[[H]], %[[D]], %[[K]]]
// CHECK:     %[[YK:.*]] = memref.load %[[Y]][%[[B]], %[[H]], %[[D]], %[[K]]]
// CHECK:     memref.store %[[YK]], %[[FWD]][%[[C0]]]
// CHECK-NOT: memref.load %[[A]]
// CHECK:   }
func.func @from_output(%a: memref<?x?x?x?xf32>, %y: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>, %h0: memref<?x?x?xf32>,
                       %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?x?xf32>, %dh0: memref<?x?x?xf32>) {
  swr.scan_grad <tile = 16, hops = inf> from_output
      ins(%a, %y, %dy : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>) init(%h0 : memref<?x?x?xf32>)
      outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>) grad_init(%dh0 : memref<?x?x?xf32>)
  return
}
