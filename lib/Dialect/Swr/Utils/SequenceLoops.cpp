//===- SequenceLoops.cpp - loops over the sequences of an swr op ----------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/Utils/SequenceLoops.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::swr;

void SequenceLoops::forEachSequence(Value shaped, Value length,
                                    function_ref<void()> body) {
  n = length;
  Value batch = memref::DimOp::create(b, shaped, 0);
  Value heads = memref::DimOp::create(b, shaped, 1);
  Value channels = memref::DimOp::create(b, shaped, 2);
  forRange(batch, [&](Value bi) {
    forRange(heads, [&](Value hi) {
      forRange(channels, [&](Value di) {
        at = {bi, hi, di};
        body();
      });
    });
  });
}

void SequenceLoops::forRange(Value ub, function_ref<void(Value)> body) {
  scf::ForOp::create(b, idx(0), ub, idx(1), ValueRange{},
                     [&](OpBuilder &, Location, Value iv, ValueRange) {
                       body(iv);
                       scf::YieldOp::create(b);
                     });
}

ValueRange SequenceLoops::forRangeCarrying(
    Value lb, Value ub, ValueRange inits,
    function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  auto loop =
      scf::ForOp::create(b, lb, ub, idx(1), inits,
                         [&](OpBuilder &, Location, Value iv, ValueRange iter) {
                           scf::YieldOp::create(b, body(iv, iter));
                         });
  return loop.getResults();
}

Value SequenceLoops::idx(int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}

Value SequenceLoops::f32(float v) {
  return arith::ConstantFloatOp::create(b, b.getF32Type(), APFloat(v));
}

Layout SequenceLoops::layoutOf(Value operand) {
  auto swrOp = cast<SwrOpInterface>(op);
  for (OpOperand &use : op->getOpOperands())
    if (use.get() == operand)
      return swrOp.getRole(use).layout;
  llvm_unreachable("not an operand of the op");
}

Value SequenceLoops::loadAt(Value operand, Value pos) {
  return widenToF32(
      b, memref::LoadOp::create(
             b, operand, indicesAt(operand, layoutOf(operand), at, pos)));
}

void SequenceLoops::storeAt(Value operand, Value value, Value pos) {
  Type element = cast<MemRefType>(operand.getType()).getElementType();
  memref::StoreOp::create(b, narrowTo(b, element, value), operand,
                          indicesAt(operand, layoutOf(operand), at, pos));
}
