//===- TimeMajorKernel.cpp - a scan over time-major data as one kernel ----===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The mapping for time-major layouts (`x`, `y` dense `[B, N, H, D]` seen as
// `[B, H, D, N]`: the channel dimension has unit stride, positions do not),
// chosen by KernelMapping when `time-major` is on and the layout fits:
//
// - each thread owns E consecutive channels of one head (one 16-byte vector
//   of the narrowest type) and walks positions one by one, so that the 32
//   threads of a warp, on consecutive channel vectors, read and write
//   32 * 16 contiguous bytes per position;
// - finite windows split sequences into chunks of whole tiles (channels
//   alone are too few walkers), each preceded by its K warm-up tiles,
//   long enough to keep the re-read warm-up small; the exact scan walks
//   whole sequences
//   (too few threads: the default keeps it on ScanKernel.cpp);
// - per position and channel: the state since the tile started,
//   `local = a * local + x`, its gate product `P` (one per thread with
//   per-head gates), and `y = local + P * C_K`, where the carries
//   C_k = V + G * C_{k-1} of the previous tile's terminal (G, V) are folded
//   once per tile; the exact scan is `h = a * h + x`;
// - the walk is unrolled over `positions-in-flight` positions whose loads
//   stay in flight, each position refilling its own registers.
//
// Everything works in scan order, as in ScanKernel.cpp: a reverse scan
// walks positions backwards, padded at the front to whole tiles.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "swr/Conversion/SwrToGPU/KernelMapping.h"
#include "swr/Dialect/Swr/Utils/Recurrence.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace mlir::swr;

namespace {

/// A thread's recurrence between positions: per channel, the state since
/// the tile started (the exact scan: the state), the carries C_1..C_K into
/// the tile; the tile's gate product, one or one per channel.
struct Walk {
  SmallVector<Value> local, gate;
  SmallVector<SmallVector<Value>> carries;

  SmallVector<Value> values() const {
    SmallVector<Value> out(local);
    llvm::append_range(out, gate);
    for (const auto &c : carries)
      llvm::append_range(out, c);
    return out;
  }
  static Walk from(ValueRange v, int64_t channels, int64_t gates,
                   int64_t hops) {
    Walk w;
    auto take = [&](int64_t count) {
      SmallVector<Value> out(v.take_front(count));
      v = v.drop_front(count);
      return out;
    };
    w.local = take(channels);
    w.gate = take(gates);
    for (int64_t k = 0; k < hops; ++k)
      w.carries.push_back(take(channels));
    assert(v.empty() && "walk of the wrong size");
    return w;
  }
};

class TimeMajorKernelBuilder : KernelBuilder {
public:
  TimeMajorKernelBuilder(ImplicitLocOpBuilder &b, const ScanSpec &spec,
                         const KernelMapping &m)
      : KernelBuilder(b), spec(spec), m(m), e(m.vectorElems),
        perHead(cast<MemRefType>(spec.gates.getType()).getRank() == 3),
        numGates(perHead ? 1 : e) {}

  void emit() {
    emitHostSide();
    Value any = cmp(P::sgt, grid, idx(0));
    scf::IfOp::create(b, any, [&](OpBuilder &, Location) {
      emitLaunch();
      scf::YieldOp::create(b);
    });
  }

private:
  using P = arith::CmpIPredicate;

  /// x * y + z, fused.

  /// `memref` ([B, H, D, N]) seen as [B, H, N, D], channels innermost.
  Value channelsLast(Value memref) {
    auto perm = AffineMap::getPermutationMap(ArrayRef<unsigned>{0, 1, 3, 2},
                                             b.getContext());
    return memref::TransposeOp::create(b, memref, AffineMapAttr::get(perm));
  }

  //===--------------------------------------------------------------------===//
  // Host side
  //===--------------------------------------------------------------------===//

