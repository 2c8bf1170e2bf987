//===- SwrToGPU.cpp - the decomposed form to one GPU kernel ---------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Fuses the tile-level ops that swr-decompose produces (tile_scan,
// tile_carry, tile_apply, and their scratch buffers) into one `gpu.launch`
// whose states, gate prefixes and carries never leave registers. Mapping
// (see docs in Passes.td):
//
// - for finite K each warp walks one chunk of one sequence (b, h, d) on its
//   own: no shared memory, no barrier. Chunks are independent: the K tiles
//   before a chunk are recomputed by the warp (warm-up), never waited for.
//   For K = inf a block of `warps-per-sequence` warps owns a sequence: each
//   block step is that many warp steps, whose totals the warps exchange
//   through workgroup memory with one barrier per step.
// - the warp walks its chunk in steps of 32 * E positions: lane l holds E
//   consecutive positions, loaded and stored with 16-byte vector accesses
//   when the layout and alignment allow (checked at run time). The walk is
//   unrolled `prefetch-steps` times and each step refills its own load
//   registers with the loads of the step `prefetch-steps` later.
// - inside a lane the recurrence runs sequentially; the T / E lanes of a
//   tile combine (gate product, state) pairs with log2(T / E) shfl.up
//   rounds that never cross a tile. Tiles longer than a step (and K = inf)
//   scan the whole warp and carry the open segment from step to step.
// - each tile's rank-1 carry over K hops is built from the terminals
//   (G, V) of the tiles before it with indexed shuffles; the step's first
//   tile uses what the same shuffles returned to it in the previous step.
//
// Everything works in scan order: a reverse scan reads each lane's positions
// mirrored, and its sequence is padded at the front to whole tiles so that
// tiles stay aligned to lanes. Padding is loaded as x = 0, a = 1 and never
// stored.
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

/// The knobs of the mapping (the pass options).
struct Mapping {
  int64_t warpsPerBlock, warpsPerSequence, vectorsPerLane, prefetchSteps,
      minChunkSteps, targetWarps;
};

/// A scan element: the product of the gates since its segment started, and
/// the state.
struct Pair {
  Value gate, state;
};

