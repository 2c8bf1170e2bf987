//===- ScanKernel.cpp - one scan as one GPU kernel
//-------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Emits one `gpu.launch` for one scan (its decisions: KernelMapping.cpp)
// whose states, gate prefixes and carries never leave registers:
//
// - for finite K each warp walks one chunk of one sequence (b, h, d) on its
//   own: no shared memory, no barrier. Chunks are independent: the K tiles
//   before a chunk are recomputed by the warp (warm-up), never waited for.
//   For K = inf a block of `warps-per-sequence` warps owns a sequence: each
//   block step is that many warp steps, whose totals the warps exchange
//   through workgroup memory with one barrier per step.
// - "a warp" is a lane group: with channels-per-warp G > 1 the warp's
//   32 / G-lane groups walk G items side by side (shuffles stay within a
//   group; all walk as many steps as the longest). With per-head gates a
//   lane may hold several channels of one head (channels-per-lane): one
//   gate vector, one gate product per position, one state per channel.
// - the warp walks its chunk in steps of lanes * E positions: lane l holds E
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
// - the backward of the exact scan from its output (ScanSpec's backward
//   fields, ExactGradKernel.cpp) is the reverse scan of dy whose steps end
//   with da_k = dx_k * y_{k-1} (y loaded with the step's other operands)
//   and dh0; per-head da is stored by each of a head block's warps into
//   its row of workgroup memory and, after each round's barrier, added up
//   over the rows by every thread, a position each (flushHeadSums).
//
// Everything works in scan order: a reverse scan reads each lane's positions
// mirrored, and its sequence is padded at the front to whole tiles so that
// tiles stay aligned to lanes. Padding is loaded as x = 0, a = 1 and never
// stored.
//
//===----------------------------------------------------------------------===//

// One file of ~750 lines because it is one builder: the host side, the
// launch, the walk and the stages of a step share the kernel's coordinates
// and mapping; splitting them would only move those into a header.
//
// The kernel, as IR (finite window, one warp per chunk):
//
//   scf.if %grid > 0 {
//     gpu.launch blocks(%grid) threads(32 * warps-per-block) {
//       %item = block * items-per-block + warp      // (b, h, d) and chunk
//       scf.if %item < %items {
//         %raw... = loads of the first prefetch-steps steps
//         scf.for %round iter_args(%raw..., %walk-state...) {
//           // unrolled prefetch-steps times, each step in stages:
//           //   load -> lane scan -> warp scan -> [team exchange] ->
//           //   carry -> apply -> store -> prefetch
//         }
//       }
//     }
//   }
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "swr/Conversion/SwrToGPU/KernelMapping.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Utils/Recurrence.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::swr;

namespace {

/// A scan element of the lane's channels (one, or several of one head with
/// per-head gates: channels-per-lane): the product of the gates since its
/// segment started, shared, and one state per channel.
struct Elem {
  Value gate;
  SmallVector<Value, 2> states;
};

/// What a warp carries from one step of its walk to the next, besides the
/// loads in flight, per channel of the lane where it is a state.
/// `values()` and `from()` convert it to and from its loop-carried form.
struct WalkState {
  /// Tiles longer than a step, and the exact scan: the segment still open
  /// after the step (its gate product, kept only when carries need it, and
  /// its states), and the carries into the current tile over 1 to K hops.
  std::optional<Value> openGate;
  SmallVector<Value, 2> openStates;
  SmallVector<SmallVector<Value, 2>> carries;
  /// Tiles within a step, K >= 1: what the carry shuffles returned to the
  /// step's first tile (the values of the previous tile, wrapped around
  /// from the last lane): its terminal states, and for K > 1 its terminal
  /// gate product and its carries over 2 to K hops. The next step's first
  /// tile reads them.
  SmallVector<Value, 2> savedStates;
  std::optional<Value> savedGate;
  SmallVector<SmallVector<Value, 2>> savedCarries;

  SmallVector<Value> values() const {
    SmallVector<Value> out;
    if (openGate)
      out.push_back(*openGate);
    llvm::append_range(out, openStates);
    for (const auto &perChannel : carries)
      llvm::append_range(out, perChannel);
    llvm::append_range(out, savedStates);
    if (savedGate)
      out.push_back(*savedGate);
    for (const auto &perChannel : savedCarries)
      llvm::append_range(out, perChannel);
    return out;
  }

  static WalkState from(ValueRange values, const KernelMapping &m) {
    WalkState s;
    auto take = [&]() {
      Value v = values.front();
      values = values.drop_front();
      return v;
    };
    auto takeChannels = [&]() {
      SmallVector<Value, 2> out;
      for (int64_t c = 0; c < m.channelsPerLane; ++c)
        out.push_back(take());
      return out;
    };
    if (!m.tileInStep) {
      if (m.hops > 0)
        s.openGate = take();
      s.openStates = takeChannels();
      for (int64_t k = 0; k < m.hops; ++k)
        s.carries.push_back(takeChannels());
    } else if (m.hops > 0) {
      s.savedStates = takeChannels();
      if (m.hops > 1) {
        s.savedGate = take();
        for (int64_t k = 2; k <= m.hops; ++k)
          s.savedCarries.push_back(takeChannels());
      }
    }
    assert(values.empty() && "walk state of the wrong size");
    return s;
  }
};

class ScanKernelBuilder : KernelBuilder {
public:
  ScanKernelBuilder(ImplicitLocOpBuilder &b, const ScanSpec &spec,
                    const KernelMapping &m)
      : KernelBuilder(b), spec(spec), m(m) {}

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

  using KernelBuilder::select;
  Elem select(Value c, const Elem &x, const Elem &y) {
    Elem out{select(c, x.gate, y.gate), {}};
    for (auto [xs, ys] : llvm::zip_equal(x.states, y.states))
      out.states.push_back(select(c, xs, ys));
    return out;
  }
  Value widen(Value v) { return widenToF32(b, v); }

  /// Indices of position `pos` of the lane's channel `c` in `memref`, one
  /// of the scan's operands.
  SmallVector<Value, 4> indicesAt(Value memref, Value pos, int64_t c = 0) {
    Layout layout = memref == spec.gates || memref == spec.gateGrad
                        ? Layout::Gates
                    : memref == spec.init || memref == spec.forwardInit ||
                            memref == spec.initGrad
                        ? Layout::State
                        : Layout::Sequence;
    return swr::indicesAt(memref, layout, {bIdx, hIdx, dIdx[c]}, pos);
  }

