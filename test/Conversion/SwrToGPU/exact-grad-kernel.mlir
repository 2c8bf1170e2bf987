// RUN: swr-opt %s --convert-swr-to-gpu --canonicalize --cse --split-input-file | FileCheck %s

// swr.scan_grad from_output (hops = inf), per-head gates, bf16, h0: an
// empty sequence gets dh0 = 0 from a kernel of its own; a head of at most
// 16 channel groups (one channel per lane: 16 warps, dynamic D) gets one
// block, the reverse exact scan of dy (two 16-byte vectors per lane: 16
// positions) whose steps end with da and dh0, one step in flight. Each warp
// stores its lanes' da into its row of the step's slot (a row of 512
// positions, padded to 528 floats; two slots would take 67584 bytes, more
// than 48 KB, so one), then after a barrier every thread adds up the 16
// rows at one position and stores da: no atomics; a second barrier before
// the slot is stored into again. The launch asks for the host's constants
// as immediates.
// Wider heads get the reverse scan for dx alone (blocks of
// warps-per-block warps) and a kernel of a thread per (b, h, k) for da
// and dh0.

// CHECK-LABEL: func @per_head
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?xbf16>, %[[Y:.*]]: memref<?x?x?x?xbf16>, %[[DY:.*]]: memref<?x?x?x?xbf16>, %[[H0:.*]]: memref<?x?x?xbf16>, %[[DX:.*]]: memref<?x?x?x?xbf16>, %[[DA:.*]]: memref<?x?x?xbf16>, %[[DH0:.*]]: memref<?x?x?xbf16>)
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[C512:.*]] = arith.constant 512 : index
//            N = 0: dh0 = 0.
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %[[C128]], {{.*}})
// CHECK:   memref.store %{{.*}}, %[[DH0]]
// CHECK: %[[FITS:.*]] = arith.cmpi ule, %{{.*}}, %[[C16]] : index
// CHECK: scf.if %[[FITS]] {
// CHECK:   gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %[[C512]], {{.*}}) workgroup(%[[SUMS:.*]] : memref<1x16x528xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT: gpu.barrier
// CHECK:     vector.load %[[DY]]{{.*}} : memref<?x?x?x?xbf16>, vector<16xbf16>
// CHECK:     vector.load %[[A]]{{.*}} : memref<?x?x?xbf16>, vector<16xbf16>
// CHECK:     vector.load %[[Y]]{{.*}} : memref<?x?x?x?xbf16>, vector<16xbf16>
// CHECK:     scf.for
// CHECK:       vector.store %{{.*}}, %[[DX]]
// CHECK:       memref.store %{{.*}}, %[[DH0]]
// CHECK-COUNT-16: memref.store %{{.*}}, %[[SUMS]]
// CHECK-NOT:   memref.atomic_rmw
// CHECK:       gpu.barrier
// CHECK-COUNT-16: memref.load %[[SUMS]]
// CHECK-NOT:   gpu.shuffle
// CHECK:       memref.store %{{.*}}, %[[DA]]
// CHECK:       gpu.barrier
// CHECK-NEXT:  scf.yield
// CHECK:   } {swr.sink_constants}
// CHECK: } else {
// CHECK:   gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %[[C128]], {{.*}}) {
// CHECK-NOT: memref.atomic_rmw
// CHECK:     vector.store %{{.*}}, %[[DX]]
// CHECK:   gpu.launch
// CHECK:     scf.for
// CHECK:       memref.load %[[Y]]
// CHECK:       memref.load %[[DX]]
// CHECK:     memref.store %{{.*}}, %[[DA]]
func.func @per_head(%a: memref<?x?x?xbf16>, %y: memref<?x?x?x?xbf16>, %dy: memref<?x?x?x?xbf16>, %h: memref<?x?x?xbf16>,
                    %dx: memref<?x?x?x?xbf16>, %da: memref<?x?x?xbf16>, %dh: memref<?x?x?xbf16>) {
  swr.scan_grad <tile = 16, hops = inf> from_output ins(%a, %y, %dy : memref<?x?x?xbf16>, memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>) init(%h : memref<?x?x?xbf16>) outs(%dx, %da : memref<?x?x?x?xbf16>, memref<?x?x?xbf16>) grad_init(%dh : memref<?x?x?xbf16>)
  return
}

// -----

// Per-channel gates: no sums across warps; da is stored like dx (a vector
// per lane), warps-per-block lone warps per block.

// CHECK-LABEL: func @per_channel
// CHECK-SAME: (%{{.*}}: memref<?x?x?x?xf32>, %[[Y:.*]]: memref<?x?x?x?xf32>, %{{.*}}: memref<?x?x?x?xf32>, %[[DX:.*]]: memref<?x?x?x?xf32>, %[[DA:.*]]: memref<?x?x?x?xf32>)
// CHECK-NOT: workgroup
// CHECK: gpu.launch
// CHECK-NOT: gpu.barrier
// CHECK: vector.load %[[Y]]{{.*}} : memref<?x?x?x?xf32>, vector<8xf32>
// CHECK-NOT: gpu.barrier
// CHECK: vector.store %{{.*}}, %[[DX]]{{.*}} : memref<?x?x?x?xf32>, vector<8xf32>
// CHECK-NOT: gpu.barrier
// CHECK: vector.store %{{.*}}, %[[DA]]{{.*}} : memref<?x?x?x?xf32>, vector<8xf32>
// CHECK-NOT: gpu.barrier
// CHECK: } {swr.sink_constants}
func.func @per_channel(%a: memref<?x?x?x?xf32>, %y: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                       %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?x?xf32>) {
  swr.scan_grad <tile = 16, hops = inf> from_output ins(%a, %y, %dy : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>) outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
  return
}

// -----

// f32 per head: two 16-byte vectors per lane (8 positions), one step in
// flight, two slots of 16 rows of 256 positions (padded to 272 floats: rows
// two apart 16 banks apart); after the barrier two threads add up 8 rows
// each at one position and combine by a shuffle. The next step stores into
// the other slot, so one barrier per step.

// CHECK-LABEL: func @per_head_f32
// CHECK: gpu.launch {{.*}} workgroup(%[[SUMS:.*]] : memref<2x16x272xf32, #gpu.address_space<workgroup>>)
// CHECK:   scf.for
// CHECK-COUNT-8: memref.store %{{.*}}, %[[SUMS]]
// CHECK:     gpu.barrier
// CHECK-COUNT-8: memref.load %[[SUMS]]
// CHECK:     gpu.shuffle  xor
// CHECK:     memref.store
// CHECK-NOT: gpu.barrier
// CHECK:     scf.yield
func.func @per_head_f32(%a: memref<?x?x?xf32>, %y: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                        %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?xf32>) {
  swr.scan_grad <tile = 16, hops = inf> from_output ins(%a, %y, %dy : memref<?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>) outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?xf32>)
  return
}
