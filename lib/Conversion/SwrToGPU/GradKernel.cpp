//===- GradKernel.cpp - swr.scan_grad for windows of at most one hop ------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// One pass over a, x and dy for `hops` 0 and 1 (the op's description has
// the band derivation). With K = 1 a tile's gradients need, besides its
// own positions, one number from each neighbouring tile: the previous
// tile's terminal local state `u` (forward) and the next tile's reverse
// total `w = a_first * z0_first`:
//
//   dx_k = z0_k + R_k * w_{c+1}
//   da_k = dx_k * v_{k-1} + z0_k * g_{k-1} * u_{c-1}      (K = 1)
//   dx_k = z0_k,  da_k = z0_k * v_{k-1}                    (K = 0)
//
// where v, g are the tile's exclusive forward local state and gate prefix,
// z0 its reverse local scan of dy and R its exclusive reverse gate suffix.
//
// Mapping: a thread holds one tile of one (b, h, d) sequence in registers
// (a tile over 16 positions spans lanes of 16, joined by segmented shuffle
// scans); a warp holds consecutive tiles, of which the first and the last
// only compute their neighbours' numbers, passed by one shuffle each (tile
// -1 is h0's, a tile past the end has none). Whole lanes load and store
// one vector per array, aligned when every row starts on 16 bytes (checked
// on the host); the lane of a partial last tile switches on its count of
// positions, so that no per-position offsets or conditions stay alive
// across the channel loop. A block is one head and the tiles its warps
// own; its warps walk the head's channels one step ahead (the next
// channel's x and dy in flight while this one is computed; per-head gates
// loaded once), so that per-head `da` is summed over the channels in
// registers and then across warps through workgroup memory: no atomics,
// no second pass. The launch asks for the host's constants as immediates
// (swr-gpu-sink-constants). bench/NOTES.md ("Backward") has its speed and
// what to change next.
//
// One file of about 600 lines, like ScanKernel.cpp: the kernel's parts
// (loads, lane scans, neighbour exchange, stores, per-head sums) share the
// mapping's state and read in order; split, each would restate it.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "swr/Conversion/SwrToGPU/KernelMapping.h"
#include "swr/Conversion/SwrToGPU/SwrToGPU.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Utils/Recurrence.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::swr;

namespace {

/// Positions per lane: a tile of up to 16 positions takes one lane; a
/// longer one (a multiple of 16) spans lanes of 16, whose registers one
/// thread can still hold. Measured on the H200 at tile 16 (bench/NOTES.md,
/// "Backward"): one lane per tile beat two lanes of 8 (fewer registers and
/// more warps, but half the bytes in flight per thread and more halo).
static int64_t positionsPerLane(int64_t tile) {
  if (tile > 16 && tile % 16 == 0 && kWarpSize % (tile / 16) == 0)
    return 16;
  return tile;
}

class GradKernel : KernelBuilder {
public:
  GradKernel(ImplicitLocOpBuilder &b, ScanGradOp op, int64_t warps)
      : KernelBuilder(b), op(op), tile(op.getWindow().getTile()),
        hops(op.getWindow().getHops()), warps(warps),
        perHead(cast<ShapedType>(op.getGates().getType()).getRank() == 3),
        span(positionsPerLane(tile)), lanesPerTile(tile / span),
        tilesPerWarp(kWarpSize / lanesPerTile), ownedTiles(tilesPerWarp - 2) {}

  void emit() {
    Value input = op.getInput();
    batch = memref::DimOp::create(b, input, 0);
    heads = memref::DimOp::create(b, input, 1);
    channels = memref::DimOp::create(b, input, 2);
    n = memref::DimOp::create(b, input, 3);
    tiles = arith::CeilDivSIOp::create(b, n, idx(tile));
    groups = arith::CeilDivSIOp::create(b, tiles, idx(ownedTiles));
    Value blocks = mul(mul(batch, heads), groups);
    // Whole tiles load and store as aligned vectors when every row starts
    // on a 16-byte boundary.
    aligned = arith::ConstantIntOp::create(b, 1, 1);
    for (Value memref : vectorArrays())
      aligned = arith::AndIOp::create(b, aligned, rowsStartAligned(b, memref));
    scf::IfOp::create(b, cmp(arith::CmpIPredicate::sgt, blocks, idx(0)),
                      [&](OpBuilder &, Location) {
                        emitLaunch(blocks);
                        scf::YieldOp::create(b);
                      });
    // An empty sequence has no tile, but h0 still has a gradient: 0.
    if (op.getGradInit())
      emitZeroGradInit();
  }