  /// `right` after `left` in scan order.
  Elem combine(const Elem &left, const Elem &right) {
    Elem out{fmul(right.gate, left.gate), {}};
    for (auto [l, r] : llvm::zip_equal(left.states, right.states))
      out.states.push_back(fadd(r, fmul(right.gate, l)));
    return out;
  }
  Elem identity() {
    return {f32(1), SmallVector<Value, 2>(m.channelsPerLane, f32(0))};
  }

  Value shuffle(Value v, Value offset, gpu::ShuffleMode mode) {
    return gpu::ShuffleOp::create(b, v, offset, i32(kWarpSize), mode)
        .getShuffleResult();
  }
  Elem shuffle(const Elem &e, Value offset, gpu::ShuffleMode mode) {
    Elem out{shuffle(e.gate, offset, mode), {}};
    for (Value state : e.states)
      out.states.push_back(shuffle(state, offset, mode));
    return out;
  }

  //===--------------------------------------------------------------------===//
  // Host side: sizes, the chunking, the vector-access check
  //===--------------------------------------------------------------------===//

  void emitHostSide() {
    n = memref::DimOp::create(b, spec.input, 3);
    heads = memref::DimOp::create(b, spec.input, 1);
    channels = memref::DimOp::create(b, spec.input, 2);
    Value batch = memref::DimOp::create(b, spec.input, 0);
    // A lane walks channelsPerLane channels; their groups are the walkers'
    // rows.
    channelGroups = m.channelsPerLane == 1
                        ? channels
                        : ceilDiv(channels, idx(m.channelsPerLane));
    Value rows = mul(mul(batch, heads), channelGroups);
    // Scan-order length: reverse scans are padded at the front to whole
    // tiles (whole lanes for K = inf) so that tiles start on lanes.
    std::tie(length, pad) =
        scanOrderLength(m.forward, n, m.exact ? m.elems : m.tile);
    if (m.exact) {
      chunkLen = length;
      chunks = minu(length, idx(1));
    } else {
      // Split sequences until there are `target-warps` warps, keeping at
      // least `min-chunk-steps` steps per chunk; then balance the chunks.
      // When tiles fit in a step, a chunk and its warm-up (the K tiles
      // before it) are a whole number of steps; longer tiles round chunks
      // up to whole tiles.
      Value balanced =
          balancedChunk(length, rows, m.targetWarps, m.minChunkSteps * m.span);
      if (m.tileInStep) {
        Value warmup = idx(m.hops * m.tile);
        chunkLen =
            sub(mul(ceilDiv(add(balanced, warmup), idx(m.span)), idx(m.span)),
                warmup);
      } else {
        chunkLen =
            maxu(mul(ceilDiv(balanced, idx(m.tile)), idx(m.tile)), idx(m.tile));
      }
      chunks = ceilDiv(length, chunkLen);
    }
    items = mul(rows, chunks);
    grid = ceilDiv(items, idx(m.itemsPerBlock));
    if (m.headBlocks) {
      // One block per head (the caller checked that its channel groups
      // fit); nothing to do for an empty sequence.
      items = mul(mul(batch, heads), chunks);
      grid = items;
    }
    vectorOk = arith::ConstantIntOp::create(b, 0, 1);
    if (m.vectorizable) {
      vectorOk = arith::ConstantIntOp::create(b, 1, 1);
      for (Value memref : {spec.input, spec.output, spec.gates,
                           spec.savedOutput, spec.gateGrad})
        if (memref)
          vectorOk = both(vectorOk, isAligned(memref));
    }
  }

  Value isAligned(Value memref) { return rowsStartAligned(b, memref); }

  //===--------------------------------------------------------------------===//
  // The kernel
  //===--------------------------------------------------------------------===//

  void emitLaunch() {
    Value one = idx(1);
    // A team exchanges its warps' step totals through workgroup memory:
    // [step parity][warp][gate product, states].
    SmallVector<Type> workgroup;
    auto workgroupType = [&](ArrayRef<int64_t> shape) {
      return MemRefType::get(shape, b.getF32Type(), MemRefLayoutAttrInterface(),
                             gpu::AddressSpaceAttr::get(
                                 b.getContext(), gpu::AddressSpace::Workgroup));
    };
    if (m.team > 1)
      workgroup.push_back(workgroupType({2, m.team, 1 + m.channelsPerLane}));
    // A head block sums its warps' da: [slot][warp][position]
    // (KernelMapping::headSlots).
    if (m.headBlocks)
      workgroup.push_back(
          workgroupType({m.headSlots, m.itemsPerBlock, m.headRowStride}));
    auto launch = gpu::LaunchOp::create(
        b, grid, one, one, idx(m.blockThreads), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange(), workgroup);
    // Finite windows get the host's constants as immediates: measured on
    // the H200, +3 to +8 points of the copy at N = 4096, 0.2 to 1.9 fewer
    // at N = 32768; the exact scan lost with them (bench/NOTES.md, "H200:
    // constants as immediates, per kernel"), but its backward from the
    // output gained 5 to 22 points (H100, session 24's kernel; "Backward
    // from the output").
    if (!m.exact || spec.gateGrad)
      launch->setAttr(kSinkConstantsAttrName, b.getUnitAttr());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value threadId = launch.getThreadIds().x;
    // Lane groups of `lanes` lanes (whole warps unless channels-per-warp >
    // 1) are the walkers; `groupBase` is the warp lane of a group's first.
    laneId = remu(threadId, idx(m.lanes));
    if (m.channelsPerWarp > 1)
      groupBase = arith::IndexCastOp::create(
          b, b.getI32Type(), sub(remu(threadId, idx(kWarpSize)), laneId));
    Value walker = divu(threadId, idx(m.lanes));
    warpInTeam = remu(walker, idx(m.team));
    // A head block's warps share its item, the head.
    Value item = m.headBlocks
                     ? launch.getBlockIds().x
                     : add(mul(launch.getBlockIds().x, idx(m.itemsPerBlock)),
                           divu(walker, idx(m.team)));
    if (m.team > 1)
      teamMemory = launch.getWorkgroupAttributions().front();
    if (m.headBlocks) {
      headMemory = launch.getWorkgroupAttributions().back();
      blockThread = threadId;
      warpInBlock = divu(threadId, idx(kWarpSize));
    }
    if (m.channelsPerWarp > 1) {
      // The groups of a warp shuffle together, so all of them walk, as
      // long as the longest: a group past the last item walks the last
      // one's coordinates with an empty chunk (loading and storing nothing).
      Value dead = cmp(arith::CmpIPredicate::uge, item, items);
      emitWarp(select(dead, sub(items, idx(1)), item), dead);
    } else {
      // The last block may have warps without a chunk; they do nothing.
      scf::IfOp::create(b, cmp(arith::CmpIPredicate::ult, item, items),
                        [&](OpBuilder &, Location) {
                          emitWarp(item, /*dead=*/nullptr);
                          scf::YieldOp::create(b);
                        });
    }
    gpu::TerminatorOp::create(b);
  }

