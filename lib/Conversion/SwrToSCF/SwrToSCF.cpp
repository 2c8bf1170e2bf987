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

/// Shared machinery of the loop lowerings: a loop nest over the sequences
/// (b, h, d) of a `[B, H, D, N]` memref, and f32 loads and stores of one
/// sequence's elements, whatever the memrefs' element types and layouts.
class RowLowering {
public:
  explicit RowLowering(ImplicitLocOpBuilder &b) : b(b) {}

protected:
  /// Runs `body` for every sequence of `shaped` (a `[B, H, D, ...]`
  /// memref), with `n` set to `length`.
  void forEachRow(Value shaped, Value length, function_ref<void()> body) {
    n = length;
    Value batch = memref::DimOp::create(b, shaped, 0);
    Value heads = memref::DimOp::create(b, shaped, 1);
    Value channels = memref::DimOp::create(b, shaped, 2);
    forRange(batch, [&](Value bi) {
      forRange(heads, [&](Value hi) {
        forRange(channels, [&](Value di) {
          bIdx = bi;
          hIdx = hi;
          dIdx = di;
          body();
        });
      });
    });
  }

  /// `for iv in [0, ub)` without loop-carried values.
  void forRange(Value ub, function_ref<void(Value)> body) {
    scf::ForOp::create(b, idx(0), ub, idx(1), ValueRange{},
                       [&](OpBuilder &, Location, Value iv, ValueRange) {
                         body(iv);
                         scf::YieldOp::create(b);
                       });
  }

  /// `for iv in [lb, ub)` carrying `inits`; `body` returns the next values.
  ValueRange
  forRangeCarrying(Value lb, Value ub, ValueRange inits,
                   function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = scf::ForOp::create(
        b, lb, ub, idx(1), inits,
        [&](OpBuilder &, Location, Value iv, ValueRange iter) {
          scf::YieldOp::create(b, body(iv, iter));
        });
    return loop.getResults();
  }

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f32(float v) {
    return arith::ConstantFloatOp::create(b, b.getF32Type(), APFloat(v));
  }

  /// Loads element `pos` of the current sequence of `memref` (rank 4, or
  /// rank 3 for per-head gates), widened to f32.
  Value loadAt(Value memref, Value pos) {
    SmallVector<Value, 4> indices = {bIdx, hIdx};
    if (cast<MemRefType>(memref.getType()).getRank() == 4)
      indices.push_back(dIdx);
    indices.push_back(pos);
    return widen(memref::LoadOp::create(b, memref, indices));
  }
  /// Loads the current sequence's element of a `[B, H, D]` memref.
  Value loadInit(Value memref) {
    return widen(
        memref::LoadOp::create(b, memref, ValueRange{bIdx, hIdx, dIdx}));
  }
  Value widen(Value v) {
    if (v.getType().isF32())
      return v;
    return arith::ExtFOp::create(b, b.getF32Type(), v);
  }
  /// Stores the f32 `value` at `pos` of `memref` (rank 4, or rank 3 for
  /// per-head gate prefixes), narrowed to its element type.
  void storeAt(Value memref, Value value, Value pos) {
    auto type = cast<MemRefType>(memref.getType());
    if (!type.getElementType().isF32())
      value = arith::TruncFOp::create(b, type.getElementType(), value);
    SmallVector<Value, 4> indices = {bIdx, hIdx};
    if (type.getRank() == 4)
      indices.push_back(dIdx);
    indices.push_back(pos);
    memref::StoreOp::create(b, value, memref, indices);
  }

  ImplicitLocOpBuilder &b;
  Value n, bIdx, hIdx, dIdx;
};

/// Emits the loops of one `swr.scan` on memrefs.
class ScanLowering : RowLowering {
public:
  ScanLowering(ScanOp op, ImplicitLocOpBuilder &b, Value gates, Value input,
               Value init, Value output)
      : RowLowering(b), gates(gates), input(input), init(init), output(output),
        window(op.getWindow()), exact(coversEverything(op.getWindow())),
        forward(!op.getReverse()) {}

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
    forEachRow(input, length, [&] {
      forRange(numSegs, [&](Value c) { emitTile(c, segLen, numSegs); });
    });
  }

