//===- SequenceLoops.h - loops over the sequences of an swr op --*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The scaffolding of every op's sequential lowering (SwrOpInterface::
// emitLoops): a loop nest over the sequences (b, h, d), scf.for loops with
// and without carried values, and f32 loads and stores of the current
// sequence's elements in any operand, located through the operand's role.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_UTILS_SEQUENCELOOPS_H
#define SWR_DIALECT_SWR_UTILS_SEQUENCELOOPS_H

#include "swr/Dialect/Swr/Utils/Recurrence.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir {
namespace swr {

class SequenceLoops {
public:
  SequenceLoops(ImplicitLocOpBuilder &b, Operation *op) : b(b), op(op) {}

  /// Runs `body` for every sequence of `shaped` (a `[B, H, D, ...]` memref),
  /// with `n` set to `length`.
  void forEachSequence(Value shaped, Value length, function_ref<void()> body);

  /// `for iv in [0, ub)` without loop-carried values.
  void forRange(Value ub, function_ref<void(Value)> body);

  /// `for iv in [lb, ub)` carrying `inits`; `body` returns the next values.
  ValueRange
  forRangeCarrying(Value lb, Value ub, ValueRange inits,
                   function_ref<SmallVector<Value>(Value, ValueRange)> body);

  Value idx(int64_t v);
  Value f32(float v);

  /// Loads element `pos` of the current sequence of `operand` (an operand
  /// of the op), widened to f32. `pos` is ignored for `State` operands.
  Value loadAt(Value operand, Value pos);
  /// Stores the f32 `value` at `pos` of the current sequence of `operand`,
  /// narrowed to its element type.
  void storeAt(Value operand, Value value, Value pos);

  /// The layout of `operand`, from its role in the op.
  Layout layoutOf(Value operand);

protected:
  ImplicitLocOpBuilder &b;
  Operation *op;
  /// The current sequence and its length.
  SequenceCoords at;
  Value n;
};

} // namespace swr
} // namespace mlir

#endif // SWR_DIALECT_SWR_UTILS_SEQUENCELOOPS_H