  /// The walk of one warp (lane group) over its chunk of one sequence;
  /// none if `dead` (null: alive).
  void emitWarp(Value item, Value dead) {
    using P = arith::CmpIPredicate;
    // Items are (b, h, g, chunk), or channel fastest (b, h, chunk, g), for
    // the groups g of channelsPerLane channels.
    Value chunkId, bh, group;
    if (m.headBlocks) {
      // The block's head; warps past its channel groups walk the last one
      // along, writing nothing.
      chunkId = idx(0);
      bh = item;
      warpLive = cmp(P::ult, warpInBlock, channelGroups);
      group = minu(warpInBlock, sub(channelGroups, idx(1)));
    } else if (m.adjacentChannels) {
      group = remu(item, channelGroups);
      Value rest = divu(item, channelGroups);
      chunkId = remu(rest, chunks);
      bh = divu(rest, chunks);
    } else {
      Value row = divu(item, chunks);
      chunkId = remu(item, chunks);
      group = remu(row, channelGroups);
      bh = divu(row, channelGroups);
    }
    hIdx = remu(bh, heads);
    bIdx = divu(bh, heads);
    // The lane's channels; those past the last (D not a multiple of
    // channelsPerLane) walk the last one again and store nothing.
    if (m.channelsPerLane == 1) {
      dIdx.assign({group});
      channelLive.assign({Value()});
    } else {
      int64_t staticD = cast<MemRefType>(spec.input.getType()).getDimSize(2);
      channelsFrom(
          mul(group, idx(m.channelsPerLane)), m.channelsPerLane, channels,
          !ShapedType::isDynamic(staticD) && staticD % m.channelsPerLane == 0,
          dIdx, channelLive);
    }
    groupChannelLive = channelLive;
    if (warpLive)
      for (Value &live : channelLive)
        live = live ? both(live, warpLive) : warpLive;

    // Finite windows recompute the K tiles before the chunk (the warm-up).
    ChunkBounds chunk =
        chunkBounds(chunkId, chunkLen, length, pad, m.hops * m.tile);
    walkStart = chunk.walkStart;
    writeStart = chunk.writeStart;
    chunkEnd = dead ? select(dead, walkStart, chunk.end) : chunk.end;
    Value steps = ceilDiv(sub(chunkEnd, walkStart), idx(m.stride));
    if (m.channelsPerWarp > 1)
      steps = maxOverWarp(steps);
    laneOffset = add(mul(warpInTeam, idx(m.span)), mul(laneId, idx(m.elems)));
    SmallVector<Value, 2> h0, initTerminal;
    for (int64_t c = 0; c < m.channelsPerLane; ++c) {
      if (spec.forwardInit)
        yBeforeStart.push_back(widen(memref::LoadOp::create(
            b, spec.forwardInit, indicesAt(spec.forwardInit, Value(), c))));
      if (!spec.init) {
        initTerminal.push_back(f32(0));
        continue;
      }
      h0.push_back(widen(memref::LoadOp::create(
          b, spec.init, ValueRange{bIdx, hIdx, dIdx[c]})));
      // Init is the terminal state of tile -1: it matters only to a walk
      // that starts at the sequence start.
      initTerminal.push_back(
          select(cmp(P::eq, walkStart, idx(0)), h0.back(), f32(0)));
    }

    // The rows of a head block's idle warps hold zeros throughout (they
    // store no sums: emitGateGrad).
    if (m.headBlocks)
      storeIf(negate(warpLive), [&] {
        for (int64_t slot = 0; slot < m.headSlots; ++slot)
          for (int64_t col = 0; col < m.headRowStride; col += kWarpSize) {
            Value at = add(laneId, idx(col));
            storeIf(col + kWarpSize > m.headRowStride
                        ? cmp(P::ult, at, idx(m.headRowStride))
                        : Value(),
                    [&] {
                      memref::StoreOp::create(
                          b, f32(0), headMemory,
                          ValueRange{idx(slot), warpInBlock, at});
                    });
          }
      });

    // Loop-carried values: the raw loads of the next `prefetch-steps` steps,
    // then the state between steps (see emitStep).
    SmallVector<Value> inits;
    for (int64_t d = 0; d < m.prefetchSteps; ++d)
      llvm::append_range(inits, loadStep(add(walkStart, idx(d * m.stride))));
    numRaw = inits.size() / m.prefetchSteps;
    // The sequence's first gate, loaded as 0 if unused (KernelBuilder.h):
    // the first of the first step's gate vector (memory order) of the lane
    // at the sequence start.
    if (firstGateUnused(m, bool(spec.init))) {
      Value &gates = inits[m.channelsPerLane];
      gates = zeroWhere(cmp(P::eq, add(walkStart, laneOffset), idx(0)), gates,
                        /*pos=*/0);
    }
    WalkState state;
    SmallVector<Value, 2> zeros(m.channelsPerLane, f32(0));
    if (!m.tileInStep) {
      // The open segment: nothing, or init for the exact scan. (Its gate
      // product matters only to carries.)
      if (m.hops > 0)
        state.openGate = f32(1);
      state.openStates = m.exact && spec.init ? h0 : zeros;
      // Carries into the current tile, over 1 to K hops.
      state.carries.assign(m.hops, initTerminal);
    } else if (m.hops > 0) {
      // The previous step's last tile: its terminal states, then (K > 1)
      // its terminal gate product and its carries over 2 to K hops.
      state.savedStates = initTerminal;
      if (m.hops > 1) {
        state.savedGate = f32(1);
        state.savedCarries.assign(m.hops - 1, zeros);
      }
    }
    llvm::append_range(inits, state.values());

    // The loop is unrolled `prefetch-steps` times so that each step's loads
    // refill the registers it has just consumed (rotating them through
    // loop-carried copies would wait for the loads in flight). Steps past
    // the chunk load and store nothing.
    int64_t depth = m.prefetchSteps;
    Value rounds = ceilDiv(steps, idx(depth));
    scf::ForOp::create(
        b, idx(0), rounds, idx(1), inits,
        [&](OpBuilder &, Location, Value r, ValueRange iter) {
          SmallVector<Value> next;
          WalkState state = WalkState::from(iter.drop_front(depth * numRaw), m);
          for (int64_t j = 0; j < depth; ++j) {
            Value step = add(mul(r, idx(depth)), idx(j));
            Value base = add(walkStart, mul(step, idx(m.stride)));
            state = emitStep(step, base, iter.slice(j * numRaw, numRaw), state,
                             next);
          }
          if (m.headBlocks)
            flushHeadSums(r);
          llvm::append_range(next, state.values());
          scf::YieldOp::create(b, next);
        });
  }