  /// emitZeroGradInit alone.
  void emitZeroGradInitIfEmpty() {
    if (!op.getGradInit())
      return;
    Value input = op.getInput();
    batch = memref::DimOp::create(b, input, 0);
    heads = memref::DimOp::create(b, input, 1);
    channels = memref::DimOp::create(b, input, 2);
    n = memref::DimOp::create(b, input, 3);
    emitZeroGradInit();
  }

private:
  void emitLaunch(Value blocks) {
    SmallVector<Type> workgroup;
    if (perHead)
      workgroup.push_back(
          MemRefType::get({warps, kWarpSize, span + 1}, b.getF32Type(),
                          MemRefLayoutAttrInterface(),
                          gpu::AddressSpaceAttr::get(
                              b.getContext(), gpu::AddressSpace::Workgroup)));
    Value one = idx(1);
    auto launch = gpu::LaunchOp::create(
        b, blocks, one, one, idx(warps * kWarpSize), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange(), workgroup);
    // Measured on the H200 (bench/NOTES.md, "Backward"): with the host's
    // constants as parameters this kernel holds about 30 more registers
    // and runs 10-20% slower.
    launch->setAttr(kSinkConstantsAttrName, b.getUnitAttr());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value thread = launch.getThreadIds().x;
    lane = arith::RemUIOp::create(b, thread, idx(kWarpSize));
    Value warp = arith::DivUIOp::create(b, thread, idx(kWarpSize));
    Value block = launch.getBlockIds().x;
    Value head = arith::DivUIOp::create(b, block, groups);
    Value group = arith::RemUIOp::create(b, block, groups);
    bi = arith::DivUIOp::create(b, head, heads);
    hi = arith::RemUIOp::create(b, head, heads);
    // The lane's tile (-1 for the first tile of the first group: h0's)
    // and its part of it.
    Value tileInWarp = arith::DivUIOp::create(b, lane, idx(lanesPerTile));
    part = arith::RemUIOp::create(b, lane, idx(lanesPerTile));
    tileIndex = arith::SubIOp::create(
        b, add(mul(group, idx(ownedTiles)), tileInWarp), idx(1));
    owns = ownsTile(tileInWarp, tileIndex);

    first = add(mul(tileIndex, idx(tile)), mul(part, idx(span)));
    // The lane's positions in the sequence: all (`whole`, the common
    // case) or the first `count` (the last tile; none for tile -1).
    Value left = arith::SubIOp::create(b, n, first);
    count = arith::SelectOp::create(
        b, cmp(arith::CmpIPredicate::slt, tileIndex, idx(0)), idx(0),
        arith::MaxSIOp::create(b, idx(0),
                               arith::MinSIOp::create(b, left, idx(span))));
    whole = cmp(arith::CmpIPredicate::eq, count, idx(span));

    // Per head, the gates are the same for every channel: loaded once.
    // The warp walks its channels one step ahead: the next channel's
    // arrays are loaded before this one's gradients are computed, so that
    // loads stay in flight while the warp computes (two steps ahead
    // measured no faster in bf16 and slower in f32: bench/NOTES.md,
    // "Backward"). Per head, each thread sums its tile's da over the
    // channels it walks (in registers), then the warps' sums meet in
    // workgroup memory.
    Value gates =
        perHead ? loadArrays(Value(), {gatesArray()}).front() : Value();
    SmallVector<Array> arrays = channelArrays();
    int64_t numSums = perHead ? span : 0;
    SmallVector<Value> carried(numSums, f32(0));
    llvm::append_range(carried, loadChannel(warp, arrays));
    auto loop = scf::ForOp::create(
        b, warp, channels, idx(warps), carried,
        [&](OpBuilder &, Location, Value d, ValueRange iterArgs) {
          ValueRange sums = iterArgs.take_front(numSums);
          ValueRange loaded = iterArgs.drop_front(numSums);
          SmallVector<Value> next = loadChannel(add(d, idx(warps)), arrays);
          SmallVector<Value> yielded =
              emitSequenceTile(d, perHead ? gates : loaded.front(),
                               loaded[loaded.size() - 2], loaded.back(), sums);
          llvm::append_range(yielded, next);
          scf::YieldOp::create(b, yielded);
        });
    if (perHead) {
      headMemory = launch.getWorkgroupAttributions().front();
      for (int64_t j = 0; j < span; ++j)
        memref::StoreOp::create(b, loop.getResult(j), headMemory,
                                ValueRange{warp, lane, idx(j)});
      emitHeadSums(warp, group);
    }
    gpu::TerminatorOp::create(b);
  }

