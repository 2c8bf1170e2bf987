//===- ScanChunkOp.cpp - swr.scan_chunk -----------------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Everything about `swr.scan_chunk` but its operand roles (in SwrOps.td):
// the checks beyond its roles and its sequential loops, which run the
// state's slots as a register (the op's description defines them): each
// position steps every slot and writes the window's slot; a tile's end
// moves the slots one tile on.
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
static constexpr int64_t kMaxStateHops = 4096;
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

/// Emits the loops of one `swr.scan_chunk` on memrefs.
class ScanChunkLowering : SequenceLoops {
public:
  ScanChunkLowering(ScanChunkOp op, ImplicitLocOpBuilder &b)
      : SequenceLoops(b, op), op(op), tile(op.getWindow().getTile()),
        finite(!op.getWindow().isExact()),
        registers(finite ? op.getWindow().getHops() + 1 : 1) {}

  void emit() {
    Value length = memref::DimOp::create(b, op.getInput(), 3);
    reg = memref::AllocOp::create(b,
                                  MemRefType::get({registers}, b.getF32Type()));
    forEachSequence(op.getInput(), length, [&] {
      Value position = loadState();
      forRange(n, [&](Value i) {
        Value a = loadAt(op.getGates(), i);
        Value x = loadAt(op.getInput(), i);
        forRange(idx(registers), [&](Value m) {
          Value next =
              arith::AddFOp::create(b, arith::MulFOp::create(b, a, load(m)), x);
          memref::StoreOp::create(b, next, reg, m);
        });
        storeAt(op.getOutput(), load(idx(registers - 1)), i);
        if (finite)
          shiftAtTileEnd(arith::AddIOp::create(
              b, position, arith::AddIOp::create(b, i, idx(1))));
      });
      if (op.getStateOut())
        storeState(position);
    });
    memref::DeallocOp::create(b, reg);
  }

private:
  Value load(Value slot) { return memref::LoadOp::create(b, reg, slot); }

  /// Fills the register from state_in, init or zeros; returns the position
  /// of the chunk's first token in its tile (index).
  Value loadState() {
    Value stateIn = op.getStateIn();
    Value init = op.getInit();
    for (int64_t m = 0; m < registers; ++m) {
      Value value = f32(0);
      if (stateIn)
        value = loadAt(stateIn, idx(m));
      else if (init && (m > 0 || !finite))
        value = loadAt(init, Value());
      memref::StoreOp::create(b, value, reg, idx(m));
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

  /// Moves the slots one tile on when `seen` positions end a tile.
  void shiftAtTileEnd(Value seen) {
    Value inTile = arith::RemSIOp::create(b, seen, idx(tile));
    Value atEnd =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, inTile, idx(0));
    scf::IfOp::create(b, atEnd, [&](OpBuilder &, Location) {
      for (int64_t m = registers - 1; m > 0; --m)
        memref::StoreOp::create(b, load(idx(m - 1)), reg, idx(m));
      memref::StoreOp::create(b, f32(0), reg, idx(0));
      scf::YieldOp::create(b);
    });
  }

  void storeState(Value position) {
    Value stateOut = op.getStateOut();
    for (int64_t m = 0; m < registers; ++m)
      storeAt(stateOut, load(idx(m)), idx(m));
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
  /// f32 scratch holding them.
  Value reg;
};

} // namespace

void ScanChunkOp::emitLoops(ImplicitLocOpBuilder &b) {
  ScanChunkLowering(*this, b).emit();
}
