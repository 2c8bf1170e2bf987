//===- SwrOps.cpp - swr operations ----------------------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::swr;

//===----------------------------------------------------------------------===//
// ScanOp verification
//===----------------------------------------------------------------------===//

/// Names of the logical dimensions of `[B, H, D, N]`, for diagnostics.
static constexpr StringLiteral kDimNames[] = {"B", "H", "D", "N"};

namespace {
/// Checks the element types, ranks and static dimensions of operands against
/// the logical `[B, H, D, N]` shape of a reference operand (the input of a
/// scan, the local states of the tile-level ops). Every check reports a
/// located diagnostic on `op`.
class ShapeChecker {
public:
  ShapeChecker(Operation *op, ShapedType reference, StringRef referenceName)
      : op(op), reference(reference), referenceName(referenceName) {}

  /// f32, f16 or bf16; only f32 when `f32Only`.
  LogicalResult elementType(StringRef name, ShapedType type,
                            bool f32Only = false) {
    Type element = type.getElementType();
    if (f32Only) {
      if (element.isF32())
        return success();
      return op->emitOpError()
             << name << " element type must be f32, got " << element;
    }
    if (element.isF32() || element.isF16() || element.isBF16())
      return success();
    return op->emitOpError() << name << " element type must be f32, f16 or "
                             << "bf16, got " << element;
  }

  /// A `[B, H, D, N]` operand.
  LogicalResult sequence(StringRef name, ShapedType type) {
    if (type.getRank() != 4)
      return op->emitOpError() << name << " must have rank 4 ([B, H, D, N]), "
                               << "got rank " << type.getRank();
    for (int64_t i = 0; i < 4; ++i)
      if (failed(dim(name, type, i, i)))
        return failure();
    return success();
  }

  /// Gates (or gate prefixes): `[B, H, N]` or `[B, H, D, N]`.
  LogicalResult gates(StringRef name, ShapedType type) {
    if (type.getRank() == 4)
      return sequence(name, type);
    if (type.getRank() != 3)
      return op->emitOpError()
             << name << " must have rank 3 ([B, H, N], per head) or 4 "
             << "([B, H, D, N], per channel), got rank " << type.getRank();
    static constexpr int64_t perHeadDims[] = {0, 1, 3};
    for (int64_t i = 0; i < 3; ++i)
      if (failed(dim(name, type, i, perHeadDims[i])))
        return failure();
    return success();
  }

  /// An initial state: `[B, H, D]`.
  LogicalResult init(StringRef name, ShapedType type) {
    if (type.getRank() != 3)
      return op->emitOpError() << name << " must have rank 3 ([B, H, D]), "
                               << "got rank " << type.getRank();
    for (int64_t i = 0; i < 3; ++i)
      if (failed(dim(name, type, i, i)))
        return failure();
    return success();
  }

  /// One value per tile: `[B, H, D, ceil(N / tile)]`.
  LogicalResult perTile(StringRef name, ShapedType type, int64_t tile) {
    if (type.getRank() != 4)
      return op->emitOpError() << name << " must have rank 4 ([B, H, D, "
                               << "tiles]), got rank " << type.getRank();
    for (int64_t i = 0; i < 3; ++i)
      if (failed(dim(name, type, i, i)))
        return failure();
    int64_t n = reference.getDimSize(3), got = type.getDimSize(3);
    if (ShapedType::isDynamic(n) || ShapedType::isDynamic(got) ||
        got == static_cast<int64_t>(llvm::divideCeil(n, tile)))
      return success();
    return op->emitOpError()
           << name << " must have ceil(" << n << " / " << tile
           << ") = " << llvm::divideCeil(n, tile) << " tiles, got " << got;
  }

private:
  /// Dimension `i` of `type` agrees with logical dimension `d` of the
  /// reference: equal when both are static.
  LogicalResult dim(StringRef name, ShapedType type, int64_t i, int64_t d) {
    int64_t got = type.getDimSize(i), want = reference.getDimSize(d);
    if (ShapedType::isDynamic(got) || ShapedType::isDynamic(want) ||
        got == want)
      return success();
    return op->emitOpError()
           << name << " dimension " << i << " (" << kDimNames[d] << ") is "
           << got << ", not " << want << " as in the " << referenceName;
  }

  Operation *op;
  ShapedType reference;
  StringRef referenceName;
};
} // namespace

//===----------------------------------------------------------------------===//
// ScanOp verification
//===----------------------------------------------------------------------===//

