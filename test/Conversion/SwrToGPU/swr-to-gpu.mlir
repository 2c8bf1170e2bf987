// One channel per lane and per lane group (the mapping before per-head gates
// shared their loads; time-major layouts on this kernel too), then the
// defaults (LANES), then knobs.
// RUN: swr-opt %s -split-input-file -swr-decompose \
// RUN:   -convert-swr-to-gpu="channels-per-lane=1 channels-per-warp=1 time-major=0" -canonicalize -cse | FileCheck %s
// RUN: swr-opt %s -split-input-file -swr-decompose -convert-swr-to-gpu -canonicalize -cse \
// RUN:   | FileCheck %s --check-prefix=LANES
// RUN: swr-opt %s -split-input-file -swr-decompose \
// RUN:   -convert-swr-to-gpu="warps-per-block=8 prefetch-steps=3 min-chunk-steps=2 target-warps=1024 channels-per-lane=1" \
// RUN:   -canonicalize -cse | FileCheck %s --check-prefix=KNOBS
// RUN: swr-opt %s -split-input-file -swr-decompose \
// RUN:   -convert-swr-to-gpu="vectors-per-lane=4 channels-per-lane=1 channels-per-warp=1" \
// RUN:   -canonicalize -cse | FileCheck %s --check-prefix=VEC
// RUN: swr-opt %s -split-input-file -swr-decompose \
// RUN:   -convert-swr-to-gpu="warps-per-sequence=4 channels-per-lane=1" \
// RUN:   -canonicalize -cse | FileCheck %s --check-prefix=TEAM
// RUN: swr-opt %s -split-input-file -swr-decompose \
// RUN:   -convert-swr-to-gpu="channels-per-warp=2 channels-per-lane=1 min-chunk-steps=8" \
// RUN:   -canonicalize -cse | FileCheck %s --check-prefix=GROUPS
// By default, per-head bf16 gates: each lane walks two channels of a head
// (D = 8: 4 groups), loading two x vectors and one gate vector per step,
// shuffling the gate product once and the two states (3 shuffles per
// round, 2 carry shuffles), and storing one vector per channel; 32 walkers
// of 7 chunks, 224 warps in 56 blocks of 4.
// LANES-LABEL: func.func @swr_bf16
//       LANES:   gpu.launch blocks({{.*}}) in ({{.*}} = %c56, {{.*}}) threads({{.*}}) in ({{.*}} = %c128,
//       LANES:     %[[D0:.*]] = arith.muli %{{.*}}, %c2 : index
//       LANES:     %[[D1:.*]] = arith.addi %[[D0]], %c1 : index
//       LANES:     vector.load %arg1[%{{.*}}, %{{.*}}, %[[D0]], %{{.*}}] {{.*}} : memref<2x4x8x5000xbf16>, vector<8xbf16>
//  LANES-NEXT:     vector.load %arg1[%{{.*}}, %{{.*}}, %[[D1]], %{{.*}}] {{.*}} : memref<2x4x8x5000xbf16>, vector<8xbf16>
//  LANES-NEXT:     vector.load %arg0[{{.*}}] {{.*}} : memref<2x4x5000xbf16>, vector<8xbf16>
//       LANES:     scf.for {{.*}} -> (vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, f32, f32)
// LANES-COUNT-6:     gpu.shuffle  up {{.*}} : f32
// LANES-COUNT-2:     gpu.shuffle  idx {{.*}} : f32
//       LANES:       vector.store {{.*}}, %arg2[%{{.*}}, %{{.*}}, %[[D0]], %{{.*}}] {{.*}} : memref<2x4x8x5000xbf16>, vector<8xbf16>
//       LANES:       vector.store {{.*}}, %arg2[%{{.*}}, %{{.*}}, %[[D1]], %{{.*}}] {{.*}} : memref<2x4x8x5000xbf16>, vector<8xbf16>
// Two channels per warp: lane groups of 16 lanes (lane, warp lane of the
// group's first), 8 groups of 128 threads per block, work items channel
// fastest (d = item mod 8); the last block's groups past the 256 items walk
// the last item with an empty chunk, and each group walks as many steps as
// the longest of its warp (a xor-shuffle maximum). Carries come from the
// group's own lanes: the source lane wraps within 16 lanes and is offset by
// the group's first.
// GROUPS-LABEL: func.func @swr_bf16
//       GROUPS:   gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c128, {{.*}}) {
//       GROUPS:     %[[LANE:.*]] = arith.remui %{{.*}}, %c16 : index
//       GROUPS:     %[[WLANE:.*]] = arith.remui %{{.*}}, %c32 : index
//       GROUPS:     %[[BASE:.*]] = arith.subi %[[WLANE]], %[[LANE]] : index
//       GROUPS:     %[[BASE32:.*]] = arith.index_cast %[[BASE]] : index to i32
//       GROUPS:     %[[DEAD:.*]] = arith.cmpi uge, %{{.*}}, %c256 : index
//       GROUPS:     %[[ITEM:.*]] = arith.select %[[DEAD]], %c255, %{{.*}} : index
//       GROUPS:     arith.remui %[[ITEM]], %c8 : index
//       GROUPS:     %[[SHUF:.*]], %{{.*}} = gpu.shuffle  xor %[[STEPS:.*]], %c16_i32, %c32_i32 : i32
//       GROUPS:     arith.maxui %[[STEPS]], %[[SHUF]] : i32
//       GROUPS:     scf.for
//       GROUPS:       %[[T:.*]] = arith.andi %{{.*}}, %c-2_i32 : i32
//       GROUPS:       %[[S:.*]] = arith.subi %[[T]], %c1_i32 : i32
//       GROUPS:       %[[W:.*]] = arith.andi %[[S]], %c15_i32 : i32
//       GROUPS:       %[[SRC:.*]] = arith.addi %[[W]], %[[BASE32]] : i32
//       GROUPS:       gpu.shuffle  idx %{{.*}}, %[[SRC]], %c32_i32 : f32

