//===- SwrInterfaces.cpp - swr op interfaces and operand roles ------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrInterfaces.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::swr;

#include "swr/Dialect/Swr/IR/SwrInterfaces.cpp.inc"

StringRef mlir::swr::nameOf(Dim dim) {
  static constexpr StringLiteral names[] = {"B", "H",     "D",
                                            "N", "tiles", "slots"};
  return names[static_cast<int>(dim)];
}

SmallVector<Dim, 4> mlir::swr::logicalDims(Layout layout, int64_t rank) {
  switch (layout) {
  case Layout::Gates:
    if (rank == 3)
      return {Dim::B, Dim::H, Dim::N};
    [[fallthrough]];
  case Layout::Sequence:
    if (rank == 4)
      return {Dim::B, Dim::H, Dim::D, Dim::N};
    return {};
  case Layout::State:
    if (rank == 3)
      return {Dim::B, Dim::H, Dim::D};
    return {};
  case Layout::PerTile:
    if (rank == 4)
      return {Dim::B, Dim::H, Dim::D, Dim::Tiles};
    return {};
  case Layout::ChunkState:
    if (rank == 4)
      return {Dim::B, Dim::H, Dim::D, Dim::Slots};
    return {};
  }
  llvm_unreachable("unknown layout");
}

OperandRole mlir::swr::detail::roleOf(SwrOpInterface op,
                                      unsigned operandNumber) {
  ArrayRef<OperandRole> roles = op.getOperandRoles();
  for (auto [i, role] : llvm::enumerate(roles)) {
    auto [start, length] = op.getODSOperandIndexAndLength(i);
    if (operandNumber >= start && operandNumber < start + length)
      return role;
  }
  llvm_unreachable("an operand without a role");
}

SmallVector<std::pair<OpOperand *, OperandRole>>
mlir::swr::operandRoles(Operation *op) {
  auto swrOp = cast<SwrOpInterface>(op);
  SmallVector<std::pair<OpOperand *, OperandRole>> result;
  for (OpOperand &operand : op->getOpOperands())
    result.push_back({&operand, swrOp.getRole(operand)});
  return result;
}

/// The usual way to write a layout's shape in diagnostics.
static StringRef shapeText(Layout layout) {
  switch (layout) {
  case Layout::Gates:
    return "rank 3 ([B, H, N], per head) or 4 ([B, H, D, N], per channel)";
  case Layout::Sequence:
    return "rank 4 ([B, H, D, N])";
  case Layout::State:
    return "rank 3 ([B, H, D])";
  case Layout::PerTile:
    return "rank 4 ([B, H, D, tiles])";
  case Layout::ChunkState:
    return "rank 4 ([B, H, D, slots])";
  }
  llvm_unreachable("unknown layout");
}

namespace {
/// Checks operands against their roles, relative to a reference `[B, H, D,
/// N]` operand; every error is a located diagnostic on the op.
class RoleChecker {
public:
  RoleChecker(Operation *op, int64_t tile, int64_t slots)
      : op(op), tile(tile), slots(slots) {}

  LogicalResult elementType(const OperandRole &role, ShapedType type) {
    Type element = type.getElementType();
    if (role.storage == Storage::F32) {
      if (element.isF32())
        return success();
      return op->emitOpError()
             << role.name << " element type must be f32, got " << element;
    }
    if (element.isF32() || element.isF16() || element.isBF16())
      return success();
    return op->emitOpError() << role.name << " element type must be f32, f16 "
                             << "or bf16, got " << element;
  }

  /// Rank and static dimensions; `reference` is unset while checking the
  /// reference itself.
  LogicalResult shape(const OperandRole &role, ShapedType type) {
    SmallVector<Dim, 4> dims = logicalDims(role.layout, type.getRank());
    if (dims.empty())
      return op->emitOpError()
             << role.name << " must have " << shapeText(role.layout)
             << ", got rank " << type.getRank();
    if (!reference)
      return success();
    for (auto [i, dim] : llvm::enumerate(dims)) {
      int64_t got = type.getDimSize(i), want = sizeOf(dim);
      if (ShapedType::isDynamic(got) || ShapedType::isDynamic(want) ||
          got == want)
        continue;
      if (dim == Dim::Slots)
        return op->emitOpError() << role.name << " must have " << want
                                 << " slots for this window, got " << got;
      if (dim == Dim::Tiles)
        return op->emitOpError()
               << role.name << " must have ceil(" << sizeOf(Dim::N) << " / "
               << tile << ") = " << want << " tiles, got " << got;
      return op->emitOpError() << role.name << " dimension " << i << " ("
                               << nameOf(dim) << ") is " << got << ", not "
                               << want << " as in the " << referenceName;
    }
    return success();
  }

  void setReference(StringRef name, ShapedType type) {
    referenceName = name;
    reference = type;
  }

private:
  /// The size of a logical dimension in the reference (or dynamic).
  int64_t sizeOf(Dim dim) const {
    if (dim == Dim::Slots)
      return slots;
    if (dim != Dim::Tiles)
      return reference.getDimSize(static_cast<int>(dim));
    int64_t n = reference.getDimSize(3);
    if (ShapedType::isDynamic(n))
      return ShapedType::kDynamic;
    return llvm::divideCeil(n, tile);
  }

  Operation *op;
  int64_t tile, slots;
  ShapedType reference;
  StringRef referenceName;
};
} // namespace

LogicalResult mlir::swr::verifyOperandRoles(Operation *op) {
  auto roles = operandRoles(op);
  auto swrOp = cast<SwrOpInterface>(op);
  RoleChecker check(op, swrOp.getTileLength(), swrOp.getStateSlots());
  for (auto &[operand, role] : roles)
    if (failed(check.elementType(role,
                                 cast<ShapedType>(operand->get().getType()))))
      return failure();
  auto reference = llvm::find_if(roles, [](auto &entry) {
    return entry.second.layout == Layout::Sequence;
  });
  assert(reference != roles.end() && "an swr op without a sequence operand");
  auto referenceType = cast<ShapedType>(reference->first->get().getType());
  if (failed(check.shape(reference->second, referenceType)))
    return failure();
  check.setReference(reference->second.name, referenceType);
  for (auto &[operand, role] : roles)
    if (failed(check.shape(role, cast<ShapedType>(operand->get().getType()))))
      return failure();
  return success();
}

void mlir::swr::addEffectsFromRoles(
    Operation *op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (auto &[operand, role] : operandRoles(op)) {
    if (!isa<MemRefType>(operand->get().getType()))
      continue;
    if (role.written)
      effects.emplace_back(MemoryEffects::Write::get(), operand,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), operand,
                           SideEffects::DefaultResource::get());
  }
}

LogicalResult mlir::swr::checkBufferizedFor(Operation *op, StringRef pass) {
  if (llvm::none_of(op->getOperandTypes(), llvm::IsaPred<TensorType>))
    return success();
  return op->emitOpError("on tensors must be bufferized (e.g. with "
                         "one-shot-bufferize) before ")
         << pass;
}
