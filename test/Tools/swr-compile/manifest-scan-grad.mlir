// RUN: swr-compile %s --target=cpu --emit=llvm -o - | FileCheck %s
// RUN: swr-compile %s --target=cpu -o %t.so
// RUN: not swr-run %t.so --input=2x3x7xf32 --input=2x3x4x7xf32 --input=2x3x4x7xf32 --input=2x3x4xf32 --input=2x3x4x7xf32 --input=2x3x7xf32 --input=2x3x5xf32 2>&1 | FileCheck %s --check-prefix=STATE
// RUN: swr-run %t.so --input=2x3x7xf32 --input=2x3x4x7xf32 --input=2x3x4x7xf32 --input=2x3x4xf32 --input=2x3x4x7xf32 --input=2x3x7xf32 --input=2x3x4xf32 | FileCheck %s --check-prefix=OUT

// The manifest of swr.scan_grad comes from its operand roles alone: every
// argument's B, H (and D, N where it has them) must equal the gates'.
// CHECK: function grad\0Aarg memref f32 ?,?,?\0Aarg memref f32 ?,?,?,?\0Aarg memref f32 ?,?,?,?\0Aarg memref f32 ?,?,?\0Aarg memref f32 ?,?,?,? written\0Aarg memref f32 ?,?,? written\0Aarg memref f32 ?,?,? written\0A
// CHECK-SAME: same 0.0 1.0\0Asame 0.0 2.0\0Asame 0.0 3.0\0Asame 0.0 4.0\0Asame 0.0 5.0\0Asame 0.0 6.0\0A
// CHECK-SAME: same 0.1 1.1\0Asame 0.1 2.1\0Asame 0.1 3.1\0Asame 0.1 4.1\0Asame 0.1 5.1\0Asame 0.1 6.1\0A
// CHECK-SAME: same 1.2 2.2\0Asame 1.2 3.2\0Asame 1.2 4.2\0Asame 1.2 6.2\0A
// CHECK-SAME: same 0.2 1.3\0Asame 0.2 2.3\0Asame 0.2 4.3\0Asame 0.2 5.2\0Aend\0A

// A gradient of h0 with the wrong channel count is one line, not a write
// past its end.
// STATE: swr-run: error: calling @grad: dimension 2 of argument 1 is 4 but dimension 2 of argument 6 is 5; they must be equal

// dx, da, dh0 of zero inputs.
// OUT: argument[4]: 2x3x4x7xf32 = 0 0 0
// OUT: argument[5]: 2x3x7xf32 = 0 0 0
// OUT: argument[6]: 2x3x4xf32 = 0 0 0

func.func @grad(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                %h0: memref<?x?x?xf32>, %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?xf32>,
                %dh0: memref<?x?x?xf32>) {
  swr.scan_grad <tile = 4, hops = 1> ins(%a, %x, %dy : memref<?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    init(%h0 : memref<?x?x?xf32>) outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?xf32>) grad_init(%dh0 : memref<?x?x?xf32>)
  return
}
