// The time-major mapping counts tiles instead of laying them on lanes, so
// any tile works (the scan kernel needs powers of two of at least one
// 16-byte vector): tile 3, two hops, f32.
// RUN: swr-opt %s -swr-decompose -test-swr-kernel-mapping=time-major=1 2>&1 | FileCheck %s --check-prefix=MAPPING
// RUN: swr-opt %s -swr-decompose -convert-swr-to-gpu=time-major=1 -canonicalize -cse | FileCheck %s
// MAPPING: remark: kernel mapping: tile = 3, hops = 2, {{.*}} time-major = 1
// CHECK: gpu.launch
// CHECK:   scf.for
// CHECK:     arith.remui %{{.*}}, %c3 : index
func.func @odd_tile(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>, %y: memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) {
  swr.scan <tile = 3, hops = 2> ins(%a, %x : memref<?x?x?xf32>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>)
  return
}