  /// The largest `v` (an index) of the warp's lane groups.
  Value maxOverWarp(Value v) {
    Value w = arith::IndexCastOp::create(b, b.getI32Type(), v);
    for (int64_t offset = m.lanes; offset < kWarpSize; offset *= 2)
      w = arith::MaxUIOp::create(
          b, w, shuffle(w, i32(offset), gpu::ShuffleMode::XOR));
    return arith::IndexCastOp::create(b, b.getIndexType(), w);
  }

  /// The warp lane of lane `lane` (i32) of this lane group.
  Value warpLane(Value lane) {
    return groupBase ? arith::AddIOp::create(b, lane, groupBase) : lane;
  }

  /// Issues the loads of the lane for the step starting at `base`, without
  /// using them: the input vector of each of its channels and the gate
  /// vector (E positions in memory order) and, backwards, the gate after
  /// them. Vector loads when the whole lane
  /// is inside the chunk and the layout allows it; element loads at clamped
  /// positions for a partial lane, with padding made neutral (x = 0, a = 1);
  /// nothing beyond the chunk.
  SmallVector<Value> loadStep(Value base) {
    using P = arith::CmpIPredicate;
    Value qb = add(base, laneOffset);
    Value lo = m.forward ? qb : sub(sub(length, qb), idx(m.elems));
    Type xElem = elementTypeOf(spec.input), aElem = elementTypeOf(spec.gates);
    auto xType = VectorType::get({m.elems}, xElem);
    auto aType = VectorType::get({m.elems}, aElem);
    SmallVector<Type> types(m.channelsPerLane, xType);
    types.push_back(aType);
    if (!m.forward)
      types.push_back(aElem);
    // The backward from the output: y at the lane's positions and at the
    // position before them, per channel.
    Type yElem = spec.savedOutput ? elementTypeOf(spec.savedOutput) : Type();
    auto yType = VectorType::get({m.elems}, yElem ? yElem : xElem);
    if (spec.savedOutput) {
      types.append(m.channelsPerLane, yType);
      types.append(m.channelsPerLane, yElem);
    }
    Value nMinusOne = sub(n, idx(1));
    auto clamp = [&](Value p) {
      Value low = select(cmp(P::slt, p, idx(0)), idx(0), p);
      return select(cmp(P::sgt, low, nMinusOne), nMinusOne, low);
    };
    // Backwards, the gate linking position p to p + 1 is a_{p+1}; beyond
    // the sequence it is the unit gate.
    auto gateAfter = [&]() -> Value {
      Value p = add(lo, idx(m.elems));
      Value a = memref::LoadOp::create(b, spec.gates,
                                       indicesAt(spec.gates, clamp(p)));
      return select(cmp(P::slt, p, n), a, constant(aElem, 1));
    };
    // y before the lane's first position (clamped: at position 0 the walk
    // uses y_{-1} instead).
    auto yBefore = [&](SmallVectorImpl<Value> &raw) {
      for (int64_t c = 0; c < m.channelsPerLane; ++c)
        raw.push_back(memref::LoadOp::create(
            b, spec.savedOutput,
            indicesAt(spec.savedOutput, clamp(sub(lo, idx(1))), c)));
    };
    auto vectorLoads = [&]() {
      auto load = [&](Value memref, VectorType type, int64_t c) -> Value {
        return vector::LoadOp::create(b, type, memref, indicesAt(memref, lo, c),
                                      /*nontemporal=*/false,
                                      llvm::MaybeAlign(16));
      };
      SmallVector<Value> raw;
      for (int64_t c = 0; c < m.channelsPerLane; ++c)
        raw.push_back(load(spec.input, xType, c));
      raw.push_back(load(spec.gates, aType, 0));
      if (!m.forward)
        raw.push_back(gateAfter());
      if (spec.savedOutput) {
        for (int64_t c = 0; c < m.channelsPerLane; ++c)
          raw.push_back(load(spec.savedOutput, yType, c));
        yBefore(raw);
      }
      scf::YieldOp::create(b, raw);
    };
    auto elementLoads = [&]() {
      SmallVector<SmallVector<Value>> xs(m.channelsPerLane);
      SmallVector<Value> as;
      for (int64_t k = 0; k < m.elems; ++k) {
        Value p = add(lo, idx(k));
        SmallVector<Value, 2> x;
        for (int64_t c = 0; c < m.channelsPerLane; ++c)
          x.push_back(memref::LoadOp::create(
              b, spec.input, indicesAt(spec.input, clamp(p), c)));
        Value a = memref::LoadOp::create(b, spec.gates,
                                         indicesAt(spec.gates, clamp(p)));
        if (!m.forward) {
          // Positions past the end are the padding at the front in scan
          // order. (Forward, positions past the end come last and are never
          // used.)
          Value inside = cmp(P::slt, p, n);
          for (Value &xc : x)
            xc = select(inside, xc, constant(xElem, 0));
          a = select(inside, a, constant(aElem, 1));
        }
        for (int64_t c = 0; c < m.channelsPerLane; ++c)
          xs[c].push_back(x[c]);
        as.push_back(a);
      }
      SmallVector<Value> raw;
      for (int64_t c = 0; c < m.channelsPerLane; ++c)
        raw.push_back(vector::FromElementsOp::create(b, xType, xs[c]));
      raw.push_back(vector::FromElementsOp::create(b, aType, as));
      if (!m.forward)
        raw.push_back(gateAfter());
      if (spec.savedOutput) {
        // y past the end pairs with dx = 0 there and is never stored.
        for (int64_t c = 0; c < m.channelsPerLane; ++c) {
          SmallVector<Value> ys;
          for (int64_t k = 0; k < m.elems; ++k)
            ys.push_back(memref::LoadOp::create(
                b, spec.savedOutput,
                indicesAt(spec.savedOutput, clamp(add(lo, idx(k))), c)));
          raw.push_back(vector::FromElementsOp::create(b, yType, ys));
        }
        yBefore(raw);
      }
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
    if (!m.vectorizable)
      return elementsOrNothing();
    Value full =
        both(vectorOk, both(cmp(P::sge, qb, pad),
                            cmp(P::ule, add(qb, idx(m.elems)), chunkEnd)));
    auto ifOp = scf::IfOp::create(
        b, full, [&](OpBuilder &, Location) { vectorLoads(); },
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, elementsOrNothing());
        });
    return SmallVector<Value>(ifOp.getResults());
  }

