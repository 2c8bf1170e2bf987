//===- SwrToSCF.cpp - swr.scan to scf loops -------------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Lowers `swr.scan` on memrefs to sequential loops. This is the CPU path and
// the in-IR reference that every other lowering is checked against, so it
// follows the formula literally: for a finite window, the outputs of tile `c`
// are the recurrence restarted (from a zero state, or from `init` when the
// window reaches past the sequence's start) at the first position of the
// window and run up to the end of tile `c`. The positions before tile `c` are
// a warm-up that writes nothing. A reverse scan is the same walk mirrored.
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToSCF/SwrToSCF.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/Support/MathExtras.h"

namespace mlir {
namespace swr {
#define GEN_PASS_DEF_CONVERTSWRTOSCF
#include "swr/Conversion/Passes.h.inc"
} // namespace swr
} // namespace mlir

using namespace mlir;
using namespace mlir::swr;

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

/// Whether every window of `window` covers the whole sequence of any memref
/// and its init: `hops = inf`, or a reach `T * (K + 1)` beyond 2^62 positions,
/// which no memref holds (and which index arithmetic could not represent).
static bool coversEverything(WindowAttr window) {
  if (window.isExact())
    return true;
  int64_t reach;
  return llvm::MulOverflow(window.getTile(), window.getHops() + 1, reach) ||
         reach > (int64_t(1) << 62);
}

/// Emits the loops of one `swr.scan` on memrefs.
class ScanLowering {
public:
  ScanLowering(ScanOp op, ImplicitLocOpBuilder &b, Value gates, Value input,
               Value init, Value output)
      : b(b), gates(gates), input(input), init(init), output(output),
        window(op.getWindow()), exact(coversEverything(op.getWindow())),
        forward(!op.getReverse()) {}

  void emit() {
    Value zero = idx(0), one = idx(1);
    Value batch = memref::DimOp::create(b, input, 0);
    Value heads = memref::DimOp::create(b, input, 1);
    Value channels = memref::DimOp::create(b, input, 2);
    n = memref::DimOp::create(b, input, 3);

    // An exact scan is one segment covering the whole (non-empty) sequence.
    Value segLen, numSegs;
    if (exact) {
      segLen = n;
      numSegs = arith::MinSIOp::create(b, n, one);
    } else {
      segLen = idx(window.getTile());
      numSegs = arith::CeilDivSIOp::create(b, n, segLen);
    }

    auto forRange = [&](Value ub, auto body) {
      scf::ForOp::create(b, zero, ub, one, ValueRange{},
                         [&](OpBuilder &, Location, Value iv, ValueRange) {
                           body(iv);
                           scf::YieldOp::create(b);
                         });
    };
    forRange(batch, [&](Value bi) {
      forRange(heads, [&](Value hi) {
        forRange(channels, [&](Value di) {
          bIdx = bi;
          hIdx = hi;
          dIdx = di;
          forRange(numSegs, [&](Value c) { emitTile(c, segLen, numSegs); });
        });
      });
    });
  }

private:
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f32(float v) {
    return arith::ConstantFloatOp::create(b, b.getF32Type(), APFloat(v));
  }

  /// Loads element `pos` of the sequence of `memref` for the current
  /// (b, h, d), widened to f32.
  Value loadAt(Value memref, Value pos) {
    SmallVector<Value, 4> indices = {bIdx, hIdx};
    if (cast<MemRefType>(memref.getType()).getRank() == 4)
      indices.push_back(dIdx);
    indices.push_back(pos);
    return widen(memref::LoadOp::create(b, memref, indices));
  }
  Value widen(Value v) {
    if (v.getType().isF32())
      return v;
    return arith::ExtFOp::create(b, b.getF32Type(), v);
  }
  void storeAt(Value value, Value pos) {
    Type elementType = cast<MemRefType>(output.getType()).getElementType();
    if (!elementType.isF32())
      value = arith::TruncFOp::create(b, elementType, value);
    memref::StoreOp::create(b, value, output,
                            ValueRange{bIdx, hIdx, dIdx, pos});
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
      Value h0 =
          widen(memref::LoadOp::create(b, init, ValueRange{bIdx, hIdx, dIdx}));
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
    Value one = idx(1);
    auto walk = [&](Value lb, Value ub, Value acc0, bool write) {
      auto loop = scf::ForOp::create(
          b, lb, ub, one, ValueRange{acc0},
          [&](OpBuilder &, Location, Value i, ValueRange iter) {
            Value pos = positionOf(s.first, i);
            Value next = step(iter[0], pos);
            if (write)
              storeAt(next, pos);
            scf::YieldOp::create(b, next);
          });
      return loop.getResult(0);
    };
    acc = walk(one, s.warmup, acc, /*write=*/false);
    Value emitFrom = arith::MaxSIOp::create(b, s.warmup, one);
    walk(emitFrom, s.steps, acc, /*write=*/true);
  }

  ImplicitLocOpBuilder &b;
  Value gates, input, init, output;
  WindowAttr window;
  /// Whether every window covers the whole sequence (and init).
  bool exact;
  bool forward;
  Value n, bIdx, hIdx, dIdx;
};

struct ScanOpLowering : public OpConversionPattern<ScanOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.hasBufferSemantics())
      return rewriter.notifyMatchFailure(
          op, "swr.scan on tensors must be bufferized first");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    ScanLowering(op, b, adaptor.getGates(), adaptor.getInput(),
                 adaptor.getInit(), adaptor.getOutput())
        .emit();
    rewriter.eraseOp(op);
    return success();
  }
};

struct ConvertSwrToSCFPass
    : public swr::impl::ConvertSwrToSCFBase<ConvertSwrToSCFPass> {
  void runOnOperation() override {
    // A tensor-form scan is a pipeline-ordering mistake: say so plainly
    // rather than "failed to legalize".
    WalkResult tensorForm = getOperation()->walk([](ScanOp op) {
      if (op.hasBufferSemantics())
        return WalkResult::advance();
      op.emitOpError("on tensors must be bufferized (e.g. with "
                     "one-shot-bufferize) before convert-swr-to-scf");
      return WalkResult::interrupt();
    });
    if (tensorForm.wasInterrupted())
      return signalPassFailure();

    ConversionTarget target(getContext());
    configureSwrToSCFConversionLegality(target);
    RewritePatternSet patterns(&getContext());
    populateSwrToSCFConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::swr::populateSwrToSCFConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ScanOpLowering>(patterns.getContext());
}

void mlir::swr::configureSwrToSCFConversionLegality(ConversionTarget &target) {
  target.addIllegalDialect<SwrDialect>();
  target.addLegalDialect<arith::ArithDialect, memref::MemRefDialect,
                         scf::SCFDialect>();
}
