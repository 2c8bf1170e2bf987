// The time-major mapping (time-major=1): x, y seen as [B, H, D, N] through
// strides of dense [B, N, H, D] (channels of unit stride). time-major=0:
// the scan kernel's element accesses. By default (-1) the time-major
// mapping.
// RUN: swr-opt %s -split-input-file -swr-decompose "-convert-swr-to-gpu=time-major=1 channel-bytes=16" -canonicalize -cse | FileCheck %s
// RUN: swr-opt %s -split-input-file -swr-decompose "-convert-swr-to-gpu=time-major=1 chain-windows=0 channel-bytes=16" -canonicalize -cse | FileCheck %s --check-prefix=WARMUP
// RUN: swr-opt %s -split-input-file -swr-decompose -convert-swr-to-gpu=time-major=0 -canonicalize -cse | FileCheck %s --check-prefix=OFF
// RUN: swr-opt %s -split-input-file -swr-decompose "-convert-swr-to-gpu=dependent-launch=0 channel-bytes=16" -canonicalize -cse | FileCheck %s --check-prefix=ORDINARY
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=dependent-launch=0 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=OMAPPING
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=time-major=1 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=MAPPING
// RUN: swr-opt %s -split-input-file -swr-decompose -test-swr-kernel-mapping 2>&1 | FileCheck %s --check-prefix=DEFAULT
// RUN: swr-opt %s -split-input-file -swr-decompose -test-swr-kernel-mapping=chain-windows=0 2>&1 | FileCheck %s --check-prefix=WMAPPING
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=chain-warps=4 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=FOUR
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=chain-warps=4 chain-blocks-per-sm=3 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=BOUND
// RUN: swr-opt %s -split-input-file -swr-decompose "-convert-swr-to-gpu=look-window=8 channel-bytes=16" -canonicalize -cse | FileCheck %s --check-prefix=LOOK
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=look-window=8 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=LMAPPING
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=chain-warps=4 look-window=20 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=LFOUR
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=chain-warps=32 look-window=32 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=LCUT
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=look-window=8 look-test-maps=1 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=LMAPS
// RUN: swr-opt %s -split-input-file -swr-decompose "-convert-swr-to-gpu=look-window=8 look-depth=3 channel-bytes=16" -canonicalize -cse | FileCheck %s --check-prefix=DEPTH
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=look-window=8 look-depth=3 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=DMAPPING
// RUN: swr-opt %s -split-input-file -swr-decompose "-convert-swr-to-gpu=look-window=8 look-depth=3 look-far-prefix=1 channel-bytes=16" -canonicalize -cse | FileCheck %s --check-prefix=FAR
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=look-window=8 look-depth=3 look-far-prefix=1 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=FMAPPING
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=look-window=8 look-far-prefix=1 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=LMAPPING
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=look-window=0 look-depth=3 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=MAPPING
// RUN: swr-opt %s -split-input-file -swr-decompose -test-swr-kernel-mapping=look-test-maps=1 2>&1 | FileCheck %s --check-prefix=DEFAULT
// RUN: swr-opt %s -split-input-file -swr-decompose -test-swr-kernel-mapping=channel-bytes=8 2>&1 | FileCheck %s --check-prefix=BYTES8
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=channel-bytes=4 positions-in-flight=5" 2>&1 | FileCheck %s --check-prefix=BYTES4
// RUN: swr-opt %s -split-input-file -swr-decompose -convert-swr-to-gpu=channel-bytes=8 -canonicalize -cse | FileCheck %s --check-prefix=VEC8
// RUN: swr-opt %s -split-input-file -swr-decompose "-convert-swr-to-gpu=own-carries=1 channel-bytes=16" -canonicalize -cse | FileCheck %s --check-prefix=OWN
// RUN: swr-opt %s -split-input-file -swr-decompose "-test-swr-kernel-mapping=own-carries=1 channel-bytes=16" 2>&1 | FileCheck %s --check-prefix=OWNMAPPING