  /// Step `step` of the walk, at `base`: consumes `raw`, the loads of this
  /// step, appends to `nextRaw` the loads of the step `prefetch-steps`
  /// later, and returns the walk state after this step from `state`, the
  /// state before it. The stages below run in this order.
  WalkState emitStep(Value step, Value base, ValueRange raw,
                     const WalkState &state, SmallVectorImpl<Value> &nextRaw) {
    Value qb = add(base, laneOffset);
    Value lo = m.forward ? qb : sub(sub(length, qb), idx(m.elems));
    SmallVector<Elem> inputs = unpackStep(raw);
    // With K = 0 the gate of a tile's first position is unused
    // (KernelBuilder.h); tiles are multiples of a lane's positions, so only
    // its first one can start a tile.
    if (!m.exact && m.hops == 0)
      inputs[0].gate = zeroWhere(
          cmp(arith::CmpIPredicate::eq, remu(qb, idx(m.tile)), idx(0)),
          inputs[0].gate);
    SmallVector<Elem> local = scanLane(inputs);
    std::optional<Elem> prefix = scanLanes(local.back());
    WalkState next;
    if (!m.tileInStep)
      prefix = continueSegment(step, base, prefix, state, next);
    SmallVector<Value, 2> carry;
    if (m.hops > 0)
      carry = carryIntoTile(prefix, local.back(), state, next);
    SmallVector<SmallVector<Value>> states = applyCarry(local, prefix, carry);
    storeLane(spec.output, qb, lo, states);
    if (spec.gateGrad)
      emitGateGrad(step, qb, lo, raw, states);
    prefetch(base, nextRaw);
    return next;
  }

  /// Stage "gate gradient" (the backward from the output, ScanSpec): with
  /// the lane's dx (`dx[channel][position]`, scan order), da_k = dx_k *
  /// y_{k-1}, stored per channel or, per head, summed over the block's
  /// warps through workgroup memory; and dh0 = a_0 * dx_0.
  void emitGateGrad(Value step, Value qb, Value lo, ValueRange raw,
                    ArrayRef<SmallVector<Value>> dx) {
    using P = arith::CmpIPredicate;
    assert(!m.forward && "the gate gradient follows the reverse scan");
    int64_t numC = m.channelsPerLane;
    int64_t yFirst = numC + 2; // after x, the gates and the gate after them
    Value atStart = cmp(P::eq, lo, idx(0));
    // da per channel, scan order (position i is memory position E-1-i).
    SmallVector<SmallVector<Value>> da(numC);
    for (int64_t c = 0; c < numC; ++c) {
      Value y = widen(raw[yFirst + c]);
      Value before = widen(raw[yFirst + numC + c]);
      before =
          select(atStart, spec.forwardInit ? yBeforeStart[c] : f32(0), before);
      for (int64_t i = 0; i < m.elems; ++i) {
        int64_t j = m.elems - 1 - i;
        Value yPrev = j == 0 ? before : vector::ExtractOp::create(b, y, j - 1);
        da[c].push_back(fmul(dx[c][i], yPrev));
      }
    }
    if (spec.initGrad) {
      // The lane of position 0: dh0 = a_0 * dx_0 of each live channel.
      Value a0 = widen(vector::ExtractOp::create(b, raw[numC], 0));
      Value here = both(atStart, cmp(P::ult, qb, chunkEnd));
      scf::IfOp::create(b, here, [&](OpBuilder &, Location) {
        for (int64_t c = 0; c < numC; ++c)
          storeIf(channelLive[c], [&] {
            Type type = elementTypeOf(spec.initGrad);
            memref::StoreOp::create(
                b, narrowTo(b, type, fmul(a0, dx[c][m.elems - 1])),
                spec.initGrad, indicesAt(spec.initGrad, Value(), c));
          });
        scf::YieldOp::create(b);
      });
    }
    if (!m.headBlocks)
      return storeLane(spec.gateGrad, qb, lo, da);

    // Per head: the lane's live channels, then the block's warps with
    // channels, add up.
    SmallVector<Value> sum(m.elems);
    for (int64_t i = 0; i < m.elems; ++i)
      for (int64_t c = 0; c < numC; ++c) {
        Value live = groupChannelLive[c];
        Value v = live ? select(live, da[c][i], f32(0)) : da[c][i];
        sum[i] = c == 0 ? v : fadd(sum[i], v);
      }
    // Into the warp's row of the step's slot (see flushHeadSums), position
    // i of the lane at o + o / 32, o = lane * E + i.
    Value slot = remu(step, idx(m.headSlots));
    Value o = mul(laneId, idx(m.elems));
    bool aligned = kWarpSize % m.elems == 0;
    Value rowBase = aligned ? add(o, divu(o, idx(kWarpSize))) : o;
    storeIf(warpLive, [&] {
      for (int64_t i = 0; i < m.elems; ++i) {
        Value column = add(rowBase, idx(i));
        if (!aligned)
          column = add(column, divu(add(o, idx(i)), idx(kWarpSize)));
        memref::StoreOp::create(b, sum[i], headMemory,
                                ValueRange{slot, warpInBlock, column});
      }
    });
  }