  void emitHostSide() {
    n = memref::DimOp::create(b, spec.input, 3);
    heads = memref::DimOp::create(b, spec.input, 1);
    channels = memref::DimOp::create(b, spec.input, 2);
    Value batch = memref::DimOp::create(b, spec.input, 0);
    groups = ceilDiv(channels, idx(e));
    Value rows = mul(mul(batch, heads), groups);
    std::tie(length, pad) = scanOrderLength(m.forward, n, m.exact ? 1 : m.tile);
    if (m.exact) {
      chunkLen = length;
      chunks = minu(length, idx(1));
    } else {
      // Split sequences until there are `target-warps` warps of threads,
      // at most 2048 (channel vectors alone are few; on the H200, 64K
      // threads with 4 positions in flight reach the bandwidth, and longer
      // chunks re-read fewer warm-up tiles), keeping chunks of at least
      // 8 * `min-chunk-steps` positions and twice their warm-up (K tiles),
      // in whole tiles.
      Value balanced = balancedChunk(
          length, rows, std::min<int64_t>(m.targetWarps, 2048) * kWarpSize,
          std::max<int64_t>(8 * m.minChunkSteps, 2 * m.hops * m.tile));
      chunkLen =
          maxu(mul(ceilDiv(balanced, idx(m.tile)), idx(m.tile)), idx(m.tile));
      chunks = ceilDiv(length, chunkLen);
    }
    items = mul(rows, chunks);
    grid = ceilDiv(items, idx(m.blockThreads));
    x = channelsLast(spec.input);
    y = channelsLast(spec.output);
    a = perHead ? spec.gates : channelsLast(spec.gates);
    // 16-byte vectors of channels for x and y when D is a multiple of E and
    // their rows are aligned; per-channel gates also need channels of unit
    // stride (static: otherwise no vector access is emitted for them).
    vectorOk = both(cmp(P::eq, remu(channels, idx(e)), idx(0)),
                    both(rowsStartAligned(b, x), rowsStartAligned(b, y)));
    if (!perHead && cast<MemRefType>(a.getType()).isLastDimUnitStride())
      gateVectorOk = both(vectorOk, rowsStartAligned(b, a));
  }

  //===--------------------------------------------------------------------===//
  // The kernel
  //===--------------------------------------------------------------------===//

  void emitLaunch() {
    Value one = idx(1);
    auto launch =
        gpu::LaunchOp::create(b, grid, one, one, idx(m.blockThreads), one, one);
    // In f32 the host's constants as immediates measured 2 to 13 points of
    // the copy faster on the H200; with 16-bit storage 5 to 20 slower
    // (bench/NOTES.md, "H200: constants as immediates, per kernel").
    auto isF32 = [](Value v) {
      return !v || getElementTypeOrSelf(v.getType()).isF32();
    };
    if (isF32(spec.gates) && isF32(spec.input) && isF32(spec.output) &&
        isF32(spec.init))
      launch->setAttr(kSinkConstantsAttrName, b.getUnitAttr());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value item = add(mul(launch.getBlockIds().x, idx(m.blockThreads)),
                     launch.getThreadIds().x);
    scf::IfOp::create(b, cmp(P::ult, item, items), [&](OpBuilder &, Location) {
      emitThread(item);
      scf::YieldOp::create(b);
    });
    gpu::TerminatorOp::create(b);
  }

  /// The walk of one thread: items are (b, chunk, h, channel vector),
  /// channel vectors fastest, so that a warp covers neighbouring channels.
  void emitThread(Value item) {
    Value group = remu(item, groups);
    Value rest = divu(item, groups);
    hIdx = remu(rest, heads);
    rest = divu(rest, heads);
    Value chunkId = remu(rest, chunks);
    bIdx = divu(rest, chunks);
    d0 = mul(group, idx(e));
    channelsFrom(d0, e, channels, /*allLive=*/false, dIdx, live);
    ChunkBounds chunk =
        chunkBounds(chunkId, chunkLen, length, pad, m.hops * m.tile);
    chunkEnd = chunk.end;
    walkStart = chunk.walkStart;
    writeStart = chunk.writeStart;

    // Init is the terminal state of tile -1 (the state before position 0 of
    // the exact scan): it matters only to a walk from the sequence start.
    SmallVector<Value> initial(e, f32(0));
    if (spec.init && (m.exact || m.hops > 0)) {
      Value fromStart = cmp(P::eq, walkStart, idx(0));
      for (int64_t c = 0; c < e; ++c) {
        Value h0 =
            widenToF32(b, memref::LoadOp::create(
                              b, spec.init, ValueRange{bIdx, hIdx, dIdx[c]}));
        initial[c] = select(fromStart, h0, f32(0));
      }
    }
    Walk walk;
    walk.local = m.exact ? initial : SmallVector<Value>(e, f32(0));
    if (!m.exact && m.hops > 0) {
      walk.gate.assign(numGates, f32(1));
      walk.carries.assign(m.hops, initial);
    }

    int64_t depth = m.positionsInFlight;
    SmallVector<Value> inits;
    for (int64_t j = 0; j < depth; ++j)
      llvm::append_range(inits, loadPosition(add(walkStart, idx(j))));
    numRaw = inits.size() / depth;
    // The sequence's first gate, loaded as 0 if unused (KernelBuilder.h).
    // (With K = 0 no gate of a tile's first position is multiplied: the
    // local state restarts there.)
    if (firstGateUnused(m, bool(spec.init)))
      inits[1] = zeroWhere(cmp(P::eq, walkStart, idx(0)), inits[1]);
    llvm::append_range(inits, walk.values());
    Value steps = sub(chunkEnd, walkStart);
    Value rounds = ceilDiv(steps, idx(depth));
    int64_t numGateState = walk.gate.size();
    scf::ForOp::create(
        b, idx(0), rounds, idx(1), inits,
        [&](OpBuilder &, Location, Value r, ValueRange iter) {
          Walk w = Walk::from(iter.drop_front(depth * numRaw), e, numGateState,
                              walk.carries.size());
          SmallVector<Value> next;
          for (int64_t j = 0; j < depth; ++j) {
            Value q = add(walkStart, add(mul(r, idx(depth)), idx(j)));
            w = emitPosition(q, iter.slice(j * numRaw, numRaw), w);
            llvm::append_range(next, loadPosition(add(q, idx(depth))));
          }
          llvm::append_range(next, w.values());
          scf::YieldOp::create(b, next);
        });
  }

