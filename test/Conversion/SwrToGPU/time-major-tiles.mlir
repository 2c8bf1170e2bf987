// The time-major mapping counts tiles instead of laying them on lanes, so
// any tile works (the scan kernel needs powers of two of at least one
// 16-byte vector): tile 3, two hops, f32.
// RUN: swr-opt %s -split-input-file -swr-decompose -test-swr-kernel-mapping=time-major=1 2>&1 | FileCheck %s --check-prefix=MAPPING
// RUN: swr-opt %s -split-input-file -swr-decompose -convert-swr-to-gpu=time-major=1 -canonicalize -cse | FileCheck %s
// MAPPING: remark: kernel mapping: tile = 3, hops = 2, {{.*}} time-major = 1
// CHECK: gpu.launch
// CHECK:   scf.for
// CHECK:     arith.remui %{{.*}}, %c3 : index
func.func @odd_tile(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>, %y: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) {
  swr.scan <tile = 3, hops = 2> ins(%a, %x : memref<?x?x?xf32>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  return
}

// -----

// hops = 1 on chained blocks needs a segment dividing the tile (the largest
// divisor up to 16: 12 for tile 12) and whole tiles per block of 8
// segments: tile 256 (16 segments of 16) keeps the warm-up chunks, as do
// hops 2 and 0. Chained hops = 1 takes 8-byte vectors by default (2 f32
// channels a thread); the warm-up chunks, and the exact scan with per-head
// gates, keep 16 bytes (4 channels).
// CHECK-LABEL: func.func @tiles
// MAPPING: remark: kernel mapping: tile = 12, hops = 1, forward, vector-elems = 2, {{.*}} time-major = 1, positions-in-flight = 12, segments = 8, blocks-per-sm = 2, dependent-launch = 1{{$}}
// MAPPING: remark: kernel mapping: tile = 256, hops = 1, forward, vector-elems = 4, {{.*}} time-major = 1, positions-in-flight = 4{{$}}
// MAPPING: remark: kernel mapping: tile = 16, hops = 2, forward, vector-elems = 4, {{.*}} time-major = 1, positions-in-flight = 4{{$}}
// MAPPING: remark: kernel mapping: tile = 16, hops = 0, forward, vector-elems = 4, {{.*}} time-major = 1, positions-in-flight = 4{{$}}
// MAPPING: remark: kernel mapping: tile = 16, hops = inf, forward, vector-elems = 4, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8, blocks-per-sm = 2, dependent-launch = 1, look-window = 0{{$}}
func.func @tiles(%a: memref<?x?x?xf32, strided<[?, 1, ?]>>, %x: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>, %y: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) {
  swr.scan <tile = 12, hops = 1> ins(%a, %x : memref<?x?x?xf32, strided<[?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 256, hops = 1> ins(%a, %x : memref<?x?x?xf32, strided<[?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 2> ins(%a, %x : memref<?x?x?xf32, strided<[?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 0> ins(%a, %x : memref<?x?x?xf32, strided<[?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = inf> ins(%a, %x : memref<?x?x?xf32, strided<[?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  return
}
