//===- ScanOp.cpp - swr.scan ----------------------------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Everything about `swr.scan` but its operand roles (in SwrOps.td): the
// checks beyond its roles, the canonicalization of windows, the
// hierarchical decomposition into tile-level ops, and the sequential loops.
//
// The loops are the CPU path and the in-IR reference that every other
// lowering is checked against, so they follow the formula literally: for a
// finite window, the outputs of tile `c` are the recurrence restarted (from
// a zero state, or from `init` when the window reaches past the sequence's
// start) at the first position of the window and run up to the end of tile
// `c`. The positions before tile `c` are a warm-up that writes nothing. A
// reverse scan is the same walk mirrored.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Utils/SequenceLoops.h"
#include "swr/Dialect/Swr/Utils/ShapeChecks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::swr;

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

LogicalResult ScanOp::verify() {
  // Shapes and element types are checked from the operands' roles.
  return detail::verifyDestinationForm(*this, {getOutput()}, "output");
}

//===----------------------------------------------------------------------===//
// Canonicalization
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
// Decomposition: the hierarchical (block-two-pass) form
//===----------------------------------------------------------------------===//

// Every tile runs the recurrence from a zero state (local states v and
// inclusive gate prefixes g), the state entering each tile is gathered from
// the K tiles before it (a rank-1 carry: one value per tile and channel),
// and each tile adds its carry scaled by g. See the tile ops' descriptions in
// SwrOps.td for the formulas.

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

static void emitTileForm(RewriterBase &rewriter, ScanOp op);

LogicalResult ScanOp::decompose(RewriterBase &rewriter) {
  ScanOp op = *this;
  if (!op.hasBufferSemantics())
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  // The tile-level form runs where the run-time sizes are the op's.
  ImplicitLocOpBuilder checks(loc, rewriter);
  emitShapeChecked(checks, op, [&] {
    rewriter.setInsertionPoint(checks.getInsertionBlock(),
                               checks.getInsertionPoint());
    emitTileForm(rewriter, op);
  });
  rewriter.eraseOp(op);
  return success();
}