private:
  void storeAt(Value value, Value pos) {
    RowLowering::storeAt(output, value, pos);
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
      Value h0 = loadInit(init);
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

/// Emits the loops of the tile-level ops of the decomposed form. Everything
/// is expressed in scan order: `posOf(tileStart, i)` is the i-th position of
/// a tile in scan order, and the gate linking position `pos` to the one
/// before it is `a_pos` forwards and `a_{pos+1}` backwards (`a_N = 1`).
class TileLowering : RowLowering {
public:
  TileLowering(ImplicitLocOpBuilder &b, int64_t tile, bool reverse)
      : RowLowering(b), tile(tile), forward(!reverse) {}

  /// `swr.tile_scan`: one walk per tile from a zero state.
  void emitScan(Value gates, Value input, Value states, Value prefixes) {
    Value length = memref::DimOp::create(b, input, 3);
    forEachRow(input, length, [&] {
      forRange(numTiles(), [&](Value c) {
        Value start = arith::MulIOp::create(b, c, idx(tile));
        Value len = tileLength(start);
        // The first position of the tile in scan order starts from x alone;
        // its gate starts the prefix.
        Value pos0 = posOf(start, len, idx(0));
        Value v0 = loadAt(input, pos0), g0 = gateAt(gates, pos0);
        storeAt(states, v0, pos0);
        if (prefixes)
          storeAt(prefixes, g0, pos0);
        forRangeCarrying(idx(1), len, ValueRange{v0, g0},
                         [&](Value i, ValueRange iter) -> SmallVector<Value> {
                           Value pos = posOf(start, len, i);
                           Value gate = gateAt(gates, pos);
                           Value v = arith::AddFOp::create(
                               b, arith::MulFOp::create(b, gate, iter[0]),
                               loadAt(input, pos));
                           Value g = arith::MulFOp::create(b, gate, iter[1]);
                           storeAt(states, v, pos);
                           if (prefixes)
                             storeAt(prefixes, g, pos);
                           return {v, g};
                         });
      });
    });
  }

  /// `swr.tile_carry`: the state entering each tile, folded (Horner) over
  /// the tiles of its window in scan order; a running fold for `inf`.
  void emitCarry(WindowAttr window, Value states, Value prefixes, Value init,
                 Value carries) {
    Value length = memref::DimOp::create(b, states, 3);
    forEachRow(states, length, [&] {
      Value m = numTiles();
      Value none = arith::ConstantIntOp::create(b, 0, 1);
      Value some = arith::ConstantIntOp::create(b, 1, 1);
      // (carry, whether any tile or init contributed): the first
      // contribution is taken as is, so no gate multiplies a zero state.
      auto fold = [&](ValueRange acc, Value u) -> SmallVector<Value> {
        Value last = lastPosOf(u, m);
        Value v = loadAt(states, last), g = loadAt(prefixes, last);
        Value folded =
            arith::AddFOp::create(b, arith::MulFOp::create(b, g, acc[0]), v);
        return {arith::SelectOp::create(b, acc[1], folded, v), some};
      };
      Value c0 = init ? loadInit(init) : f32(0);
      Value has0 = init ? some : none;
      auto store = [&](ValueRange acc, Value u) {
        Value c = arith::SelectOp::create(b, acc[1], acc[0], f32(0));
        storeAt(carries, c, tileOf(u, m));
      };
      if (window.isExact()) {
        forRangeCarrying(idx(0), m, ValueRange{c0, has0},
                         [&](Value u, ValueRange acc) {
                           store(acc, u);
                           return fold(acc, u);
                         });
        return;
      }
      forRange(m, [&](Value u) {
        // Tiles u-K .. u-1 in scan order; init when u - K <= -1.
        Value lo = arith::SubIOp::create(b, u, idx(window.getHops()));
        Value reachesInit =
            arith::CmpIOp::create(b, arith::CmpIPredicate::slt, lo, idx(0));
        Value has = arith::AndIOp::create(b, reachesInit, has0);
        Value first = arith::MaxSIOp::create(b, lo, idx(0));
        store(forRangeCarrying(
                  first, u, ValueRange{c0, has},
                  [&](Value i, ValueRange acc) { return fold(acc, i); }),
              u);
      });
    });
  }

  /// `swr.tile_apply`: `y = v + g * carry`, except in the first tile in
  /// scan order when nothing reaches it.
  void emitApply(bool withInit, Value states, Value prefixes, Value carries,
                 Value output) {
    Value length = memref::DimOp::create(b, states, 3);
    forEachRow(states, length, [&] {
      Value m = numTiles();
      Value firstTile = forward ? idx(0) : arith::SubIOp::create(b, m, idx(1));
      forRange(n, [&](Value pos) {
        Value c = arith::DivUIOp::create(b, pos, idx(tile));
        Value v = loadAt(states, pos);
        Value updated = arith::AddFOp::create(
            b, v,
            arith::MulFOp::create(b, loadAt(prefixes, pos),
                                  loadAt(carries, c)));
        Value y = updated;
        if (!withInit) {
          Value isFirst =
              arith::CmpIOp::create(b, arith::CmpIPredicate::eq, c, firstTile);
          y = arith::SelectOp::create(b, isFirst, v, updated);
        }
        storeAt(output, y, pos);
      });
    });
  }

private:
  Value numTiles() { return arith::CeilDivUIOp::create(b, n, idx(tile)); }
  /// The number of positions of the tile starting at `start`.
  Value tileLength(Value start) {
    return arith::MinSIOp::create(b, idx(tile),
                                  arith::SubIOp::create(b, n, start));
  }
  /// The i-th position in scan order of the tile [start, start + len).
  Value posOf(Value start, Value len, Value i) {
    if (forward)
      return arith::AddIOp::create(b, start, i);
    Value last =
        arith::SubIOp::create(b, arith::AddIOp::create(b, start, len), idx(1));
    return arith::SubIOp::create(b, last, i);
  }
  /// The tile number of the u-th tile in scan order (of m).
  Value tileOf(Value u, Value m) {
    if (forward)
      return u;
    return arith::SubIOp::create(b, arith::SubIOp::create(b, m, idx(1)), u);
  }
  /// The last position in scan order of the u-th tile in scan order.
  Value lastPosOf(Value u, Value m) {
    Value start = arith::MulIOp::create(b, tileOf(u, m), idx(tile));
    return posOf(start, tileLength(start),
                 arith::SubIOp::create(b, tileLength(start), idx(1)));
  }
  /// The gate linking `pos` to the position before it in scan order.
  Value gateAt(Value gates, Value pos) {
    if (forward)
      return loadAt(gates, pos);
    Value next = arith::AddIOp::create(b, pos, idx(1));
    Value inside = arith::CmpIOp::create(b, arith::CmpIPredicate::slt, next, n);
    auto ifOp = scf::IfOp::create(
        b, inside,
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, loadAt(gates, next));
        },
        [&](OpBuilder &, Location) { scf::YieldOp::create(b, f32(1)); });
    return ifOp.getResult(0);
  }

  int64_t tile;
  bool forward;
};

