//===- ScanGradOp.cpp - swr.scan_grad -------------------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Everything about `swr.scan_grad` but its operand roles (in SwrOps.td): the
// checks beyond its roles and its sequential loops.
//
// The loops follow the band form of the op's description: for every
// sequence, a reverse sweep keeps the reverse scans of `dy` with 0..K hops
// (a shift register, shifted at tile ends) and records each band
// `Z_j(k) = z^{(j)}_k - z^{(j-1)}_k`; a forward sweep keeps the forward
// states started 0..K tiles back (shifted at tile starts) and sums
// `Z_j(k) * S^{(K-j)}_k` into `da_k`. A window that reaches past the start
// of the sequence from every tile (`K >= ceil(N / T)`, or `hops = inf`) is
// the exact recurrence: one band; with `from_output` its forward state
// after position k is the saved output y_k. Time O(N * bands) per
// sequence; f32 scratch of `bands * N` values, plus `N` for per-head gates,
// whose `da` sums the channels in f32 before it is stored.
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

LogicalResult ScanGradOp::verify() {
  // Shapes and element types are checked from the operands' roles.
  if (failed(detail::verifyDestinationForm(*this, getDpsInits(), "grad_input")))
    return failure();
  if (getFromOutput() && !getWindow().isExact())
    return emitOpError("from_output needs hops = inf: the output of a finite "
                       "window does not determine da");
  if (static_cast<bool>(getInit()) != static_cast<bool>(getGradInit()))
    return emitOpError("grad_init must be given exactly when init is");
  int64_t gatesRank = cast<ShapedType>(getGates().getType()).getRank();
  int64_t gradRank = cast<ShapedType>(getGradGates().getType()).getRank();
  if (gatesRank != gradRank)
    return emitOpError("grad_gates must have the rank of gates (")
           << gatesRank << ", per " << (gatesRank == 3 ? "head" : "channel")
           << "), got rank " << gradRank;
  return success();
}

//===----------------------------------------------------------------------===//
// Loops
//===----------------------------------------------------------------------===//

namespace {

/// Emits the loops of one `swr.scan_grad` on memrefs.
class ScanGradLowering : SequenceLoops {
public:
  ScanGradLowering(ScanGradOp op, ImplicitLocOpBuilder &b)
      : SequenceLoops(b, op), op(op), tile(op.getWindow().getTile()),
        hops(op.getWindow().getHops()),
        alwaysExact(op.getWindow().coversEverything()),
        perHead(cast<ShapedType>(op.getGates().getType()).getRank() == 3) {}

  void emit() {
    Value input = op.getInput();
    n = memref::DimOp::create(b, input, 3);
    if (alwaysExact) {
      exact = arith::ConstantIntOp::create(b, 1, 1);
      bands = idx(1);
    } else {
      Value numTiles = arith::CeilDivSIOp::create(b, n, idx(tile));
      exact = arith::CmpIOp::create(b, arith::CmpIPredicate::sle, numTiles,
                                    idx(hops));
      bands = arith::SelectOp::create(b, exact, idx(1), idx(hops + 1));
    }
    Type f32Type = b.getF32Type();
    auto vector = MemRefType::get({ShapedType::kDynamic}, f32Type);
    auto matrix =
        MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic}, f32Type);
    bandsOfDy = memref::AllocOp::create(b, matrix, ValueRange{bands, n});
    reverse = memref::AllocOp::create(b, vector, ValueRange{bands});
    forward = memref::AllocOp::create(b, vector, ValueRange{bands});
    Value sum;
    if (perHead)
      sum = memref::AllocOp::create(b, vector, ValueRange{n});

    Value batch = memref::DimOp::create(b, input, 0);
    Value heads = memref::DimOp::create(b, input, 1);
    Value channels = memref::DimOp::create(b, input, 2);
    forRange(batch, [&](Value bi) {
      forRange(heads, [&](Value hi) {
        if (perHead)
          forRange(n, [&](Value k) { store(f32(0), sum, k); });
        forRange(channels, [&](Value di) {
          at = {bi, hi, di};
          Value dh0 = reverseSweep();
          if (op.getGradInit())
            storeAt(op.getGradInit(), dh0, Value());
          forwardSweep(sum);
        });
        if (perHead) {
          at = {bi, hi, idx(0)};
          forRange(
              n, [&](Value k) { storeAt(op.getGradGates(), load(sum, k), k); });
        }
      });
    });

    for (Value buffer : {bandsOfDy, reverse, forward, sum})
      if (buffer)
        memref::DeallocOp::create(b, buffer);
  }