// bf16, per-head gates ([B, N, H] seen as [B, H, N]), tile 16, one hop.
// The operands are viewed channels last, [B, H, N, D]; each thread owns 8
// channels (one 16-byte vector) of one head.
//
// By default on the exact scan's chained blocks (below): 8 warps, each a
// segment of 16 positions (a tile) loaded at once, the segments' maps
// exchanged (a gate and 8 states per lane); a status of 8 fields per row
// and chunk, filled as below; warp 0 publishes the terminal local state of
// the chunk's last tile (8 relaxed stores) before it polls the previous
// chunk's (8 relaxed loads, until all have arrived): a look-back of one
// hop, no fences; then every thread walks its registers from its carry.
// By default (dependent-launch=1) the scan is launched as a programmatic
// dependent of the fill: the fill's blocks let it start at once, and only
// warp 0, which alone touches the status, waits for the fill
// (griddepcontrol), after the segment's loads.
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} block-threads = 256, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8, blocks-per-sm = 2, dependent-launch = 1{{$}}
// By default (channel-bytes=0) hops = 1 on chained blocks takes 8-byte
// vectors, 4 channels a thread, holding 32 positions: segments of a tile.
// DEFAULT: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 4, elems = 4, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8, blocks-per-sm = 2, dependent-launch = 1{{$}}
// channel-bytes=8: a thread owns 4 channels (8 bytes) and may hold twice
// the positions (32), so the segment is still the whole tile (16); with
// positions-in-flight given (5), the segment is the largest divisor of the
// tile up to it (4), whatever the width.
// BYTES8: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 4, elems = 4, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8, blocks-per-sm = 2, dependent-launch = 1{{$}}
// BYTES4: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 2, elems = 2, {{.*}} time-major = 1, positions-in-flight = 4, segments = 8, blocks-per-sm = 2, dependent-launch = 1{{$}}
// VEC8-LABEL: func.func @per_head
//   VEC8-COUNT-16: vector.load {{.*}} {alignment = 8 : i64} : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1]>>, vector<4xbf16>
//       VEC8:     vector.store {{.*}} {alignment = 8 : i64} : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1]>>, vector<4xbf16>
// CHECK-LABEL: func.func @per_head
//       CHECK:   %[[X:.*]] = memref.transpose %arg1 (d0, d1, d2, d3) -> (d0, d1, d3, d2) : memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>> to memref<?x?x?x?xbf16, strided<[?, ?, ?, 1]>>
//       CHECK:   %[[Y:.*]] = memref.transpose %arg2 (d0, d1, d2, d3) -> (d0, d1, d3, d2)
//       CHECK:   %[[FIELDS:.*]] = arith.muli %{{.*}}, %c8 : index
//       CHECK:   %[[VECTORS:.*]] = arith.ceildivui %[[FIELDS]], %c4 : index
//       CHECK:   %[[STATUS:.*]], %{{.*}} = gpu.alloc async
//       CHECK:   gpu.launch
//  CHECK-NEXT:     nvvm.griddepcontrol launch_dependents
//       CHECK:     vector.store %{{.*}}, %[[STATUS]]
//       CHECK:   gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}}) workgroup(%[[EX:.*]] : memref<8x9x32xf32, #gpu.address_space<workgroup>>)
//   CHECK-NOT:     nvvm.griddepcontrol
// CHECK-COUNT-16:  vector.load %[[X]][{{.*}}] {alignment = 16 : i64} : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1]>>, vector<8xbf16>
//   CHECK-NOT:     nvvm.griddepcontrol
//       CHECK:     gpu.barrier
//       CHECK:     scf.if
//  CHECK-NEXT:       nvvm.griddepcontrol wait
//   CHECK-NOT:     llvm.fence
//  CHECK-COUNT-8:  llvm.store {{.*}} atomic syncscope("device") monotonic
//       CHECK:     scf.while
//  CHECK-COUNT-8:    llvm.load {{.*}} atomic syncscope("device") monotonic
//       CHECK:       scf.condition
//   CHECK-NOT:     llvm.fence
//       CHECK:     memref.store %{{.*}}, %[[EX]]
//   CHECK-NOT:     llvm.fence
//       CHECK:     gpu.barrier
//       CHECK:     vector.store {{.*}}, %[[Y]][{{.*}}] {alignment = 16 : i64} : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1]>>, vector<8xbf16>
//       CHECK:   } {swr.dependent_launch, swr.min_blocks_per_sm = 2 : i32, swr.sink_constants}
//
// own-carries=1: no second barrier. Each warp forms its segment's carry
// from the exchanged maps: the first tile's warp (a tile per segment here)
// waits for the fill, publishes the terminal of the block's last tile
// (warp 0) and polls the previous chunk's; every other warp reads the
// terminal local state of the segment before its own (8 states) and
// touches no status; then all store.
// OWNMAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} segments = 8, blocks-per-sm = 2, dependent-launch = 1, own-carries = 1{{$}}
// OWN-LABEL: func.func @per_head
//       OWN:   gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}}) workgroup(%[[EX:.*]] : memref<8x9x32xf32, #gpu.address_space<workgroup>>)
//   OWN-NOT:     nvvm.griddepcontrol
// OWN-COUNT-16:  vector.load {{.*}} vector<8xbf16>
//   OWN-NOT:     nvvm.griddepcontrol
//       OWN:     gpu.barrier
//   OWN-NOT:     gpu.barrier
//       OWN:     scf.if
//  OWN-NEXT:       nvvm.griddepcontrol wait
//  OWN-COUNT-8:    llvm.store {{.*}} atomic syncscope("device") monotonic
//       OWN:       scf.while
//  OWN-COUNT-8:      llvm.load {{.*}} atomic syncscope("device") monotonic
//       OWN:     } else {
//   OWN-NOT:       llvm.load
//  OWN-COUNT-8:    memref.load %[[EX]]
//   OWN-NOT:     memref.store %{{.*}}, %[[EX]]
//   OWN-NOT:     gpu.barrier
//       OWN:     vector.store {{.*}} vector<8xbf16>
//       OWN:   } {swr.dependent_launch, swr.min_blocks_per_sm = 2 : i32, swr.sink_constants}
//
// dependent-launch=0: the scan starts after the fill, the ordinary way.
// OMAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} segments = 8, blocks-per-sm = 2, dependent-launch = 0{{$}}
// ORDINARY-LABEL: func.func @per_head
//   ORDINARY-NOT:   nvvm.griddepcontrol
//   ORDINARY-NOT:   swr.dependent_launch
//       ORDINARY:   } {swr.min_blocks_per_sm = 2 : i32, swr.sink_constants}
//   ORDINARY-NOT:   nvvm.griddepcontrol
//
// chain-windows=0: each thread walks positions of a chunk preceded by its
// warm-up tile: 4 of them loaded ahead (the x vector and the head's gate
// each), one vector store per position. A new tile (position mod 16 = 0)
// folds the previous tile's terminal state into the carry, except at the
// walk's first position, and restarts the local state and gate product;
// y = local + P * carry.
// WMAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} block-threads = 128, {{.*}} time-major = 1, positions-in-flight = 4{{$}}
// WARMUP-LABEL: func.func @per_head
//       WARMUP:   %[[X:.*]] = memref.transpose %arg1 (d0, d1, d2, d3) -> (d0, d1, d3, d2) : memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>> to memref<?x?x?x?xbf16, strided<[?, ?, ?, 1]>>
//       WARMUP:   %[[Y:.*]] = memref.transpose %arg2 (d0, d1, d2, d3) -> (d0, d1, d3, d2)
//       WARMUP:   gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c128, {{.*}}) {
//       WARMUP:     vector.load %[[X]][{{.*}}] {alignment = 16 : i64} : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1]>>, vector<8xbf16>
//       WARMUP:     memref.load %arg0[{{.*}}] : memref<?x?x?xbf16, strided<[?, 1, ?]>>
//       WARMUP:     scf.for {{.*}} -> (vector<8xbf16>, bf16,
//       WARMUP:       %[[R:.*]] = arith.remui %{{.*}}, %c16 : index
//       WARMUP:       %[[STARTS:.*]] = arith.cmpi eq, %[[R]], %c0 : index
//       WARMUP:       %[[LATER:.*]] = arith.cmpi ugt,
//       WARMUP:       %[[FOLDS:.*]] = arith.andi %[[STARTS]], %[[LATER]] : i1
//       WARMUP:       arith.select %[[FOLDS]],
//       WARMUP:       arith.select %[[STARTS]], %cst
//       WARMUP:       vector.store {{.*}}, %[[Y]][{{.*}}] {alignment = 16 : i64} : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1]>>, vector<8xbf16>
// OFF-LABEL: func.func @per_head
//   OFF-NOT:   memref.transpose
//   OFF-NOT:   vector.load
func.func @per_head(%a: memref<?x?x?xbf16, strided<[?, 1, ?]>>, %x: memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>, %y: memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>) {
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<?x?x?xbf16, strided<[?, 1, ?]>>, memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>)
  return
}

