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
// channels a thread), as does the exact scan of 32-bit types with per-head
// gates, holding 24 positions (12 bytes of x and gate each); the warm-up
// chunks keep 16 bytes (4 channels).
// CHECK-LABEL: func.func @tiles
// MAPPING: remark: kernel mapping: tile = 12, hops = 1, forward, vector-elems = 2, {{.*}} time-major = 1, positions-in-flight = 12, segments = 8, blocks-per-sm = 2, dependent-launch = 1{{$}}
// MAPPING: remark: kernel mapping: tile = 256, hops = 1, forward, vector-elems = 4, {{.*}} time-major = 1, positions-in-flight = 4{{$}}
// MAPPING: remark: kernel mapping: tile = 16, hops = 2, forward, vector-elems = 4, {{.*}} time-major = 1, positions-in-flight = 4{{$}}
// MAPPING: remark: kernel mapping: tile = 16, hops = 0, forward, vector-elems = 4, {{.*}} time-major = 1, positions-in-flight = 4{{$}}
// MAPPING: remark: kernel mapping: tile = 16, hops = inf, forward, vector-elems = 2, {{.*}} time-major = 1, positions-in-flight = 24, segments = 8, blocks-per-sm = 2, dependent-launch = 1, look-window = 0{{$}}
func.func @tiles(%a: memref<?x?x?xf32, strided<[?, 1, ?]>>, %x: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>, %y: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) {
  swr.scan <tile = 12, hops = 1> ins(%a, %x : memref<?x?x?xf32, strided<[?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 256, hops = 1> ins(%a, %x : memref<?x?x?xf32, strided<[?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 2> ins(%a, %x : memref<?x?x?xf32, strided<[?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 0> ins(%a, %x : memref<?x?x?xf32, strided<[?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = inf> ins(%a, %x : memref<?x?x?xf32, strided<[?, 1, ?]>>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  return
}

// -----

// Few rows: where B * H * D is static and the chained blocks (32 threads a
// row) would make fewer than 32 rows, 16-bit types take narrower vectors:
// the exact scan with per-head gates 8 bytes (4 bf16 channels, 32
// positions) below 32 * 32 * 8 = 8192 channels, hops = 1 with per-channel
// gates 4 bytes (2 channels) below 4096; hops = 1 with per-head gates, and
// 32-bit types (2048 channels make 32 rows of 2), keep 8 bytes. The exact
// scan at 8 bytes also takes a first look of 4 chunks. hops = 1 with
// per-head gates of 16-bit types at B * H * D * N <= 2^24 chains blocks of
// 4 warps (4 blocks per multiprocessor). Dynamic shapes keep the defaults
// above.
// CHECK-LABEL: func.func @few_rows
// MAPPING: remark: kernel mapping: tile = 16, hops = inf, forward, vector-elems = 4, {{.*}} time-major = 1, positions-in-flight = 32, segments = 8, {{.*}} look-window = 4{{$}}
// MAPPING: remark: kernel mapping: tile = 16, hops = inf, forward, vector-elems = 8, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8, {{.*}} look-window = 0{{$}}
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 2, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8,
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 4, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8,
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 4, {{.*}} time-major = 1, positions-in-flight = 16, segments = 4, blocks-per-sm = 4,
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, forward, vector-elems = 2, {{.*}} time-major = 1, positions-in-flight = 16, segments = 8,
func.func @few_rows(%c1: memref<1x128x16x4096xbf16, strided<[?, ?, 1, ?]>>, %c2: memref<2x128x16x4096xbf16, strided<[?, ?, 1, ?]>>,
                    %a1: memref<1x128x4096xbf16, strided<[?, 1, ?]>>, %x1: memref<1x128x16x4096xbf16, strided<[?, ?, 1, ?]>>, %y1: memref<1x128x16x4096xbf16, strided<[?, ?, 1, ?]>>,
                    %a2: memref<2x128x4096xbf16, strided<[?, 1, ?]>>, %x2: memref<2x128x16x4096xbf16, strided<[?, ?, 1, ?]>>, %y2: memref<2x128x16x4096xbf16, strided<[?, ?, 1, ?]>>,
                    %a4: memref<4x128x4096xbf16, strided<[?, 1, ?]>>, %x4: memref<4x128x16x4096xbf16, strided<[?, ?, 1, ?]>>, %y4: memref<4x128x16x4096xbf16, strided<[?, ?, 1, ?]>>,
                    %af: memref<1x128x4096xf32, strided<[?, 1, ?]>>, %xf: memref<1x128x16x4096xf32, strided<[?, ?, 1, ?]>>, %yf: memref<1x128x16x4096xf32, strided<[?, ?, 1, ?]>>) {
  swr.scan <tile = 16, hops = inf> ins(%a2, %x2 : memref<2x128x4096xbf16, strided<[?, 1, ?]>>, memref<2x128x16x4096xbf16, strided<[?, ?, 1, ?]>>) outs(%y2 : memref<2x128x16x4096xbf16, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = inf> ins(%a4, %x4 : memref<4x128x4096xbf16, strided<[?, 1, ?]>>, memref<4x128x16x4096xbf16, strided<[?, ?, 1, ?]>>) outs(%y4 : memref<4x128x16x4096xbf16, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 1> ins(%c1, %x1 : memref<1x128x16x4096xbf16, strided<[?, ?, 1, ?]>>, memref<1x128x16x4096xbf16, strided<[?, ?, 1, ?]>>) outs(%y1 : memref<1x128x16x4096xbf16, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 1> ins(%c2, %x2 : memref<2x128x16x4096xbf16, strided<[?, ?, 1, ?]>>, memref<2x128x16x4096xbf16, strided<[?, ?, 1, ?]>>) outs(%y2 : memref<2x128x16x4096xbf16, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 1> ins(%a1, %x1 : memref<1x128x4096xbf16, strided<[?, 1, ?]>>, memref<1x128x16x4096xbf16, strided<[?, ?, 1, ?]>>) outs(%y1 : memref<1x128x16x4096xbf16, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 1> ins(%af, %xf : memref<1x128x4096xf32, strided<[?, 1, ?]>>, memref<1x128x16x4096xf32, strided<[?, ?, 1, ?]>>) outs(%yf : memref<1x128x16x4096xf32, strided<[?, ?, 1, ?]>>)
  return
}

// -----

// Four warps per chained block (hops = 1, per-head gates, 16-bit types)
// only up to 2^24 elements of x, at tiles up to 16, of static shapes: not
// at B * H * D * N = 2^25 (twice over: more positions, more batches), not
// for tile 32 or a dynamic length (@few_rows: nor per-channel gates or f32).
// CHECK-LABEL: func.func @chain_warps
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} segments = 4, blocks-per-sm = 4,
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} segments = 8, blocks-per-sm = 2,
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} segments = 8, blocks-per-sm = 2,
// MAPPING: remark: kernel mapping: tile = 32, hops = 1, {{.*}} segments = 8, blocks-per-sm = 2,
// MAPPING: remark: kernel mapping: tile = 16, hops = 1, {{.*}} segments = 8, blocks-per-sm = 2,
func.func @chain_warps(%a: memref<1x128x8192xbf16, strided<[?, 1, ?]>>, %x: memref<1x128x16x8192xbf16, strided<[?, ?, 1, ?]>>,
                       %al: memref<1x128x16384xbf16, strided<[?, 1, ?]>>, %xl: memref<1x128x16x16384xbf16, strided<[?, ?, 1, ?]>>,
                       %ab: memref<2x128x8192xbf16, strided<[?, 1, ?]>>, %xb: memref<2x128x16x8192xbf16, strided<[?, ?, 1, ?]>>,
                       %ad: memref<1x128x?xbf16, strided<[?, 1, ?]>>, %xd: memref<1x128x16x?xbf16, strided<[?, ?, 1, ?]>>) {
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<1x128x8192xbf16, strided<[?, 1, ?]>>, memref<1x128x16x8192xbf16, strided<[?, ?, 1, ?]>>) outs(%x : memref<1x128x16x8192xbf16, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 1> ins(%al, %xl : memref<1x128x16384xbf16, strided<[?, 1, ?]>>, memref<1x128x16x16384xbf16, strided<[?, ?, 1, ?]>>) outs(%xl : memref<1x128x16x16384xbf16, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 1> ins(%ab, %xb : memref<2x128x8192xbf16, strided<[?, 1, ?]>>, memref<2x128x16x8192xbf16, strided<[?, ?, 1, ?]>>) outs(%xb : memref<2x128x16x8192xbf16, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 32, hops = 1> ins(%a, %x : memref<1x128x8192xbf16, strided<[?, 1, ?]>>, memref<1x128x16x8192xbf16, strided<[?, ?, 1, ?]>>) outs(%x : memref<1x128x16x8192xbf16, strided<[?, ?, 1, ?]>>)
  swr.scan <tile = 16, hops = 1> ins(%ad, %xd : memref<1x128x?xbf16, strided<[?, 1, ?]>>, memref<1x128x16x?xbf16, strided<[?, ?, 1, ?]>>) outs(%xd : memref<1x128x16x?xbf16, strided<[?, ?, 1, ?]>>)
  return
}