  /// After round `round` (prefetch-steps steps) of a head block, whose
  /// warps have stored their sums (emitGateGrad): one barrier, then every
  /// thread adds up, for each step of the round, the rows of every S-th
  /// warp (S = headSumParts) at one position, the S threads of a position
  /// (neighbouring lanes) combine by shuffles and the first stores the
  /// head's da there (consecutive threads, consecutive positions) if it is
  /// the chunk's (not the padding before a reverse scan's first). With two
  /// rounds of slots, the warps store into these again two rounds later,
  /// after the next round's barrier, which every thread reaches only after
  /// these loads; with one round, a second barrier waits for them.
  void flushHeadSums(Value round) {
    using P = arith::CmpIPredicate;
    gpu::BarrierOp::create(b);
    int64_t depth = m.prefetchSteps, parts = m.headSumParts;
    int64_t positions = kWarpSize * m.elems, perPass = m.blockThreads / parts;
    Value part = remu(blockThread, idx(parts));
    Value first = divu(blockThread, idx(parts));
    for (int64_t j = 0; j < depth; ++j) {
      Value step = add(mul(round, idx(depth)), idx(j));
      Value slot = remu(step, idx(m.headSlots));
      Value base = add(walkStart, mul(step, idx(m.stride)));
      for (int64_t pass = 0; pass * perPass < positions; ++pass) {
        Value o = add(first, idx(pass * perPass));
        bool partial = (pass + 1) * perPass > positions;
        Value at = partial ? minu(o, idx(positions - 1)) : o;
        Value column = add(at, divu(at, idx(kWarpSize)));
        Value total;
        for (int64_t w = 0; w < m.itemsPerBlock; w += parts) {
          Value v = memref::LoadOp::create(
              b, headMemory, ValueRange{slot, add(part, idx(w)), column});
          total = total ? fadd(total, v) : v;
        }
        for (int64_t offset = 1; offset < parts; offset *= 2)
          total =
              fadd(total, shuffle(total, i32(offset), gpu::ShuffleMode::XOR));
        Value q = add(base, o);
        Value writes =
            both(both(cmp(P::eq, part, idx(0)), cmp(P::sge, q, writeStart)),
                 cmp(P::slt, q, chunkEnd));
        if (partial)
          writes = both(writes, cmp(P::ult, o, idx(positions)));
        storeIf(writes, [&] {
          Value pos = sub(sub(length, q), idx(1));
          memref::StoreOp::create(
              b, narrowTo(b, elementTypeOf(spec.gateGrad), total),
              spec.gateGrad, indicesAt(spec.gateGrad, pos));
        });
      }
    }
    if (m.headSlots == depth)
      gpu::BarrierOp::create(b);
  }

  /// Emits `body` where `when` holds (null: always).
  void storeIf(Value when, function_ref<void()> body) {
    if (!when)
      return body();
    scf::IfOp::create(b, when, [&](OpBuilder &, Location) {
      body();
      scf::YieldOp::create(b);
    });
  }

  /// Stage "load": this step's (gate, x of each channel) elements of the
  /// lane in scan order, widened to f32.
  SmallVector<Elem> unpackStep(ValueRange raw) {
    int64_t numX = m.channelsPerLane;
    SmallVector<Value, 2> xs;
    for (int64_t c = 0; c < numX; ++c)
      xs.push_back(widen(raw[c]));
    Value as = widen(raw[numX]);
    SmallVector<Elem> inputs(m.elems);
    for (int64_t i = 0; i < m.elems; ++i) {
      int64_t k = m.forward ? i : m.elems - 1 - i;
      for (Value x : xs)
        inputs[i].states.push_back(vector::ExtractOp::create(b, x, k));
      inputs[i].gate =
          m.forward || i != 0
              ? vector::ExtractOp::create(b, as, m.forward ? k : k + 1)
              : widen(raw[numX + 1]);
    }
    return inputs;
  }

  /// Stage "lane scan": local[i] = (gate product, state) from the lane's
  /// first position, sequentially.
  SmallVector<Elem> scanLane(ArrayRef<Elem> inputs) {
    SmallVector<Elem> local(m.elems);
    for (int64_t i = 0; i < m.elems; ++i)
      local[i] = i == 0 ? inputs[0] : combine(local[i - 1], inputs[i]);
    return local;
  }

  /// Stage "warp scan": an inclusive scan of the lane totals within each
  /// segment (a tile of T / E lanes, or the whole warp), then each lane's
  /// exclusive prefix in its segment (none for one-lane segments). Leaves
  /// the inclusive total in `laneTotal`.
  std::optional<Elem> scanLanes(Elem total) {
    using P = arith::CmpIPredicate;
    Value u = m.tileInStep ? remu(laneId, idx(m.lanesPerTile)) : laneId;
    for (int64_t offset = 1; offset < m.lanesPerTile; offset *= 2) {
      Elem from = shuffle(total, i32(offset), gpu::ShuffleMode::UP);
      total = select(cmp(P::uge, u, idx(offset)), combine(from, total), total);
    }
    laneTotal = total;
    if (m.lanesPerTile == 1)
      return std::nullopt;
    Elem before = shuffle(total, i32(1), gpu::ShuffleMode::UP);
    return select(cmp(P::eq, u, idx(0)), identity(), before);
  }

