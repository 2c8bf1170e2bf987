// RUN: swr-opt %s --swr-cpu-pipeline | FileCheck %s
// RUN: swr-opt %s --swr-cpu-pipeline="deallocate=false" | FileCheck %s --check-prefix=NODEALLOC

// The CPU pipeline takes tensor functions with swr.scan and elementwise
// arith all the way to the LLVM dialect.

// CHECK-NOT: swr.
// CHECK-NOT: memref.
// CHECK-NOT: scf.
// CHECK-NOT: tensor.
// CHECK-NOT: unrealized_conversion_cast
// CHECK-LABEL: llvm.func @scale_then_scan
// CHECK: llvm.fmul
// CHECK: llvm.fmul
// CHECK: llvm.fadd
// With ownership-based deallocation, the returned argument is cloned so the
// caller owns the result.
// CHECK: llvm.call @malloc
// CHECK: llvm.return

// NODEALLOC-LABEL: llvm.func @scale_then_scan
// NODEALLOC-NOT: llvm.call @malloc
// NODEALLOC: llvm.return
func.func @scale_then_scan(%a: tensor<2x4x33xf32>, %x: tensor<2x4x8x33xf32>,
                           %o: tensor<2x4x8x33xbf16>) -> tensor<2x4x8x33xbf16> {
  %two = arith.constant dense<2.0> : tensor<2x4x8x33xf32>
  %x2 = arith.mulf %x, %two : tensor<2x4x8x33xf32>
  %y = swr.scan <tile = 16, hops = 1> ins(%a, %x2 : tensor<2x4x33xf32>, tensor<2x4x8x33xf32>)
         outs(%o : tensor<2x4x8x33xbf16>) -> tensor<2x4x8x33xbf16>
  return %y : tensor<2x4x8x33xbf16>
}