constexpr int64_t kWarpSize = 32;
/// The most warps per sequence that the exact scan picks by itself.
constexpr int64_t kMaxAutoTeam = 4;
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
                    const Mapping &mapping)
      : b(b), spec(spec), mapping(mapping), forward(!spec.reverse),
        exact(spec.hops == WindowAttr::kInfiniteHops),
        hops(exact ? 0 : spec.hops), tile(spec.tile) {
    int64_t minBytes = std::min(
        {byteWidth(spec.input), byteWidth(spec.output), byteWidth(spec.gates)});
    // A lane holds `vectors-per-lane` 16-byte vectors of the narrowest
    // type, fewer if a tile is shorter; by default (0) two for the exact
    // scan, whose five shuffle rounds per step they amortize (measured:
    // bench/NOTES.md, v6), one otherwise.
    vectorElems = 16 / minBytes;
    int64_t vectors = mapping.vectorsPerLane;
    if (vectors == 0)
      vectors = exact ? 2 : 1;
    if (!exact)
      vectors =
          std::max<int64_t>(1, std::min<int64_t>(vectors, tile / vectorElems));
    elems = vectors * vectorElems;
    span = kWarpSize * elems;
    // The exact scan may walk each sequence with a team of warps (a block):
    // a block step is `team` consecutive warp steps.
    team = exact ? teamSize() : 1;
    stride = team * span;
    // A block holds `warps-per-block` lone warps, or one team.
    itemsPerBlock = team > 1 ? 1 : mapping.warpsPerBlock;
    // Tiles that fit in a step are scanned by groups of T / E lanes; longer
    // tiles and the exact scan by the whole warp, with the state of the
    // segment still open carried from step to step.
    tileInStep = !exact && tile <= span;
    lanesPerTile = tileInStep ? tile / elems : kWarpSize;
    vectorizable = hasUnitInnerStride(spec.input) &&
                   hasUnitInnerStride(spec.output) &&
                   hasUnitInnerStride(spec.gates);
  }

  /// Warps per sequence for the exact scan: `warps-per-sequence`, or by
  /// default (0) the most, up to 4, that leave every warp at least
  /// `min-chunk-steps` steps of a sequence of static length (measured:
  /// bench/NOTES.md, v8); one for dynamic lengths.
  int64_t teamSize() const {
    if (mapping.warpsPerSequence > 0)
      return mapping.warpsPerSequence;
    int64_t n = cast<MemRefType>(spec.input.getType()).getDimSize(3);
    int64_t size = 1;
    if (ShapedType::isDynamic(n))
      return size;
    while (size < kMaxAutoTeam && n >= 2 * size * span * mapping.minChunkSteps)
      size *= 2;
    return size;
  }

  /// Why the scan cannot run on the GPU, or an empty string.
  std::string unsupportedReason() const {
    if (exact)
      return "";
    if (!llvm::isPowerOf2_64(tile) || tile < vectorElems)
      return llvm::formatv("tile {0} is not supported on the GPU: it must be "
                           "a power of two of at least {1} for these element "
                           "types (or use hops = inf)",
                           tile, vectorElems)
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
    Value any = cmp(arith::CmpIPredicate::sgt, grid, idx(0));
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
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, c, x, y);
  }
  Pair select(Value c, Pair x, Pair y) {
    return {select(c, x.gate, y.gate), select(c, x.state, y.state)};
  }
  // A multiply feeding an add may fuse into one FMA (one rounding instead
  // of two, and half the instructions).
  Value fadd(Value x, Value y) {
    return arith::AddFOp::create(b, x, y, arith::FastMathFlags::contract);
  }
  Value fmul(Value x, Value y) {
    return arith::MulFOp::create(b, x, y, arith::FastMathFlags::contract);
  }
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

  /// `right` after `left` in scan order.
  Pair combine(Pair left, Pair right) {
    return {fmul(right.gate, left.gate),
            fadd(right.state, fmul(right.gate, left.state))};
  }
  Pair identity() { return {f32(1), f32(0)}; }

  Value shuffle(Value v, Value offset, gpu::ShuffleMode mode) {
    return gpu::ShuffleOp::create(b, v, offset, i32(kWarpSize), mode)
        .getShuffleResult();
  }
  Pair shuffle(Pair p, Value offset, gpu::ShuffleMode mode) {
    return {shuffle(p.gate, offset, mode), shuffle(p.state, offset, mode)};
  }

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
      length = mul(ceilDiv(n, unit), unit);
      pad = sub(length, n);
    }
    if (exact) {
      chunkLen = length;
      chunks = minu(length, idx(1));
    } else {
      // Split sequences until there are `target-warps` warps, keeping at
      // least `min-chunk-steps` steps per chunk; then balance the chunks.
      // When tiles fit in a step, a chunk and its warm-up (the K tiles
      // before it) are a whole number of steps; longer tiles round chunks
      // up to whole tiles.
      Value wanted = ceilDiv(idx(mapping.targetWarps), maxu(rows, idx(1)));
      Value most =
          maxu(divu(length, idx(mapping.minChunkSteps * span)), idx(1));
      Value balanced = ceilDiv(length, minu(wanted, most));
      if (tileInStep) {
        Value warmup = idx(hops * tile);
        chunkLen = sub(
            mul(ceilDiv(add(balanced, warmup), idx(span)), idx(span)), warmup);
      } else {
        chunkLen =
            maxu(mul(ceilDiv(balanced, idx(tile)), idx(tile)), idx(tile));
      }
      chunks = ceilDiv(length, chunkLen);
    }
    items = mul(rows, chunks);
    grid = ceilDiv(items, idx(itemsPerBlock));
    vectorOk = arith::ConstantIntOp::create(b, 0, 1);
    if (vectorizable) {
      vectorOk = arith::ConstantIntOp::create(b, 1, 1);
      for (Value memref : {spec.input, spec.output, spec.gates})
        vectorOk = both(vectorOk, isAligned(memref));
    }
  }

  /// Whether every sequence of `memref` starts on a 16-byte boundary.
  Value isAligned(Value memref) {
    auto meta = memref::ExtractStridedMetadataOp::create(b, memref);
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
    Value bytes = idx(byteWidth(memref));
    Value ok =
        cmp(arith::CmpIPredicate::eq,
            remu(add(base, mul(meta.getOffset(), bytes)), idx(16)), idx(0));
    ValueRange strides = meta.getStrides();
    for (Value stride : strides.drop_back())
      ok = both(ok, cmp(arith::CmpIPredicate::eq,
                        remu(mul(stride, bytes), idx(16)), idx(0)));
    return ok;
  }

  //===--------------------------------------------------------------------===//
  // The kernel
  //===--------------------------------------------------------------------===//

  void emitLaunch() {
    Value one = idx(1);
    // A team exchanges its warps' step totals through workgroup memory:
    // [step parity][warp][gate product, state].
    SmallVector<Type> workgroup;
    if (team > 1)
      workgroup.push_back(MemRefType::get(
          {2, team, 2}, b.getF32Type(), MemRefLayoutAttrInterface(),
          gpu::AddressSpaceAttr::get(b.getContext(),
                                     gpu::AddressSpace::Workgroup)));
    auto launch = gpu::LaunchOp::create(
        b, grid, one, one, idx(itemsPerBlock * team * kWarpSize), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange(), workgroup);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value threadId = launch.getThreadIds().x;
    laneId = remu(threadId, idx(kWarpSize));
    Value warp = divu(threadId, idx(kWarpSize));
    warpInTeam = remu(warp, idx(team));
    Value item = add(mul(launch.getBlockIds().x, idx(itemsPerBlock)),
                     divu(warp, idx(team)));
    if (team > 1)
      teamMemory = launch.getWorkgroupAttributions().front();
    // The last block may have warps without a chunk; they do nothing.
    scf::IfOp::create(b, cmp(arith::CmpIPredicate::ult, item, items),
                      [&](OpBuilder &, Location) {
                        emitWarp(item);
                        scf::YieldOp::create(b);
                      });
    gpu::TerminatorOp::create(b);
  }

  /// The walk of one warp over its chunk of one sequence.
  void emitWarp(Value item) {
    using P = arith::CmpIPredicate;
    Value row = divu(item, chunks);
    Value chunkId = remu(item, chunks);
    dIdx = remu(row, channels);
    Value bh = divu(row, channels);
    hIdx = remu(bh, heads);
    bIdx = divu(bh, heads);

    chunkStart = mul(chunkId, chunkLen);
    chunkEnd = minu(add(chunkStart, chunkLen), length);
    // Finite windows recompute the K tiles before the chunk (the warm-up).
    walkStart = chunkStart;
    if (hops > 0) {
      Value warm = sub(chunkStart, idx(hops * tile));
      walkStart = select(cmp(P::slt, warm, idx(0)), idx(0), warm);
    }
    writeStart = maxu(chunkStart, pad);
    Value steps = ceilDiv(sub(chunkEnd, walkStart), idx(stride));
    laneOffset = add(mul(warpInTeam, idx(span)), mul(laneId, idx(elems)));
    Value h0;
    if (spec.init)
      h0 = widen(
          memref::LoadOp::create(b, spec.init, ValueRange{bIdx, hIdx, dIdx}));
    // Init is the terminal state of tile -1: it matters only to a walk that
    // starts at the sequence start.
    Value initTerminal = f32(0);
    if (spec.init)
      initTerminal = select(cmp(P::eq, walkStart, idx(0)), h0, f32(0));

    // Loop-carried values: the raw loads of the next `prefetch-steps` steps,
    // then the state between steps (see emitStep).
    SmallVector<Value> inits;
    for (int64_t d = 0; d < mapping.prefetchSteps; ++d)
      llvm::append_range(inits, loadStep(add(walkStart, idx(d * stride))));
    numRaw = inits.size() / mapping.prefetchSteps;
    if (!tileInStep) {
      // The open segment: nothing, or init for the exact scan. (Its gate
      // product matters only to carries.)
      if (hops > 0)
        inits.push_back(f32(1));
      inits.push_back(exact && spec.init ? h0 : f32(0));
      // Carries into the current tile, over 1 to K hops.
      for (int64_t k = 0; k < hops; ++k)
        inits.push_back(initTerminal);
    } else if (hops > 0) {
      // The previous step's last tile: its terminal state, then (K > 1) its
      // terminal gate product and its carries over 1 to K - 1 hops.
      inits.push_back(initTerminal);
      if (hops > 1) {
        inits.push_back(f32(1));
        for (int64_t k = 1; k < hops; ++k)
          inits.push_back(f32(0));
      }
    }

    // The loop is unrolled `prefetch-steps` times so that each step's loads
    // refill the registers it has just consumed (rotating them through
    // loop-carried copies would wait for the loads in flight). Steps past
    // the chunk load and store nothing.
    int64_t depth = mapping.prefetchSteps;
    Value rounds = ceilDiv(steps, idx(depth));
    scf::ForOp::create(b, idx(0), rounds, idx(1), inits,
                       [&](OpBuilder &, Location, Value r, ValueRange iter) {
                         SmallVector<Value> next;
                         ValueRange state = iter.drop_front(depth * numRaw);
                         SmallVector<Value> nextState(state);
                         for (int64_t j = 0; j < depth; ++j) {
                           Value step = add(mul(r, idx(depth)), idx(j));
                           Value base = add(walkStart, mul(step, idx(stride)));
                           nextState = emitStep(step, base,
                                                iter.slice(j * numRaw, numRaw),
                                                nextState, next);
                         }
                         llvm::append_range(next, nextState);
                         scf::YieldOp::create(b, next);
                       });
  }

  /// Issues the loads of the lane for the step starting at `base`, without
  /// using them: the input and gate vectors (E positions in memory order)
  /// and, backwards, the gate after them. Vector loads when the whole lane
  /// is inside the chunk and the layout allows it; element loads at clamped
  /// positions for a partial lane, with padding made neutral (x = 0, a = 1);
  /// nothing beyond the chunk.
  SmallVector<Value> loadStep(Value base) {
    using P = arith::CmpIPredicate;
    Value qb = add(base, laneOffset);
    Value lo = forward ? qb : sub(sub(length, qb), idx(elems));
    Type xElem = elementTypeOf(spec.input), aElem = elementTypeOf(spec.gates);
    auto xType = VectorType::get({elems}, xElem);
    auto aType = VectorType::get({elems}, aElem);
    SmallVector<Type> types = {xType, aType};
    if (!forward)
      types.push_back(aElem);
    Value nMinusOne = sub(n, idx(1));
    auto clamp = [&](Value p) {
      Value low = select(cmp(P::slt, p, idx(0)), idx(0), p);
      return select(cmp(P::sgt, low, nMinusOne), nMinusOne, low);
    };
    // Backwards, the gate linking position p to p + 1 is a_{p+1}; beyond
    // the sequence it is the unit gate.
    auto gateAfter = [&]() -> Value {
      Value p = add(lo, idx(elems));
      Value a = memref::LoadOp::create(b, spec.gates,
                                       indicesAt(spec.gates, clamp(p)));
      return select(cmp(P::slt, p, n), a, constant(aElem, 1));
    };
    auto vectorLoads = [&]() {
      auto load = [&](Value memref, VectorType type) -> Value {
        return vector::LoadOp::create(b, type, memref, indicesAt(memref, lo),
                                      /*nontemporal=*/false,
                                      llvm::MaybeAlign(16));
      };
      SmallVector<Value> raw = {load(spec.input, xType),
                                load(spec.gates, aType)};
      if (!forward)
        raw.push_back(gateAfter());
      scf::YieldOp::create(b, raw);
    };
    auto elementLoads = [&]() {
      SmallVector<Value> xs, as;
      for (int64_t k = 0; k < elems; ++k) {
        Value p = add(lo, idx(k));
        Value x = memref::LoadOp::create(b, spec.input,
                                         indicesAt(spec.input, clamp(p)));
        Value a = memref::LoadOp::create(b, spec.gates,
                                         indicesAt(spec.gates, clamp(p)));
        if (!forward) {
          // Positions past the end are the padding at the front in scan
          // order. (Forward, positions past the end come last and are never
          // used.)
          Value inside = cmp(P::slt, p, n);
          x = select(inside, x, constant(xElem, 0));
          a = select(inside, a, constant(aElem, 1));
        }
        xs.push_back(x);
        as.push_back(a);
      }
      SmallVector<Value> raw = {vector::FromElementsOp::create(b, xType, xs),
                                vector::FromElementsOp::create(b, aType, as)};
      if (!forward)
        raw.push_back(gateAfter());
      scf::YieldOp::create(b, raw);
    };
    auto nothing = [&]() {
      SmallVector<Value> raw;
      for (Type type : types)
        raw.push_back(
            arith::ConstantOp::create(b, cast<TypedAttr>(b.getZeroAttr(type))));
      scf::YieldOp::create(b, raw);
    };

    // Element loads for a lane inside the chunk, nothing beyond it.
    Value live = cmp(P::ult, qb, chunkEnd);
    auto elementsOrNothing = [&]() -> SmallVector<Value> {
      auto ifOp = scf::IfOp::create(
          b, live, [&](OpBuilder &, Location) { elementLoads(); },
          [&](OpBuilder &, Location) { nothing(); });
      return SmallVector<Value>(ifOp.getResults());
    };
    if (!vectorizable)
      return elementsOrNothing();
    Value full =
        both(vectorOk, both(cmp(P::sge, qb, pad),
                            cmp(P::ule, add(qb, idx(elems)), chunkEnd)));
    auto ifOp = scf::IfOp::create(
        b, full, [&](OpBuilder &, Location) { vectorLoads(); },
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, elementsOrNothing());
        });
    return SmallVector<Value>(ifOp.getResults());
  }

  /// Step `step` of the walk, at `base`: consumes `raw`, the loads of this
  /// step, appends to `nextRaw` the loads of the step `prefetch-steps`
  /// later, and returns the state after this step from `state`, the state
  /// before it.
  SmallVector<Value> emitStep(Value step, Value base, ValueRange raw,
                              ValueRange state,
                              SmallVectorImpl<Value> &nextRaw) {
    using P = arith::CmpIPredicate;
    Value qb = add(base, laneOffset);
    Value lo = forward ? qb : sub(sub(length, qb), idx(elems));

    // This step's inputs in scan order, widened to f32.
    Value xs = widen(raw[0]), as = widen(raw[1]);
    SmallVector<Value> x(elems), gate(elems);
    for (int64_t i = 0; i < elems; ++i) {
      int64_t k = forward ? i : elems - 1 - i;
      x[i] = vector::ExtractOp::create(b, xs, k);
      gate[i] = forward || i != 0
                    ? vector::ExtractOp::create(b, as, forward ? k : k + 1)
                    : widen(raw[2]);
    }
    // The scan inside the lane: local[i] = (gate product, state) from the
    // lane's first position.
    SmallVector<Pair> local(elems);
    for (int64_t i = 0; i < elems; ++i)
      local[i] =
          i == 0 ? Pair{gate[0], x[0]} : combine(local[i - 1], {gate[i], x[i]});

    // Lanes: an inclusive scan of the lane totals within each segment (a
    // tile of T / E lanes, or the whole warp), then each lane's exclusive
    // prefix.
    Value u = tileInStep ? remu(laneId, idx(lanesPerTile)) : laneId;
    Pair total = local.back();
    for (int64_t offset = 1; offset < lanesPerTile; offset *= 2) {
      Pair from = shuffle(total, i32(offset), gpu::ShuffleMode::UP);
      total = select(cmp(P::uge, u, idx(offset)), combine(from, total), total);
    }
    std::optional<Pair> prefix;
    if (lanesPerTile > 1) {
      Pair before = shuffle(total, i32(1), gpu::ShuffleMode::UP);
      prefix = select(cmp(P::eq, u, idx(0)), identity(), before);
    }

    SmallVector<Value> nextState;
    if (!tileInStep) {
      // The segment open before this step (reset where a tile starts), and
      // after it.
      Pair open = {hops > 0 ? state.front() : f32(1), state[hops > 0]};
      state = state.drop_front(hops > 0 ? 2 : 1);
      if (!exact)
        open =
            select(cmp(P::eq, remu(base, idx(tile)), idx(0)), identity(), open);
      Pair warpTotal =
          shuffle(total, i32(kWarpSize - 1), gpu::ShuffleMode::IDX);
      Pair after = combine(open, warpTotal);
      if (team > 1)
        std::tie(open, after) = passAcrossTeam(step, open, warpTotal);
      prefix = combine(open, *prefix);
      if (hops > 0)
        nextState.push_back(after.gate);
      nextState.push_back(after.state);
      if (hops > 0)
        llvm::append_range(nextState, carriesAcrossSteps(base, after, state));
    }
    // The carry over K hops into the lane's tile, from the terminals of the
    // tiles before it.
    Value carry;
    if (hops > 0) {
      Pair terminal = prefix ? combine(*prefix, local.back()) : local.back();
      carry = tileInStep ? carryWithinStep(terminal, state, nextState)
                         : state[hops - 1];
    }
    // Every position of the lane adds its local gate product times the
    // same state: what comes before the lane in its tile, and the carry
    // through it.
    Value before;
    if (prefix)
      before = carry ? fadd(prefix->state, fmul(prefix->gate, carry))
                     : prefix->state;
    else
      before = carry;
    SmallVector<Value> v(elems);
    for (int64_t i = 0; i < elems; ++i)
      v[i] = before ? fadd(local[i].state, fmul(local[i].gate, before))
                    : local[i].state;

    storeLane(qb, lo, v);
    // Only now, with this step's loads consumed, refill their registers with
    // the loads of the step `prefetch-steps` later, in flight while the
    // steps in between compute. (Issued earlier, they would need the
    // registers of this step's loads too, and a copy between the two that
    // waits for the loads.)
    llvm::append_range(
        nextRaw, loadStep(add(base, idx(mapping.prefetchSteps * stride))));
    return nextState;
  }

  /// The exact scan walked by a team: every warp publishes its step total
  /// (with nothing carried in), and after one barrier each combines the
  /// open state with the totals of the warps before it (the segment open
  /// before its positions) and with all of them (the state after the
  /// block step, the same in every warp). Totals alternate between two
  /// slots by step parity, so that a warp ahead by one step never
  /// overwrites a slot another warp is still reading.
  std::pair<Pair, Pair> passAcrossTeam(Value step, Pair open, Pair total) {
    Value slot = remu(step, idx(2));
    auto at = [&](Value warp, int64_t field) -> SmallVector<Value> {
      return {slot, warp, idx(field)};
    };
    Value leader = cmp(arith::CmpIPredicate::eq, laneId, idx(0));
    scf::IfOp::create(b, leader, [&](OpBuilder &, Location) {
      memref::StoreOp::create(b, total.gate, teamMemory, at(warpInTeam, 0));
      memref::StoreOp::create(b, total.state, teamMemory, at(warpInTeam, 1));
      scf::YieldOp::create(b);
    });
    gpu::BarrierOp::create(b);
    Pair before = open, after = open;
    for (int64_t w = 0; w < team; ++w) {
      Pair other = {memref::LoadOp::create(b, teamMemory, at(idx(w), 0)),
                    memref::LoadOp::create(b, teamMemory, at(idx(w), 1))};
      after = combine(after, other);
      if (w + 1 < team)
        before = select(cmp(arith::CmpIPredicate::ugt, warpInTeam, idx(w)),
                        after, before);
    }
    return {before, after};
  }

  /// Tiles that fit in a step: the carry into the lane's tile j over K hops,
  /// C_K(j), where C_1(j) = V(j-1) and C_k(j) = V(j-1) + G(j-1) C_{k-1}(j-1)
  /// for the terminal (G, V) of each tile. Tile j - 1 is found by a shuffle
  /// from its last lane, or, for the step's first tile, in `saved`: what
  /// that shuffle returned to the first tile's lanes in the previous step
  /// (the values of its last lane, wrapped around). Appends the new saved
  /// values to `nextState`.
  Value carryWithinStep(Pair terminal, ValueRange saved,
                        SmallVectorImpl<Value> &nextState) {
    using P = arith::CmpIPredicate;
    Value lane = arith::IndexCastOp::create(b, b.getI32Type(), laneId);
    Value tileStartLane = arith::AndIOp::create(b, lane, i32(-lanesPerTile));
    Value source = arith::AndIOp::create(
        b, arith::SubIOp::create(b, tileStartLane, i32(1)), i32(kWarpSize - 1));
    Value firstTile = cmp(P::ult, laneId, idx(lanesPerTile));
    auto previous = [&](Value v, Value savedV) {
      Value raw = shuffle(v, source, gpu::ShuffleMode::IDX);
      nextState.push_back(raw);
      return select(firstTile, savedV, raw);
    };
    Value state = previous(terminal.state, saved[0]);
    if (hops == 1)
      return state;
    Value gate = previous(terminal.gate, saved[1]);
    Value carry = state;
    for (int64_t k = 2; k <= hops; ++k)
      carry = fadd(state, fmul(gate, previous(carry, saved[k])));
    return carry;
  }

  /// Tiles longer than a step: `carries` are C_1..C_K of the current tile
  /// (uniform over the warp); at the step that ends the tile, `terminal`
  /// folds into those of the next one.
  SmallVector<Value> carriesAcrossSteps(Value base, Pair terminal,
                                        ValueRange carries) {
    Value ends = cmp(arith::CmpIPredicate::eq,
                     remu(add(base, idx(span)), idx(tile)), idx(0));
    SmallVector<Value> next;
    for (int64_t k = 0; k < hops; ++k) {
      Value folded =
          k == 0 ? terminal.state
                 : fadd(terminal.state, fmul(terminal.gate, carries[k - 1]));
      next.push_back(select(ends, folded, carries[k]));
    }
    return next;
  }

  /// Stores the lane's states that fall in [writeStart, chunkEnd): one
  /// vector store when the whole lane does and the layout allows it.
  void storeLane(Value qb, Value lo, ArrayRef<Value> v) {
    using P = arith::CmpIPredicate;
    Type yType = elementTypeOf(spec.output);
    auto narrow = [&](Value f) -> Value {
      if (yType.isF32())
        return f;
      return arith::TruncFOp::create(b, yType, f);
    };
    auto storeElements = [&]() {
      for (int64_t i = 0; i < elems; ++i) {
        Value q = add(qb, idx(i));
        Value writes =
            both(cmp(P::sge, q, writeStart), cmp(P::slt, q, chunkEnd));
        scf::IfOp::create(b, writes, [&](OpBuilder &, Location) {
          Value pos = add(lo, idx(forward ? i : elems - 1 - i));
          memref::StoreOp::create(b, narrow(v[i]), spec.output,
                                  indicesAt(spec.output, pos));
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
  Mapping mapping;
  bool forward, exact;
  int64_t hops, tile;
  int64_t vectorElems, elems, span, team, stride, itemsPerBlock, lanesPerTile,
      numRaw = 0;
  bool tileInStep, vectorizable;
  // Host values.
  Value n, heads, channels, length, pad, chunkLen, chunks, items, grid,
      vectorOk;
  // Kernel values.
  Value laneId, bIdx, hIdx, dIdx, chunkStart, chunkEnd, writeStart, walkStart,
      laneOffset, warpInTeam, teamMemory;
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
    if (warpsPerBlock < 1 || warpsPerBlock > 32 || warpsPerSequence < 0 ||
        warpsPerSequence > 32 || vectorsPerLane < 0 || vectorsPerLane > 4 ||
        prefetchSteps < 1 || prefetchSteps > 4 || minChunkSteps < 1 ||
        targetWarps < 1) {
      getOperation()->emitError(
          "convert-swr-to-gpu: warps-per-block must be in [1, 32], "
          "warps-per-sequence in [0, 32], "
          "vectors-per-lane in [0, 4], prefetch-steps in [1, 4], "
          "min-chunk-steps and target-warps at least 1");
      return signalPassFailure();
    }
    Mapping mapping{warpsPerBlock, warpsPerSequence, vectorsPerLane,
                    prefetchSteps, minChunkSteps,    targetWarps};
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
      ScanKernelBuilder kernel(b, fusion->spec, mapping);
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
