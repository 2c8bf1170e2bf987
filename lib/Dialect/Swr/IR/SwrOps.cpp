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

static bool isSupportedElementType(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

/// Checks that dimension `i` of `type` agrees with logical dimension `dim` of
/// the input: equal when both are static.
static LogicalResult checkDim(ScanOp op, StringRef name, ShapedType type,
                              int64_t i, ShapedType input, int64_t dim) {
  int64_t got = type.getDimSize(i), want = input.getDimSize(dim);
  if (ShapedType::isDynamic(got) || ShapedType::isDynamic(want) || got == want)
    return success();
  return op.emitOpError() << name << " dimension " << i << " ("
                          << kDimNames[dim] << ") is " << got
                          << " but the input's is " << want;
}

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

  // Element types.
  auto checkElementType = [&](StringRef name,
                              ShapedType type) -> LogicalResult {
    if (isSupportedElementType(type.getElementType()))
      return success();
    return emitOpError() << name << " element type must be f32, f16 or bf16, "
                         << "got " << type.getElementType();
  };
  if (failed(checkElementType("gates", gates)) ||
      failed(checkElementType("input", input)) ||
      failed(checkElementType("output", output)) ||
      (init && failed(checkElementType("init", init))))
    return failure();

  // Ranks and shapes, all relative to the input's [B, H, D, N].
  if (input.getRank() != 4)
    return emitOpError("input must have rank 4 ([B, H, D, N]), got rank ")
           << input.getRank();
  if (output.getRank() != 4)
    return emitOpError("output must have rank 4 ([B, H, D, N]), got rank ")
           << output.getRank();
  for (int64_t i = 0; i < 4; ++i)
    if (failed(checkDim(*this, "output", output, i, input, i)))
      return failure();

  if (gates.getRank() == 4) {
    for (int64_t i = 0; i < 4; ++i)
      if (failed(checkDim(*this, "gates", gates, i, input, i)))
        return failure();
  } else if (gates.getRank() == 3) {
    static constexpr int64_t perHeadDims[] = {0, 1, 3};
    for (int64_t i = 0; i < 3; ++i)
      if (failed(checkDim(*this, "gates", gates, i, input, perHeadDims[i])))
        return failure();
  } else {
    return emitOpError("gates must have rank 3 ([B, H, N], per head) or 4 "
                       "([B, H, D, N], per channel), got rank ")
           << gates.getRank();
  }

  if (init) {
    if (init.getRank() != 3)
      return emitOpError("init must have rank 3 ([B, H, D]), got rank ")
             << init.getRank();
    for (int64_t i = 0; i < 3; ++i)
      if (failed(checkDim(*this, "init", init, i, input, i)))
        return failure();
  }
  return success();
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
// ScanOp memory effects
//===----------------------------------------------------------------------===//

void ScanOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  if (!hasBufferSemantics())
    return;
  for (OpOperand &operand : getOperation()->getOpOperands()) {
    if (&operand == &getOutputMutable())
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
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