  /// An array the kernel reads, with its layout and its value past the
  /// sequence (1 for gates, 0 otherwise: the identity of the recurrence).
  struct Array {
    Value memref;
    Layout layout;
    float padding;
  };
  Array gatesArray() { return {op.getGates(), Layout::Gates, 1}; }
  /// The arrays read per channel: the gates when per channel, x and dy.
  SmallVector<Array> channelArrays() {
    SmallVector<Array> arrays;
    if (!perHead)
      arrays.push_back(gatesArray());
    arrays.push_back({op.getInput(), Layout::Sequence, 0});
    arrays.push_back({op.getGradOutput(), Layout::Sequence, 0});
    return arrays;
  }

  /// The arrays of channel `d` (see loadArrays), or their padding when
  /// `d` is past the last channel (the step after a warp's last channel).
  SmallVector<Value> loadChannel(Value d, ArrayRef<Array> arrays) {
    SmallVector<Type> types;
    for (const Array &array : arrays)
      types.push_back(vectorOf(array.memref));
    auto ifOp =
        scf::IfOp::create(b, types, cmp(arith::CmpIPredicate::slt, d, channels),
                          /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(b, loadArrays(d, arrays));
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    SmallVector<Value> padding;
    for (const Array &array : arrays)
      padding.push_back(splat(array));
    scf::YieldOp::create(b, padding);
    return SmallVector<Value>(ifOp.getResults());
  }

  /// This lane's positions of `arrays` in sequence (bi, hi, d) (`d`
  /// unused for per-head gates), as vectors of their element type; the
  /// arrays' padding past the sequence. Whole lanes (the common case)
  /// load one vector per array where the last dimension has unit stride
  /// (16-byte accesses when the rows are aligned); the lane of the last
  /// tile switches on its count of positions, so that every element's
  /// address is the lane's base plus a constant (no per-position offsets
  /// or conditions for the compiler to keep across the channel loop).
  SmallVector<Value> loadArrays(Value d, ArrayRef<Array> arrays) {
    SmallVector<Type> types;
    for (const Array &array : arrays)
      types.push_back(vectorOf(array.memref));
    auto ifOp = scf::IfOp::create(b, types, whole, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    SmallVector<Value> values;
    for (const Array &array : arrays) {
      Value memref = array.memref;
      if (!isLastDimUnitStride(memref)) {
        values.push_back(loadElements(array, d, span));
        continue;
      }
      SmallVector<Value, 4> at =
          indicesAt(memref, array.layout, {bi, hi, d}, first);
      auto aligned = scf::IfOp::create(
          b, this->aligned,
          [&](OpBuilder &, Location) {
            scf::YieldOp::create(
                b, ValueRange{vector::LoadOp::create(
                       b, vectorOf(memref), memref, at,
                       /*nontemporal=*/false, laneAlignment(memref))});
          },
          [&](OpBuilder &, Location) {
            // Element loads (a vector load here would be merged with the
            // aligned one at the lower alignment).
            scf::YieldOp::create(b, ValueRange{loadElements(array, d, span)});
          });
      values.push_back(aligned.getResult(0));
    }
    scf::YieldOp::create(b, values);
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    auto switchOp = switchOnCount(types);
    for (int64_t c = 0; c <= span; ++c) {
      Region &region =
          c < span ? switchOp.getCaseRegions()[c] : switchOp.getDefaultRegion();
      b.setInsertionPointToStart(&region.emplaceBlock());
      SmallVector<Value> partial;
      for (const Array &array : arrays)
        partial.push_back(loadElements(array, d, c < span ? c : 0));
      scf::YieldOp::create(b, partial);
    }
    b.setInsertionPointAfter(switchOp);
    scf::YieldOp::create(b, switchOp.getResults());
    return SmallVector<Value>(ifOp.getResults());
  }

  /// A switch on the lane's count of positions, cases 0 to span - 1 (the
  /// default, span, does not occur where it is used), regions empty.
  scf::IndexSwitchOp switchOnCount(TypeRange types) {
    SmallVector<int64_t> cases;
    for (int64_t c = 0; c < span; ++c)
      cases.push_back(c);
    return scf::IndexSwitchOp::create(b, types, count, cases, cases.size());
  }

  /// The lane's first `valid` positions of `array` one element at a time,
  /// its padding after them.
  Value loadElements(const Array &array, Value d, int64_t valid) {
    Type element = elementTypeOf(array.memref);
    Value padding;
    SmallVector<Value> elements;
    for (int64_t j = 0; j < span; ++j) {
      if (j >= valid) {
        if (!padding)
          padding = constant(element, array.padding);
        elements.push_back(padding);
        continue;
      }
      elements.push_back(
          memref::LoadOp::create(b, array.memref,
                                 indicesAt(array.memref, array.layout,
                                           {bi, hi, d}, add(first, idx(j)))));
    }
    return vector::FromElementsOp::create(b, vectorOf(array.memref), elements);
  }

  /// A vector of the array's padding.
  Value splat(const Array &array) {
    VectorType type = vectorOf(array.memref);
    return arith::ConstantOp::create(
        b, DenseElementsAttr::get(
               type, b.getFloatAttr(type.getElementType(), array.padding)));
  }

  /// The type of a lane's positions of `memref`.
  VectorType vectorOf(Value memref) {
    return VectorType::get({span}, elementTypeOf(memref));
  }

  /// The arrays whole tiles access as vectors (those with unit stride).
  SmallVector<Value> vectorArrays() {
    SmallVector<Value> arrays;
    for (Value memref :
         {op.getGates(), op.getInput(), op.getGradOutput(), op.getGradInput()})
      if (isLastDimUnitStride(memref))
        arrays.push_back(memref);
    if (!perHead && isLastDimUnitStride(op.getGradGates()))
      arrays.push_back(op.getGradGates());
    return arrays;
  }

  /// The alignment of a lane's first element in a row that starts on 16
  /// bytes: the largest power of two dividing the lane's bytes, at most 16.
  llvm::MaybeAlign laneAlignment(Value memref) {
    int64_t bytes =
        span * cast<MemRefType>(memref.getType()).getElementTypeBitWidth() / 8;
    return llvm::Align(std::min<int64_t>(16, bytes & -bytes));
  }

  static bool isLastDimUnitStride(Value memref) {
    return cast<MemRefType>(memref.getType()).isLastDimUnitStride();
  }

  /// Stores `values` at the lane's positions of `memref` (lanes that own
  /// their tile; as the loads: one vector for whole lanes, a switch on the
  /// count of positions for the last tile's).
  void storeTile(Value memref, Layout layout, Value d, ArrayRef<Value> values) {
    auto storeElements = [&](int64_t valid) {
      for (int64_t j = 0; j < valid; ++j)
        store(memref, layout, d, add(first, idx(j)), Value(), values[j]);
    };
    scf::IfOp::create(b, owns, [&](OpBuilder &, Location) {
      scf::IfOp::create(
          b, whole,
          [&](OpBuilder &, Location) {
            if (isLastDimUnitStride(memref)) {
              Value vec = vector::FromElementsOp::create(
                  b, VectorType::get({span}, b.getF32Type()), values);
              Type element = elementTypeOf(memref);
              if (!element.isF32())
                vec = arith::TruncFOp::create(
                    b, VectorType::get({span}, element), vec);
              SmallVector<Value, 4> at =
                  indicesAt(memref, layout, {bi, hi, d}, first);
              scf::IfOp::create(
                  b, aligned,
                  [&](OpBuilder &, Location) {
                    vector::StoreOp::create(b, vec, memref, at,
                                            /*nontemporal=*/false,
                                            laneAlignment(memref));
                    scf::YieldOp::create(b);
                  },
                  [&](OpBuilder &, Location) {
                    storeElements(span);
                    scf::YieldOp::create(b);
                  });
            } else {
              storeElements(span);
            }
            scf::YieldOp::create(b);
          },
          [&](OpBuilder &, Location) {
            auto switchOp = switchOnCount({});
            for (int64_t c = 0; c <= span; ++c) {
              Region &region = c < span ? switchOp.getCaseRegions()[c]
                                        : switchOp.getDefaultRegion();
              b.setInsertionPointToStart(&region.emplaceBlock());
              storeElements(c < span ? c : 0);
              scf::YieldOp::create(b);
            }
            b.setInsertionPointAfter(switchOp);
            scf::YieldOp::create(b);
          });
      scf::YieldOp::create(b);
    });
  }

  /// The gradients of this lane's positions of sequence (bi, hi, d), from
  /// its gates `gates`, input `input` and output gradient `gradOutput`
  /// (vectors of the lane's positions). Scans run along the lane's
  /// positions, then across the lanes of its tile (segmented shuffle
  /// scans), then the neighbouring tiles' numbers arrive by one shuffle
  /// each. Few values stay alive: the positions' a, x, the local reverse
  /// scan z0 and dx; the gate suffixes and forward states are running
  /// values of the passes that need them (the forward pass runs twice:
  /// once for the tile's terminal state, once for da).
  SmallVector<Value> emitSequenceTile(Value d, Value gates, Value input,
                                      Value gradOutput, ValueRange sums) {
    auto elements = [&](Value vector) {
      Value wide = widenToF32(b, vector);
      SmallVector<Value> values;
      for (int64_t j = 0; j < span; ++j)
        values.push_back(vector::ExtractOp::create(b, wide, j));
      return values;
    };
    SmallVector<Value> a = elements(gates), x = elements(input);
    SmallVector<Value> dy = elements(gradOutput);

    // Reverse, along the lane: the local scan of dy and the lane's gate
    // product; across the tile's lanes: what the lanes to the right add
    // (their gate product and total), and the tile's total at its first
    // lane.
    SmallVector<Value> z0(span);
    Value r = a[span - 1];
    z0[span - 1] = dy[span - 1];
    for (int64_t j = span - 2; j >= 0; --j) {
      z0[j] = fma(a[j + 1], z0[j + 1], dy[j]);
      r = fmul(a[j], r);
    }
    auto [rightGate, rightTotal] =
        laneScan({r, fmul(a[0], z0[0])}, /*fromRight=*/true);
    Value tileTotal =
        shuffleIdx(fma(r, rightTotal, fmul(a[0], z0[0])), sub(lane, part));
    // The next tile's total, from its first lane; dx = z0 + R * next,
    // with R the gate product after the position in its tile.
    Value next =
        hops == 0
            ? Value()
            : shuffleIdx(tileTotal, add(sub(lane, part), idx(lanesPerTile)));
    SmallVector<Value> dx(span);
    Value suffix = f32(1);
    for (int64_t j = span - 1; j >= 0; --j) {
      if (lanesPerTile > 1)
        z0[j] = fma(suffix, rightTotal, z0[j]);
      dx[j] = next ? fma(lanesPerTile > 1 ? fmul(suffix, rightGate) : suffix,
                         next, z0[j])
                   : z0[j];
      suffix = fmul(a[j], suffix);
    }
    storeTile(op.getGradInput(), Layout::Sequence, d, dx);

    // Forward, along the lane from a zero state: the lane's state and
    // gate product; across the tile's lanes: the state and gate product
    // entering the lane from its tile's start.
    Value v = x[0], g = a[0];
    for (int64_t j = 1; j < span; ++j) {
      v = fma(a[j], v, x[j]);
      g = fmul(a[j], g);
    }
    auto [leftGate, leftState] = laneScan({g, v}, /*fromRight=*/false);
    // da_k = dx_k * (tile state before k) + z0_k * (tile gate product
    // before k) * (the previous tile's terminal state).
    Value previous;
    if (hops != 0) {
      // The tile's terminal state (at its last lane); tile -1 is h0's.
      Value terminal = fma(g, leftState, v);
      if (Value init = op.getInit()) {
        Value h0 = widenToF32(
            b, memref::LoadOp::create(
                   b, init, indicesAt(init, Layout::State, {bi, hi, d}, {})));
        terminal = arith::SelectOp::create(
            b, cmp(arith::CmpIPredicate::eq, tileIndex, idx(-1)), h0, terminal);
      }
      // The previous tile's, from its last lane.
      previous = shuffleIdx(terminal, sub(sub(lane, part), idx(1)));
    }
    SmallVector<Value> da(span);
    Value state = leftState, gate = leftGate;
    for (int64_t j = 0; j < span; ++j) {
      Value own = fmul(dx[j], state);
      da[j] = previous ? fma(fmul(z0[j], gate), previous, own) : own;
      state = j == 0 && lanesPerTile == 1 ? x[0] : fma(a[j], state, x[j]);
      gate = j == 0 && lanesPerTile == 1 ? a[0] : fmul(a[j], gate);
    }
    SmallVector<Value> newSums;
    if (perHead) {
      for (int64_t j = 0; j < span; ++j)
        newSums.push_back(fadd(sums[j], da[j]));
    } else {
      storeTile(op.getGradGates(), Layout::Gates, d, da);
    }
    if (Value gradInit = op.getGradInit()) {
      // dh0 = a_0 * z0_0 for K = 1 (tile 0's total), 0 for K = 0.
      Value dh0 = hops == 0 ? f32(0) : tileTotal;
      Value atStart = arith::AndIOp::create(
          b, cmp(arith::CmpIPredicate::eq, tileIndex, idx(0)),
          cmp(arith::CmpIPredicate::eq, part, idx(0)));
      store(gradInit, Layout::State, d, Value(),
            arith::AndIOp::create(b, owns, atStart), dh0);
    }
    return newSums;
  }

  /// An exclusive scan across the lanes of each tile of `pair` = (gate
  /// product, state) of every lane: from the left, the (product, state)
  /// entering the lane from its tile's start; from the right, the
  /// (product, total) the lanes after it add, seen from its end. Identity
  /// (1, 0) at the tile's first (last) lane. All lanes take part.
  std::pair<Value, Value> laneScan(std::pair<Value, Value> pair,
                                   bool fromRight) {
    if (lanesPerTile == 1)
      return {f32(1), f32(0)};
    auto mode = fromRight ? gpu::ShuffleMode::DOWN : gpu::ShuffleMode::UP;
    // Inclusive (Hillis-Steele) within the tile's lanes.
    Value gate = pair.first, state = pair.second;
    for (int64_t step = 1; step < lanesPerTile; step *= 2) {
      Value otherGate = shuffleBy(gate, step, mode);
      Value otherState = shuffleBy(state, step, mode);
      Value inTile = fromRight
                         ? cmp(arith::CmpIPredicate::ult, add(part, idx(step)),
                               idx(lanesPerTile))
                         : cmp(arith::CmpIPredicate::uge, part, idx(step));
      // (product, state) pairs compose the same way in both directions:
      // from the left the other lanes come first (S = S_self + G_self *
      // S_other), from the right they come after, seen from this lane's
      // start (W = W_self + A_self * W_other).
      state = arith::SelectOp::create(b, inTile, fma(gate, otherState, state),
                                      state);
      gate = arith::SelectOp::create(b, inTile, fmul(gate, otherGate), gate);
    }
    // Exclusive: the neighbour's inclusive value, identity at the edge.
    Value neighbourGate = shuffleBy(gate, 1, mode);
    Value neighbourState = shuffleBy(state, 1, mode);
    Value edge =
        fromRight ? cmp(arith::CmpIPredicate::eq, part, idx(lanesPerTile - 1))
                  : cmp(arith::CmpIPredicate::eq, part, idx(0));
    return {arith::SelectOp::create(b, edge, f32(1), neighbourGate),
            arith::SelectOp::create(b, edge, f32(0), neighbourState)};
  }

  /// Sums the warps' per-head partial da (in workgroup memory) and stores
  /// it, consecutive threads on consecutive positions.
  void emitHeadSums(Value warp, Value group) {
    Value memory = headMemory;
    gpu::BarrierOp::create(b);
    Value thread = add(mul(warp, idx(kWarpSize)), lane);
    scf::ForOp::create(
        b, thread, idx(kWarpSize * span), idx(warps * kWarpSize), ValueRange{},
        [&](OpBuilder &, Location, Value o, ValueRange) {
          Value l = arith::DivUIOp::create(b, o, idx(span));
          Value j = arith::RemUIOp::create(b, o, idx(span));
          Value total = f32(0);
          for (int64_t w = 0; w < warps; ++w)
            total = fadd(total, memref::LoadOp::create(
                                    b, memory, ValueRange{idx(w), l, j}));
          Value tileInWarp = arith::DivUIOp::create(b, l, idx(lanesPerTile));
          Value t = sub(add(mul(group, idx(ownedTiles)), tileInWarp), idx(1));
          Value pos =
              add(add(mul(t, idx(tile)),
                      mul(arith::RemUIOp::create(b, l, idx(lanesPerTile)),
                          idx(span))),
                  j);
          Value ok =
              arith::AndIOp::create(b, ownsTile(tileInWarp, t),
                                    cmp(arith::CmpIPredicate::slt, pos, n));
          store(op.getGradGates(), Layout::Gates, idx(0), pos, ok, total);
          scf::YieldOp::create(b);
        });
  }

  /// Whether tile `t`, the `tileInWarp`-th of a warp, is owned (not a halo)
  /// and exists.
  Value ownsTile(Value tileInWarp, Value t) {
    Value inner = arith::AndIOp::create(
        b, cmp(arith::CmpIPredicate::uge, tileInWarp, idx(1)),
        cmp(arith::CmpIPredicate::ule, tileInWarp, idx(ownedTiles)));
    return arith::AndIOp::create(b, inner,
                                 cmp(arith::CmpIPredicate::slt, t, tiles));
  }

  /// A kernel of one thread per sequence writing dh0 = 0, for N = 0.
  void emitZeroGradInit() {
    Value empty = cmp(arith::CmpIPredicate::eq, n, idx(0));
    Value rows = mul(mul(batch, heads), channels);
    Value any = arith::AndIOp::create(
        b, empty, cmp(arith::CmpIPredicate::sgt, rows, idx(0)));
    scf::IfOp::create(b, any, [&](OpBuilder &, Location) {
      Value threads = idx(kWarpSize * warps);
      Value one = idx(1);
      auto launch =
          gpu::LaunchOp::create(b, arith::CeilDivSIOp::create(b, rows, threads),
                                one, one, threads, one, one);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&launch.getBody().front());
      Value id =
          add(mul(launch.getBlockIds().x, threads), launch.getThreadIds().x);
      Value d = arith::RemUIOp::create(b, id, channels);
      Value rest = arith::DivUIOp::create(b, id, channels);
      bi = arith::DivUIOp::create(b, rest, heads);
      hi = arith::RemUIOp::create(b, rest, heads);
      store(op.getGradInit(), Layout::State, d, Value(),
            cmp(arith::CmpIPredicate::slt, id, rows), f32(0));
      gpu::TerminatorOp::create(b);
      b.setInsertionPointAfter(launch);
      scf::YieldOp::create(b);
    });
  }

  /// Stores `value` narrowed to the element type, where `when` (if given)
  /// holds.
  void store(Value memref, Layout layout, Value d, Value pos, Value when,
             Value value) {
    auto emit = [&] {
      Type element = cast<MemRefType>(memref.getType()).getElementType();
      memref::StoreOp::create(b, narrowTo(b, element, value), memref,
                              indicesAt(memref, layout, {bi, hi, d}, pos));
    };
    if (!when)
      return emit();
    scf::IfOp::create(b, when, [&](OpBuilder &, Location) {
      emit();
      scf::YieldOp::create(b);
    });
  }

  Value shuffleBy(Value v, int64_t offset, gpu::ShuffleMode mode) {
    return gpu::ShuffleOp::create(b, v, i32(offset), i32(kWarpSize), mode)
        .getShuffleResult();
  }
  /// `v` of lane `source` (clamped to the warp; the lanes that read past
  /// it are halos, whose results are unused).
  Value shuffleIdx(Value v, Value source) {
    Value clamped = arith::MinUIOp::create(
        b, arith::MaxSIOp::create(b, source, idx(0)), idx(kWarpSize - 1));
    return gpu::ShuffleOp::create(
               b, v, arith::IndexCastOp::create(b, b.getI32Type(), clamped),
               i32(kWarpSize), gpu::ShuffleMode::IDX)
        .getShuffleResult();
  }
  ScanGradOp op;
  int64_t tile, hops, warps;
  bool perHead;
  /// Positions per lane, lanes per tile, tiles per warp, and the tiles a
  /// warp owns (all but its first and last, which are halos).
  int64_t span, lanesPerTile, tilesPerWarp, ownedTiles;
  Value batch, heads, channels, n, tiles, groups;
  /// Whether every row of the vector-accessed arrays starts on 16 bytes.
  Value aligned;
  // In the kernel.
  Value lane, part, bi, hi, tileIndex, owns;
  /// The lane's first position, its count of positions in the sequence,
  /// and whether that is all of them.
  Value first, count, whole;
  /// Per head: [warp][lane][position] partial sums of da (positions padded
  /// by one, so that the lanes' stores hit distinct banks).
  Value headMemory;
};

} // namespace

LogicalResult mlir::swr::checkGradKernel(ScanGradOp op) {
  WindowAttr window = op.getWindow();
  if (window.isExact() || window.getHops() > 1)
    return op.emitOpError("has a GPU kernel for hops 0 and 1 only, got hops = ")
           << (window.isExact() ? std::string("inf")
                                : std::to_string(window.getHops()))
           << " ("
           << (window.isExact() ? "and from_output, from the forward's "
                                  "output y; "
                                : "")
           << "convert-swr-to-scf runs it on the CPU)";
  if (window.getTile() > kWarpSize)
    return op.emitOpError("has a GPU kernel for tiles of at most 32 "
                          "positions (held in registers), got ")
           << window.getTile();
  return success();
}

void mlir::swr::emitGradKernel(ImplicitLocOpBuilder &b, ScanGradOp op,
                               int64_t warpsPerBlock) {
  GradKernel(b, op, warpsPerBlock).emit();
}

void mlir::swr::emitZeroGradInitIfEmpty(ImplicitLocOpBuilder &b, ScanGradOp op,
                                        int64_t warpsPerBlock) {
  GradKernel(b, op, warpsPerBlock).emitZeroGradInitIfEmpty();
}
