//===- Passes.td - swr transformation passes ---------------*- tablegen -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_TRANSFORMS_PASSES_TD
#define SWR_DIALECT_SWR_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SwrDecompose : Pass<"swr-decompose"> {
  let summary = "Decompose swr.scan into tile-local scans, carries and a "
                "rank-1 update";
  let description = [{
    Rewrites every `swr.scan` on memrefs into the hierarchical
    (block-two-pass) form:

    ```
    swr.tile_scan   // local states v and inclusive gate prefixes g per tile
    swr.tile_carry  // the state entering each tile over K hops (and init)
    swr.tile_apply  // y = v + g * carry, one rank-1 update per tile
    ```

    with f32 scratch buffers for `v`, `g` and the carries (allocated and
    freed around the ops). A window that carries nothing (`hops = 0`, or a
    static sequence of one tile without init) becomes a single
    `swr.tile_scan` that writes the output directly.

    `convert-swr-to-scf` lowers this form on the CPU; `convert-swr-to-gpu`
    fuses it back into one kernel that keeps `v`, `g` and the carries in
    registers (and, for teams of warps walking one exact scan, their
    step totals in workgroup memory). On tensors the pass reports an error: run
    it after bufferization.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

#endif // SWR_DIALECT_SWR_TRANSFORMS_PASSES_TD
