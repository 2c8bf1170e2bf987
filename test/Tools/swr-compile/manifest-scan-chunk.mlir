// RUN: swr-compile %s --target=cpu -o %t.so
// RUN: not swr-run %t.so --input=1x2x5xf32 --input=1x2x3x5xf32 --input=1x2x3x2xf32 --input=1x2x3x5xf32 --input=1x2x3x3xf32 2>&1 | FileCheck %s --check-prefix=SLOTS
// RUN: not swr-run %t.so --input=1x2x5xf32 --input=1x2x3x5xf32 --input=1x2x4x3xf32 --input=1x2x3x5xf32 --input=1x2x3x3xf32 2>&1 | FileCheck %s --check-prefix=CHANNELS
// RUN: swr-run %t.so --input=1x2x5xf32 --input=1x2x3x5xf32 --input=1x2x3x3xf32 --input=1x2x3x5xf32 --input=1x2x3x3xf32 | FileCheck %s

// A state of the wrong shape is one line from the runtime, never a read
// past its end: the slot count is static (the verifier insists), the other
// dimensions are tied to the sequence's by the manifest.
// SLOTS: swr-run: error: 1x2x3x2xf32: argument 2 of @chunk: dimension 3 is 2, the signature says memref<?x?x?x3xf32>
// CHANNELS: swr-run: error: calling @chunk: dimension 2 of argument 1 is 3 but dimension 2 of argument 2 is 4; they must be equal

// CHECK: argument[3]: 1x2x3x5xf32 = 0 0 0
// CHECK: argument[4]: 1x2x3x3xf32 = 0 0 1

func.func @chunk(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %s0: memref<?x?x?x3xf32>,
                 %y: memref<?x?x?x?xf32>, %s: memref<?x?x?x3xf32>) {
  swr.scan_chunk <tile = 4, hops = 1> ins(%a, %x : memref<?x?x?xf32>, memref<?x?x?x?xf32>)
    state_in(%s0 : memref<?x?x?x3xf32>) outs(%y : memref<?x?x?x?xf32>) state_out(%s : memref<?x?x?x3xf32>)
  return
}
