//===- TimeMajorKernel.cpp - a scan over time-major data as one kernel ----===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The mapping for time-major layouts (`x`, `y` dense `[B, N, H, D]` seen as
// `[B, H, D, N]`: the channel dimension has unit stride, positions do not),
// chosen by KernelMapping when `time-major` is on and the layout fits:
//
// - each thread owns E consecutive channels of one head (a vector of
//   `channel-bytes` of the narrowest type: 16 bytes, but 4 or 8 by default
//   on chained blocks) and walks positions one by one, so that the 32
//   threads of a warp, on consecutive channel vectors, read and write 32
//   contiguous vectors per position;
// - finite windows split sequences into chunks of whole tiles (channels
//   alone are too few walkers), each preceded by its K warm-up tiles,
//   long enough to keep the re-read warm-up small;
// - the exact scan, and hops = 1 by default (`chain-windows`), run as a
//   chained scan instead: blocks of segments held in registers, the carry
//   into a block's chunk published by the blocks before it (below);
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
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineMap.h"

#include <limits>

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
      if (m.segments)
        emitChained();
      else
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
    if (m.segments) {
      // Chunks of a block's span, blocks of 32 rows by `segments` segments
      // (for finite windows, whole tiles).
      rowCount = rows;
      rowGroups = ceilDiv(rows, idx(kWarpSize));
      chunkLen = idx(m.segments * m.positionsInFlight);
      chunks = ceilDiv(length, chunkLen);
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
    grid = m.segments ? mul(rowGroups, chunks)
                      : ceilDiv(items, idx(m.blockThreads));
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
    setChannels(group);
    ChunkBounds chunk =
        chunkBounds(chunkId, chunkLen, length, pad, m.hops * m.tile);
    chunkEnd = chunk.end;
    walkStart = chunk.walkStart;
    writeStart = chunk.writeStart;

    // Init is the terminal state of tile -1 (the state before position 0 of
    // the exact scan): it matters only to a walk from the sequence start.
    SmallVector<Value> initial(e, f32(0));
    if (spec.init && m.hops > 0) {
      Value fromStart = cmp(P::eq, walkStart, idx(0));
      SmallVector<Value> h0 = loadInit();
      for (int64_t c = 0; c < e; ++c)
        initial[c] = select(fromStart, h0[c], f32(0));
    }
    Walk walk;
    walk.local.assign(e, f32(0));
    if (m.hops > 0) {
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

  /// The thread's channels: vector `group` of its head's.
  void setChannels(Value group) {
    d0 = mul(group, idx(e));
    dIdx.clear();
    live.clear();
    channelsFrom(d0, e, channels, /*allLive=*/false, dIdx, live);
  }

  /// The thread's channels of the initial state, as f32.
  SmallVector<Value> loadInit() {
    SmallVector<Value> h0;
    for (int64_t c = 0; c < e; ++c)
      h0.push_back(
          widenToF32(b, memref::LoadOp::create(
                            b, spec.init, ValueRange{bIdx, hIdx, dIdx[c]})));
    return h0;
  }

  //===--------------------------------------------------------------------===//
  // The exact scan: a chained scan with decoupled look-back
  //===--------------------------------------------------------------------===//
  //
  // A block owns 32 rows (channel vectors, a warp's width: 512 contiguous
  // bytes per position) over a chunk of `segments * positionsInFlight`
  // positions; its warp s holds segment s (`positionsInFlight` positions)
  // in registers, all loads issued at once. Each thread composes its
  // segment into an affine map h -> A h + H (A: the gate product, one per
  // thread for per-head gates; H: the state from zero), the warps exchange
  // them through workgroup memory, and warp 0 composes the block's map,
  // publishes it and looks back over the previous chunks of its rows: a
  // chunk's inclusive prefix ends the look-back, a map is composed in and
  // the look-back goes on to the chunk before.
  // Blocks are numbered chunk-major, so a block waits only for blocks with
  // lower indices, dispatched before it. Warp 0 then publishes the block's
  // prefix and hands each segment its carry; every thread walks its
  // registers again from its carry and stores.
  //
  // Status in device memory, allocated per call: per chunk [fields][row]
  // of the map (A, H) then the prefix (e fields), f32 bits in i32 words,
  // filled with a sentinel by a kernel before the scan. Each word is
  // valid on its own (a NaN the kernel never publishes: published NaNs are
  // made canonical), so no flag and no fence order them: a reader loads a
  // chunk's prefix (relaxed loads of device scope, one round trip) and
  // takes it if every word of it has arrived, else loads the map and takes
  // it if every word of it has, else polls again. The prefix never
  // overwrites a map another block may be reading.
  //
  // hops = 1 (chain-windows) runs on the same blocks: segments are parts of
  // tiles (a tile is `tile / positionsInFlight` segments, a chunk whole
  // tiles), the walk is the exact recurrence from each segment's carry, and
  // the carry into a tile is the terminal local state of the tile before
  // (its map's state from its first input, which leaves out the tile's
  // first gate). No warm-up tiles are read: the block publishes its last
  // tile's terminal (e fields) before it waits for anything, so the next
  // chunk's block waits for one hop, never a chain.
  // With own-carries, each warp forms its own segment's carry from the
  // exchanged maps instead of waiting for warp 0's after a second barrier:
  // only the first tile's warps read the status, the others store at once.

  int64_t mapFields() const { return numGates + e; }
  /// The exact scan: the map, then the prefix; hops = 1: the terminal local
  /// state of the chunk's last tile.
  int64_t statusFields() const { return m.exact ? numGates + 2 * e : e; }

  /// The exact scan's first look: how many chunks before its own the block
  /// reads in one round trip (warp w the status of chunk `chunkId - 1 - w`,
  /// into workgroup memory) before warp 0 walks on alone (`look-window`,
  /// bounded by the mapping); slot `window` holds the block's map. 0: none.
  int64_t window() const { return m.lookWindow; }

  void emitChained() {
    Value entries = mul(rowCount, chunks);
    // Device memory (gpu-to-llvm lowers only the async forms: on the
    // runtime's stream, stream-ordered).
    Type tokenType = gpu::AsyncTokenType::get(b.getContext());
    Value token =
        gpu::WaitOp::create(b, tokenType, ValueRange{}).getAsyncToken();
    // (In whole vectors of the fill: the words past the last entry are
    // filled too and never read.)
    Value vectors = ceilDiv(mul(entries, idx(statusFields())), idx(kFillWords));
    auto alloc = gpu::AllocOp::create(
        b, MemRefType::get({ShapedType::kDynamic}, b.getI32Type()), tokenType,
        ValueRange{token}, ValueRange{mul(vectors, idx(kFillWords))},
        /*symbolOperands=*/ValueRange{}, /*hostShared=*/false);
    status = alloc.getMemref();
    gpu::WaitOp::create(b, Type(), ValueRange{alloc.getAsyncToken()});
    emitFillStatus(vectors);
    // Two kernels: with vector accesses only (the common case), and with
    // either, chosen per access (whose registers would otherwise count
    // against the first's occupancy).
    Value fast = gateVectorOk ? both(vectorOk, gateVectorOk) : vectorOk;
    scf::IfOp::create(
        b, fast,
        [&](OpBuilder &, Location) {
          Value saved = vectorOk, savedGate = gateVectorOk;
          Value yes = arith::ConstantIntOp::create(b, 1, 1);
          vectorOk = yes;
          if (gateVectorOk)
            gateVectorOk = yes;
          emitChainedLaunch();
          vectorOk = saved;
          gateVectorOk = savedGate;
          scf::YieldOp::create(b);
        },
        [&](OpBuilder &, Location) {
          emitChainedLaunch();
          scf::YieldOp::create(b);
        });
    token = gpu::WaitOp::create(b, tokenType, ValueRange{}).getAsyncToken();
    token = gpu::DeallocOp::create(b, tokenType, ValueRange{token}, status)
                .getAsyncToken();
    gpu::WaitOp::create(b, Type(), ValueRange{token});
  }

  /// A status word not yet published: a NaN whose bits no published value
  /// has (publish makes NaNs canonical).
  static constexpr int32_t kUnpublished = -1;

  /// The fill's vectors (16 bytes) and how many each thread stores.
  static constexpr int64_t kFillWords = 4, kFillVectorsPerThread = 4;

  /// A kernel that fills the first `count` vectors of status words with
  /// kUnpublished: 16-byte stores, several per thread, a block's stores to
  /// consecutive vectors at a time (a fill of a word per thread took twice
  /// as long as the bytes need: bench/NOTES.md, "Look-back without flags
  /// or fences"). With `dependent-launch` its blocks let the scan's blocks
  /// start at once (the scan's threads wait for the fill before they touch
  /// the status; the rest of the scan reads only what kernels before the
  /// fill wrote).
  void emitFillStatus(Value count) {
    constexpr int64_t threads = 256;
    Value one = idx(1);
    auto launch = gpu::LaunchOp::create(
        b, ceilDiv(count, idx(threads * kFillVectorsPerThread)), one, one,
        idx(threads), one, one);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    if (m.dependentLaunch)
      NVVM::GriddepcontrolOp::create(
          b, NVVM::GridDepActionKind::launch_dependents);
    auto type = VectorType::get({kFillWords}, b.getI32Type());
    Value fill = arith::ConstantOp::create(
        b, DenseElementsAttr::get(type, b.getI32IntegerAttr(kUnpublished)));
    Value first =
        mul(launch.getBlockIds().x, idx(threads * kFillVectorsPerThread));
    for (int64_t k = 0; k < kFillVectorsPerThread; ++k) {
      Value v = add(first, add(idx(k * threads), launch.getThreadIds().x));
      scf::IfOp::create(b, cmp(P::ult, v, count), [&](OpBuilder &, Location) {
        vector::StoreOp::create(b, fill, status,
                                ValueRange{mul(v, idx(kFillWords))},
                                /*nontemporal=*/false, llvm::MaybeAlign(16));
        scf::YieldOp::create(b);
      });
    }
    gpu::TerminatorOp::create(b);
  }

  /// A thread's segment as an affine map h -> A h + H.
  struct Map {
    SmallVector<Value> gate, state;
  };

  /// Workgroup memory of f32 words, [slot][field][lane], as one lane sees
  /// it: the segments' exchange (a slot per segment) and the first look's.
  struct Slots {
    Value mem, lane;
    /// The `count` fields of `slot` from `first`.
    SmallVector<Value> read(ImplicitLocOpBuilder &b, Value slot, int64_t first,
                            int64_t count) const {
      SmallVector<Value> out;
      for (int64_t f = first; f < first + count; ++f)
        out.push_back(memref::LoadOp::create(b, mem, at(b, slot, f)));
      return out;
    }
    /// `values` into the fields of `slot` from `first`.
    void write(ImplicitLocOpBuilder &b, Value slot, int64_t first,
               ArrayRef<Value> values) const {
      for (auto [f, v] : llvm::enumerate(values))
        memref::StoreOp::create(b, v, mem, at(b, slot, first + f));
    }

  private:
    SmallVector<Value, 3> at(ImplicitLocOpBuilder &b, Value slot,
                             int64_t field) const {
      return {slot, arith::ConstantIndexOp::create(b, field), lane};
    }
  };

  /// The first look's workgroup memory: `status`, a chunk's status per
  /// slot (the map, then the prefix; with look-depth > 1 a group of
  /// chunks', composed) and the block's map in slot window(); `flags`
  /// [slot][lane]: 2 where the slot's prefix had arrived, else 1 where its
  /// map had, else 0. Null without a first look.
  struct FirstLook {
    Slots status;
    Value flags;
    explicit operator bool() const { return bool(flags); }
  };

  /// `second` after `first`: h -> A2 (A1 h + H1) + H2 (Recurrence.h's
  /// combine per channel; a per-head gate product is formed once, CSE
  /// merges the copies).
  Map compose(const Map &first, const Map &second) {
    Map out;
    out.gate.resize(numGates);
    for (int64_t c = 0; c < e; ++c) {
      int64_t g = numGates == 1 ? 0 : c;
      GateState r = combine(b, {first.gate[g], first.state[c]},
                            {second.gate[g], second.state[c]},
                            arith::FastMathFlags::contract);
      out.state.push_back(r.state);
      out.gate[g] = r.gate;
    }
    return out;
  }
  /// A map as status words (the gate products, then the states), and back.
  SmallVector<Value> fieldsOf(const Map &map) {
    SmallVector<Value> fields(map.gate);
    llvm::append_range(fields, map.state);
    return fields;
  }
  Map asMap(ValueRange fields) {
    return {SmallVector<Value>(fields.take_front(numGates)),
            SmallVector<Value>(fields.slice(numGates, e))};
  }
  /// h -> h.
  Map identityMap() {
    return {SmallVector<Value>(numGates, f32(1)),
            SmallVector<Value>(e, f32(0))};
  }
  /// `map` applied to the state `h`.
  SmallVector<Value> apply(const Map &map, ArrayRef<Value> h) {
    SmallVector<Value> out;
    for (int64_t c = 0; c < e; ++c)
      out.push_back(fma(map.gate[numGates == 1 ? 0 : c], h[c], map.state[c]));
    return out;
  }

  Value statusAt(Value chunk, Value row, int64_t field) {
    Value base = mul(chunk, idx(statusFields()));
    return add(mul(add(base, idx(field)), rowCount), row);
  }
  /// The status buffer as a pointer (for relaxed accesses, which memref
  /// has not), once per kernel.
  void setStatusBase() {
    Value address = arith::IndexCastOp::create(
        b, b.getI64Type(),
        memref::ExtractAlignedPointerAsIndexOp::create(b, status));
    statusBase = LLVM::IntToPtrOp::create(
        b, LLVM::LLVMPointerType::get(b.getContext()), ValueRange{address});
  }
  /// The status word `index`.
  Value statusWord(Value index) {
    Value offset = arith::IndexCastOp::create(b, b.getI64Type(), index);
    return LLVM::GEPOp::create(b, statusBase.getType(), b.getI32Type(),
                               statusBase, ValueRange{offset});
  }
  /// Publishes `values` at fields `first`... of (chunk, row): relaxed
  /// stores of device scope, NaNs canonical (never kUnpublished).
  void publish(Value chunk, Value row, int64_t first, ArrayRef<Value> values) {
    Value canonical = arith::ConstantOp::create(
        b, b.getF32FloatAttr(std::numeric_limits<float>::quiet_NaN()));
    for (auto [i, v] : llvm::enumerate(values)) {
      Value isNan = arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, v, v);
      Value bits = arith::BitcastOp::create(b, b.getI32Type(),
                                            select(isNan, canonical, v));
      LLVM::StoreOp::create(b, bits,
                            statusWord(statusAt(chunk, row, first + i)),
                            /*alignment=*/4, /*isVolatile=*/false,
                            /*isNonTemporal=*/false,
                            /*isInvariantGroup=*/false,
                            LLVM::AtomicOrdering::monotonic, "device");
    }
  }
  /// Fields `first`... of (chunk, row) as they are now (relaxed loads of
  /// device scope), and whether every one of them has been published.
  std::pair<SmallVector<Value>, Value>
  readFields(Value chunk, Value row, int64_t first, int64_t count) {
    SmallVector<Value> out;
    Value all = arith::ConstantIntOp::create(b, 1, 1);
    for (int64_t i = 0; i < count; ++i) {
      Value bits = LLVM::LoadOp::create(
          b, b.getI32Type(), statusWord(statusAt(chunk, row, first + i)),
          /*alignment=*/4, /*isVolatile=*/false, /*isNonTemporal=*/false,
          /*isInvariant=*/false, /*isInvariantGroup=*/false,
          LLVM::AtomicOrdering::monotonic, "device");
      all = both(all, cmp(P::ne, bits, i32(kUnpublished)));
      out.push_back(arith::BitcastOp::create(b, b.getF32Type(), bits));
    }
    return {out, all};
  }

  void emitChainedLaunch() {
    int64_t segments = m.segments;
    Value one = idx(1);
    auto exchangeType =
        MemRefType::get({segments, mapFields(), kWarpSize}, b.getF32Type(),
                        MemRefLayoutAttrInterface(),
                        gpu::AddressSpaceAttr::get(
                            b.getContext(), gpu::AddressSpace::Workgroup));
    SmallVector<Type> workgroup{exchangeType};
    if (int64_t w = window()) {
      // The first look: [slot][field][lane] and a flag per [slot][lane].
      workgroup.push_back(MemRefType::get({w + 1, statusFields(), kWarpSize},
                                          b.getF32Type(), AffineMap(),
                                          exchangeType.getMemorySpace()));
      workgroup.push_back(MemRefType::get({w, kWarpSize}, b.getI32Type(),
                                          AffineMap(),
                                          exchangeType.getMemorySpace()));
    }
    auto launch = gpu::LaunchOp::create(
        b, grid, one, one, idx(m.blockThreads), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange(), workgroup);
    launch->setAttr(kSinkConstantsAttrName, b.getUnitAttr());
    launch->setAttr(kMinBlocksPerSMAttrName,
                    b.getI32IntegerAttr(m.blocksPerSM));
    if (m.dependentLaunch)
      launch->setAttr(kDependentLaunchAttrName, b.getUnitAttr());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    emitChainedBody(launch);
    gpu::TerminatorOp::create(b);
  }

  void emitChainedBody(gpu::LaunchOp launch) {
    int64_t segments = m.segments, len = m.positionsInFlight;
    Value one = idx(1);
    branchless = true;
    setStatusBase();
    Value chunkId = divu(launch.getBlockIds().x, rowGroups);
    Value rowGroup = remu(launch.getBlockIds().x, rowGroups);
    Value lane = remu(launch.getThreadIds().x, idx(kWarpSize));
    Value segment = divu(launch.getThreadIds().x, idx(kWarpSize));
    Value row = add(mul(rowGroup, idx(kWarpSize)), lane);
    Value valid = cmp(P::ult, row, rowCount);
    // Rows past the last walk the last one's addresses, storing nothing.
    Value rowSafe = minu(row, sub(rowCount, one));
    Value group = remu(rowSafe, groups);
    Value rest = divu(rowSafe, groups);
    hIdx = remu(rest, heads);
    bIdx = divu(rest, heads);
    setChannels(group);
    chunkEnd = length;
    writeStart = pad;
    Value first = add(mul(chunkId, chunkLen), mul(segment, idx(len)));

    // The segment, in registers; its map from zero.
    SmallVector<SmallVector<Value>> raw;
    for (int64_t j = 0; j < len; ++j)
      raw.push_back(loadPosition(add(first, idx(j))));
    // (The sequence's first gate, loaded as 0 if unused: KernelBuilder.h.)
    if (firstGateUnused(m, bool(spec.init)))
      raw[0][1] = zeroWhere(cmp(P::eq, first, idx(0)), raw[0][1]);
    SmallVector<Value> xs, as;
    for (auto &r : raw) {
      xs.push_back(widenToF32(b, r[0]));
      as.push_back(widenToF32(b, r[1]));
    }
    auto gateOf = [&](int64_t j, int64_t c) -> Value {
      return perHead ? as[j] : vector::ExtractOp::create(b, as[j], c);
    };
    // (The first position's state is its input: its gate enters through A
    // only, so that a tile's terminal local state never holds the gate of
    // its first position, as the formula says.)
    Map own{SmallVector<Value>(numGates), SmallVector<Value>(e)};
    for (int64_t j = 0; j < len; ++j) {
      for (int64_t c = 0; c < e; ++c) {
        Value xc = vector::ExtractOp::create(b, xs[j], c);
        own.state[c] = j ? fma(gateOf(j, c), own.state[c], xc) : xc;
      }
      for (int64_t c = 0; c < numGates; ++c)
        own.gate[c] = j ? fmul(own.gate[c], gateOf(j, c)) : gateOf(j, c);
    }
    Slots exchange{launch.getWorkgroupAttributions().front(), lane};
    exchange.write(b, segment, 0, fieldsOf(own));
    gpu::BarrierOp::create(b);

    // (The segments' maps are read twice rather than kept in registers
    // through the look-back.)
    auto mapOf = [&](Value s) {
      return asMap(exchange.read(b, s, 0, mapFields()));
    };
    auto blockMap = [&] {
      Map block = mapOf(idx(0));
      for (int64_t s = 1; s < segments; ++s)
        block = compose(block, mapOf(idx(s)));
      return block;
    };
    if (!m.ownCarries)
      emitHandedCarries(launch, lane, exchange, chunkId, row, valid, segment,
                        mapOf, blockMap);
    // The walk again, from the segment's carry, on the stored types
    // widened again: bf16 by a shift, which the compilers do not merge
    // with the first walk's conversion, so that what stays in registers
    // across the look-back is the loads (half the registers of f32).
    for (auto [j, r] : llvm::enumerate(raw)) {
      xs[j] = widenAgain(r[0]);
      as[j] = widenAgain(r[1]);
    }
    SmallVector<Value> h =
        m.ownCarries ? emitOwnCarry(chunkId, row, valid, segment, mapOf)
                     : exchange.read(b, segment, numGates, e);
    for (int64_t j = 0; j < len; ++j) {
      for (int64_t c = 0; c < e; ++c)
        h[c] = fma(gateOf(j, c), h[c], vector::ExtractOp::create(b, xs[j], c));
      Value q = add(first, idx(j));
      scf::IfOp::create(b, valid, [&](OpBuilder &, Location) {
        store(q, h);
        scf::YieldOp::create(b);
      });
    }
    branchless = false;
  }

  /// The segments' carries formed by warp 0 (each in place of its segment's
  /// state in the exchange, after its map is read) and handed out after a
  /// barrier: for the exact scan from the block's map and the look-back
  /// (after the whole block's first look, where there is one), for hops = 1
  /// tile by tile.
  void emitHandedCarries(gpu::LaunchOp launch, Value lane,
                         const Slots &exchange, Value chunkId, Value row,
                         Value valid, Value segment,
                         function_ref<Map(Value)> mapOf,
                         function_ref<Map()> blockMap) {
    int64_t segments = m.segments;
    // The exact scan: the whole block's first look at the chunks before
    // its own (window()), while warp 0 publishes the block's map.
    FirstLook look;
    if (window()) {
      look = {{launch.getWorkgroupAttributions()[1], lane},
              launch.getWorkgroupAttributions()[2]};
      emitFirstLook(look, chunkId, row, valid, segment, blockMap);
      gpu::BarrierOp::create(b);
    }

    // Launched as a dependent of the status fill, warp 0 waits for the fill
    // first (no other warp touches the status, except in the first look,
    // which waits too).
    scf::IfOp::create(
        b, cmp(P::eq, segment, idx(0)), [&](OpBuilder &, Location) {
          if (m.dependentLaunch && !look)
            NVVM::GriddepcontrolOp::create(b, NVVM::GridDepActionKind::wait);
          auto setCarry = [&](int64_t s, ArrayRef<Value> carry) {
            exchange.write(b, idx(s), numGates, carry);
          };
          if (!m.exact) {
            emitTileCarries(chunkId, row, valid, mapOf, setCarry);
            scf::YieldOp::create(b);
            return;
          }
          Map block =
              look ? asMap(look.status.read(b, idx(window()), 0, mapFields()))
                   : blockMap();
          SmallVector<Value> carry =
              emitLookBack(chunkId, row, valid, block, look);
          for (int64_t s = 0; s < segments; ++s) {
            Map map = mapOf(idx(s));
            setCarry(s, carry);
            carry = apply(map, carry);
          }
          scf::YieldOp::create(b);
        });
    gpu::BarrierOp::create(b);
  }

  /// hops = 1: the carry into each segment of the block (`setCarry`), tile
  /// by tile (`tile / positionsInFlight` segments each, whole tiles per
  /// chunk): into a tile's first segment the terminal local state of the
  /// tile before it, then through the segments' maps. The chunk's first
  /// tile takes the initial state in the first chunk, else the terminal
  /// that the previous chunk's block publishes before it waits for
  /// anything (a look-back of one hop); this block publishes its last
  /// tile's first. (Rows past the last publish and wait for nothing; their
  /// carries are never stored.)
  void emitTileCarries(Value chunkId, Value row, Value valid,
                       function_ref<Map(Value)> mapOf,
                       function_ref<void(int64_t, ArrayRef<Value>)> setCarry) {
    int64_t perTile = tileSegments();
    publishTerminal(chunkId, row, valid, mapOf);
    SmallVector<Value> carry = chunkCarry(chunkId, row, valid), local;
    for (int64_t s = 0; s < m.segments; ++s) {
      Map map = mapOf(idx(s));
      bool startsTile = s % perTile == 0;
      if (startsTile && s)
        carry = local;
      setCarry(s, carry);
      carry = apply(map, carry);
      local = startsTile ? map.state : apply(map, local);
    }
  }

  /// hops = 1 on chained blocks: segments per tile.
  int64_t tileSegments() const { return m.tile / m.positionsInFlight; }

  /// hops = 1: the terminal local state of the tile whose first segment is
  /// `first` (its segments' maps composed, from zero).
  SmallVector<Value> tileTerminal(Value first, function_ref<Map(Value)> mapOf) {
    SmallVector<Value> local = mapOf(first).state;
    for (int64_t s = 1; s < tileSegments(); ++s)
      local = apply(mapOf(add(first, idx(s))), local);
    return local;
  }

  /// hops = 1: publishes the terminal local state of the block's last tile
  /// where `when` holds (but in the last chunk, whose terminal no block
  /// reads).
  void publishTerminal(Value chunkId, Value row, Value when,
                       function_ref<Map(Value)> mapOf) {
    SmallVector<Value> terminal =
        tileTerminal(idx(m.segments - tileSegments()), mapOf);
    Value notLast = cmp(P::ult, chunkId, sub(chunks, idx(1)));
    scf::IfOp::create(b, both(when, notLast), [&](OpBuilder &, Location) {
      publish(chunkId, row, 0, terminal);
      scf::YieldOp::create(b);
    });
  }

  /// hops = 1: the carry into the chunk's first tile: the terminal that the
  /// previous chunk's block published (polled), or in the first chunk the
  /// initial state (zero without one); zero for rows past the last.
  SmallVector<Value> chunkCarry(Value chunkId, Value row, Value valid) {
    auto before = scf::IfOp::create(
        b, both(valid, cmp(P::ugt, chunkId, idx(0))),
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, poll(sub(chunkId, idx(1)), row, 0, e));
        },
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, spec.init ? loadInit()
                                            : SmallVector<Value>(e, f32(0)));
        });
    return SmallVector<Value>(before.getResults());
  }

  /// hops = 1 with own-carries: the carry into the warp's segment, formed by
  /// the warp itself from the exchanged maps, without a second barrier. The
  /// first tile's warps wait for the status fill (a dependent launch),
  /// warp 0 publishes the block's terminal, and each takes the chunk's
  /// carry; a later tile's warps take the terminal local state of the tile
  /// before theirs and touch no status. Then through the maps of the
  /// segments before the warp's in its tile.
  SmallVector<Value> emitOwnCarry(Value chunkId, Value row, Value valid,
                                  Value segment,
                                  function_ref<Map(Value)> mapOf) {
    int64_t perTile = tileSegments();
    Value tileFirst = mul(divu(segment, idx(perTile)), idx(perTile));
    auto start = scf::IfOp::create(
        b, cmp(P::ult, segment, idx(perTile)),
        [&](OpBuilder &, Location) {
          if (m.dependentLaunch)
            NVVM::GriddepcontrolOp::create(b, NVVM::GridDepActionKind::wait);
          publishTerminal(chunkId, row,
                          both(valid, cmp(P::eq, segment, idx(0))), mapOf);
          scf::YieldOp::create(b, chunkCarry(chunkId, row, valid));
        },
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(
              b, tileTerminal(sub(tileFirst, idx(perTile)), mapOf));
        });
    SmallVector<Value> carry(start.getResults());
    for (int64_t i = 0; i + 1 < perTile; ++i) {
      Value s = add(tileFirst, idx(i));
      chooseWhere(cmp(P::ult, s, segment), apply(mapOf(s), carry), carry);
    }
    return carry;
  }

  /// Values of `types` that `read` returns, read again until it says they
  /// are done (a loop of relaxed loads of the status: polled).
  SmallVector<Value>
  pollUntil(TypeRange types,
            function_ref<std::pair<SmallVector<Value>, Value>()> read) {
    auto loop = scf::WhileOp::create(b, types, ValueRange{});
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&loop.getBefore());
    auto [values, done] = read();
    scf::ConditionOp::create(b, negate(done), values);
    b.createBlock(&loop.getAfter(), {}, types,
                  SmallVector<Location>(types.size(), b.getLoc()));
    scf::YieldOp::create(b, ValueRange{});
    return SmallVector<Value>(loop.getResults());
  }

  /// Fields `first`... of (chunk, row) once every one of them has been
  /// published (polled).
  SmallVector<Value> poll(Value chunk, Value row, int64_t first,
                          int64_t count) {
    return pollUntil(SmallVector<Type>(count, b.getF32Type()),
                     [&] { return readFields(chunk, row, first, count); });
  }

  /// The status of (chunk, row), map then prefix, read in one round trip
  /// until the map or the prefix has arrived (polled: every chunk publishes
  /// one of them without waiting for any other), and which of them have.
  std::tuple<SmallVector<Value>, Value, Value> pollStatus(Value chunk,
                                                          Value row) {
    SmallVector<Type> types(statusFields(), b.getF32Type());
    types.append(2, b.getI1Type());
    SmallVector<Value> polled = pollUntil(types, [&] {
      auto [map, mapArrived] = readFields(chunk, row, 0, mapFields());
      auto [prefix, prefixArrived] = readFields(chunk, row, mapFields(), e);
      SmallVector<Value> out(map);
      llvm::append_range(out, prefix);
      out.append({mapArrived, prefixArrived});
      return std::make_pair(
          out, Value(arith::OrIOp::create(b, mapArrived, prefixArrived)));
    });
    Value mapArrived = polled[statusFields()];
    Value prefixArrived = polled[statusFields() + 1];
    polled.resize(statusFields());
    return {polled, mapArrived, prefixArrived};
  }

  /// The first look, by every thread: warp 0 composes the block's map,
  /// keeps it in slot window() and publishes it (chunks after the first);
  /// warp s < window() reads the status of chunk `chunkId - 1 - s` (map
  /// and prefix in one round trip, polled until one of them has arrived)
  /// into slot s and its flag (0 for chunks before the first; with
  /// look-test-maps 1 wherever the map arrived); with look-depth d > 1 the
  /// chunks `chunkId - 1 - s * d` and the d - 1 before it (lookAtGroup).
  /// Launched as a dependent of the status fill, every thread waits for the
  /// fill first.
  void emitFirstLook(const FirstLook &look, Value chunkId, Value row,
                     Value valid, Value segment, function_ref<Map()> blockMap) {
    int64_t w = window();
    if (m.dependentLaunch)
      NVVM::GriddepcontrolOp::create(b, NVVM::GridDepActionKind::wait);
    scf::IfOp::create(
        b, cmp(P::eq, segment, idx(0)), [&](OpBuilder &, Location) {
          SmallVector<Value> fields = fieldsOf(blockMap());
          look.status.write(b, idx(w), 0, fields);
          scf::IfOp::create(b, both(valid, cmp(P::ugt, chunkId, idx(0))),
                            [&](OpBuilder &, Location) {
                              publish(chunkId, row, 0, fields);
                              scf::YieldOp::create(b);
                            });
          scf::YieldOp::create(b);
        });
    int64_t depth = m.lookDepth;
    Value groupStart = depth > 1 ? mul(segment, idx(depth)) : segment;
    Value inWindow = cmp(P::ult, segment, idx(w));
    Value reads = both(both(valid, inWindow), cmp(P::ult, groupStart, chunkId));
    auto flag = scf::IfOp::create(
        b, reads,
        [&](OpBuilder &, Location) {
          Value chunk = sub(sub(chunkId, idx(1)), groupStart);
          if (depth > 1) {
            auto [fields, flag] = m.lookFarPrefix ? lookAtFarPrefix(chunk, row)
                                                  : lookAtGroup(chunk, row);
            look.status.write(b, segment, 0, fields);
            scf::YieldOp::create(b, flag);
            return;
          }
          auto [fields, mapArrived, prefixArrived] = pollStatus(chunk, row);
          look.status.write(b, segment, 0, fields);
          Value flag =
              select(prefixArrived, i32(2), select(mapArrived, i32(1), i32(0)));
          if (m.lookTestMaps)
            flag = select(mapArrived, i32(1), flag);
          scf::YieldOp::create(b, flag);
        },
        [&](OpBuilder &, Location) { scf::YieldOp::create(b, i32(0)); });
    scf::IfOp::create(b, inWindow, [&](OpBuilder &, Location) {
      memref::StoreOp::create(b, flag.getResult(0), look.flags,
                              ValueRange{segment, look.status.lane});
      scf::YieldOp::create(b);
    });
  }

  /// `y` = `x` where `c`, elementwise.
  void chooseWhere(Value c, ArrayRef<Value> x, MutableArrayRef<Value> y) {
    for (auto [xi, yi] : llvm::zip_equal(x, y))
      yi = select(c, xi, yi);
  }

  /// One warp's group of the first look, with look-depth > 1: the status of
  /// the chunks `nearest`, `nearest` - 1, ... (look-depth of them) read at
  /// once, each polled again only where neither its map nor its prefix had
  /// arrived and no nearer chunk's prefix has ended the group; composed
  /// nearest first into the slot's fields and flag, as for one chunk: 2
  /// where a prefix ended the group (the prefix field: the nearer chunks'
  /// maps applied to it), else 1 (the map field: all the group's maps
  /// composed). The first chunk publishes no map, so its prefix ends every
  /// group that reaches it; chunks past it read it again, unused.
  std::pair<SmallVector<Value>, Value> lookAtGroup(Value nearest, Value row) {
    SmallVector<Value> chunks;
    SmallVector<SmallVector<Value>> reads;
    for (int64_t i = 0; i < m.lookDepth; ++i) {
      chunks.push_back(
          select(cmp(P::uge, nearest, idx(i)), sub(nearest, idx(i)), idx(0)));
      auto [map, mapArrived] = readFields(chunks.back(), row, 0, mapFields());
      auto [prefix, prefixArrived] =
          readFields(chunks.back(), row, mapFields(), e);
      reads.push_back(map);
      llvm::append_range(reads.back(), prefix);
      reads.back().append({mapArrived, prefixArrived});
    }
    Value no = arith::ConstantIntOp::create(b, 0, 1);
    Value found = no, stopped = no;
    Map acc = identityMap();
    SmallVector<Value> carry(e, f32(0));
    for (int64_t i = 0; i < m.lookDepth; ++i) {
      Value chunk = chunks[i];
      ArrayRef<Value> read = reads[i];
      Value going = negate(stopped);
      Value arrived = arith::OrIOp::create(b, read[statusFields()],
                                           read[statusFields() + 1]);
      auto polled = scf::IfOp::create(
          b, both(going, negate(arrived)),
          [&](OpBuilder &, Location) {
            auto [fields, mapArrived, prefixArrived] = pollStatus(chunk, row);
            fields.append({mapArrived, prefixArrived});
            scf::YieldOp::create(b, fields);
          },
          [&](OpBuilder &, Location) { scf::YieldOp::create(b, read); });
      ValueRange got = polled.getResults();
      Value mapArrived = got[statusFields()];
      Value takesPrefix = both(going, got[statusFields() + 1]);
      if (m.lookTestMaps)
        takesPrefix = both(takesPrefix, negate(mapArrived));
      Value takesMap = both(both(going, negate(takesPrefix)), mapArrived);
      SmallVector<Value> prefix(got.slice(mapFields(), e));
      chooseWhere(takesPrefix, apply(acc, prefix), carry);
      Map next = compose(asMap(got), acc);
      chooseWhere(takesMap, next.gate, acc.gate);
      chooseWhere(takesMap, next.state, acc.state);
      found = arith::OrIOp::create(b, found, takesPrefix);
      stopped = arith::OrIOp::create(b, stopped, negate(takesMap));
    }
    SmallVector<Value> fields = fieldsOf(acc);
    llvm::append_range(fields, carry);
    // (A polled chunk has its map or its prefix, so a group ends only at a
    // prefix or after all its maps: never 0.)
    Value flag = select(found, i32(2), i32(1));
    return {fields, flag};
  }

  /// One warp's group of the first look with look-far-prefix: as
  /// lookAtGroup, but reading the maps of the chunks `nearest`, `nearest` -
  /// 1, ... (look-depth of them, down to the first chunk) and only the
  /// farthest one's prefix, all at once, again until the group is done: 2
  /// where that prefix and the nearer chunks' maps have arrived (the
  /// prefix field: those maps applied to it; with look-test-maps only at
  /// the first chunk), else 1 once every map has (the map field: all of
  /// them composed; the first chunk, which publishes no map, ends a group
  /// only by its prefix). The prefixes spread from the first chunk, so the
  /// farthest is the likeliest to have arrived.
  std::pair<SmallVector<Value>, Value> lookAtFarPrefix(Value nearest,
                                                       Value row) {
    int64_t depth = m.lookDepth, fields = mapFields();
    // The farthest chunk's place in the group.
    Value far = minu(nearest, idx(depth - 1));
    Value farIsFirst = cmp(P::eq, nearest, far);
    SmallVector<Type> types(depth * fields + e, b.getF32Type());
    types.push_back(b.getI1Type());
    SmallVector<Value> got = pollUntil(types, [&] {
      Value yes = arith::ConstantIntOp::create(b, 1, 1);
      Value no = arith::ConstantIntOp::create(b, 0, 1);
      Value nearer = yes, farMap = no;
      SmallVector<Value> out;
      for (int64_t i = 0; i < depth; ++i) {
        // (Places past the farthest read the first chunk, unused.)
        Value place = idx(i);
        Value chunk =
            select(cmp(P::ule, place, far), sub(nearest, place), idx(0));
        auto [map, arrived] = readFields(chunk, row, 0, fields);
        llvm::append_range(out, map);
        Value isNearer = cmp(P::ult, place, far);
        nearer =
            both(nearer, arith::OrIOp::create(b, negate(isNearer), arrived));
        farMap = arith::OrIOp::create(b, farMap,
                                      both(cmp(P::eq, place, far), arrived));
      }
      auto [prefix, prefixArrived] =
          readFields(sub(nearest, far), row, fields, e);
      llvm::append_range(out, prefix);
      Value takesPrefix = both(prefixArrived, nearer);
      if (m.lookTestMaps)
        takesPrefix = both(takesPrefix, farIsFirst);
      Value takesMaps = both(both(nearer, farMap), negate(farIsFirst));
      out.push_back(takesPrefix);
      return std::make_pair(
          out, Value(arith::OrIOp::create(b, takesPrefix, takesMaps)));
    });
    Value takesPrefix = got.back();
    Map acc = identityMap(), farMap = identityMap();
    for (int64_t i = 0; i < depth; ++i) {
      Map map = asMap(ArrayRef<Value>(got).slice(i * fields, fields));
      Map next = compose(map, acc);
      Value isNearer = cmp(P::ult, idx(i), far);
      chooseWhere(isNearer, next.gate, acc.gate);
      chooseWhere(isNearer, next.state, acc.state);
      Value isFar = cmp(P::eq, idx(i), far);
      chooseWhere(isFar, map.gate, farMap.gate);
      chooseWhere(isFar, map.state, farMap.state);
    }
    SmallVector<Value> prefix(ArrayRef<Value>(got).slice(depth * fields, e));
    SmallVector<Value> out = fieldsOf(compose(farMap, acc));
    llvm::append_range(out, apply(acc, prefix));
    return {out, select(takesPrefix, i32(2), i32(1))};
  }

  /// Warp 0 after the first look (chunkId > 0): the slots in order, each
  /// map (of look-depth chunks) composed in until a prefix ends the look
  /// (found: the composed maps applied to it) or the window ends without
  /// one (the chunk where the walk goes on, with the maps composed so far).
  /// Branchless.
  std::tuple<Value, SmallVector<Value>, Value, Map>
  scanFirstLook(const FirstLook &look, Value chunkId) {
    Value no = arith::ConstantIntOp::create(b, 0, 1);
    Value found = no, stopped = no, chunk = sub(chunkId, idx(1));
    Map acc = identityMap();
    SmallVector<Value> carry(e, f32(0));
    for (int64_t s = 0; s < window(); ++s) {
      Value slot = idx(s);
      Value flag = memref::LoadOp::create(b, look.flags,
                                          ValueRange{slot, look.status.lane});
      Value going = negate(stopped);
      Value takesPrefix = both(going, cmp(P::eq, flag, i32(2)));
      Value takesMap = both(going, cmp(P::eq, flag, i32(1)));
      SmallVector<Value> f = look.status.read(b, slot, 0, mapFields() + e);
      ArrayRef<Value> fields(f);
      chooseWhere(takesPrefix, apply(acc, fields.drop_front(mapFields())),
                  carry);
      Map next = compose(asMap(fields), acc);
      chooseWhere(takesMap, next.gate, acc.gate);
      chooseWhere(takesMap, next.state, acc.state);
      found = arith::OrIOp::create(b, found, takesPrefix);
      chunk = select(takesMap, sub(chunk, idx(m.lookDepth)), chunk);
      stopped = arith::OrIOp::create(b, stopped, cmp(P::ne, flag, i32(1)));
    }
    return {found, carry, chunk, acc};
  }

  /// The state before the block's chunk on the thread's row (zero for rows
  /// past the last): the initial state for the first chunk, else what the
  /// look-back finds (after the first look, where there was one); publishes
  /// the chunk's map first (unless the first look did) and its prefix
  /// after.
  SmallVector<Value> emitLookBack(Value chunkId, Value row, Value valid,
                                  const Map &block, const FirstLook &look) {
    Value last = sub(chunks, idx(1));
    auto ifValid = scf::IfOp::create(
        b, valid,
        [&](OpBuilder &, Location) {
          Value isFirst = cmp(P::eq, chunkId, idx(0));
          SmallVector<Value> before(e, f32(0));
          if (spec.init)
            before = loadInit();
          auto found = scf::IfOp::create(
              b, isFirst,
              [&](OpBuilder &, Location) { scf::YieldOp::create(b, before); },
              [&](OpBuilder &, Location) {
                if (!look) {
                  publish(chunkId, row, 0, fieldsOf(block));
                  scf::YieldOp::create(
                      b, lookBack(sub(chunkId, idx(1)), row, identityMap()));
                  return;
                }
                auto scanned = scanFirstLook(look, chunkId);
                auto walked = scf::IfOp::create(
                    b, std::get<0>(scanned),
                    [&](OpBuilder &, Location) {
                      scf::YieldOp::create(b, std::get<1>(scanned));
                    },
                    [&](OpBuilder &, Location) {
                      scf::YieldOp::create(b,
                                           lookBack(std::get<2>(scanned), row,
                                                    std::get<3>(scanned)));
                    });
                scf::YieldOp::create(b, walked.getResults());
              });
          SmallVector<Value> carry(found.getResults());
          // The chunk's inclusive prefix, for the chunks after it.
          scf::IfOp::create(
              b, cmp(P::ult, chunkId, last), [&](OpBuilder &, Location) {
                publish(chunkId, row, mapFields(), apply(block, carry));
                scf::YieldOp::create(b);
              });
          scf::YieldOp::create(b, carry);
        },
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, SmallVector<Value>(e, f32(0)));
        });
    return SmallVector<Value>(ifValid.getResults());
  }

  /// `v` (bf16, f16 or f32; scalar or vector) as f32; bf16 by integer
  /// operations (its bits are the upper half of the f32's).
  Value widenAgain(Value v) {
    Type elem = getElementTypeOrSelf(v.getType());
    if (!elem.isBF16())
      return widenToF32(b, v);
    auto like = [&](Type t) -> Type {
      if (auto vec = dyn_cast<VectorType>(v.getType()))
        return VectorType::get(vec.getShape(), t);
      return t;
    };
    Value bits = arith::BitcastOp::create(b, like(b.getI16Type()), v);
    Value wide = arith::ExtUIOp::create(b, like(b.getI32Type()), bits);
    Value sixteen =
        arith::ConstantOp::create(b, b.getIntegerAttr(b.getI32Type(), 16));
    if (auto vec = dyn_cast<VectorType>(wide.getType()))
      sixteen = vector::BroadcastOp::create(b, vec, sixteen);
    return arith::BitcastOp::create(b, like(b.getF32Type()),
                                    arith::ShLIOp::create(b, wide, sixteen));
  }

  /// Looks back from chunk `start` of `row`, after the maps of the chunks
  /// after it (up to the block's own) composed into `after`: the state
  /// before the block's chunk. Iterates (chunk j, found, the maps of j+1..
  /// composed):
  /// each round reads j's prefix: if all of it has arrived it ends the loop
  /// (the composed maps applied to it, in place of the composed state),
  /// else j's map is read: if all of it has arrived it is composed in and
  /// the look-back steps back, else it polls again.
  SmallVector<Value> lookBack(Value start, Value row, const Map &after) {
    Value no = arith::ConstantIntOp::create(b, 0, 1);
    Value yes = arith::ConstantIntOp::create(b, 1, 1);
    SmallVector<Value> inits{start, no};
    llvm::append_range(inits, fieldsOf(after));
    SmallVector<Type> types = llvm::to_vector(ValueRange(inits).getTypes());
    SmallVector<Location> locs(types.size(), b.getLoc());
    auto composed = [&](ValueRange v) { return asMap(v.drop_front(2)); };
    auto loop = scf::WhileOp::create(b, types, inits);
    {
      OpBuilder::InsertionGuard g(b);
      Block *before = b.createBlock(&loop.getBefore(), {}, types, locs);
      Value going = arith::XOrIOp::create(b, before->getArgument(1), yes);
      scf::ConditionOp::create(b, going, before->getArguments());
      Block *after = b.createBlock(&loop.getAfter(), {}, types, locs);
      ValueRange args = after->getArguments();
      Value j = args[0];
      Map acc = composed(args);
      // The prefix first; the map only where the prefix has not arrived
      // (reading both at once costs the kernel 30 registers).
      std::pair<SmallVector<Value>, Value> prefix =
          readFields(j, row, mapFields(), e);
      auto found = scf::IfOp::create(
          b, prefix.second,
          [&](OpBuilder &, Location) {
            SmallVector<Value> out{j, yes};
            llvm::append_range(out, acc.gate);
            llvm::append_range(out, apply(acc, prefix.first));
            scf::YieldOp::create(b, out);
          },
          [&](OpBuilder &, Location) {
            std::pair<SmallVector<Value>, Value> fields =
                readFields(j, row, 0, mapFields());
            auto stepped = scf::IfOp::create(
                b, fields.second,
                [&](OpBuilder &, Location) {
                  Map next = compose(asMap(fields.first), acc);
                  SmallVector<Value> out{sub(j, idx(1)), no};
                  llvm::append_range(out, fieldsOf(next));
                  scf::YieldOp::create(b, out);
                },
                [&](OpBuilder &, Location) { scf::YieldOp::create(b, args); });
            scf::YieldOp::create(b, stepped.getResults());
          });
      scf::YieldOp::create(b, found.getResults());
    }
    return composed(loop.getResults()).state;
  }

  /// The memory position of scan position `q` (reverse: mirrored, padding
  /// first).
  Value memoryPosition(Value q) {
    return m.forward ? q : sub(sub(length, idx(1)), q);
  }

  /// A vector of a thread's channels is aligned to its size, at most 16
  /// bytes (its rows start 16-byte aligned where vectors are used, and it
  /// starts at a multiple of E channels).
  static llvm::MaybeAlign vectorAlignment(VectorType type) {
    return llvm::MaybeAlign(std::min<int64_t>(
        16, type.getNumElements() * type.getElementTypeBitWidth() / 8));
  }

  /// Issues the loads of scan position `q`: the input vector of the
  /// thread's channels and its gate (per head: a scalar; per channel: a
  /// vector; backwards: the gate after the position). Padding and
  /// positions past the chunk load x = 0, a = 1.
  SmallVector<Value> loadPosition(Value q) {
    Type xElem = elementTypeOf(spec.input), aElem = elementTypeOf(spec.gates);
    auto xType = VectorType::get({e}, xElem);
    Type aType = perHead ? aElem : VectorType::get({e}, aElem);
    // Branchless: every load at a position inside the sequence, then
    // replaced where it is not.
    Value p = memoryPosition(branchless ? minu(q, sub(length, idx(1))) : q);
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
      if (branchless)
        return select(cond, load(), neutral(type, otherwise));
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
                       /*nontemporal=*/false, vectorAlignment(type))});
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
            auto type = VectorType::get({e}, yElem);
            Value vec = vector::FromElementsOp::create(b, type, narrow);
            vector::StoreOp::create(b, vec, y, ValueRange{bIdx, hIdx, p, d0},
                                    /*nontemporal=*/false,
                                    vectorAlignment(type));
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
  // The chained scan: rows, blocks per chunk, its status buffer (as a
  // memref and as a pointer).
  Value rowCount, rowGroups, status, statusBase;
  /// Whether loadPosition loads without branches.
  bool branchless = false;
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