LogicalResult ScanOp::verify() {
  auto gates = cast<ShapedType>(getGates().getType());
  auto input = cast<ShapedType>(getInput().getType());
  auto output = cast<ShapedType>(getOutput().getType());
  auto init = getInit() ? cast<ShapedType>(getInit().getType()) : ShapedType();

  // All operands are tensors, or all are memrefs.
  bool tensorForm = isa<RankedTensorType>(output);
  for (Value v : getOperation()->getOperands()) {
    if (isa<RankedTensorType>(v.getType()) != tensorForm)
      return emitOpError("operands must be all tensors or all memrefs, but ")
             << "output is a " << (tensorForm ? "tensor" : "memref")
             << " and an operand has type " << v.getType();
  }
  if (tensorForm) {
    if (!getResult() || getResult().getType() != output)
      return emitOpError("on tensors must return one result of the output's "
                         "type ")
             << output;
  } else if (getResult()) {
    return emitOpError("on memrefs must not return a result");
  }

  // Element types, then ranks and shapes relative to the input's
  // [B, H, D, N].
  ShapeChecker check(*this, input, "input");
  if (failed(check.elementType("gates", gates)) ||
      failed(check.elementType("input", input)) ||
      failed(check.elementType("output", output)) ||
      (init && failed(check.elementType("init", init))))
    return failure();
  if (input.getRank() != 4)
    return check.sequence("input", input);
  return success(succeeded(check.sequence("output", output)) &&
                 succeeded(check.gates("gates", gates)) &&
                 (!init || succeeded(check.init("init", init))));
}

LogicalResult ScanOp::checkBufferizedFor(StringRef pass) {
  if (hasBufferSemantics())
    return success();
  return emitOpError("on tensors must be bufferized (e.g. with "
                     "one-shot-bufferize) before ")
         << pass;
}

//===----------------------------------------------------------------------===//
// Tile-level op verification
//===----------------------------------------------------------------------===//

LogicalResult TileScanOp::verify() {
  auto input = cast<ShapedType>(getInput().getType());
  auto gates = cast<ShapedType>(getGates().getType());
  auto states = cast<ShapedType>(getStates().getType());
  ShapeChecker check(*this, input, "input");
  if (failed(check.elementType("gates", gates)) ||
      failed(check.elementType("input", input)) ||
      failed(check.elementType("states", states)))
    return failure();
  if (input.getRank() != 4)
    return check.sequence("input", input);
  if (failed(check.sequence("states", states)) ||
      failed(check.gates("gates", gates)))
    return failure();
  if (!getPrefixes())
    return success();
  auto prefixes = cast<ShapedType>(getPrefixes().getType());
  if (failed(check.elementType("prefixes", prefixes, /*f32Only=*/true)))
    return failure();
  if (prefixes.getRank() != gates.getRank())
    return emitOpError("prefixes must have the rank of the gates (")
           << gates.getRank() << "), got rank " << prefixes.getRank();
  return check.gates("prefixes", prefixes);
}

/// Checks the `states` and `prefixes` operands shared by `swr.tile_carry` and
/// `swr.tile_apply`, and returns a checker relative to the states.
static FailureOr<ShapeChecker>
checkStatesAndPrefixes(Operation *op, Value statesValue, Value prefixesValue) {
  auto states = cast<ShapedType>(statesValue.getType());
  auto prefixes = cast<ShapedType>(prefixesValue.getType());
  ShapeChecker check(op, states, "states");
  if (failed(check.elementType("states", states, /*f32Only=*/true)) ||
      failed(check.elementType("prefixes", prefixes, /*f32Only=*/true)) ||
      failed(check.sequence("states", states)) ||
      failed(check.gates("prefixes", prefixes)))
    return failure();
  return check;
}

LogicalResult TileCarryOp::verify() {
  WindowAttr window = getWindow();
  if (window.getHops() == 0)
    return emitOpError("needs hops >= 1 (a window of 0 hops carries nothing)");
  FailureOr<ShapeChecker> check =
      checkStatesAndPrefixes(*this, getStates(), getPrefixes());
  if (failed(check))
    return failure();
  auto carries = cast<ShapedType>(getCarries().getType());
  if (failed(check->elementType("carries", carries, /*f32Only=*/true)) ||
      failed(check->perTile("carries", carries, window.getTile())))
    return failure();
  if (!getInit())
    return success();
  auto init = cast<ShapedType>(getInit().getType());
  return success(succeeded(check->elementType("init", init)) &&
                 succeeded(check->init("init", init)));
}