/// The tile-level form of `op` at the rewriter's insertion point.
static void emitTileForm(RewriterBase &rewriter, ScanOp op) {
  Location loc = op.getLoc();
  WindowAttr window = op.getWindow();
  int64_t tile = window.getTile();
  auto inputType = cast<MemRefType>(op.getInput().getType());
  auto gatesType = cast<MemRefType>(op.getGates().getType());
  int64_t n = inputType.getDimSize(3);

  // Nothing crosses a tile boundary: the local scan is the answer. (An init
  // that 0 hops never reach is ignored, as the formula says.)
  bool oneTile = !ShapedType::isDynamic(n) && n <= tile && !op.getInit();
  if (window.getHops() == 0 || oneTile) {
    TileScanOp::create(rewriter, loc, tile, op.getReverse(), op.getGates(),
                       op.getInput(), op.getOutput(), /*prefixes=*/Value());
    return;
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
}

//===----------------------------------------------------------------------===//
// Loops
//===----------------------------------------------------------------------===//

namespace {

/// The part of the sequence one walk of the recurrence covers: it starts at
/// `first`, takes `steps` steps (forwards or backwards), and writes only its
/// last `steps - warmup` positions.
struct Segment {
  Value first;
  Value steps;
  Value warmup;
  /// Whether the walk starts from `init` rather than from a zero state.
  Value fromInit;
};

/// Emits the loops of one `swr.scan` on memrefs.
class ScanLowering : SequenceLoops {
public:
  ScanLowering(ScanOp op, ImplicitLocOpBuilder &b)
      : SequenceLoops(b, op), gates(op.getGates()), input(op.getInput()),
        init(op.getInit()), output(op.getOutput()), window(op.getWindow()),
        exact(op.getWindow().coversEverything()), forward(!op.getReverse()) {}

  void emit() {
    Value one = idx(1);
    Value length = memref::DimOp::create(b, input, 3);
    // An exact scan is one segment covering the whole (non-empty) sequence.
    Value segLen, numSegs;
    if (exact) {
      segLen = length;
      numSegs = arith::MinSIOp::create(b, length, one);
    } else {
      segLen = idx(window.getTile());
      numSegs = arith::CeilDivSIOp::create(b, length, segLen);
    }
    forEachSequence(input, length, [&] {
      forRange(numSegs, [&](Value c) { emitTile(c, segLen, numSegs); });
    });
  }

private:
  void storeAt(Value value, Value pos) {
    SequenceLoops::storeAt(output, value, pos);
  }

  /// Position of step `i` of a walk starting at `first`.
  Value positionOf(Value first, Value i) {
    if (forward)
      return arith::AddIOp::create(b, first, i);
    return arith::SubIOp::create(b, first, i);
  }

  /// One step of the recurrence at position `pos`: the gate that multiplies
  /// the state carried in is `a_pos` forwards and `a_{pos+1}` backwards (the
  /// gate of the position the walk comes from).
  Value step(Value acc, Value pos) {
    Value gatePos = pos;
    if (!forward)
      gatePos = arith::AddIOp::create(b, pos, idx(1));
    Value gate = loadAt(gates, gatePos);
    Value x = loadAt(input, pos);
    return arith::AddFOp::create(b, arith::MulFOp::create(b, gate, acc), x);
  }

  /// Computes where the walk producing tile `c` starts and whether `init`
  /// lies in its window.
  Segment segmentOf(Value c, Value tileStart, Value tileLen, Value numSegs) {
    Segment s;
    Value nMinusOne = arith::SubIOp::create(b, n, idx(1));
    if (exact) {
      s.first = forward ? idx(0) : nMinusOne;
      s.fromInit = arith::ConstantIntOp::create(b, 1, 1);
    } else {
      int64_t tile = window.getTile(), hops = window.getHops();
      if (forward) {
        // lo = T * (c - K), clamped at 0; init lies in tile -1.
        Value lo = arith::SubIOp::create(b, tileStart, idx(tile * hops));
        s.first = arith::MaxSIOp::create(b, lo, idx(0));
        s.fromInit =
            arith::CmpIOp::create(b, arith::CmpIPredicate::slt, lo, idx(0));
      } else {
        // hi = T * (c + K + 1) - 1, clamped at N - 1; init lies in the tile
        // after the last one.
        Value hi =
            arith::AddIOp::create(b, tileStart, idx(tile * (hops + 1) - 1));
        s.first = arith::MinSIOp::create(b, hi, nMinusOne);
        Value reach = arith::AddIOp::create(b, c, idx(hops));
        s.fromInit =
            arith::CmpIOp::create(b, arith::CmpIPredicate::sge, reach, numSegs);
      }
    }
    // Forwards the walk ends at the tile's last position; backwards at its
    // first one.
    Value tileEnd = arith::AddIOp::create(b, tileStart, tileLen);
    if (forward)
      s.steps = arith::SubIOp::create(b, tileEnd, s.first);
    else
      s.steps = arith::AddIOp::create(
          b, arith::SubIOp::create(b, s.first, tileStart), idx(1));
    s.warmup = arith::SubIOp::create(b, s.steps, tileLen);
    return s;
  }

  void emitTile(Value c, Value segLen, Value numSegs) {
    Value tileStart = arith::MulIOp::create(b, c, segLen);
    Value tileLen = arith::MinSIOp::create(
        b, segLen, arith::SubIOp::create(b, n, tileStart));
    Segment s = segmentOf(c, tileStart, tileLen, numSegs);

    // Step 0 starts from a zero state (x alone: no gate is involved) or
    // from init, which enters through the gate of the first position
    // (forwards a_0; backwards the unit gate of position N).
    Value acc = loadAt(input, s.first);
    if (init) {
      Value h0 = loadAt(init, Value());
      Value carried = h0;
      if (forward)
        carried = arith::MulFOp::create(b, loadAt(gates, s.first), h0);
      Value fromInit = arith::AddFOp::create(b, carried, acc);
      acc = arith::SelectOp::create(b, s.fromInit, fromInit, acc);
    }
    Value noWarmup =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, s.warmup, idx(0));
    Value firstAcc = acc;
    scf::IfOp::create(b, noWarmup, [&](OpBuilder &, Location) {
      storeAt(firstAcc, s.first);
      scf::YieldOp::create(b);
    });

    // Warm-up: positions before the tile, not written.
    auto walk = [&](Value lb, Value ub, Value acc0, bool write) {
      return forRangeCarrying(
          lb, ub, acc0, [&](Value i, ValueRange iter) -> SmallVector<Value> {
            Value pos = positionOf(s.first, i);
            Value next = step(iter[0], pos);
            if (write)
              storeAt(next, pos);
            return {next};
          })[0];
    };
    Value one = idx(1);
    acc = walk(one, s.warmup, acc, /*write=*/false);
    Value emitFrom = arith::MaxSIOp::create(b, s.warmup, one);
    walk(emitFrom, s.steps, acc, /*write=*/true);
  }

  Value gates, input, init, output;
  WindowAttr window;
  /// Whether every window covers the whole sequence (and init).
  bool exact;
  bool forward;
};

} // namespace

void ScanOp::emitLoops(ImplicitLocOpBuilder &b) {
  ScanLowering(*this, b).emit();
}