  /// The memory position of scan position `q` (reverse: mirrored, padding
  /// first).
  Value memoryPosition(Value q) {
    return m.forward ? q : sub(sub(length, idx(1)), q);
  }

  /// Issues the loads of scan position `q`: the input vector of the
  /// thread's channels and its gate (per head: a scalar; per channel: a
  /// vector; backwards: the gate after the position). Padding and
  /// positions past the chunk load x = 0, a = 1.
  SmallVector<Value> loadPosition(Value q) {
    Type xElem = elementTypeOf(spec.input), aElem = elementTypeOf(spec.gates);
    auto xType = VectorType::get({e}, xElem);
    Type aType = perHead ? aElem : VectorType::get({e}, aElem);
    Value p = memoryPosition(q);
    Value inside = both(cmp(P::ult, q, chunkEnd), cmp(P::uge, q, pad));
    // The gate linking p to its predecessor in scan order; backwards
    // a_{p+1}, the unit gate at the end.
    Value gp = m.forward ? p : add(p, idx(1));
    Value gateInside = m.forward ? inside : both(inside, cmp(P::ult, gp, n));
    Value gpSafe = minu(gp, sub(n, idx(1)));
    auto neutral = [&](Type type, double v) -> Value {
      TypedAttr value = b.getFloatAttr(getElementTypeOrSelf(type), v);
      if (auto vector = dyn_cast<VectorType>(type))
        value = DenseElementsAttr::get(vector, ArrayRef<Attribute>{value});
      return arith::ConstantOp::create(b, value);
    };
    auto loadOr = [&](Value cond, Type type, double otherwise,
                      function_ref<Value()> load) -> Value {
      auto ifOp = scf::IfOp::create(
          b, cond,
          [&](OpBuilder &, Location) { scf::YieldOp::create(b, load()); },
          [&](OpBuilder &, Location) {
            scf::YieldOp::create(b, neutral(type, otherwise));
          });
      return ifOp.getResult(0);
    };
    // A vector of channels at `pos` (when `vectors`; none if null), or
    // element loads (dead channels read the last one).
    auto channelVector = [&](Value view, VectorType type, Value pos,
                             Value vectors) -> Value {
      auto elementLoads = [&]() -> Value {
        SmallVector<Value> elems;
        for (int64_t c = 0; c < e; ++c)
          elems.push_back(memref::LoadOp::create(
              b, view, ValueRange{bIdx, hIdx, pos, dIdx[c]}));
        return vector::FromElementsOp::create(b, type, elems);
      };
      if (!vectors)
        return elementLoads();
      auto ifOp = scf::IfOp::create(
          b, vectors,
          [&](OpBuilder &, Location) {
            scf::YieldOp::create(
                b, ValueRange{vector::LoadOp::create(
                       b, type, view, ValueRange{bIdx, hIdx, pos, d0},
                       /*nontemporal=*/false, llvm::MaybeAlign(16))});
          },
          [&](OpBuilder &, Location) {
            scf::YieldOp::create(b, ValueRange{elementLoads()});
          });
      return ifOp.getResult(0);
    };
    Value xs = loadOr(inside, xType, 0,
                      [&] { return channelVector(x, xType, p, vectorOk); });
    Value as = loadOr(gateInside, aType, 1, [&]() -> Value {
      if (perHead)
        return memref::LoadOp::create(b, a, ValueRange{bIdx, hIdx, gpSafe});
      return channelVector(a, cast<VectorType>(aType), gpSafe, gateVectorOk);
    });
    return {xs, as};
  }

