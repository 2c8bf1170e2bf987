// RUN: swr-opt %s --convert-swr-to-gpu --canonicalize --cse --split-input-file -verify-diagnostics | FileCheck %s

// swr.scan_grad, hops 1, per-head gates, h0: blocks of one head and 30
// owned tiles (lanes 1..30 of each warp; lanes 0 and 31 compute the
// neighbours' numbers), 32 * warps-per-block threads; the head's gates are
// loaded once, then each warp walks the head's channels one step ahead
// (the next channel's x and dy are loaded before this one's gradients are
// computed, and carried by the loop), loading a whole tile with one vector
// load per array (aligned to the tile's bytes, up to 16, when every row
// starts on 16 bytes, checked on the host; element loads otherwise);
// the next tile's reverse total and the previous tile's terminal state come
// from their lanes (shuffle idx); dx is stored as a vector; per-head da is
// summed over a thread's channels in registers, then over the warps in
// workgroup memory after one barrier. An empty sequence still gets
// dh0 = 0, from a kernel of its own.

// CHECK-LABEL: func @per_head
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?xf32>, %[[X:.*]]: memref<?x?x?x?xbf16>, %[[DY:.*]]: memref<?x?x?x?xbf16>, %[[H0:.*]]: memref<?x?x?xf32>, %[[DX:.*]]: memref<?x?x?x?xbf16>, %[[DA:.*]]: memref<?x?x?xf32>, %[[DH0:.*]]: memref<?x?x?xf32>)
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C30:.*]] = arith.constant 30 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[TILES:.*]] = arith.ceildivsi %{{.*}}, %[[C4]]
// CHECK: %[[GROUPS:.*]] = arith.ceildivsi %[[TILES]], %[[C30]]
// CHECK: memref.extract_aligned_pointer_as_index %[[A]]
// CHECK: memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: memref.extract_aligned_pointer_as_index %[[DY]]
// CHECK: memref.extract_aligned_pointer_as_index %[[DX]]
// CHECK: gpu.launch blocks({{.*}}) threads({{.*}}) in (%{{.*}} = %[[C128]], {{.*}}) workgroup(%[[SUMS:.*]] : memref<4x32x5xf32, #gpu.address_space<workgroup>>)
// CHECK:   %[[WARP:.*]] = arith.divui %{{.*}}, %[[C32:.*]] : index
// CHECK:   vector.load %[[A]][{{.*}}] {alignment = 16 : i64} : memref<?x?x?xf32>, vector<4xf32>
// CHECK:   vector.load %[[X]][{{.*}}, %[[WARP]], {{.*}}] {alignment = 8 : i64} : memref<?x?x?x?xbf16>, vector<4xbf16>
// CHECK:   vector.load %[[DY]][{{.*}}, %[[WARP]], {{.*}}] {alignment = 8 : i64} : memref<?x?x?x?xbf16>, vector<4xbf16>
// CHECK:   %[[LOOP:.*]]:6 = scf.for %[[D:.*]] = %[[WARP]] to %{{.*}} step %[[C4]] iter_args({{.*}}) -> (f32, f32, f32, f32, vector<4xbf16>, vector<4xbf16>)
// CHECK:     %[[NEXT:.*]] = arith.addi %[[D]], %[[C4]] : index
// CHECK:     vector.load %[[X]][{{.*}}, %[[NEXT]], {{.*}}] {alignment = 8 : i64} : memref<?x?x?x?xbf16>, vector<4xbf16>
// CHECK:     vector.load %[[DY]][{{.*}}, %[[NEXT]], {{.*}}] {alignment = 8 : i64} : memref<?x?x?x?xbf16>, vector<4xbf16>
// CHECK-NOT: vector.load %[[A]]
// CHECK:     gpu.shuffle idx
// CHECK:     vector.store %{{.*}}, %[[DX]][{{.*}}, %[[D]], {{.*}}] {alignment = 8 : i64} : memref<?x?x?x?xbf16>, vector<4xbf16>
// CHECK:     memref.load %[[H0]]
// CHECK:     gpu.shuffle idx
// CHECK:     memref.store %{{.*}}, %[[DH0]]
// CHECK-NOT: memref.store %{{.*}}, %[[DA]]
// CHECK:   memref.store %[[LOOP]]#0, %[[SUMS]]
// CHECK:   memref.store %[[LOOP]]#3, %[[SUMS]]
// CHECK:   gpu.barrier
// CHECK:   scf.for
// CHECK:     memref.load %[[SUMS]]
// CHECK:     memref.store %{{.*}}, %[[DA]]
// CHECK:   gpu.terminator
// CHECK-NEXT: } {swr.sink_constants}
// CHECK: gpu.launch
// CHECK:   memref.store %{{.*}}, %[[DH0]]
func.func @per_head(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xbf16>, %dy: memref<?x?x?x?xbf16>, %h0: memref<?x?x?xf32>,
                    %dx: memref<?x?x?x?xbf16>, %da: memref<?x?x?xf32>, %dh0: memref<?x?x?xf32>) {
  swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : memref<?x?x?xf32>, memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>)
    init(%h0 : memref<?x?x?xf32>) outs(%dx, %da : memref<?x?x?x?xbf16>, memref<?x?x?xf32>) grad_init(%dh0 : memref<?x?x?xf32>)
  return
}