// -----

// f32, per-channel gates, the exact scan backwards with init: a chained
// scan. One status buffer in device memory (the maps and prefixes, f32
// bits in i32 words, whole vectors of 4), filled with the unpublished NaN
// (-1) by a kernel of 16-byte stores, 4 per thread;
// then the kernel with vector accesses only, or (unaligned rows, D not a
// multiple of 4) the one with either. Blocks of 8 warps (segments) of 8
// positions (4 channels, per-channel gates: 8 fields of the exchange per
// lane); each thread loads its 8 positions at once, the warps exchange
// their maps, warp 0 publishes the block's map (8 relaxed stores, NaNs
// made canonical), looks back (relaxed loads of a chunk's prefix, then,
// if it has not all arrived, of its map) and publishes the prefix (4
// relaxed stores), with no flags and no fences, and every thread walks
// its registers again from its carry and stores. By default too, and
// warp 0 waits for the fill (griddepcontrol) before it publishes anything.
// With look-window=8 (LOOK), the first look, by the whole block: warp 0
// keeps the block's map in slot 8 of the look's workgroup memory and
// publishes it while warp s reads the map and prefix of the chunk s
// before the block's (12 relaxed loads in one round trip) into slot s with
// a flag; every thread waits for the fill first; after a barrier warp 0
// goes through the 8 slots (composing maps until a prefix) and walks on
// alone only where they end without a prefix. The remark gives the window:
// at most chain-warps, and what 48 KB of workgroup memory holds beside the
// exchange (32 warps: 32 KB of exchange, 9 slots of 12 words and 8 flags).
// MAPPING: remark: kernel mapping: tile = 16, hops = inf, reverse, {{.*}} time-major = 1, positions-in-flight = 8, segments = 8, blocks-per-sm = 2, dependent-launch = 1, look-window = 0{{$}}
// By default the exact scan with per-channel gates takes 4-byte vectors (one
// f32 channel a thread), holding 4 times the positions.
// DEFAULT: remark: kernel mapping: tile = 16, hops = inf, reverse, vector-elems = 1, elems = 1, {{.*}} time-major = 1, positions-in-flight = 32, segments = 8, blocks-per-sm = 2, dependent-launch = 1, look-window = 0{{$}}
// channel-bytes=8: f32 per channel, 2 channels a thread, 16 positions held.
// BYTES8: remark: kernel mapping: tile = 16, hops = inf, reverse, vector-elems = 2, elems = 2, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8, blocks-per-sm = 2, dependent-launch = 1, look-window = 0{{$}}
// BYTES4: remark: kernel mapping: tile = 16, hops = inf, reverse, vector-elems = 1, elems = 1, {{.*}} time-major = 1, positions-in-flight = 5, segments = 8, blocks-per-sm = 2, dependent-launch = 1, look-window = 0{{$}}
// VEC8-LABEL: func.func @exact
//       VEC8:   vector.load {{.*}} {alignment = 8 : i64} : memref<?x?x?x?xf32, strided<[?, ?, ?, 1]>>, vector<2xf32>
// Blocks per multiprocessor: 16 warps' worth unless given.
// FOUR: remark: kernel mapping: tile = 16, hops = inf, reverse, {{.*}} segments = 4, blocks-per-sm = 4, dependent-launch = 1, look-window = 0{{$}}
// BOUND: remark: kernel mapping: tile = 16, hops = inf, reverse, {{.*}} segments = 4, blocks-per-sm = 3, dependent-launch = 1, look-window = 0{{$}}
// LMAPPING: remark: kernel mapping: tile = 16, hops = inf, reverse, {{.*}} segments = 8, blocks-per-sm = 2, dependent-launch = 1, look-window = 8{{$}}
// LFOUR: remark: kernel mapping: tile = 16, hops = inf, reverse, {{.*}} segments = 4, blocks-per-sm = 4, dependent-launch = 1, look-window = 4{{$}}
// LCUT: remark: kernel mapping: tile = 16, hops = inf, reverse, {{.*}} segments = 32, blocks-per-sm = 1, dependent-launch = 1, look-window = 8{{$}}
// The testing option look-test-maps (CPU runs: scan-time-major-kernel.test)
// shows in the remark where there is a window; without one it does nothing.
// LMAPS: remark: kernel mapping: tile = 16, hops = inf, reverse, {{.*}} segments = 8, blocks-per-sm = 2, dependent-launch = 1, look-window = 8, look-test-maps = 1{{$}}
// look-depth shows where there is a window; without one it does nothing
// (MAPPING above).
// DMAPPING: remark: kernel mapping: tile = 16, hops = inf, reverse, {{.*}} segments = 8, blocks-per-sm = 2, dependent-launch = 1, look-window = 8, look-depth = 3{{$}}
// FMAPPING: remark: kernel mapping: tile = 16, hops = inf, reverse, {{.*}} segments = 8, blocks-per-sm = 2, dependent-launch = 1, look-window = 8, look-depth = 3, look-far-prefix = 1{{$}}
// CHECK-LABEL: func.func @exact
//       CHECK:   %[[FILL:.*]] = arith.constant dense<-1> : vector<4xi32>
//       CHECK:   gpu.wait async
//       CHECK:   gpu.alloc async {{.*}} : memref<?xi32>
//   CHECK-NOT:   gpu.alloc
//       CHECK:   gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256,
//  CHECK-COUNT-4:  vector.store %[[FILL]], {{.*}} {alignment = 16 : i64} : memref<?xi32>, vector<4xi32>
//       CHECK:   scf.if
//       CHECK:     gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}} workgroup({{.*}} : memref<8x8x32xf32, #gpu.address_space<workgroup>>)
//  CHECK-COUNT-16:   vector.load
//   CHECK-NOT:       scf.for
//       CHECK:       gpu.barrier
//       CHECK:       nvvm.griddepcontrol wait
//   CHECK-NOT:       llvm.fence
//       CHECK:       arith.cmpf uno
//  CHECK-COUNT-8:    llvm.store {{.*}} atomic syncscope("device") monotonic {alignment = 4 : i64} : i32
//   CHECK-NOT:       llvm.fence
//       CHECK:       scf.while
//  CHECK-COUNT-4:      llvm.load {{.*}} atomic syncscope("device") monotonic {alignment = 4 : i64} : !llvm.ptr -> i32
//       CHECK:         scf.if
//       CHECK:         } else {
//  CHECK-COUNT-8:        llvm.load {{.*}} atomic syncscope("device") monotonic
//   CHECK-NOT:       llvm.fence
//  CHECK-COUNT-4:    llvm.store {{.*}} atomic syncscope("device") monotonic
//   CHECK-NOT:       llvm.fence
//       CHECK:       gpu.barrier
//   CHECK-COUNT-8:   vector.store
//       CHECK:     } {swr.dependent_launch, swr.min_blocks_per_sm = 2 : i32, swr.sink_constants}
//       CHECK:   } else {
//       CHECK:     gpu.launch {{.*}} workgroup
//       CHECK:   gpu.dealloc async
//   CHECK-NOT:   gpu.dealloc
// LOOK-LABEL: func.func @exact
//        LOOK:     gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}} workgroup(%[[EXCHANGE:.*]] : memref<8x8x32xf32, #gpu.address_space<workgroup>>, %[[LOOK:.*]] : memref<9x12x32xf32, #gpu.address_space<workgroup>>, %[[FLAGS:.*]] : memref<8x32xi32, #gpu.address_space<workgroup>>)
//   LOOK-COUNT-16:   vector.load
//    LOOK-NOT:       scf.for
//        LOOK:       gpu.barrier
//   LOOK-NEXT:       nvvm.griddepcontrol wait
//    LOOK-NOT:       llvm.fence
//        LOOK:       scf.if
//   LOOK-COUNT-8:      memref.store {{.*}}, %[[LOOK]][%c8,
//        LOOK:         arith.cmpf uno
//   LOOK-COUNT-8:      llvm.store {{.*}} atomic syncscope("device") monotonic {alignment = 4 : i64} : i32
//        LOOK:       scf.if {{.*}} -> (i32) {
//   LOOK-COUNT-12:     llvm.load {{.*}} atomic syncscope("device") monotonic {alignment = 4 : i64} : !llvm.ptr -> i32
//   LOOK-COUNT-12:     memref.store {{.*}}, %[[LOOK]]
//        LOOK:       memref.store {{.*}}, %[[FLAGS]]
//   LOOK-NEXT:     }
//   LOOK-NEXT:     gpu.barrier
//    LOOK-NOT:     nvvm.griddepcontrol
//        LOOK:       memref.load %[[FLAGS]][%c0,
//        LOOK:       memref.load %[[FLAGS]][%c7,
//    LOOK-NOT:       memref.load %[[FLAGS]]
//        LOOK:       scf.while
//   LOOK-COUNT-4:      llvm.load {{.*}} atomic syncscope("device") monotonic {alignment = 4 : i64} : !llvm.ptr -> i32
//        LOOK:         scf.if
//        LOOK:         } else {
//   LOOK-COUNT-8:        llvm.load {{.*}} atomic syncscope("device") monotonic
//    LOOK-NOT:       llvm.fence
//   LOOK-COUNT-4:    llvm.store {{.*}} atomic syncscope("device") monotonic
//    LOOK-NOT:       llvm.fence
//        LOOK:       gpu.barrier
//    LOOK-COUNT-8:   vector.store
//        LOOK:     } {swr.dependent_launch, swr.min_blocks_per_sm = 2 : i32, swr.sink_constants}
// With look-depth=3 (DEPTH), warp s of the first look reads the chunks
// 3 s + 1 to 3 s + 3 before the block's, all at once (36 relaxed loads),
// then polls each again (in chunk order) only where neither its map nor its
// prefix had arrived, and stores the group's composition into slot s.
// DEPTH-LABEL: func.func @exact
//       DEPTH:     gpu.launch {{.*}} workgroup({{.*}} : memref<8x8x32xf32, #gpu.address_space<workgroup>>, %[[SLOTS:.*]] : memref<9x12x32xf32, #gpu.address_space<workgroup>>, %[[FLAGS:.*]] : memref<8x32xi32, #gpu.address_space<workgroup>>)
//       DEPTH:       scf.if {{.*}} -> (i32) {
// DEPTH-COUNT-36:      llvm.load {{.*}} atomic syncscope("device") monotonic {alignment = 4 : i64} : !llvm.ptr -> i32
//   DEPTH-NOT:         llvm.load
//       DEPTH:         scf.while
// DEPTH-COUNT-12:        llvm.load {{.*}} atomic syncscope("device") monotonic
//       DEPTH:         scf.while
// DEPTH-COUNT-12:        llvm.load {{.*}} atomic syncscope("device") monotonic
//       DEPTH:         scf.while
// DEPTH-COUNT-12:        llvm.load {{.*}} atomic syncscope("device") monotonic
//   DEPTH-NOT:         llvm.load
// DEPTH-COUNT-12:      memref.store {{.*}}, %[[SLOTS]]
//       DEPTH:       memref.store {{.*}}, %[[FLAGS]]
//  DEPTH-NEXT:     }
//  DEPTH-NEXT:     gpu.barrier
// With look-far-prefix=1 (FAR), the group reads its 3 chunks' maps (8
// fields each) and only the farthest chunk's prefix (4): 28 relaxed loads,
// all in one loop, read again until the group is done (no loads outside
// it), then the group's fields and flag into the slot. (Without a depth
// above 1 the option changes nothing: LMAPPING.)
// FAR-LABEL: func.func @exact
//       FAR:     gpu.launch {{.*}} workgroup({{.*}} : memref<8x8x32xf32, #gpu.address_space<workgroup>>, %[[SLOTS:.*]] : memref<9x12x32xf32, #gpu.address_space<workgroup>>, %[[FLAGS:.*]] : memref<8x32xi32, #gpu.address_space<workgroup>>)
//       FAR:       scf.if {{.*}} -> (i32) {
//   FAR-NOT:         llvm.load
//       FAR:         scf.while : () -> ({{(f32, )+}}i1)
// FAR-COUNT-28:        llvm.load {{.*}} atomic syncscope("device") monotonic {alignment = 4 : i64} : !llvm.ptr -> i32
//   FAR-NOT:           llvm.load
//       FAR:           scf.condition
//   FAR-NOT:         llvm.load
// FAR-COUNT-12:      memref.store {{.*}}, %[[SLOTS]]
//       FAR:       memref.store {{.*}}, %[[FLAGS]]
//  FAR-NEXT:     }
//  FAR-NEXT:     gpu.barrier
// OFF-LABEL: func.func @exact
func.func @exact(%a: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>, %x: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>, %h: memref<?x?x?xf32>, %y: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) {
  swr.scan <tile = 16, hops = inf> reverse ins(%a, %x : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) init(%h : memref<?x?x?xf32>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  return
}

// -----

// Head-major operands keep the scan kernel under time-major=1.
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} adjacent-channels = 1{{$}}
// DEFAULT: remark: kernel mapping: tile = 16, hops = 1, {{.*}} adjacent-channels = 1{{$}}
func.func @head_major(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16>, %y: memref<?x?x?x?xbf16>) {
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<?x?x?xbf16>, memref<?x?x?x?xbf16>) outs(%y : memref<?x?x?x?xbf16>)
  return
}

// -----

// Per-channel gates of a 16-bit type (a gate vector per position too):
// chained segments of 8 positions, two per tile; with chain-windows=0, 8
// positions in flight.
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} time-major = 1, positions-in-flight = 8, segments = 8, blocks-per-sm = 2, dependent-launch = 1{{$}}
// DEFAULT: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 4, elems = 4, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8, blocks-per-sm = 2, dependent-launch = 1{{$}}
// WMAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} time-major = 1, positions-in-flight = 8{{$}}
// BYTES8: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 4, elems = 4, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8, blocks-per-sm = 2, dependent-launch = 1{{$}}
// BYTES4: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 2, elems = 2, {{.*}} time-major = 1, positions-in-flight = 4, segments = 8, blocks-per-sm = 2, dependent-launch = 1{{$}}
// CHECK-LABEL: func.func @per_channel_bf16
// OFF-LABEL: func.func @per_channel_bf16
//   OFF-NOT:   memref.transpose
func.func @per_channel_bf16(%a: memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>, %x: memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>, %y: memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>) {
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>, memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xbf16, strided<[?, ?, 1, ?]>>)
  return
}