LogicalResult TileApplyOp::verify() {
  FailureOr<ShapeChecker> check =
      checkStatesAndPrefixes(*this, getStates(), getPrefixes());
  if (failed(check))
    return failure();
  auto carries = cast<ShapedType>(getCarries().getType());
  auto output = cast<ShapedType>(getOutput().getType());
  return success(
      succeeded(check->elementType("carries", carries, /*f32Only=*/true)) &&
      succeeded(check->perTile("carries", carries, getTile())) &&
      succeeded(check->elementType("output", output)) &&
      succeeded(check->sequence("output", output)));
}

//===----------------------------------------------------------------------===//
// ScanOp canonicalization
//===----------------------------------------------------------------------===//

namespace {
/// Normalizes windows that the sequence length makes equivalent to others:
/// - an `init` that no window reaches (hops = 0) is dropped;
/// - with a static length of `n` positions (`m = ceil(n / T)` tiles), every
///   window with `hops >= m` covers the whole sequence and the init, as
///   `hops = inf` does; without init, `hops >= m - 1` is enough.
/// Both directions are symmetric: forwards tile c reaches init iff
/// `c - K <= -1`, backwards iff `c + K >= m`.
struct NormalizeWindow : public OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    WindowAttr window = op.getWindow();
    if (window.getHops() == 0 && op.getInit()) {
      rewriter.modifyOpInPlace(op, [&] { op.getInitMutable().clear(); });
      return success();
    }
    if (window.isExact())
      return failure();
    int64_t n = cast<ShapedType>(op.getInput().getType()).getDimSize(3);
    if (ShapedType::isDynamic(n))
      return failure();
    int64_t tiles = llvm::divideCeil(n, window.getTile());
    int64_t enough = op.getInit() ? tiles : tiles - 1;
    if (window.getHops() < enough)
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.setWindowAttr(WindowAttr::get(op.getContext(), window.getTile(),
                                       WindowAttr::kInfiniteHops));
    });
    return success();
  }
};
} // namespace

void ScanOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                         MLIRContext *context) {
  patterns.add<NormalizeWindow>(context);
}

//===----------------------------------------------------------------------===//
// Memory effects
//===----------------------------------------------------------------------===//

/// Every memref operand of `op` is read, except the `written` ones, which are
/// written (and not read: they are outputs).
static void addMemRefEffects(
    Operation *op, ArrayRef<Value> written,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    bool isWritten = llvm::is_contained(written, operand.get());
    effects.emplace_back(isWritten ? static_cast<MemoryEffects::Effect *>(
                                         MemoryEffects::Write::get())
                                   : MemoryEffects::Read::get(),
                         &operand, SideEffects::DefaultResource::get());
  }
}

void ScanOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  if (hasBufferSemantics())
    addMemRefEffects(*this, {getOutput()}, effects);
}

void TileScanOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addMemRefEffects(*this, {getStates(), getPrefixes()}, effects);
}

void TileCarryOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addMemRefEffects(*this, {getCarries()}, effects);
}

void TileApplyOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addMemRefEffects(*this, {getOutput()}, effects);
}

//===----------------------------------------------------------------------===//
// ScanOp bufferization
//===----------------------------------------------------------------------===//

bool ScanOp::bufferizesToMemoryRead(OpOperand &operand,
                                    const bufferization::AnalysisState &) {
  // Every position of the output is overwritten: its old contents are dead.
  return &operand != &getOutputMutable();
}

bool ScanOp::bufferizesToMemoryWrite(OpOperand &operand,
                                     const bufferization::AnalysisState &) {
  return &operand == &getOutputMutable();
}

bufferization::AliasingValueList
ScanOp::getAliasingValues(OpOperand &operand,
                          const bufferization::AnalysisState &) {
  if (&operand != &getOutputMutable())
    return {};
  return {{getResult(), bufferization::BufferRelation::Equivalent}};
}

LogicalResult ScanOp::bufferize(RewriterBase &rewriter,
                                const bufferization::BufferizationOptions &opts,
                                bufferization::BufferizationState &state) {
  auto bufferOf = [&](Value v) -> FailureOr<Value> {
    if (!v)
      return Value();
    return bufferization::getBuffer(rewriter, v, opts, state);
  };
  FailureOr<Value> gates = bufferOf(getGates()), input = bufferOf(getInput()),
                   init = bufferOf(getInit()), output = bufferOf(getOutput());
  if (failed(gates) || failed(input) || failed(init) || failed(output))
    return failure();
  rewriter.setInsertionPoint(*this);
  ScanOp::create(rewriter, getLoc(), /*result=*/Type(), getWindow(),
                 getReverse(), *gates, *input, *init, *output);
  bufferization::replaceOpWithBufferizedValues(rewriter, *this, *output);
  return success();
}

#define GET_OP_CLASSES
#include "swr/Dialect/Swr/IR/SwrOps.cpp.inc"
