//===- Recurrence.cpp - IR building blocks of every swr lowering ----------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/Utils/Recurrence.h"

using namespace mlir;
using namespace mlir::swr;

SmallVector<Value, 4> mlir::swr::indicesAt(Value memref, Layout layout,
                                           const SequenceCoords &at,
                                           Value pos) {
  SmallVector<Value, 4> indices;
  int64_t rank = cast<ShapedType>(memref.getType()).getRank();
  for (Dim dim : logicalDims(layout, rank)) {
    switch (dim) {
    case Dim::B:
      indices.push_back(at.b);
      break;
    case Dim::H:
      indices.push_back(at.h);
      break;
    case Dim::D:
      indices.push_back(at.d);
      break;
    case Dim::N:
    case Dim::Tiles:
    case Dim::Slots:
      indices.push_back(pos);
      break;
    }
  }
  return indices;
}

Value mlir::swr::widenToF32(ImplicitLocOpBuilder &b, Value v) {
  Type f32 = b.getF32Type();
  if (auto vector = dyn_cast<VectorType>(v.getType()))
    f32 = VectorType::get(vector.getShape(), f32);
  if (v.getType() == f32)
    return v;
  return arith::ExtFOp::create(b, f32, v);
}

Value mlir::swr::narrowTo(ImplicitLocOpBuilder &b, Type type, Value v) {
  if (type.isF32())
    return v;
  return arith::TruncFOp::create(b, type, v);
}

GateState mlir::swr::combine(ImplicitLocOpBuilder &b, GateState left,
                             GateState right, arith::FastMathFlags flags) {
  Value gate = arith::MulFOp::create(b, right.gate, left.gate, flags);
  Value carried = arith::MulFOp::create(b, right.gate, left.state, flags);
  return {gate, arith::AddFOp::create(b, right.state, carried, flags)};
}