  /// Scan position `q` from its loads `raw`: the recurrence, the store;
  /// returns the walk after it.
  Walk emitPosition(Value q, ValueRange raw, const Walk &before) {
    Value xs = widenToF32(b, raw[0]), as = widenToF32(b, raw[1]);
    auto gateOf = [&](int64_t c) -> Value {
      return perHead ? as : vector::ExtractOp::create(b, as, c);
    };
    Walk w = before;
    SmallVector<Value> out(e);
    if (m.exact) {
      for (int64_t c = 0; c < e; ++c) {
        w.local[c] =
            fma(gateOf(c), w.local[c], vector::ExtractOp::create(b, xs, c));
        out[c] = w.local[c];
      }
      store(q, out);
      return w;
    }
    // A new tile: the previous one's terminal (G, V) folds into the
    // carries (not at the walk's first tile, which has none before it),
    // and the local state restarts (its first gate is not multiplied in).
    Value starts = cmp(P::eq, remu(q, idx(m.tile)), idx(0));
    if (m.hops > 0) {
      Value folds = both(starts, cmp(P::ugt, q, walkStart));
      for (int64_t c = 0; c < e; ++c) {
        Value g = w.gate[perHead ? 0 : c];
        for (int64_t k = m.hops - 1; k >= 0; --k) {
          Value folded =
              k == 0 ? w.local[c] : fma(g, w.carries[k - 1][c], w.local[c]);
          w.carries[k][c] = select(folds, folded, w.carries[k][c]);
        }
      }
      for (Value &g : w.gate)
        g = select(starts, f32(1), g);
    }
    for (int64_t c = 0; c < e; ++c) {
      Value xc = vector::ExtractOp::create(b, xs, c);
      w.local[c] = select(starts, xc, fma(gateOf(c), w.local[c], xc));
    }
    if (m.hops > 0)
      for (int64_t c = 0; c < numGates; ++c)
        w.gate[c] = fmul(w.gate[c], gateOf(c));
    for (int64_t c = 0; c < e; ++c)
      out[c] = m.hops > 0 ? fma(w.gate[perHead ? 0 : c],
                                w.carries[m.hops - 1][c], w.local[c])
                          : w.local[c];
    store(q, out);
    return w;
  }

  /// Stores the thread's channels at scan position `q` if it is written:
  /// one vector, or its live channels one by one.
  void store(Value q, ArrayRef<Value> values) {
    Value writes = both(cmp(P::uge, q, writeStart), cmp(P::ult, q, chunkEnd));
    Type yElem = elementTypeOf(spec.output);
    scf::IfOp::create(b, writes, [&](OpBuilder &, Location) {
      Value p = memoryPosition(q);
      SmallVector<Value> narrow;
      for (Value v : values)
        narrow.push_back(narrowTo(b, yElem, v));
      scf::IfOp::create(
          b, vectorOk,
          [&](OpBuilder &, Location) {
            Value vec = vector::FromElementsOp::create(
                b, VectorType::get({e}, yElem), narrow);
            vector::StoreOp::create(b, vec, y, ValueRange{bIdx, hIdx, p, d0},
                                    /*nontemporal=*/false,
                                    llvm::MaybeAlign(16));
            scf::YieldOp::create(b);
          },
          [&](OpBuilder &, Location) {
            for (int64_t c = 0; c < e; ++c)
              scf::IfOp::create(b, live[c], [&](OpBuilder &, Location) {
                memref::StoreOp::create(b, narrow[c], y,
                                        ValueRange{bIdx, hIdx, p, dIdx[c]});
                scf::YieldOp::create(b);
              });
            scf::YieldOp::create(b);
          });
      scf::YieldOp::create(b);
    });
  }

  ScanSpec spec;
  const KernelMapping &m;
  /// Channels per thread; whether gates are per head; gates per position.
  int64_t e;
  bool perHead;
  int64_t numGates;
  int64_t numRaw = 0;
  // Host values; x, y, a: the operands with channels innermost;
  // gateVectorOk: null where per-channel gates have no vector accesses.
  Value n, heads, channels, groups, length, pad, chunkLen, chunks, items, grid,
      vectorOk, gateVectorOk, x, y, a;
  // Thread values.
  Value bIdx, hIdx, d0, chunkEnd, walkStart, writeStart;
  SmallVector<Value> dIdx, live;
};

} // namespace

void mlir::swr::emitTimeMajorKernel(ImplicitLocOpBuilder &b,
                                    const ScanSpec &spec,
                                    const KernelMapping &mapping) {
  TimeMajorKernelBuilder(b, spec, mapping).emit();
}