// Four 16-byte vectors per lane where the tile allows it: two for tiles of
// 16 bf16 positions (a lane never holds more than a tile), four for the
// exact scan.
// VEC-LABEL: func.func @swr_bf16
//       VEC:   vector.load {{.*}} {alignment = 16 : i64} : memref<2x4x8x5000xbf16>, vector<16xbf16>
//       VEC:   vector.store {{.*}} {alignment = 16 : i64} : memref<2x4x8x5000xbf16>, vector<16xbf16>
// VEC-LABEL: func.func @exact_f32
//       VEC:   vector.load {{.*}} vector<16xf32>

// 64 sequences of 5000, at least 1024 warps wanted, chunks of at least 2
// steps of 256: 9 chunks of ~556 positions, which with the warm-up tile
// before each make 3 whole steps: 7 chunks of 3 * 256 - 16 = 752, 448
// warps in blocks of 8; each warp keeps the loads of 3 steps (x and gates)
// in flight.
// Finite windows never walk in teams.
// TEAM-LABEL: func.func @swr_bf16
//       TEAM:   gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c128, {{.*}}) {
//   TEAM-NOT:   gpu.barrier
//
// KNOBS-LABEL: func.func @swr_bf16
//       KNOBS:   gpu.launch blocks({{.*}}) in ({{.*}} = %c56, {{.*}}) threads({{.*}}) in ({{.*}} = %c256,
//       KNOBS:     arith.cmpi ult, %{{.*}}, %c448 : index
//       KNOBS:     arith.muli %{{.*}}, %c752 : index
//       KNOBS:     scf.for {{.*}} -> (vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, f32)

