//===- SwrToGPU.cpp - the decomposed form to one GPU kernel ---------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Fuses the tile-level ops that swr-decompose produces (tile_scan,
// tile_carry, tile_apply, and their scratch buffers) into one `gpu.launch`
// whose states, gate prefixes and carries never leave registers and shared
// memory. Mapping (see docs in Passes.td):
//
// - a block of W warps owns one sequence (b, h, d) and one chunk of it;
//   chunks are independent for finite K: the K tiles before a chunk are
//   recomputed by the block (warm-up), never waited for. For K = inf a block
//   owns the whole sequence.
// - the block walks its chunk in steps of W * 32 * E positions: lane l of
//   warp w holds E consecutive positions, loaded and stored with 16-byte
//   vector accesses when the layout and alignment allow (checked at run
//   time), and the next step's loads are issued before this step computes.
// - inside a lane the recurrence runs sequentially; lanes combine (gate
//   product, state, segment-start) triples with shuffles, a segmented scan
//   whose segments are tiles (or the whole sequence for K = inf); segments
//   longer than a warp combine warp totals through shared memory.
// - the terminal (gate product, state) of every tile goes to shared memory;
//   each tile folds the K before it into its rank-1 carry, and the last K
//   stay in registers for the next step.
//
// Everything works in scan order: a reverse scan reads each lane's positions
// mirrored, and its sequence is padded at the front to whole tiles so that
// tiles stay aligned to lanes. Padding positions are never stored.
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

namespace mlir {
namespace swr {
#define GEN_PASS_DEF_CONVERTSWRTOGPU
#define GEN_PASS_DEF_SWRHOSTALLOCSTOGPU
#include "swr/Conversion/Passes.h.inc"
} // namespace swr
} // namespace mlir

using namespace mlir;
using namespace mlir::swr;

