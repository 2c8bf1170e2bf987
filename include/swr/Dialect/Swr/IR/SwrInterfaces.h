//===- SwrInterfaces.h - swr op interfaces and operand roles ----*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Operand roles: what each operand of an swr op is (its logical dimensions,
// whether it is read or written, its element types). They are declared once
// per op (SwrOpInterface::getOperandRoles) and every consumer asks them: the
// verifier, memory effects, bufferization, the lowerings and the manifest.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWRINTERFACES_H
#define SWR_DIALECT_SWR_IR_SWRINTERFACES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir {
namespace swr {

/// A logical dimension of the problem.
enum class Dim { B, H, D, N, Tiles, Slots };

/// The name of a logical dimension ("B", ..., "tiles").
StringRef nameOf(Dim dim);

/// The logical shape of an operand.
enum class Layout {
  /// `[B, H, N]` (one gate per head) or `[B, H, D, N]` (one per channel).
  Gates,
  /// `[B, H, D, N]`.
  Sequence,
  /// `[B, H, D]`: one value per sequence (an initial or final state).
  State,
  /// `[B, H, D, ceil(N / T)]`: one value per tile.
  PerTile,
  /// `[B, H, D, slots]`: the state a chunk of a sequence hands to the next
  /// (swr.scan_chunk; the op says how many slots).
  ChunkState,
};

/// Element types an operand may have.
enum class Storage {
  /// f32, f16 or bf16 (arithmetic is f32 either way).
  Float,
  /// f32 only (scratch values of the tile-level form).
  F32,
};

/// What an operand of an swr op is.
struct OperandRole {
  /// The operand's name in diagnostics ("gates", "input", ...).
  StringLiteral name;
  Layout layout;
  /// Whether the op writes the operand (it is an output) or reads it.
  bool written;
  Storage storage = Storage::Float;
};

/// The logical dimensions of an operand of `layout` and `rank` (gates:
/// rank 3 per head, rank 4 per channel), or an empty list for a rank that
/// the layout does not allow.
SmallVector<Dim, 4> logicalDims(Layout layout, int64_t rank);

class SwrOpInterface;

namespace detail {
/// The role of operand `operandNumber` of `op`.
OperandRole roleOf(SwrOpInterface op, unsigned operandNumber);
} // namespace detail

/// Each operand of `op` with its role, in operand order.
SmallVector<std::pair<OpOperand *, OperandRole>> operandRoles(Operation *op);

/// Checks element types, ranks and static dimensions of every operand of
/// `op` against its role, relative to the op's first `Sequence` operand (the
/// reference, named in diagnostics). Reports each error on `op`.
LogicalResult verifyOperandRoles(Operation *op);

/// Reports, on `op`, that `pass` needs it on memrefs when it has tensor
/// operands (a pipeline-ordering mistake, said plainly rather than "failed
/// to legalize").
LogicalResult checkBufferizedFor(Operation *op, StringRef pass);

/// The memory effects of the memref operands of `op`, from their roles.
void addEffectsFromRoles(
    Operation *op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects);

} // namespace swr
} // namespace mlir

#include "swr/Dialect/Swr/IR/SwrInterfaces.h.inc"

#endif // SWR_DIALECT_SWR_IR_SWRINTERFACES_H
