//===- TileOps.cpp - the tile-level ops of the decomposed form ------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// `swr.tile_scan`, `swr.tile_carry` and `swr.tile_apply`: their checks
// beyond their operand roles (in SwrOps.td) and their sequential loops.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Utils/SequenceLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::swr;

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

LogicalResult TileScanOp::verify() {
  if (!getPrefixes())
    return success();
  int64_t gatesRank = cast<ShapedType>(getGates().getType()).getRank();
  int64_t prefixesRank = cast<ShapedType>(getPrefixes().getType()).getRank();
  if (prefixesRank != gatesRank)
    return emitOpError("prefixes must have the rank of the gates (")
           << gatesRank << "), got rank " << prefixesRank;
  return success();
}

LogicalResult TileCarryOp::verify() {
  if (getWindow().getHops() == 0)
    return emitOpError("needs hops >= 1 (a window of 0 hops carries nothing)");
  return success();
}

//===----------------------------------------------------------------------===//
// Loops
//===----------------------------------------------------------------------===//

namespace {
/// Emits the loops of the tile-level ops of the decomposed form. Everything
/// is expressed in scan order: `posOf(tileStart, i)` is the i-th position of
/// a tile in scan order, and the gate linking position `pos` to the one
/// before it is `a_pos` forwards and `a_{pos+1}` backwards (`a_N = 1`).
class TileLowering : SequenceLoops {
public:
  TileLowering(ImplicitLocOpBuilder &b, Operation *op, int64_t tile,
               bool reverse)
      : SequenceLoops(b, op), tile(tile), forward(!reverse) {}

  /// `swr.tile_scan`: one walk per tile from a zero state.
  void emitScan(Value gates, Value input, Value states, Value prefixes) {
    Value length = memref::DimOp::create(b, input, 3);
    forEachSequence(input, length, [&] {
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
    forEachSequence(states, length, [&] {
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
      Value c0 = init ? loadAt(init, Value()) : f32(0);
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
    forEachSequence(states, length, [&] {
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

} // namespace

void TileScanOp::emitLoops(ImplicitLocOpBuilder &b) {
  TileLowering(b, *this, getTile(), getReverse())
      .emitScan(getGates(), getInput(), getStates(), getPrefixes());
}

void TileCarryOp::emitLoops(ImplicitLocOpBuilder &b) {
  TileLowering(b, *this, getWindow().getTile(), getReverse())
      .emitCarry(getWindow(), getStates(), getPrefixes(), getInit(),
                 getCarries());
}

void TileApplyOp::emitLoops(ImplicitLocOpBuilder &b) {
  TileLowering(b, *this, getTile(), getReverse())
      .emitApply(getWithInit(), getStates(), getPrefixes(), getCarries(),
                 getOutput());
}