namespace {

/// One windowed scan to map onto the GPU, whichever ops it came from.
struct ScanSpec {
  int64_t tile;
  /// Hops, or WindowAttr::kInfiniteHops.
  int64_t hops;
  bool reverse;
  Value gates, input, init, output;
};

/// A segmented-scan element: the product of the gates since the segment
/// start (or since the walk start), the state, and whether a segment start
/// lies in it (then nothing before it matters).
struct Triple {
  Value gate, state, started;
};

constexpr int64_t kWarpSize = 32;
/// The largest finite window the kernel keeps in registers.
constexpr int64_t kMaxGpuHops = 8;

static int64_t byteWidth(Value memref) {
  return cast<MemRefType>(memref.getType()).getElementTypeBitWidth() / 8;
}

/// Whether the innermost stride of `memref` is statically 1 (a precondition
/// of vector accesses).
static bool hasUnitInnerStride(Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

class ScanKernelBuilder {
public:
  ScanKernelBuilder(ImplicitLocOpBuilder &b, const ScanSpec &spec,
                    int64_t warpsPerBlock, int64_t stepsPerBlock)
      : b(b), spec(spec), warps(warpsPerBlock), forward(!spec.reverse),
        exact(spec.hops == WindowAttr::kInfiniteHops),
        hops(exact ? 0 : spec.hops), tile(spec.tile) {
    int64_t minBytes = std::min(
        {byteWidth(spec.input), byteWidth(spec.output), byteWidth(spec.gates)});
    elems = 16 / minBytes;
    span = warps * kWarpSize * elems;
    crossWarp = exact || tile > kWarpSize * elems;
    // Lanes combine over whole tiles: log2(T / E) shuffle rounds suffice when
    // a tile fits in a warp.
    rounds = crossWarp ? 5 : llvm::Log2_64(tile / elems);
    tilesPerStep = exact ? 0 : span / tile;
    // Each chunk is a whole number of steps including its warm-up.
    int64_t warmup = std::min(hops, kMaxGpuHops) * tile;
    int64_t steps = std::max(stepsPerBlock, warmup / span + 1);
    chunk = steps * span - warmup;
    vectorizable = hasUnitInnerStride(spec.input) &&
                   hasUnitInnerStride(spec.output) &&
                   hasUnitInnerStride(spec.gates);
  }

  /// Why the scan cannot run on the GPU, or an empty string.
  std::string unsupportedReason() const {
    if (exact)
      return "";
    if (!llvm::isPowerOf2_64(tile) || tile < elems || tile > span)
      return llvm::formatv("tile {0} is not supported on the GPU: it must be "
                           "a power of two from {1} to {2} for these element "
                           "types (or use hops = inf)",
                           tile, elems, span)
          .str();
    if (hops > kMaxGpuHops)
      return llvm::formatv("hops = {0} is not supported on the GPU: use at "
                           "most {1}, or inf",
                           hops, kMaxGpuHops)
          .str();
    return "";
  }

  void emit() {
    emitHostSide();
    Value zero = idx(0);
    Value any = arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, grid, zero);
    scf::IfOp::create(b, any, [&](OpBuilder &, Location) {
      emitLaunch();
      scf::YieldOp::create(b);
    });
  }

private:
  //===--------------------------------------------------------------------===//
  // Small helpers
  //===--------------------------------------------------------------------===//

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f32(float v) {
    return arith::ConstantFloatOp::create(b, b.getF32Type(), APFloat(v));
  }
  Value boolean(bool v) { return arith::ConstantIntOp::create(b, v, 1); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, p, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value either(Value x, Value y) { return arith::OrIOp::create(b, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, c, x, y);
  }
  Value fadd(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value fmul(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  Value widen(Value v) {
    Type f32Type = b.getF32Type();
    if (auto vec = dyn_cast<VectorType>(v.getType()))
      f32Type = VectorType::get(vec.getShape(), f32Type);
    if (v.getType() == f32Type)
      return v;
    return arith::ExtFOp::create(b, f32Type, v);
  }
  Type elementTypeOf(Value memref) {
    return cast<MemRefType>(memref.getType()).getElementType();
  }

  /// Indices of position `pos` of the current sequence in `memref` (rank 4,
  /// or rank 3 for per-head gates).
  SmallVector<Value> indicesAt(Value memref, Value pos) {
    SmallVector<Value> indices = {bIdx, hIdx};
    if (cast<MemRefType>(memref.getType()).getRank() == 4)
      indices.push_back(dIdx);
    indices.push_back(pos);
    return indices;
  }

  /// Combines `left` (earlier in scan order) into `right`.
  Triple combine(Triple left, Triple right) {
    return {select(right.started, right.gate, fmul(right.gate, left.gate)),
            select(right.started, right.state,
                   fadd(right.state, fmul(right.gate, left.state))),
            either(right.started, left.started)};
  }
  Triple identity() { return {f32(1), f32(0), boolean(false)}; }

  //===--------------------------------------------------------------------===//
  // Host side: sizes, the chunking, the vector-access check
  //===--------------------------------------------------------------------===//

  void emitHostSide() {
    n = memref::DimOp::create(b, spec.input, 3);
    heads = memref::DimOp::create(b, spec.input, 1);
    channels = memref::DimOp::create(b, spec.input, 2);
    Value batch = memref::DimOp::create(b, spec.input, 0);
    Value rows = mul(mul(batch, heads), channels);
    // Scan-order length: reverse scans are padded at the front to whole
    // tiles (whole lanes for K = inf) so that tiles start on lanes.
    if (forward) {
      length = n;
      pad = idx(0);
    } else {
      Value unit = idx(exact ? elems : tile);
      length = mul(arith::CeilDivUIOp::create(b, n, unit), unit);
      pad = sub(length, n);
    }
    if (exact) {
      chunkLen = length;
      chunks = arith::MinUIOp::create(b, length, idx(1));
    } else {
      // As few chunks as fit `chunk` positions, then balanced (whole tiles)
      // so that no block gets only a sliver of the sequence.
      chunks = arith::CeilDivUIOp::create(b, length, idx(chunk));
      Value balanced = arith::CeilDivUIOp::create(
          b, length, arith::MaxUIOp::create(b, chunks, idx(1)));
      chunkLen =
          mul(arith::CeilDivUIOp::create(b, balanced, idx(tile)), idx(tile));
    }
    grid = mul(rows, chunks);
    vectorOk = boolean(false);
    if (vectorizable) {
      vectorOk = boolean(true);
      for (Value memref : {spec.input, spec.output, spec.gates})
        vectorOk = both(vectorOk, isAligned(memref));
    }
  }

  /// Whether every sequence of `memref` starts on a 16-byte boundary.
  Value isAligned(Value memref) {
    auto meta = memref::ExtractStridedMetadataOp::create(b, memref);
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
    Value bytes = idx(byteWidth(memref));
    Value ok = cmp(arith::CmpIPredicate::eq,
                   arith::RemUIOp::create(
                       b, add(base, mul(meta.getOffset(), bytes)), idx(16)),
                   idx(0));
    ValueRange strides = meta.getStrides();
    for (Value stride : strides.drop_back())
      ok = both(ok, cmp(arith::CmpIPredicate::eq,
                        arith::RemUIOp::create(b, mul(stride, bytes), idx(16)),
                        idx(0)));
    return ok;
  }

  //===--------------------------------------------------------------------===//
  // The kernel
  //===--------------------------------------------------------------------===//

  void emitLaunch() {
    Value one = idx(1);
    int64_t slots = 2 * (crossWarp ? 3 * warps : 0) + 2 * 2 * tilesPerStep;
    auto smemType = MemRefType::get(
        {std::max<int64_t>(slots, 1)}, b.getF32Type(), AffineMap(),
        gpu::AddressSpaceAttr::get(b.getContext(),
                                   gpu::AddressSpace::Workgroup));
    auto launch = gpu::LaunchOp::create(
        b, grid, one, one, idx(warps * kWarpSize), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange{},
        /*workgroupAttributions=*/TypeRange{smemType});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    smem = launch.getWorkgroupAttributions().front();
    emitKernelBody(launch.getBlockIds().x, launch.getThreadIds().x);
    gpu::TerminatorOp::create(b);
  }

  void emitKernelBody(Value blockId, Value threadId) {
    using P = arith::CmpIPredicate;
    laneId = arith::RemUIOp::create(b, threadId, idx(kWarpSize));
    warpId = arith::DivUIOp::create(b, threadId, idx(kWarpSize));
    Value row = arith::DivUIOp::create(b, blockId, chunks);
    Value chunkId = arith::RemUIOp::create(b, blockId, chunks);
    dIdx = arith::RemUIOp::create(b, row, channels);
    Value bh = arith::DivUIOp::create(b, row, channels);
    hIdx = arith::RemUIOp::create(b, bh, heads);
    bIdx = arith::DivUIOp::create(b, bh, heads);

    chunkStart = mul(chunkId, chunkLen);
    // (Balanced chunks can leave the last one empty: it then writes nothing.)
    chunkEnd = arith::MaxUIOp::create(
        b, arith::MinUIOp::create(b, add(chunkStart, chunkLen), length),
        chunkStart);
    walkStart = chunkStart;
    if (hops > 0) {
      Value warm = sub(chunkStart, idx(hops * tile));
      walkStart = select(cmp(P::slt, warm, idx(0)), idx(0), warm);
    }
    writeStart = arith::MaxUIOp::create(b, chunkStart, pad);
    Value steps =
        arith::CeilDivUIOp::create(b, sub(chunkEnd, walkStart), idx(span));
    laneOffset = mul(add(mul(warpId, idx(kWarpSize)), laneId), idx(elems));
    if (spec.init)
      h0 = widen(
          memref::LoadOp::create(b, spec.init, ValueRange{bIdx, hIdx, dIdx}));

    // Loop-carried values: the raw loads of the current step, the open
    // segment's state across steps, and the last K tiles' terminals.
    SmallVector<Value> inits = loadStep(walkStart);
    int64_t numRaw = inits.size();
    if (crossWarp) {
      Triple start = identity();
      inits.append({start.gate, start.state, start.started});
    }
    for (int64_t k = 0; k < hops; ++k)
      inits.append({f32(1), f32(0)});

    scf::ForOp::create(b, idx(0), steps, idx(1), inits,
                       [&](OpBuilder &, Location, Value s, ValueRange iter) {
                         Value base = add(walkStart, mul(s, idx(span)));
                         SmallVector<Value> next =
                             emitStep(s, base, iter.take_front(numRaw),
                                      iter.drop_front(numRaw));
                         scf::YieldOp::create(b, next);
                       });
  }

  /// Loads (without using them, so that the loads stay in flight) the raw
  /// input and gate vectors of the lane for the step starting at `base`:
  /// E positions in memory order, plus, backwards, the gate after them.
  SmallVector<Value> loadStep(Value base) {
    using P = arith::CmpIPredicate;
    Value qb = add(base, laneOffset);
    Value lo = forward ? qb : sub(sub(length, qb), idx(elems));
    Value full = both(vectorOk, both(cmp(P::sge, qb, pad),
                                     cmp(P::sle, add(qb, idx(elems)), length)));
    auto xType = VectorType::get({elems}, elementTypeOf(spec.input));
    auto aType = VectorType::get({elems}, elementTypeOf(spec.gates));
    Value nMinusOne = sub(n, idx(1));
    auto clamp = [&](Value p) {
      Value low = select(cmp(P::slt, p, idx(0)), idx(0), p);
      return select(cmp(P::sgt, low, nMinusOne), nMinusOne, low);
    };
    // Partial lanes and unaligned layouts: element loads at clamped
    // positions. Values outside the sequence are never used: segment starts
    // cut them off and they are never stored.
    auto loadElements = [&]() -> SmallVector<Value> {
      SmallVector<Value> xs, as;
      for (int64_t k = 0; k < elems; ++k) {
        Value p = clamp(add(lo, idx(k)));
        xs.push_back(
            memref::LoadOp::create(b, spec.input, indicesAt(spec.input, p)));
        as.push_back(
            memref::LoadOp::create(b, spec.gates, indicesAt(spec.gates, p)));
      }
      return {vector::FromElementsOp::create(b, xType, xs),
              vector::FromElementsOp::create(b, aType, as)};
    };
    SmallVector<Value> raw;
    if (!vectorizable)
      raw = loadElements();
    else
      raw = vectorOrElements(full, xType, aType, lo, loadElements);
    if (!forward)
      raw.push_back(memref::LoadOp::create(
          b, spec.gates, indicesAt(spec.gates, clamp(add(lo, idx(elems))))));
    return raw;
  }

  /// 16-byte vector loads of the lane's inputs and gates when `full`,
  /// `loadElements()` otherwise.
  SmallVector<Value>
  vectorOrElements(Value full, VectorType xType, VectorType aType, Value lo,
                   function_ref<SmallVector<Value>()> loadElements) {
    auto ifOp = scf::IfOp::create(
        b, full,
        [&](OpBuilder &, Location) {
          auto load = [&](Value memref, VectorType type) -> Value {
            return vector::LoadOp::create(
                b, type, memref, indicesAt(memref, lo),
                /*nontemporal=*/false, llvm::MaybeAlign(16));
          };
          scf::YieldOp::create(
              b, ValueRange{load(spec.input, xType), load(spec.gates, aType)});
        },
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, loadElements());
        });
    return SmallVector<Value>(ifOp.getResults());
  }

  /// One step: returns the loop-carried values of the next one.
  SmallVector<Value> emitStep(Value s, Value base, ValueRange raw,
                              ValueRange carried) {
    using P = arith::CmpIPredicate;
    Value qb = add(base, laneOffset);
    Value lo = forward ? qb : sub(sub(length, qb), idx(elems));

    // This step's inputs, in scan order, widened to f32.
    Value xs = widen(raw[0]), as = widen(raw[1]);
    SmallVector<Value> x(elems), gate(elems), pos(elems), q(elems);
    for (int64_t i = 0; i < elems; ++i) {
      int64_t k = forward ? i : elems - 1 - i;
      q[i] = add(qb, idx(i));
      pos[i] = add(lo, idx(k));
      x[i] = vector::ExtractOp::create(b, xs, k);
      if (forward) {
        gate[i] = vector::ExtractOp::create(b, as, k);
        continue;
      }
      // Backwards the gate linking position p to p + 1 is a_{p+1}, and the
      // unit gate of position N stands beyond the sequence.
      Value g =
          i == 0 ? widen(raw[2]) : vector::ExtractOp::create(b, as, k + 1);
      gate[i] = select(cmp(P::slt, add(pos[i], idx(1)), n), g, f32(1));
    }

    // Issue the next step's loads now; they are used one iteration later.
    Value nextBase = add(base, idx(span));
    SmallVector<Value> nextRaw = loadStep(nextBase);

    // In-lane scan of (gate product, state, started) triples.
    SmallVector<Triple> local(elems);
    for (int64_t i = 0; i < elems; ++i) {
      Value starts = isSegmentStart(q[i], i);
      Triple element{gate[i], x[i], starts};
      local[i] = i == 0 ? element : combine(local[i - 1], element);
    }

    // Lanes: a segmented inclusive scan of the lane totals, then the
    // exclusive prefix of each lane.
    Triple total = local.back();
    for (int64_t r = 0; r < rounds; ++r) {
      int32_t offset = 1 << r;
      Triple from = shuffleUp(total, offset);
      Value has = cmp(P::sge, laneId, idx(offset));
      Triple combined = combine(from, total);
      total = {select(has, combined.gate, total.gate),
               select(has, combined.state, total.state),
               select(has, combined.started, total.started)};
    }
    Triple prefix = shuffleUp(total, 1);
    Value firstLane = cmp(P::eq, laneId, idx(0));
    prefix = {select(firstLane, f32(1), prefix.gate),
              select(firstLane, f32(0), prefix.state),
              select(firstLane, boolean(false), prefix.started)};

    Value parity = arith::RemUIOp::create(b, s, idx(2));
    SmallVector<Value> next(nextRaw);
    if (crossWarp) {
      Triple open{carried[0], carried[1], carried[2]};
      Triple warpPrefix;
      Triple stepTotal = exchangeWarpTotals(parity, open, total, warpPrefix);
      Triple fromWarps = combine(warpPrefix, prefix);
      prefix = {select(firstLane, warpPrefix.gate, fromWarps.gate),
                select(firstLane, warpPrefix.state, fromWarps.state),
                select(firstLane, warpPrefix.started, fromWarps.started)};
      next.append({stepTotal.gate, stepTotal.state, stepTotal.started});
      carried = carried.drop_front(3);
    }

    // Complete states and gate prefixes of the lane's positions.
    SmallVector<Value> v(elems), g(elems);
    for (int64_t i = 0; i < elems; ++i) {
      Triple full = combine(prefix, local[i]);
      v[i] = full.state;
      g[i] = full.gate;
    }

    // K = inf: init is the carry of the one segment; it enters through the
    // gate of the first position (a_0, or the unit gate a_N backwards).
    if (exact && spec.init)
      for (int64_t i = 0; i < elems; ++i)
        v[i] = fadd(v[i], fmul(g[i], h0));

    if (hops > 0) {
      Value carry, hasCarry;
      SmallVector<Value> nextTiles = exchangeTileTerminals(
          parity, base, qb, v.back(), g.back(), carried, carry, hasCarry);
      for (int64_t i = 0; i < elems; ++i)
        v[i] = select(hasCarry, fadd(v[i], fmul(g[i], carry)), v[i]);
      next.append(nextTiles);
    }

    storeLane(qb, lo, q, pos, v);
    return next;
  }

  /// Whether scan-order position `q` (element `i` of its lane) starts a
  /// segment: a tile start, or the first position of the sequence.
  Value isSegmentStart(Value q, int64_t i) {
    using P = arith::CmpIPredicate;
    Value first = cmp(P::eq, q, pad);
    if (exact)
      return first;
    if (i != 0) // Tiles are whole lanes: only element 0 can start one.
      return first;
    Value tileStart =
        cmp(P::eq, arith::RemUIOp::create(b, q, idx(tile)), idx(0));
    return either(first, tileStart);
  }

  Triple shuffleUp(Triple t, int32_t offset) {
    auto shuffle = [&](Value v) -> Value {
      return gpu::ShuffleOp::create(b, v, offset, kWarpSize,
                                    gpu::ShuffleMode::UP)
          .getShuffleResult();
    };
    Value started = arith::ExtUIOp::create(b, b.getI32Type(), t.started);
    Value back = shuffle(started);
    return {shuffle(t.gate), shuffle(t.state),
            arith::TruncIOp::create(b, b.getI1Type(), back)};
  }

  Value smemSlot(Value parity, int64_t region, Value index) {
    // Layout: [parity][warp totals: 3 * W][tile terminals: 2 * tiles].
    int64_t perParity = (crossWarp ? 3 * warps : 0) + 2 * tilesPerStep;
    return add(mul(parity, idx(perParity)), add(idx(region), index));
  }

  /// Publishes the warp's total, and returns the total of the step (folded
  /// onto `open`, the segment still open from the previous step); sets
  /// `warpPrefix` to everything before this warp.
  Triple exchangeWarpTotals(Value parity, Triple open, Triple laneTotal,
                            Triple &warpPrefix) {
    using P = arith::CmpIPredicate;
    Value lastLane = cmp(P::eq, laneId, idx(kWarpSize - 1));
    Value slot = smemSlot(parity, 0, mul(warpId, idx(3)));
    scf::IfOp::create(b, lastLane, [&](OpBuilder &, Location) {
      memref::StoreOp::create(b, laneTotal.gate, smem, slot);
      memref::StoreOp::create(b, laneTotal.state, smem, add(slot, idx(1)));
      Value started =
          arith::UIToFPOp::create(b, b.getF32Type(), laneTotal.started);
      memref::StoreOp::create(b, started, smem, add(slot, idx(2)));
      scf::YieldOp::create(b);
    });
    gpu::BarrierOp::create(b);
    Triple acc = open;
    warpPrefix = open;
    for (int64_t w = 0; w < warps; ++w) {
      Value at = smemSlot(parity, 0, idx(3 * w));
      Triple t{memref::LoadOp::create(b, smem, at),
               memref::LoadOp::create(b, smem, add(at, idx(1))),
               arith::CmpFOp::create(
                   b, arith::CmpFPredicate::ONE,
                   memref::LoadOp::create(b, smem, add(at, idx(2))), f32(0))};
      Value before = cmp(P::ult, idx(w), warpId);
      acc = combine(acc, t);
      Triple upTo = combine(warpPrefix, t);
      warpPrefix = {select(before, upTo.gate, warpPrefix.gate),
                    select(before, upTo.state, warpPrefix.state),
                    select(before, upTo.started, warpPrefix.started)};
    }
    return acc;
  }

  /// Publishes the terminals (gate product, state) of the tiles that end in
  /// this lane, and computes the carry into the lane's tile from the K tiles
  /// before it (`previous`: the last K terminals of earlier steps, most
  /// recent first). Returns the last K terminals after this step.
  SmallVector<Value> exchangeTileTerminals(Value parity, Value base, Value qb,
                                           Value lastState, Value lastGate,
                                           ValueRange previous, Value &carry,
                                           Value &hasCarry) {
    using P = arith::CmpIPredicate;
    Value T = idx(tile);
    Value endsTile =
        cmp(P::eq, arith::RemUIOp::create(b, add(qb, idx(elems)), T), idx(0));
    Value baseTile = arith::DivUIOp::create(b, base, T);
    Value myTile = arith::DivUIOp::create(b, qb, T);
    Value local = sub(myTile, baseTile);
    int64_t region = crossWarp ? 3 * warps : 0;
    scf::IfOp::create(b, endsTile, [&](OpBuilder &, Location) {
      Value slot = smemSlot(parity, region, mul(local, idx(2)));
      memref::StoreOp::create(b, lastGate, smem, slot);
      memref::StoreOp::create(b, lastState, smem, add(slot, idx(1)));
      scf::YieldOp::create(b);
    });
    gpu::BarrierOp::create(b);

    // Terminal of tile `baseTile - k` (k >= 1) from registers, or of tile
    // `baseTile + j` from shared memory.
    auto fromShared = [&](Value j) -> std::pair<Value, Value> {
      Value slot = smemSlot(parity, region, mul(j, idx(2)));
      return {memref::LoadOp::create(b, smem, slot),
              memref::LoadOp::create(b, smem, add(slot, idx(1)))};
    };
    // The walk's first tile: tiles before it do not exist (or are init).
    Value walkTile = arith::DivUIOp::create(b, walkStart, T);
    carry = f32(0);
    hasCarry = boolean(false);
    for (int64_t i = hops; i >= 1; --i) {
      // Tile myTile - i, at offset local - i in this step.
      Value j = sub(local, idx(i));
      Value inStep = cmp(P::sge, j, idx(0));
      Value tileIdx = sub(myTile, idx(i));
      // From registers: k = -j = baseTile - tileIdx in [1, K].
      Value gReg = f32(1), vReg = f32(0);
      for (int64_t k = 1; k <= hops; ++k) {
        Value isK = cmp(P::eq, j, idx(-k));
        gReg = select(isK, previous[2 * (k - 1)], gReg);
        vReg = select(isK, previous[2 * (k - 1) + 1], vReg);
      }
      Value jClamped = select(inStep, j, idx(0));
      auto [gSm, vSm] = fromShared(jClamped);
      Value tg = select(inStep, gSm, gReg);
      Value tv = select(inStep, vSm, vReg);
      // Exists: inside the walk (tile >= walkTile, hence >= 0) or init
      // (tile -1).
      Value exists = cmp(P::sge, tileIdx, walkTile);
      if (spec.init) {
        Value isInit = cmp(P::eq, tileIdx, idx(-1));
        tv = select(isInit, h0, tv);
        exists = either(exists, isInit);
      }
      Value folded = fadd(fmul(tg, carry), tv);
      Value updated = select(hasCarry, folded, tv);
      carry = select(exists, updated, carry);
      hasCarry = either(hasCarry, exists);
    }

    // The last K terminals after this step, most recent first.
    SmallVector<Value> next;
    for (int64_t k = 1; k <= hops; ++k) {
      if (k <= tilesPerStep) {
        auto [gk, vk] = fromShared(idx(tilesPerStep - k));
        next.append({gk, vk});
      } else {
        next.append({previous[2 * (k - tilesPerStep - 1)],
                     previous[2 * (k - tilesPerStep - 1) + 1]});
      }
    }
    return next;
  }

  /// Stores the lane's states that fall in [writeStart, chunkEnd): one
  /// vector store when the whole lane does and the layout allows it.
  void storeLane(Value qb, Value lo, ArrayRef<Value> q, ArrayRef<Value> pos,
                 ArrayRef<Value> v) {
    using P = arith::CmpIPredicate;
    Type yType = elementTypeOf(spec.output);
    auto narrow = [&](Value f) -> Value {
      if (yType.isF32())
        return f;
      return arith::TruncFOp::create(b, yType, f);
    };
    auto storeElements = [&]() {
      for (int64_t i = 0; i < elems; ++i) {
        Value writes =
            both(cmp(P::sge, q[i], writeStart), cmp(P::slt, q[i], chunkEnd));
        scf::IfOp::create(b, writes, [&](OpBuilder &, Location) {
          memref::StoreOp::create(b, narrow(v[i]), spec.output,
                                  indicesAt(spec.output, pos[i]));
          scf::YieldOp::create(b);
        });
      }
    };
    if (!vectorizable)
      return storeElements();
    Value full =
        both(vectorOk, both(cmp(P::sge, qb, writeStart),
                            cmp(P::sle, add(qb, idx(elems)), chunkEnd)));
    scf::IfOp::create(
        b, full,
        [&](OpBuilder &, Location) {
          SmallVector<Value> ordered(elems);
          for (int64_t i = 0; i < elems; ++i)
            ordered[forward ? i : elems - 1 - i] = narrow(v[i]);
          Value vec = vector::FromElementsOp::create(
              b, VectorType::get({elems}, yType), ordered);
          vector::StoreOp::create(b, vec, spec.output,
                                  indicesAt(spec.output, lo),
                                  /*nontemporal=*/false, llvm::MaybeAlign(16));
          scf::YieldOp::create(b);
        },
        [&](OpBuilder &, Location) {
          storeElements();
          scf::YieldOp::create(b);
        });
  }

  ImplicitLocOpBuilder &b;
  ScanSpec spec;
  int64_t warps;
  bool forward, exact;
  int64_t hops, tile;
  int64_t elems, span, rounds, tilesPerStep, chunk;
  bool crossWarp, vectorizable;
  // Host values.
  Value n, heads, channels, length, pad, chunkLen, chunks, grid, vectorOk;
  // Kernel values.
  Value smem, laneId, warpId, bIdx, hIdx, dIdx, chunkStart, chunkEnd,
      writeStart, walkStart, laneOffset, h0;
};

} // namespace

//===----------------------------------------------------------------------===//
// Matching the decomposed form
//===----------------------------------------------------------------------===//

/// The op among `buffer`'s users of type `OpTy` that writes it through
/// `written`, if any.
template <typename OpTy>
static OpTy writerOf(Value buffer, function_ref<Value(OpTy)> written) {
  for (Operation *user : buffer.getUsers())
    if (auto op = dyn_cast<OpTy>(user); op && written(op) == buffer)
      return op;
  return nullptr;
}

/// Whether `buffer` is a scratch `memref.alloc` whose only users are `ops`
/// and deallocations.
static bool isScratch(Value buffer, ArrayRef<Operation *> ops) {
  if (!buffer.getDefiningOp<memref::AllocOp>())
    return false;
  return llvm::all_of(buffer.getUsers(), [&](Operation *user) {
    return isa<memref::DeallocOp>(user) || llvm::is_contained(ops, user);
  });
}

namespace {
/// A scan in decomposed form: the ops to replace and what they compute.
struct Fusion {
  ScanSpec spec;
  SmallVector<Operation *> ops;
  SmallVector<Value> scratch;
};
} // namespace

/// Recognizes the form swr-decompose produces: a lone `swr.tile_scan` that
/// writes the output (no carry), or tile_scan -> tile_carry -> tile_apply
/// communicating through scratch buffers.
static FailureOr<Fusion> matchDecomposed(Operation *root) {
  Fusion f;
  if (auto scan = dyn_cast<TileScanOp>(root)) {
    if (scan.getPrefixes())
      return failure();
    f.spec = {static_cast<int64_t>(scan.getTile()),
              0,
              scan.getReverse(),
              scan.getGates(),
              scan.getInput(),
              Value(),
              scan.getStates()};
    f.ops = {scan};
    return f;
  }
  auto apply = dyn_cast<TileApplyOp>(root);
  if (!apply)
    return failure();
  auto scan = writerOf<TileScanOp>(
      apply.getStates(), [](TileScanOp op) { return op.getStates(); });
  auto carry = writerOf<TileCarryOp>(
      apply.getCarries(), [](TileCarryOp op) { return op.getCarries(); });
  if (!scan || !carry || scan.getPrefixes() != apply.getPrefixes() ||
      carry.getStates() != apply.getStates() ||
      carry.getPrefixes() != apply.getPrefixes() ||
      scan.getTile() != apply.getTile() ||
      carry.getWindow().getTile() != static_cast<int64_t>(apply.getTile()) ||
      scan.getReverse() != apply.getReverse() ||
      carry.getReverse() != apply.getReverse() ||
      apply.getWithInit() != (carry.getInit() != nullptr))
    return failure();
  f.ops = {scan, carry, apply};
  f.scratch = {apply.getStates(), apply.getPrefixes(), apply.getCarries()};
  if (!llvm::all_of(f.scratch,
                    [&](Value buffer) { return isScratch(buffer, f.ops); }))
    return failure();
  f.spec = {static_cast<int64_t>(apply.getTile()),
            carry.getWindow().getHops(),
            apply.getReverse(),
            scan.getGates(),
            scan.getInput(),
            carry.getInit(),
            apply.getOutput()};
  return f;
}

namespace {
struct ConvertSwrToGPUPass
    : public swr::impl::ConvertSwrToGPUBase<ConvertSwrToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (warpsPerBlock < 1 || warpsPerBlock > 32 || stepsPerBlock < 1) {
      getOperation()->emitError("convert-swr-to-gpu: warps-per-block must be "
                                "in [1, 32] and steps-per-block at least 1");
      return signalPassFailure();
    }
    // Roots: tile_apply (the fused triple) and lone tile_scans; anything
    // else of the dialect left over is an error.
    SmallVector<Operation *> roots;
    getOperation()->walk([&](Operation *op) {
      if (isa<TileApplyOp>(op) ||
          (isa<TileScanOp>(op) && !cast<TileScanOp>(op).getPrefixes()))
        roots.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *root : roots) {
      FailureOr<Fusion> fusion = matchDecomposed(root);
      if (failed(fusion)) {
        root->emitOpError("is not part of the form swr-decompose produces "
                          "(tile_scan, tile_carry and tile_apply on scratch "
                          "buffers), which convert-swr-to-gpu maps to one "
                          "kernel");
        return signalPassFailure();
      }
      ImplicitLocOpBuilder b(root->getLoc(), rewriter);
      b.setInsertionPoint(root);
      ScanKernelBuilder kernel(b, fusion->spec, warpsPerBlock, stepsPerBlock);
      std::string reason = kernel.unsupportedReason();
      if (!reason.empty()) {
        root->emitOpError(reason);
        return signalPassFailure();
      }
      kernel.emit();
      for (Operation *op : llvm::reverse(fusion->ops))
        rewriter.eraseOp(op);
      for (Value buffer : fusion->scratch) {
        for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
          rewriter.eraseOp(user);
        rewriter.eraseOp(buffer.getDefiningOp());
      }
    }

    WalkResult leftover = getOperation()->walk([&](Operation *op) {
      if (!isa<SwrDialect>(op->getDialect()))
        return WalkResult::advance();
      if (isa<ScanOp>(op))
        op->emitOpError("must be decomposed (swr-decompose, after "
                        "bufferization) before convert-swr-to-gpu");
      else
        op->emitOpError("is not part of the form swr-decompose produces, "
                        "which convert-swr-to-gpu maps to one kernel");
      return WalkResult::interrupt();
    });
    if (leftover.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace

namespace {
struct SwrHostAllocsToGPUPass
    : public swr::impl::SwrHostAllocsToGPUBase<SwrHostAllocsToGPUPass> {
  void runOnOperation() override {
    SmallVector<Operation *> allocs;
    getOperation()->walk([&](Operation *op) {
      if (!isa<memref::AllocOp, memref::DeallocOp>(op) ||
          op->getParentOfType<gpu::GPUModuleOp>() ||
          op->getParentOfType<gpu::LaunchOp>())
        return;
      allocs.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : allocs) {
      rewriter.setInsertionPoint(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        auto gpuAlloc = gpu::AllocOp::create(
            rewriter, op->getLoc(), alloc.getType(), /*asyncToken=*/Type(),
            /*asyncDependencies=*/ValueRange{}, alloc.getDynamicSizes(),
            alloc.getSymbolOperands(), /*hostShared=*/true);
        rewriter.replaceOp(op, gpuAlloc.getMemref());
        continue;
      }
      auto dealloc = cast<memref::DeallocOp>(op);
      gpu::DeallocOp::create(rewriter, op->getLoc(), /*asyncToken=*/Type(),
                             /*asyncDependencies=*/ValueRange{},
                             dealloc.getMemref());
      rewriter.eraseOp(op);
    }
  }
};
} // namespace