// -----

// A tile of 32 spans two lanes of 16 positions: the lane scans across them
// are one shuffle step each way (down for the reverse, up for the forward)
// plus one for the exclusive value; 4 x 32 x 16 sums per block (each
// lane's 16 padded to 17, so that the lanes' stores hit distinct banks).

// CHECK-LABEL: func @split_tile
// CHECK: workgroup(%{{.*}} : memref<4x32x17xf32, #gpu.address_space<workgroup>>)
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<?x?x?x?xbf16>, vector<16xbf16>
// CHECK-COUNT-4: gpu.shuffle down
// CHECK: gpu.shuffle idx
// CHECK: gpu.shuffle idx
// CHECK-COUNT-4: gpu.shuffle up
// CHECK: gpu.shuffle idx
func.func @split_tile(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16>, %dy: memref<?x?x?x?xbf16>,
                      %dx: memref<?x?x?x?xbf16>, %da: memref<?x?x?xbf16>) {
  swr.scan_grad <tile = 32, hops = 1> ins(%a, %x, %dy : memref<?x?x?xbf16>, memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>)
    outs(%dx, %da : memref<?x?x?x?xbf16>, memref<?x?x?xbf16>)
  return
}

// -----

// hops 0, per-channel gates: no shuffles, no workgroup memory, da stored
// with the tile.

// CHECK-LABEL: func @hops0_per_channel
// CHECK: gpu.launch
// CHECK-NOT: workgroup
// CHECK-NOT: gpu.shuffle
// CHECK: vector.store %{{.*}}, %arg3
// CHECK: vector.store %{{.*}}, %arg4
// CHECK-NOT: gpu.barrier
// CHECK: gpu.terminator
func.func @hops0_per_channel(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                             %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?x?xf32>) {
  swr.scan_grad <tile = 8, hops = 0> ins(%a, %x, %dy : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
  return
}

// -----

func.func @exact(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                 %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @+1 {{has a GPU kernel for hops 0 and 1 only, got hops = inf (and from_output, from the forward's output y; convert-swr-to-scf runs it on the CPU)}}
  swr.scan_grad <tile = 4, hops = inf> ins(%a, %x, %dy : memref<?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?xf32>)
  return
}

// -----

func.func @wide_tile(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                     %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @+1 {{has a GPU kernel for tiles of at most 32 positions (held in registers), got 64}}
  swr.scan_grad <tile = 64, hops = 1> ins(%a, %x, %dy : memref<?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?xf32>)
  return
}