// SWR (tile 16, one hop), bf16: 8 positions per lane (16 bytes), steps of
// 256 positions per warp. Sequences are split into chunks of at least 2
// steps (min-chunk-steps): 7 chunks of 752 positions (with the warm-up tile
// before each, 3 whole steps), 448 warps in 112 blocks of 4, each on its
// own: no shared
// memory, no barrier. The walk is unrolled 3 times (prefetch-steps): a step
// consumes its loads, stores its states, then refills the same registers
// with the loads of the step 3 later (16-byte loads guarded by a run-time
// alignment check). A tile of two lanes combines with one shfl.up round and
// the lane prefix; the carry is the previous tile's terminal state, one
// indexed shuffle (the step's first tile takes what the shuffle wrapped
// around to it in the step before).
// CHECK-LABEL: func.func @swr_bf16
//   CHECK-NOT:   swr.
//   CHECK-NOT:   memref.alloc
//       CHECK:   memref.extract_aligned_pointer_as_index
//       CHECK:   gpu.launch blocks({{.*}}) in ({{.*}} = %c112, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1) {
//       CHECK:     arith.cmpi ult, %{{.*}}, %c448 : index
//       CHECK:     arith.muli %{{.*}}, %c752 : index
//       CHECK:     vector.load %{{.*}} {alignment = 16 : i64} : memref<2x4x8x5000xbf16>, vector<8xbf16>
//       CHECK:     vector.load %{{.*}} {alignment = 16 : i64} : memref<2x4x5000xbf16>, vector<8xbf16>
//       CHECK:     scf.for {{.*}} iter_args({{.*}}, %[[SAVED:.*]] = %{{.*}}) -> (vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, f32)
//   CHECK-COUNT-4:   gpu.shuffle  up {{.*}} : f32
//       CHECK:       %[[PREV1:.*]], %{{.*}} = gpu.shuffle  idx
//       CHECK:       arith.select %{{.*}}, %[[SAVED]], %[[PREV1]] : f32
//       CHECK:       vector.store {{.*}} {alignment = 16 : i64} : memref<2x4x8x5000xbf16>, vector<8xbf16>
//       CHECK:       vector.load
//       CHECK:       vector.load
//   CHECK-COUNT-4:   gpu.shuffle  up {{.*}} : f32
//       CHECK:       %[[PREV2:.*]], %{{.*}} = gpu.shuffle  idx
//       CHECK:       arith.select %{{.*}}, %[[PREV1]], %[[PREV2]] : f32
//       CHECK:       vector.store
//   CHECK-COUNT-4:   gpu.shuffle  up {{.*}} : f32
//       CHECK:       %[[PREV3:.*]], %{{.*}} = gpu.shuffle  idx
//       CHECK:       arith.select %{{.*}}, %[[PREV2]], %[[PREV3]] : f32
//       CHECK:       vector.store
//       CHECK:       scf.yield {{.*}}, %[[PREV3]] :
//   CHECK-NOT:   gpu.barrier
//       CHECK:   return
func.func @swr_bf16(%a: memref<2x4x5000xbf16>, %x: memref<2x4x8x5000xbf16>, %y: memref<2x4x8x5000xbf16>) {
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<2x4x5000xbf16>, memref<2x4x8x5000xbf16>)
    outs(%y : memref<2x4x8x5000xbf16>)
  return
}

// -----