/// Emits the loops of one tile-level op (overloaded per op).
static void emitTileOp(ImplicitLocOpBuilder &b, TileScanOp op,
                       TileScanOp::Adaptor adaptor) {
  TileLowering(b, op.getTile(), op.getReverse())
      .emitScan(adaptor.getGates(), adaptor.getInput(), adaptor.getStates(),
                adaptor.getPrefixes());
}
static void emitTileOp(ImplicitLocOpBuilder &b, TileCarryOp op,
                       TileCarryOp::Adaptor adaptor) {
  TileLowering(b, op.getWindow().getTile(), op.getReverse())
      .emitCarry(op.getWindow(), adaptor.getStates(), adaptor.getPrefixes(),
                 adaptor.getInit(), adaptor.getCarries());
}
static void emitTileOp(ImplicitLocOpBuilder &b, TileApplyOp op,
                       TileApplyOp::Adaptor adaptor) {
  TileLowering(b, op.getTile(), op.getReverse())
      .emitApply(op.getWithInit(), adaptor.getStates(), adaptor.getPrefixes(),
                 adaptor.getCarries(), adaptor.getOutput());
}

template <typename OpTy>
struct TileOpLowering : public OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    emitTileOp(b, op, adaptor);
    rewriter.eraseOp(op);
    return success();
  }
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
    WalkResult tensorForm = getOperation()->walk([&](ScanOp op) {
      return failed(op.checkBufferizedFor(getArgument()))
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
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
  patterns.add<ScanOpLowering, TileOpLowering<TileScanOp>,
               TileOpLowering<TileCarryOp>, TileOpLowering<TileApplyOp>>(
      patterns.getContext());
}

void mlir::swr::configureSwrToSCFConversionLegality(ConversionTarget &target) {
  target.addIllegalDialect<SwrDialect>();
  target.addLegalDialect<arith::ArithDialect, memref::MemRefDialect,
                         scf::SCFDialect>();
}
