//===- Decompose.cpp - swr.scan to tile-level ops -------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The hierarchical form of a windowed scan: every tile runs the recurrence
// from a zero state (local states v and inclusive gate prefixes g), the
// state entering each tile is gathered from the K tiles before it (a rank-1
// carry: one value per tile and channel), and each tile adds its carry
// scaled by g. See the tile ops' descriptions in SwrOps.td for the formulas.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace swr {
#define GEN_PASS_DEF_SWRDECOMPOSE
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"
} // namespace swr
} // namespace mlir

using namespace mlir;
using namespace mlir::swr;

/// Allocates an f32 buffer of `shape`, whose dynamic sizes are given by
/// `sizeOf(i)` for dimension `i`.
static Value allocF32(RewriterBase &rewriter, Location loc,
                      ArrayRef<int64_t> shape,
                      function_ref<Value(int64_t)> sizeOf) {
  SmallVector<Value> dynamicSizes;
  for (auto [i, size] : llvm::enumerate(shape))
    if (ShapedType::isDynamic(size))
      dynamicSizes.push_back(sizeOf(i));
  auto type = MemRefType::get(shape, rewriter.getF32Type());
  return memref::AllocOp::create(rewriter, loc, type, dynamicSizes);
}

LogicalResult mlir::swr::decomposeScan(RewriterBase &rewriter, ScanOp op) {
  if (!op.hasBufferSemantics())
    return failure();
  Location loc = op.getLoc();
  WindowAttr window = op.getWindow();
  int64_t tile = window.getTile();
  auto inputType = cast<MemRefType>(op.getInput().getType());
  auto gatesType = cast<MemRefType>(op.getGates().getType());
  int64_t n = inputType.getDimSize(3);
  rewriter.setInsertionPoint(op);

  // Nothing crosses a tile boundary: the local scan is the answer. (An init
  // that 0 hops never reach is ignored, as the formula says.)
  bool oneTile = !ShapedType::isDynamic(n) && n <= tile && !op.getInit();
  if (window.getHops() == 0 || oneTile) {
    TileScanOp::create(rewriter, loc, tile, op.getReverse(), op.getGates(),
                       op.getInput(), op.getOutput(), /*prefixes=*/Value());
    rewriter.eraseOp(op);
    return success();
  }

  auto dimOf = [&](Value memref) {
    return [&, memref](int64_t i) -> Value {
      return memref::DimOp::create(rewriter, loc, memref, i);
    };
  };
  Value states =
      allocF32(rewriter, loc, inputType.getShape(), dimOf(op.getInput()));
  Value prefixes =
      allocF32(rewriter, loc, gatesType.getShape(), dimOf(op.getGates()));
  SmallVector<int64_t> carriesShape(inputType.getShape());
  carriesShape[3] = ShapedType::isDynamic(n) ? ShapedType::kDynamic
                                             : llvm::divideCeil(n, tile);
  Value carries =
      allocF32(rewriter, loc, carriesShape, [&](int64_t i) -> Value {
        Value size = memref::DimOp::create(rewriter, loc, op.getInput(), i);
        if (i != 3)
          return size;
        Value t = arith::ConstantIndexOp::create(rewriter, loc, tile);
        return arith::CeilDivUIOp::create(rewriter, loc, size, t);
      });

  TileScanOp::create(rewriter, loc, tile, op.getReverse(), op.getGates(),
                     op.getInput(), states, prefixes);
  TileCarryOp::create(rewriter, loc, window, op.getReverse(), states, prefixes,
                      op.getInit(), carries);
  // With init and hops >= 1, the first tile in scan order is reached.
  TileApplyOp::create(rewriter, loc, tile, op.getReverse(),
                      /*with_init=*/op.getInit() != nullptr, states, prefixes,
                      carries, op.getOutput());
  for (Value buffer : {states, prefixes, carries})
    memref::DeallocOp::create(rewriter, loc, buffer);
  rewriter.eraseOp(op);
  return success();
}

namespace {
struct SwrDecomposePass : public swr::impl::SwrDecomposeBase<SwrDecomposePass> {
  void runOnOperation() override {
    SmallVector<ScanOp> scans;
    WalkResult result = getOperation()->walk([&](ScanOp op) {
      if (failed(op.checkBufferizedFor(getArgument())))
        return WalkResult::interrupt();
      scans.push_back(op);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    for (ScanOp op : scans)
      (void)decomposeScan(rewriter, op);
  }
};
} // namespace
