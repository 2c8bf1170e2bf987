//===- SwrInterfaces.td - swr op interfaces ----------------*- tablegen -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWRINTERFACES_TD
#define SWR_DIALECT_SWR_IR_SWRINTERFACES_TD

include "mlir/IR/OpBase.td"

def Swr_OpInterface : OpInterface<"SwrOpInterface"> {
  let cppNamespace = "::mlir::swr";
  let description = [{
    What every swr op tells the rest of the compiler about itself, so that
    the verifier, the decomposition, the loop lowering, the GPU lowering and
    the artifact manifest ask the op instead of knowing it:

    - the **role** of each operand (`OperandRole`): its logical dimensions
      (`[B, H, N]` or `[B, H, D, N]` gates, `[B, H, D, N]` sequences,
      `[B, H, D]` states, `[B, H, D, tiles]` per-tile values, `[B, H, D,
      slots]` chunk states), whether the
      op reads or writes it, and its allowed element types;
    - its **tile-level form** (`decompose`), if it has one;
    - its **loops** (`emitLoops`): a sequential implementation on memrefs,
      the CPU path and the in-IR reference.

    A new op implements `getOperandRoles` (one entry per ODS operand, in
    declaration order) and `emitLoops`; the verifier's shape checks
    (`verifyOperandRoles`), memory effects, bufferization and the manifest's
    dimension constraints follow from the roles.
  }];
  let methods = [
    StaticInterfaceMethod<
      "The role of each ODS operand (declaration order; an optional or "
      "variadic operand has one entry for all its values).",
      "::llvm::ArrayRef<::mlir::swr::OperandRole>", "getOperandRoles">,
    InterfaceMethod<
      "The index of the first value and the number of values of ODS "
      "operand `index`.",
      "std::pair<unsigned, unsigned>", "getODSOperandIndexAndLength",
      (ins "unsigned":$index), "",
      [{ return $_op.getODSOperandIndexAndLength(index); }]>,
    InterfaceMethod<
      "The tile length `T` that per-tile operands are counted in.",
      "int64_t", "getTileLength">,
    InterfaceMethod<
      "The number of slots of `ChunkState` operands (values per channel "
      "of the state a chunk hands over).",
      "int64_t", "getStateSlots", (ins), "", [{ return 0; }]>,
    InterfaceMethod<
      "Rewrites the op (on memrefs) into its tile-level form; fails, "
      "changing nothing, when it has none (it is tile-level already, or "
      "the form does not apply).",
      "::llvm::LogicalResult", "decompose",
      (ins "::mlir::RewriterBase &":$rewriter), "",
      [{ return ::mlir::failure(); }]>,
    InterfaceMethod<
      "Emits sequential loops (scf, arith, memref) that compute the op on "
      "memrefs, at the builder's insertion point; the caller erases the op.",
      "void", "emitLoops", (ins "::mlir::ImplicitLocOpBuilder &":$builder)>,
    InterfaceMethod<
      "Whether the op's work is independent per `(b, h, d)` sequence, with "
      "no memory but its operands: then `emitSequence` computes one "
      "sequence, and a GPU lowering may give each sequence a thread.",
      "bool", "hasIndependentSequences", (ins), "", [{ return false; }]>,
    InterfaceMethod<
      "Emits the loops of sequence `(b, h, d)` alone (when "
      "`hasIndependentSequences`), at the builder's insertion point.",
      "void", "emitSequence",
      (ins "::mlir::ImplicitLocOpBuilder &":$builder, "::mlir::Value":$b,
           "::mlir::Value":$h, "::mlir::Value":$d), "",
      [{ llvm_unreachable("the op has no independent sequences"); }]>,
  ];
  let verify = [{ return ::mlir::swr::verifyOperandRoles($_op); }];
  let extraSharedClassDeclaration = [{
    /// The role of `operand`, one of this op's operands.
    ::mlir::swr::OperandRole getRole(::mlir::OpOperand &operand) {
      return ::mlir::swr::detail::roleOf($_op, operand.getOperandNumber());
    }
  }];
}

#endif // SWR_DIALECT_SWR_IR_SWRINTERFACES_TD
