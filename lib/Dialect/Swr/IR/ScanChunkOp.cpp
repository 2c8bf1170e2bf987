//===- ScanChunkOp.cpp - swr.scan_chunk -----------------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Everything about `swr.scan_chunk` but its operand roles (in SwrOps.td):
// the checks beyond its roles and its sequential loops, which run the
// state's slots as registers (the op's description defines them): each
// position steps every slot and writes the window's slot; a tile's end
// moves the slots one tile on. Sequences are independent, so a GPU gives
// each its own thread (emitSequence): the decode step's kernel.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Utils/SequenceLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::swr;

/// The largest finite `hops` of a chunk state (K + 2 values per channel).
static constexpr int64_t kMaxStateHops = 64;
/// The largest tile whose positions an f32 slot holds exactly.
static constexpr int64_t kMaxStateTile = int64_t(1) << 24;

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

LogicalResult ScanChunkOp::verify() {
  // Shapes and element types are checked from the operands' roles.
  if (failed(detail::verifyDestinationForm(*this, getDpsInits(), "output")))
    return failure();
  if (getInit() && getStateIn())
    return emitOpError("starts from init or from state_in, not both");
  WindowAttr window = getWindow();
  if (!window.isExact() && window.getHops() > kMaxStateHops)
    return emitOpError("a chunk state holds hops + 2 values per channel; "
                       "hops must be inf or at most ")
           << kMaxStateHops << ", got " << window.getHops();
  if (!window.isExact() && window.getTile() > kMaxStateTile)
    return emitOpError("a chunk state keeps the position in its tile as an "
                       "f32; the tile must be at most 2^24, got ")
           << window.getTile();
  for (auto [name, state] :
       {std::pair<StringRef, Value>{"state_in", getStateIn()},
        {"state_out", getStateOut()}})
    if (state && cast<ShapedType>(state.getType()).isDynamicDim(3))
      return emitOpError() << name << " must have a static slot dimension ("
                           << getStateSlots() << " for this window)";
  return success();
}

//===----------------------------------------------------------------------===//
// Loops
//===----------------------------------------------------------------------===//

namespace {

/// Emits the loops of one `swr.scan_chunk` on memrefs. The K + 1 slots
/// stepped per position are SSA values carried by the loop over positions
/// (registers on a GPU thread).
class ScanChunkLowering : SequenceLoops {
public:
  ScanChunkLowering(ScanChunkOp op, ImplicitLocOpBuilder &b)
      : SequenceLoops(b, op), op(op), tile(op.getWindow().getTile()),
        finite(!op.getWindow().isExact()),
        registers(finite ? op.getWindow().getHops() + 1 : 1) {}

  /// Every sequence, in loops.
  void emitAll() {
    Value length = memref::DimOp::create(b, op.getInput(), 3);
    forEachSequence(op.getInput(), length, [&] { emitOne(); });
  }

  /// Sequence (bi, hi, di) alone.
  void emitSequence(Value bi, Value hi, Value di) {
    n = memref::DimOp::create(b, op.getInput(), 3);
    at = {bi, hi, di};
    emitOne();
  }

private:
  void emitOne() {
    SmallVector<Value> slots;
    Value position = loadState(slots);
    ValueRange last = forRangeCarrying(
        idx(0), n, slots,
        [&](Value i, ValueRange current) -> SmallVector<Value> {
          Value a = loadAt(op.getGates(), i);
          Value x = loadAt(op.getInput(), i);
          SmallVector<Value> next;
          for (Value slot : current)
            next.push_back(
                arith::AddFOp::create(b, arith::MulFOp::create(b, a, slot), x));
          storeAt(op.getOutput(), next.back(), i);
          if (!finite)
            return next;
          Value seen = arith::AddIOp::create(
              b, position, arith::AddIOp::create(b, i, idx(1)));
          return shiftAtTileEnd(seen, next);
        });
    if (op.getStateOut())
      storeState(position, last);
  }

  /// The slots from state_in, init or zeros; returns the position of the
  /// chunk's first token in its tile (index).
  Value loadState(SmallVectorImpl<Value> &slots) {
    Value stateIn = op.getStateIn();
    Value init = op.getInit();
    for (int64_t m = 0; m < registers; ++m) {
      if (stateIn)
        slots.push_back(loadAt(stateIn, idx(m)));
      else if (init && (m > 0 || !finite))
        slots.push_back(loadAt(init, Value()));
      else
        slots.push_back(f32(0));
    }
    if (!finite || !stateIn)
      return idx(0);
    // A position outside [0, T - 1] (or NaN) reads as 0, never as an index
    // past the tile.
    Value stored = loadAt(stateIn, idx(registers));
    Value inRange = arith::AndIOp::create(
        b, arith::CmpFOp::create(b, arith::CmpFPredicate::OGE, stored, f32(0)),
        arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, stored,
                              f32(static_cast<float>(tile))));
    Value safe = arith::SelectOp::create(b, inRange, stored, f32(0));
    return arith::IndexCastOp::create(
        b, b.getIndexType(), arith::FPToSIOp::create(b, b.getI64Type(), safe));
  }

  /// The slots moved one tile on when `seen` positions end a tile: slot m
  /// takes slot m - 1, slot 0 starts empty.
  SmallVector<Value> shiftAtTileEnd(Value seen, ArrayRef<Value> slots) {
    Value inTile = arith::RemSIOp::create(b, seen, idx(tile));
    Value atEnd =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, inTile, idx(0));
    SmallVector<Value> moved;
    for (size_t m = 0; m < slots.size(); ++m)
      moved.push_back(arith::SelectOp::create(
          b, atEnd, m == 0 ? f32(0) : slots[m - 1], slots[m]));
    return moved;
  }

  void storeState(Value position, ValueRange slots) {
    Value stateOut = op.getStateOut();
    for (auto [m, slot] : llvm::enumerate(slots))
      storeAt(stateOut, slot, idx(m));
    if (!finite)
      return;
    Value next = arith::RemSIOp::create(
        b, arith::AddIOp::create(b, position, n), idx(tile));
    Value asFloat = arith::SIToFPOp::create(
        b, b.getF32Type(), arith::IndexCastOp::create(b, b.getI64Type(), next));
    storeAt(stateOut, asFloat, idx(registers));
  }

  ScanChunkOp op;
  int64_t tile;
  bool finite;
  /// Slots stepped per position: K + 1, or 1 for hops = inf.
  int64_t registers;
};

} // namespace

void ScanChunkOp::emitLoops(ImplicitLocOpBuilder &b) {
  ScanChunkLowering(*this, b).emitAll();
}

void ScanChunkOp::emitSequence(ImplicitLocOpBuilder &builder, Value b, Value h,
                               Value d) {
  ScanChunkLowering(*this, builder).emitSequence(b, h, d);
}