  /// Stage "team exchange" (tiles longer than a step, and the exact scan):
  /// the segment open before this step (reset where a tile starts) goes
  /// before the lane's prefix, which is returned; the segment after the
  /// step (and the carries across steps) go to `next`. A team adds the
  /// totals of its other warps.
  Elem continueSegment(Value step, Value base, std::optional<Elem> prefix,
                       const WalkState &state, WalkState &next) {
    using P = arith::CmpIPredicate;
    Elem open = {state.openGate ? *state.openGate : f32(1), state.openStates};
    Elem warpTotal =
        shuffle(laneTotal, warpLane(i32(m.lanes - 1)), gpu::ShuffleMode::IDX);
    Elem after = combine(open, warpTotal);
    if (m.team > 1)
      std::tie(open, after) = passAcrossTeam(step, open, warpTotal);
    Elem lanePrefix = combine(open, *prefix);
    if (!m.exact) {
      // A tile starting at this step opens an empty segment: the step's
      // own prefix and total, whose gate products hold the tile's first
      // gate, never multiplied in (not even by 0, which a NaN or infinite
      // gate would turn into NaN).
      Value starts = cmp(P::eq, remu(base, idx(m.tile)), idx(0));
      lanePrefix = select(starts, *prefix, lanePrefix);
      after = select(starts, warpTotal, after);
    }
    if (m.hops > 0)
      next.openGate = after.gate;
    next.openStates = after.states;
    if (m.hops > 0)
      next.carries = carriesAcrossSteps(base, after, state.carries);
    return lanePrefix;
  }

  /// Stage "carry": the carry over K hops into the lane's tile, per
  /// channel, from the terminals of the tiles before it.
  SmallVector<Value, 2> carryIntoTile(std::optional<Elem> prefix,
                                      const Elem &lastLocal,
                                      const WalkState &state, WalkState &next) {
    Elem terminal = prefix ? combine(*prefix, lastLocal) : lastLocal;
    if (m.tileInStep)
      return carryWithinStep(terminal, state, next);
    return state.carries[m.hops - 1];
  }

  /// Stage "apply": every position of the lane adds its local gate product
  /// times the same state (per channel): what comes before the lane in its
  /// tile, and the carry through it. Returns the states [channel][position].
  SmallVector<SmallVector<Value>> applyCarry(ArrayRef<Elem> local,
                                             std::optional<Elem> prefix,
                                             ArrayRef<Value> carry) {
    SmallVector<SmallVector<Value>> v(m.channelsPerLane);
    for (int64_t c = 0; c < m.channelsPerLane; ++c) {
      Value before;
      if (prefix)
        before = !carry.empty()
                     ? fadd(prefix->states[c], fmul(prefix->gate, carry[c]))
                     : prefix->states[c];
      else if (!carry.empty())
        before = carry[c];
      for (int64_t i = 0; i < m.elems; ++i)
        v[c].push_back(
            before ? fadd(local[i].states[c], fmul(local[i].gate, before))
                   : local[i].states[c]);
    }
    return v;
  }

  /// Stage "prefetch": only now, with this step's loads consumed, refill
  /// their registers with the loads of the step `prefetch-steps` later, in
  /// flight while the steps in between compute. (Issued earlier, they would
  /// need the registers of this step's loads too, and a copy between the
  /// two that waits for the loads.)
  void prefetch(Value base, SmallVectorImpl<Value> &nextRaw) {
    llvm::append_range(nextRaw,
                       loadStep(add(base, idx(m.prefetchSteps * m.stride))));
  }

