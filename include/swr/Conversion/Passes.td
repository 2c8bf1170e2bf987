//===- Passes.td - swr conversion passes -------------------*- tablegen -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_CONVERSION_PASSES_TD
#define SWR_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSwrToSCF : Pass<"convert-swr-to-scf"> {
  let summary = "Lower swr.scan on memrefs to scf loops (CPU path, reference)";
  let description = [{
    Replaces every `swr.scan` on memrefs with `scf.for` loops that compute the
    windowed recurrence exactly as the dialect's formula says, for every
    window, direction, initial state, partial last tile, element type and
    strided layout. For a finite window each tile re-runs the recurrence over
    the `K` tiles before it (a warm-up that writes nothing), so the work is
    `O(N * (K + 1))` per sequence and no position ever multiplies a gate
    outside its own window (NaN and Inf gates propagate exactly as the
    formula says). `hops = inf` is one pass over the sequence.

    `swr.scan` on tensors must be bufferized first (One-Shot Bufferize); the
    pass reports an error for it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

#endif // SWR_CONVERSION_PASSES_TD
