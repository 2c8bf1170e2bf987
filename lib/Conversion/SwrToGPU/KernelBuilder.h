//===- KernelBuilder.h - shorthands of the kernel builders ------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The index and float arithmetic that ScanKernel.cpp and TimeMajorKernel.cpp
// emit, as one-word calls on the builder they share. Private to the
// conversion.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_CONVERSION_SWRTOGPU_KERNELBUILDER_H
#define SWR_LIB_CONVERSION_SWRTOGPU_KERNELBUILDER_H

#include "swr/Conversion/SwrToGPU/KernelMapping.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir {
namespace swr {

class KernelBuilder {
protected:
  explicit KernelBuilder(ImplicitLocOpBuilder &b) : b(b) {}

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value i32(int64_t v) { return arith::ConstantIntOp::create(b, v, 32); }
  Value f32(float v) {
    return arith::ConstantFloatOp::create(b, b.getF32Type(), APFloat(v));
  }
  Value constant(Type type, double v) {
    return arith::ConstantOp::create(b, b.getFloatAttr(type, v));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value divu(Value x, Value y) { return arith::DivUIOp::create(b, x, y); }
  Value remu(Value x, Value y) { return arith::RemUIOp::create(b, x, y); }
  Value ceilDiv(Value x, Value y) {
    return arith::CeilDivUIOp::create(b, x, y);
  }
  Value minu(Value x, Value y) { return arith::MinUIOp::create(b, x, y); }
  Value maxu(Value x, Value y) { return arith::MaxUIOp::create(b, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, p, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value negate(Value x) {
    return arith::XOrIOp::create(b, x, arith::ConstantIntOp::create(b, 1, 1));
  }
  // Gates the formula never multiplies in: the first gate of a forward
  // scan without init, and with K = 0 the gate of each tile's first
  // position in scan order. The walks multiply them into states that hold
  // nothing yet (kept as 0), so they are loaded as 0 there: 0 * 0 stays 0
  // where a NaN or an infinite gate would make it NaN (DESIGN.md: NaN and
  // Inf reach exactly the outputs whose windows hold them). Every other
  // product of a gate and an empty state holds a gate that the formula does
  // multiply into the outputs it reaches, which are then not finite by the
  // formula either (or it reaches only a chunk's warm-up tiles, which are
  // not written).

  /// Whether the first gate of the sequence is never multiplied in.
  static bool firstGateUnused(const KernelMapping &m, bool init) {
    return m.forward && !init;
  }
  /// `v` (a scalar, or a vector whose element `pos` is meant), or 0 where
  /// `cond` holds.
  Value zeroWhere(Value cond, Value v, std::optional<int64_t> pos = {}) {
    Type type = pos ? getElementTypeOrSelf(v) : v.getType();
    Value zero =
        arith::ConstantOp::create(b, cast<TypedAttr>(b.getZeroAttr(type)));
    return select(cond, pos ? vector::InsertOp::create(b, zero, v, *pos) : zero,
                  v);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, c, x, y);
  }
  // A multiply feeding an add may fuse into one FMA (one rounding instead
  // of two, and half the instructions).
  Value fadd(Value x, Value y) {
    return arith::AddFOp::create(b, x, y, arith::FastMathFlags::contract);
  }
  Value fmul(Value x, Value y) {
    return arith::MulFOp::create(b, x, y, arith::FastMathFlags::contract);
  }
  /// x * y + z.
  Value fma(Value x, Value y, Value z) { return fadd(fmul(x, y), z); }
  /// The scan-order length of `n` positions and the padding at its front:
  /// reverse scans are padded to whole `unit`s, so that tiles (or lanes)
  /// start where they would forward.
  std::pair<Value, Value> scanOrderLength(bool forward, Value n, int64_t unit) {
    if (forward)
      return {n, idx(0)};
    Value u = idx(unit);
    Value length = mul(ceilDiv(n, u), u);
    return {length, sub(length, n)};
  }
  /// Chunks of finite windows before rounding: `length` split until `rows`
  /// sequences make `target` walkers, each chunk at least `minChunk`
  /// positions, balanced.
  Value balancedChunk(Value length, Value rows, int64_t target,
                      int64_t minChunk) {
    Value wanted = ceilDiv(idx(target), maxu(rows, idx(1)));
    Value most = maxu(divu(length, idx(minChunk)), idx(1));
    return ceilDiv(length, minu(wanted, most));
  }
  /// Where a walker's chunk `chunkId` (of `chunkLen` positions in scan
  /// order) starts and ends, where its walk starts (`warmup` positions
  /// earlier, recomputed, not before 0) and its writes start (not in the
  /// padding before `pad`).
  struct ChunkBounds {
    Value start, end, walkStart, writeStart;
  };
  ChunkBounds chunkBounds(Value chunkId, Value chunkLen, Value length,
                          Value pad, int64_t warmup) {
    ChunkBounds c;
    c.start = mul(chunkId, chunkLen);
    c.end = minu(add(c.start, chunkLen), length);
    c.walkStart = c.start;
    if (warmup > 0) {
      Value warm = sub(c.start, idx(warmup));
      c.walkStart =
          select(cmp(arith::CmpIPredicate::slt, warm, idx(0)), idx(0), warm);
    }
    c.writeStart = maxu(c.start, pad);
    return c;
  }
  /// The `count` channels from `first` of `channels`: their indices,
  /// clamped to the last channel, and whether each is one (all null when
  /// `allLive`, known when compiling).
  void channelsFrom(Value first, int64_t count, Value channels, bool allLive,
                    SmallVectorImpl<Value> &indices,
                    SmallVectorImpl<Value> &live) {
    Value last = allLive ? Value() : sub(channels, idx(1));
    for (int64_t c = 0; c < count; ++c) {
      Value d = add(first, idx(c));
      indices.push_back(allLive ? d : minu(d, last));
      live.push_back(allLive ? Value()
                             : cmp(arith::CmpIPredicate::ult, d, channels));
    }
  }
  Type elementTypeOf(Value memref) {
    return cast<MemRefType>(memref.getType()).getElementType();
  }

  ImplicitLocOpBuilder &b;
};

} // namespace swr
} // namespace mlir

#endif // SWR_LIB_CONVERSION_SWRTOGPU_KERNELBUILDER_H