  /// The exact scan walked by a team: every warp publishes its step total
  /// (with nothing carried in), and after one barrier each combines the
  /// open state with the totals of the warps before it (the segment open
  /// before its positions) and with all of them (the state after the
  /// block step, the same in every warp). Totals alternate between two
  /// slots by step parity, so that a warp ahead by one step never
  /// overwrites a slot another warp is still reading.
  std::pair<Elem, Elem> passAcrossTeam(Value step, const Elem &open,
                                       const Elem &total) {
    Value slot = remu(step, idx(2));
    auto at = [&](Value warp, int64_t field) -> SmallVector<Value> {
      return {slot, warp, idx(field)};
    };
    Value leader = cmp(arith::CmpIPredicate::eq, laneId, idx(0));
    scf::IfOp::create(b, leader, [&](OpBuilder &, Location) {
      memref::StoreOp::create(b, total.gate, teamMemory, at(warpInTeam, 0));
      for (auto [c, state] : llvm::enumerate(total.states))
        memref::StoreOp::create(b, state, teamMemory, at(warpInTeam, 1 + c));
      scf::YieldOp::create(b);
    });
    gpu::BarrierOp::create(b);
    Elem before = open, after = open;
    for (int64_t w = 0; w < m.team; ++w) {
      Elem other = {memref::LoadOp::create(b, teamMemory, at(idx(w), 0)), {}};
      for (int64_t c = 0; c < m.channelsPerLane; ++c)
        other.states.push_back(
            memref::LoadOp::create(b, teamMemory, at(idx(w), 1 + c)));
      after = combine(after, other);
      if (w + 1 < m.team)
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
  /// values to `nextState`. Per channel of the lane.
  SmallVector<Value, 2> carryWithinStep(const Elem &terminal,
                                        const WalkState &state,
                                        WalkState &nextState) {
    using P = arith::CmpIPredicate;
    Value lane = arith::IndexCastOp::create(b, b.getI32Type(), laneId);
    Value tileStartLane = arith::AndIOp::create(b, lane, i32(-m.lanesPerTile));
    Value source = warpLane(arith::AndIOp::create(
        b, arith::SubIOp::create(b, tileStartLane, i32(1)), i32(m.lanes - 1)));
    Value firstTile = cmp(P::ult, laneId, idx(m.lanesPerTile));
    // The value of `v` in tile j - 1 (from its last lane), or, for the
    // step's first tile, `saved`; `keep` receives what the shuffle returned.
    auto previous = [&](Value v, Value saved, Value &keep) {
      keep = shuffle(v, source, gpu::ShuffleMode::IDX);
      return select(firstTile, saved, keep);
    };
    int64_t numC = m.channelsPerLane;
    SmallVector<Value, 2> stateBefore(numC);
    nextState.savedStates.resize(numC);
    for (int64_t c = 0; c < numC; ++c)
      stateBefore[c] = previous(terminal.states[c], state.savedStates[c],
                                nextState.savedStates[c]);
    if (m.hops == 1)
      return stateBefore;
    Value gateBefore = previous(terminal.gate, *state.savedGate,
                                nextState.savedGate.emplace());
    SmallVector<Value, 2> carry = stateBefore;
    nextState.savedCarries.assign(m.hops - 1, SmallVector<Value, 2>(numC));
    for (int64_t k = 2; k <= m.hops; ++k)
      for (int64_t c = 0; c < numC; ++c)
        carry[c] = fadd(
            stateBefore[c],
            fmul(gateBefore, previous(carry[c], state.savedCarries[k - 2][c],
                                      nextState.savedCarries[k - 2][c])));
    return carry;
  }

  /// Tiles longer than a step: `carries` are C_1..C_K of the current tile
  /// (uniform over the warp); at the step that ends the tile, `terminal`
  /// folds into those of the next one.
  SmallVector<SmallVector<Value, 2>>
  carriesAcrossSteps(Value base, const Elem &terminal,
                     ArrayRef<SmallVector<Value, 2>> carries) {
    Value ends = cmp(arith::CmpIPredicate::eq,
                     remu(add(base, idx(m.span)), idx(m.tile)), idx(0));
    SmallVector<SmallVector<Value, 2>> next(m.hops);
    for (int64_t k = 0; k < m.hops; ++k) {
      for (int64_t c = 0; c < m.channelsPerLane; ++c) {
        Value folded = k == 0 ? terminal.states[c]
                              : fadd(terminal.states[c],
                                     fmul(terminal.gate, carries[k - 1][c]));
        next[k].push_back(select(ends, folded, carries[k][c]));
      }
    }
    return next;
  }

  /// Whether the whole lane stores, with a vector (null: element stores
  /// only).
  Value fullLane(Value qb) {
    using P = arith::CmpIPredicate;
    if (!m.vectorizable)
      return Value();
    return both(vectorOk, both(cmp(P::sge, qb, writeStart),
                               cmp(P::sle, add(qb, idx(m.elems)), chunkEnd)));
  }

  /// Stores into `memref` (the output, or dx's companion da) the lane's
  /// values (`v[channel][position]`) that fall in [writeStart, chunkEnd) of
  /// its live channels: one vector store per channel when the whole lane
  /// does and the layout allows it.
  void storeLane(Value memref, Value qb, Value lo,
                 ArrayRef<SmallVector<Value>> v) {
    Value full = fullLane(qb);
    for (int64_t c = 0; c < m.channelsPerLane; ++c)
      storeIf(channelLive[c],
              [&] { storeChannel(memref, qb, lo, v[c], c, full); });
  }

  /// storeLane for channel `c`; `full`: whether the whole lane stores, with
  /// a vector (null: element stores only).
  void storeChannel(Value memref, Value qb, Value lo, ArrayRef<Value> v,
                    int64_t c, Value full) {
    using P = arith::CmpIPredicate;
    Type yType = elementTypeOf(memref);
    auto narrow = [&](Value f) { return narrowTo(b, yType, f); };
    auto storeElements = [&]() {
      for (int64_t i = 0; i < m.elems; ++i) {
        Value q = add(qb, idx(i));
        Value writes =
            both(cmp(P::sge, q, writeStart), cmp(P::slt, q, chunkEnd));
        scf::IfOp::create(b, writes, [&](OpBuilder &, Location) {
          Value pos = add(lo, idx(m.forward ? i : m.elems - 1 - i));
          memref::StoreOp::create(b, narrow(v[i]), memref,
                                  indicesAt(memref, pos, c));
          scf::YieldOp::create(b);
        });
      }
    };
    if (!full)
      return storeElements();
    scf::IfOp::create(
        b, full,
        [&](OpBuilder &, Location) {
          SmallVector<Value> ordered(m.elems);
          for (int64_t i = 0; i < m.elems; ++i)
            ordered[m.forward ? i : m.elems - 1 - i] = narrow(v[i]);
          Value vec = vector::FromElementsOp::create(
              b, VectorType::get({m.elems}, yType), ordered);
          vector::StoreOp::create(b, vec, memref, indicesAt(memref, lo, c),
                                  /*nontemporal=*/false, llvm::MaybeAlign(16));
          scf::YieldOp::create(b);
        },
        [&](OpBuilder &, Location) {
          storeElements();
          scf::YieldOp::create(b);
        });
  }

  ScanSpec spec;
  const KernelMapping &m;
  /// Raw loaded values per step (see loadStep).
  int64_t numRaw = 0;
  // Host values.
  Value n, heads, channels, channelGroups, length, pad, chunkLen, chunks, items,
      grid, vectorOk;
  // Kernel values (laneTotal: the current step's, see scanLanes). The
  // lane's channels: their indices (clamped) and, for channelsPerLane > 1,
  // whether each is one (null: always).
  Elem laneTotal;
  SmallVector<Value, 2> dIdx, channelLive;
  Value laneId, bIdx, hIdx, chunkEnd, writeStart, walkStart, laneOffset,
      warpInTeam, teamMemory, groupBase;
  // The backward from the output: y_{-1} per channel of the lane; a head
  // block's warp, whether it has channels, and its workgroup memory.
  SmallVector<Value, 2> yBeforeStart;
  // The lane's channels' liveness within its group (channelLive without
  // the warp's; null: always).
  SmallVector<Value, 2> groupChannelLive;
  Value warpInBlock, warpLive, headMemory, blockThread;
};

} // namespace

void mlir::swr::emitScanKernel(ImplicitLocOpBuilder &b, const ScanSpec &spec,
                               const KernelMapping &mapping) {
  ScanKernelBuilder(b, spec, mapping).emit();
}

Value mlir::swr::rowsStartAligned(ImplicitLocOpBuilder &b, Value memref) {
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, v); };
  auto isMultipleOf16 = [&](Value v) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                 arith::RemUIOp::create(b, v, idx(16)), idx(0));
  };
  auto meta = memref::ExtractStridedMetadataOp::create(b, memref);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
  Value bytes =
      idx(cast<MemRefType>(memref.getType()).getElementTypeBitWidth() / 8);
  Value ok = isMultipleOf16(arith::AddIOp::create(
      b, base, arith::MulIOp::create(b, meta.getOffset(), bytes)));
  ValueRange strides = meta.getStrides();
  for (Value stride : strides.drop_back())
    ok = arith::AndIOp::create(
        b, ok, isMultipleOf16(arith::MulIOp::create(b, stride, bytes)));
  return ok;
}
