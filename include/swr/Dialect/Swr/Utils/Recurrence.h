//===- Recurrence.h - IR building blocks of every swr lowering --*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// What the loop lowering (convert-swr-to-scf) and the GPU lowering
// (convert-swr-to-gpu) both build: the indices of a position of one sequence
// (b, h, d) in an operand of any layout, f32 widening and narrowing of
// storage types, and the combine of (gate product, state) pairs that every
// scan is made of.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_UTILS_RECURRENCE_H
#define SWR_DIALECT_SWR_UTILS_RECURRENCE_H

#include "swr/Dialect/Swr/IR/SwrInterfaces.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir {
namespace swr {

/// The sequence (b, h, d) that a lowering is working on.
struct SequenceCoords {
  Value b, h, d;
};

/// The indices of position `pos` of sequence `at` in `memref`, an operand
/// whose logical dimensions are those of `layout` (per-head gates skip d;
/// a `State` operand has no position: `pos` is ignored).
SmallVector<Value, 4> indicesAt(Value memref, Layout layout,
                                const SequenceCoords &at, Value pos);

/// `v` (a float or a vector of floats) in f32.
Value widenToF32(ImplicitLocOpBuilder &b, Value v);

/// The f32 `v` in `type` (a float type).
Value narrowTo(ImplicitLocOpBuilder &b, Type type, Value v);

/// A scan element: the product of the gates since its segment started, and
/// the state.
struct GateState {
  Value gate, state;
};

/// `right` after `left` in scan order: (g_r g_l, s_r + g_r s_l). With
/// `contract`, the multiply-adds may fuse (one rounding instead of two).
GateState combine(ImplicitLocOpBuilder &b, GateState left, GateState right,
                  arith::FastMathFlags flags = arith::FastMathFlags::none);

} // namespace swr
} // namespace mlir

#endif // SWR_DIALECT_SWR_UTILS_RECURRENCE_H