// The exact recurrence, f32: 2 vectors per lane by default (8 positions),
// the loads of 4 steps in flight (one channel per lane), one warp per
// sequence whatever N (never split); five shfl.up rounds over
// the warp and the lane prefix, each moving (gate product, state), and the
// step total from lane 31 folded into the state carried to the next step
// (init at first). No barrier.
// CHECK-LABEL: func.func @exact_f32
//       CHECK:   gpu.launch
//   CHECK-NOT:     workgroup
//       CHECK:     %[[H0:.*]] = memref.load %arg2
//       CHECK:     vector.load {{.*}} vector<8xf32>
//       CHECK:     scf.for {{.*}} iter_args({{.*}}, %{{.*}} = %[[H0]]) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, f32)
//   CHECK-COUNT-12:  gpu.shuffle  up
//   CHECK-COUNT-2:   gpu.shuffle  idx {{.*}}, %c31_i32,
//   CHECK-NOT:       gpu.shuffle  idx
//       CHECK:       vector.store {{.*}} vector<8xf32>
//   CHECK-NOT:   gpu.barrier
//       CHECK:   return
//
// With warps-per-sequence=4, a block of 4 warps per sequence: the block
// steps by 4 * 256 positions, warp w at w * 256 within; lane 0 of each warp
// publishes the warp's step total in the slot of the step's parity, and
// after one barrier every warp reads the 4 totals.
// TEAM-LABEL: func.func @exact_f32
//       TEAM:   %[[CHUNKS:.*]] = arith.minui %{{.*}}, %c1 : index
//       TEAM:   %[[SEQUENCES:.*]] = arith.muli %{{.*}}, %[[CHUNKS]] : index
//       TEAM:   gpu.launch blocks({{.*}}) in ({{.*}} = %[[SEQUENCES]], {{.*}}) threads({{.*}}) in ({{.*}} = %c128, {{.*}}) workgroup(%[[TOTALS:.*]] : memref<2x4x2xf32, #gpu.address_space<workgroup>>)
//       TEAM:     %[[THREADWARP:.*]] = arith.divui %{{.*}}, %c32
//  TEAM-NEXT:     %[[WARP:.*]] = arith.remui %[[THREADWARP]], %c4
//       TEAM:     arith.ceildivui %{{.*}}, %c1024
//       TEAM:     arith.muli %[[WARP]], %c256
//       TEAM:     scf.for
//       TEAM:       %[[SLOT:.*]] = arith.remui %{{.*}}, %c2
//       TEAM:       scf.if
//  TEAM-NEXT:         memref.store {{.*}}, %[[TOTALS]][%[[SLOT]], %[[WARP]], %c0]
//  TEAM-NEXT:         memref.store {{.*}}, %[[TOTALS]][%[[SLOT]], %[[WARP]], %c1]
//       TEAM:       gpu.barrier
//  TEAM-NEXT:       memref.load %[[TOTALS]][%[[SLOT]], %c0, %c0]
//  TEAM-NEXT:       memref.load %[[TOTALS]][%[[SLOT]], %c0, %c1]
//       TEAM:       memref.load %[[TOTALS]][%[[SLOT]], %c3, %c1]
//       TEAM:       vector.store {{.*}} vector<8xf32>
//       TEAM:       gpu.barrier
//       TEAM:   return
func.func @exact_f32(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>, %h: memref<?x?x?xf32>, %y: memref<?x?x?x?xf32>) {
  swr.scan <tile = 64, hops = inf> ins(%a, %x : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    init(%h : memref<?x?x?xf32>) outs(%y : memref<?x?x?x?xf32>)
  return
}

// -----

// A time-major buffer seen as [B, H, D, N] has no unit innermost stride:
// element accesses only (with time-major=0; time-major.mlir has its own
// mapping). Two hops over tiles of 16 (4 lanes): the carry
// needs the previous tile's terminal state and gate product and its own
// carry over one hop, three indexed shuffles.
// CHECK-LABEL: func.func @time_major
//       CHECK:   gpu.launch
//   CHECK-NOT:   vector.load
//   CHECK-COUNT-3: gpu.shuffle  idx
//   CHECK-NOT:   vector.store
//       CHECK:   return
func.func @time_major(%a: memref<1x2x64xf32>, %x: memref<1x2x4x64xf32, strided<[512, 4, 1, 8]>>,
                      %y: memref<1x2x4x64xf32, strided<[512, 4, 1, 8]>>) {
  swr.scan <tile = 16, hops = 2> reverse
    ins(%a, %x : memref<1x2x64xf32>, memref<1x2x4x64xf32, strided<[512, 4, 1, 8]>>)
    outs(%y : memref<1x2x4x64xf32, strided<[512, 4, 1, 8]>>)
  return
}

// -----

// hops = 0: a lone local scan. f16 in, f32 out: 8 positions per lane
// (the narrowest type sets E), tiles of 4 lanes: two shfl.up rounds and the
// lane prefix, no carry (no indexed shuffle). Only the states that need it
// are moved: the last round and the prefix move no gate product.
// CHECK-LABEL: func.func @local
//       CHECK:   gpu.launch
//   CHECK-COUNT-4: gpu.shuffle  up {{.*}} : f32
//   CHECK-NOT:   gpu.shuffle
//       CHECK:   vector.store {{.*}} vector<8xf32>
//       CHECK:   return
func.func @local(%a: memref<1x2x4x64xf16>, %x: memref<1x2x4x64xf16>, %y: memref<1x2x4x64xf32>) {
  swr.scan <tile = 32, hops = 0> ins(%a, %x : memref<1x2x4x64xf16>, memref<1x2x4x64xf16>)
    outs(%y : memref<1x2x4x64xf32>)
  return
}

// -----

// By default an exact scan of static length takes the most warps per
// sequence, up to 4, that leave each warp at least 8 steps: 8192 bf16
// positions are 16 steps of 512, so 2 warps; 4096 leave one.
// CHECK-LABEL: func.func @exact_static
//       CHECK:   gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c64, {{.*}}) workgroup({{.*}} : memref<2x2x2xf32, #gpu.address_space<workgroup>>)
//       CHECK:     gpu.barrier
//       CHECK:   gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c128, {{.*}}) {
//   CHECK-NOT:     gpu.barrier
//       CHECK:   return
func.func @exact_static(%a: memref<1x2x8192xbf16>, %x: memref<1x2x4x8192xbf16>, %y: memref<1x2x4x8192xbf16>,
                        %a2: memref<1x2x4096xbf16>, %x2: memref<1x2x4x4096xbf16>, %y2: memref<1x2x4x4096xbf16>) {
  swr.scan <tile = 16, hops = inf> ins(%a, %x : memref<1x2x8192xbf16>, memref<1x2x4x8192xbf16>) outs(%y : memref<1x2x4x8192xbf16>)
  swr.scan <tile = 16, hops = inf> ins(%a2, %x2 : memref<1x2x4096xbf16>, memref<1x2x4x4096xbf16>) outs(%y2 : memref<1x2x4x4096xbf16>)
  return
}