private:
  Value load(Value memref, ValueRange indices) {
    return memref::LoadOp::create(b, memref, indices);
  }
  void store(Value value, Value memref, ValueRange indices) {
    memref::StoreOp::create(b, value, memref, indices);
  }
  Value cmp(arith::CmpIPredicate predicate, Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, predicate, lhs, rhs);
  }

  /// Sets every entry of the register `reg` to `value`.
  void fill(Value reg, Value value) {
    forRange(bands, [&](Value j) { store(value, reg, j); });
  }

  /// Moves the register `reg` one tile on, when `when` holds: entry `j`
  /// takes entry `j - 1`, entry 0 starts empty.
  void shiftIf(Value when, Value reg) {
    scf::IfOp::create(b, when, [&](OpBuilder &, Location) {
      forRange(bands, [&](Value i) {
        Value j = arith::SubIOp::create(
            b, arith::SubIOp::create(b, bands, idx(1)), i);
        Value hasPrevious = cmp(arith::CmpIPredicate::sgt, j, idx(0));
        Value previous = arith::MaxSIOp::create(
            b, arith::SubIOp::create(b, j, idx(1)), idx(0));
        Value moved = arith::SelectOp::create(b, hasPrevious,
                                              load(reg, previous), f32(0));
        store(moved, reg, j);
      });
      scf::YieldOp::create(b);
    });
  }

  /// Whether the window is finite here and position `pos` is `offset`
  /// positions into its tile (0: its first; tile - 1: its last).
  Value atTileOffset(Value pos, int64_t offset) {
    Value inTile = arith::RemSIOp::create(b, pos, idx(tile));
    Value there = cmp(arith::CmpIPredicate::eq, inTile, idx(offset));
    Value finite =
        arith::XOrIOp::create(b, exact, arith::ConstantIntOp::create(b, 1, 1));
    return arith::AndIOp::create(b, there, finite);
  }

  /// Walks the sequence backwards: writes dx, records the bands of dy and
  /// returns dh0.
  Value reverseSweep() {
    fill(reverse, f32(0));
    forRangeCarrying(
        idx(0), n, f32(1), [&](Value i, ValueRange iter) -> SmallVector<Value> {
          Value k =
              arith::SubIOp::create(b, arith::SubIOp::create(b, n, idx(1)), i);
          Value gateAfter = iter[0]; // a_{k+1}
          if (!alwaysExact)
            shiftIf(atTileOffset(k, tile - 1), reverse);
          Value dy = loadAt(op.getGradOutput(), k);
          Value widest = forRangeCarrying(
              idx(0), bands, f32(0),
              [&](Value j, ValueRange narrower) -> SmallVector<Value> {
                Value z = arith::AddFOp::create(
                    b, dy,
                    arith::MulFOp::create(b, gateAfter, load(reverse, j)));
                store(z, reverse, j);
                store(arith::SubFOp::create(b, z, narrower[0]), bandsOfDy,
                      ValueRange{j, k});
                return {z};
              })[0];
          storeAt(op.getGradInput(), widest, k);
          return {loadAt(op.getGates(), k)};
        });
    if (!op.getGradInit())
      return Value();
    // dh0 = a_0 * z^{(K-1)}_0 (z_0 for the exact recurrence); 0 for K = 0
    // or an empty sequence.
    if (!alwaysExact && hops == 0)
      return f32(0);
    Value band = alwaysExact
                     ? idx(0)
                     : arith::SelectOp::create(b, exact, idx(0), idx(hops - 1));
    Value nonEmpty = cmp(arith::CmpIPredicate::sgt, n, idx(0));
    auto ifOp = scf::IfOp::create(
        b, nonEmpty,
        [&](OpBuilder &, Location) {
          Value a0 = loadAt(op.getGates(), idx(0));
          scf::YieldOp::create(
              b, ValueRange{arith::MulFOp::create(b, a0, load(reverse, band))});
        },
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, ValueRange{f32(0)});
        });
    return ifOp.getResult(0);
  }

  /// Walks the sequence forwards with the states started 0..K tiles back
  /// and writes da (or adds it to `sum`, per head).
  void forwardSweep(Value sum) {
    fill(forward, op.getInit() ? loadAt(op.getInit(), Value()) : f32(0));
    forRange(n, [&](Value k) {
      if (!alwaysExact)
        shiftIf(atTileOffset(k, 0), forward);
      Value last = arith::SubIOp::create(b, bands, idx(1));
      Value da = forRangeCarrying(
          idx(0), bands, f32(0),
          [&](Value j, ValueRange total) -> SmallVector<Value> {
            Value state =
                load(forward, arith::SubIOp::create(b, last, j).getResult());
            Value band = load(bandsOfDy, ValueRange{j, k});
            return {arith::AddFOp::create(
                b, total[0], arith::MulFOp::create(b, band, state))};
          })[0];
      if (perHead)
        store(arith::AddFOp::create(b, load(sum, k), da), sum, k);
      else
        storeAt(op.getGradGates(), da, k);
      if (op.getFromOutput()) {
        // The exact forward state after k is the saved output y_k.
        store(loadAt(op.getInput(), k), forward, idx(0));
        return;
      }
      Value a = loadAt(op.getGates(), k);
      Value x = loadAt(op.getInput(), k);
      forRange(bands, [&](Value m) {
        Value next = arith::AddFOp::create(
            b, arith::MulFOp::create(b, a, load(forward, m)), x);
        store(next, forward, m);
      });
    });
  }

  ScanGradOp op;
  int64_t tile, hops;
  /// Whether every window reaches past the start for any length.
  bool alwaysExact;
  bool perHead;
  /// Whether the window is exact for this length (i1), and the number of
  /// bands (K + 1, or 1 when exact).
  Value exact, bands;
  /// f32 scratch: the bands of dy ([bands, N]), the reverse and forward
  /// registers ([bands]).
  Value bandsOfDy, reverse, forward;
};

} // namespace

void ScanGradOp::emitLoops(ImplicitLocOpBuilder &b) {
  ScanGradLowering(*this, b).emit();
}
