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
// Mapping: a thread owns one tile of one (b, h, d) sequence and keeps its T
// positions in registers; the 32 lanes of a warp hold 32 consecutive tiles,
// of which lanes 1..30 own theirs and lanes 0 and 31 only compute the
// neighbours' numbers, passed by one shuffle each (tile -1 is h0's, a tile
// past the end has none). A block is one head and 30 tiles; its warps walk
// the head's channels, so that per-head `da` is summed over the channels in
// registers and then across warps through workgroup memory: no atomics, no
// second pass.
//
//===----------------------------------------------------------------------===//

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

/// Lanes 1..30 of a warp own their tiles; 0 and 31 are halos.
constexpr int64_t kOwnedTiles = kWarpSize - 2;

class GradKernel {
public:
  GradKernel(ImplicitLocOpBuilder &b, ScanGradOp op, int64_t warps)
      : b(b), op(op), tile(op.getWindow().getTile()),
        hops(op.getWindow().getHops()), warps(warps),
        perHead(cast<ShapedType>(op.getGates().getType()).getRank() == 3) {}

  void emit() {
    Value input = op.getInput();
    batch = memref::DimOp::create(b, input, 0);
    heads = memref::DimOp::create(b, input, 1);
    channels = memref::DimOp::create(b, input, 2);
    n = memref::DimOp::create(b, input, 3);
    tiles = arith::CeilDivSIOp::create(b, n, idx(tile));
    groups = arith::CeilDivSIOp::create(b, tiles, idx(kOwnedTiles));
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

private:
  void emitLaunch(Value blocks) {
    SmallVector<Type> workgroup;
    if (perHead)
      workgroup.push_back(MemRefType::get(
          {warps, kWarpSize, tile}, b.getF32Type(), MemRefLayoutAttrInterface(),
          gpu::AddressSpaceAttr::get(b.getContext(),
                                     gpu::AddressSpace::Workgroup)));
    Value one = idx(1);
    auto launch = gpu::LaunchOp::create(
        b, blocks, one, one, idx(warps * kWarpSize), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange(), workgroup);
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
    // Tile of this lane: -1 for lane 0 of the first group (h0's tile).
    tileIndex = arith::SubIOp::create(
        b, add(mul(group, idx(kOwnedTiles)), lane), idx(1));
    Value inner = arith::AndIOp::create(
        b, cmp(arith::CmpIPredicate::uge, lane, idx(1)),
        cmp(arith::CmpIPredicate::ule, lane, idx(kOwnedTiles)));
    owns = arith::AndIOp::create(
        b, inner, cmp(arith::CmpIPredicate::slt, tileIndex, tiles));

    // Per head, each thread sums its tile's da over the channels it walks
    // (in registers), then the warps' sums meet in workgroup memory.
    SmallVector<Value> zeros(perHead ? tile : 0, f32(0));
    auto loop = scf::ForOp::create(
        b, warp, channels, idx(warps), zeros,
        [&](OpBuilder &, Location, Value d, ValueRange sums) {
          scf::YieldOp::create(b, emitSequenceTile(d, sums));
        });
    if (perHead) {
      headMemory = launch.getWorkgroupAttributions().front();
      for (int64_t j = 0; j < tile; ++j)
        memref::StoreOp::create(b, loop.getResult(j), headMemory,
                                ValueRange{warp, lane, idx(j)});
      emitHeadSums(warp, group);
    }
    gpu::TerminatorOp::create(b);
  }

  /// a, x and dy of this lane's tile of sequence (bi, hi, d): 1, 0, 0 past
  /// the sequence. A whole tile (the common case) loads from one base with
  /// no per-position checks.
  SmallVector<Value> loadTile(Value d, Value first, Value whole) {
    Value arrays[] = {op.getGates(), op.getInput(), op.getGradOutput()};
    Layout layouts[] = {Layout::Gates, Layout::Sequence, Layout::Sequence};
    float padding[] = {1, 0, 0};
    auto loads = [&](bool checked) {
      SmallVector<Value> values(3 * tile);
      for (int k = 0; k < 3; ++k) {
        if (!checked && isLastDimUnitStride(arrays[k])) {
          // One vector load: one address per array and tile, 16-byte
          // accesses when the rows are aligned.
          auto type = VectorType::get({tile}, elementOf(arrays[k]));
          SmallVector<Value, 4> at =
              indicesAt(arrays[k], layouts[k], {bi, hi, d}, first);
          auto ifOp = scf::IfOp::create(
              b, aligned,
              [&](OpBuilder &, Location) {
                scf::YieldOp::create(
                    b, ValueRange{vector::LoadOp::create(
                           b, type, arrays[k], at, /*nontemporal=*/false,
                           tileAlignment(arrays[k]))});
              },
              [&](OpBuilder &, Location) {
                // Element loads (a vector load here would be merged with
                // the aligned one at the lower alignment).
                SmallVector<Value> elements;
                for (int64_t j = 0; j < tile; ++j)
                  elements.push_back(memref::LoadOp::create(
                      b, arrays[k],
                      indicesAt(arrays[k], layouts[k], {bi, hi, d},
                                add(first, idx(j)))));
                scf::YieldOp::create(
                    b, ValueRange{
                           vector::FromElementsOp::create(b, type, elements)});
              });
          Value vec = widenToF32(b, ifOp.getResult(0));
          for (int64_t j = 0; j < tile; ++j)
            values[3 * j + k] = vector::ExtractOp::create(b, vec, j);
          continue;
        }
        for (int64_t j = 0; j < tile; ++j) {
          Value pos = add(first, idx(j));
          Value valid;
          if (checked) {
            valid = positionValid(pos);
            pos = arith::SelectOp::create(b, valid, pos, idx(0));
          }
          values[3 * j + k] =
              load(arrays[k], layouts[k], d, pos, valid, padding[k]);
        }
      }
      scf::YieldOp::create(b, values);
    };
    SmallVector<Type> types(3 * tile, b.getF32Type());
    auto ifOp = scf::IfOp::create(b, types, whole, /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      loads(false);
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      loads(true);
    }
    return SmallVector<Value>(ifOp.getResults());
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

  /// The alignment of a tile's first element in a row that starts on 16
  /// bytes: the largest power of two dividing the tile's bytes, at most 16.
  llvm::MaybeAlign tileAlignment(Value memref) {
    int64_t bytes =
        tile * cast<MemRefType>(memref.getType()).getElementTypeBitWidth() / 8;
    return llvm::Align(std::min<int64_t>(16, bytes & -bytes));
  }

  static Type elementOf(Value memref) {
    return cast<MemRefType>(memref.getType()).getElementType();
  }
  static bool isLastDimUnitStride(Value memref) {
    return cast<MemRefType>(memref.getType()).isLastDimUnitStride();
  }

  Value positionValid(Value pos) {
    return arith::AndIOp::create(
        b, cmp(arith::CmpIPredicate::sge, tileIndex, idx(0)),
        cmp(arith::CmpIPredicate::slt, pos, n));
  }

  /// Stores `values` at the tile's positions of `memref` (lanes that own
  /// their tile; positions past the sequence skipped, checked only for the
  /// last tile).
  void storeTile(Value memref, Layout layout, Value d, Value first, Value whole,
                 ArrayRef<Value> values) {
    scf::IfOp::create(b, owns, [&](OpBuilder &, Location) {
      scf::IfOp::create(
          b, whole,
          [&](OpBuilder &, Location) {
            if (isLastDimUnitStride(memref)) {
              Value vec = vector::FromElementsOp::create(
                  b, VectorType::get({tile}, b.getF32Type()), values);
              Type element = elementOf(memref);
              if (!element.isF32())
                vec = arith::TruncFOp::create(
                    b, VectorType::get({tile}, element), vec);
              SmallVector<Value, 4> at =
                  indicesAt(memref, layout, {bi, hi, d}, first);
              scf::IfOp::create(
                  b, aligned,
                  [&](OpBuilder &, Location) {
                    vector::StoreOp::create(b, vec, memref, at,
                                            /*nontemporal=*/false,
                                            tileAlignment(memref));
                    scf::YieldOp::create(b);
                  },
                  [&](OpBuilder &, Location) {
                    for (int64_t j = 0; j < tile; ++j)
                      store(memref, layout, d, add(first, idx(j)), Value(),
                            values[j]);
                    scf::YieldOp::create(b);
                  });
            } else {
              for (int64_t j = 0; j < tile; ++j)
                store(memref, layout, d, add(first, idx(j)), Value(),
                      values[j]);
            }
            scf::YieldOp::create(b);
          },
          [&](OpBuilder &, Location) {
            for (int64_t j = 0; j < tile; ++j) {
              Value pos = add(first, idx(j));
              store(memref, layout, d, pos, positionValid(pos), values[j]);
            }
            scf::YieldOp::create(b);
          });
      scf::YieldOp::create(b);
    });
  }

  /// The gradients of this lane's tile of sequence (bi, hi, d). The order
  /// keeps few values alive: the reverse scan and dx first (dx stored at
  /// once), then the forward scan, which folds dx and z0 into the two
  /// factors of da that wait for the previous tile's terminal state.
  SmallVector<Value> emitSequenceTile(Value d, ValueRange sums) {
    Value first = mul(tileIndex, idx(tile));
    Value whole = arith::AndIOp::create(
        b, cmp(arith::CmpIPredicate::sge, tileIndex, idx(0)),
        cmp(arith::CmpIPredicate::sle, add(first, idx(tile)), n));
    SmallVector<Value> loaded = loadTile(d, first, whole);
    auto a = [&](int64_t j) { return loaded[3 * j]; };
    auto x = [&](int64_t j) { return loaded[3 * j + 1]; };
    auto dy = [&](int64_t j) { return loaded[3 * j + 2]; };

    // Reverse: the local scan of dy and the exclusive gate suffix.
    SmallVector<Value> z0(tile), after(tile);
    Value z = f32(0), r = f32(1);
    for (int64_t j = tile - 1; j >= 0; --j) {
      z = j == tile - 1 ? dy(j) : fma(a(j + 1), z, dy(j));
      z0[j] = z;
      after[j] = r;
      r = mulf(a(j), r);
    }
    Value reverseTotal = mulf(a(0), z0[0]);
    SmallVector<Value> dx(tile);
    if (hops == 0) {
      dx = z0;
    } else {
      Value next = shuffle(reverseTotal, gpu::ShuffleMode::DOWN);
      for (int64_t j = 0; j < tile; ++j)
        dx[j] = fma(after[j], next, z0[j]);
    }
    storeTile(op.getGradInput(), Layout::Sequence, d, first, whole, dx);

    // Forward: da_k = dx_k * v_{k-1} + (z0_k * g_{k-1}) * u_{c-1}.
    SmallVector<Value> own(tile), fromPrevious(tile);
    Value v = f32(0), g = f32(1);
    for (int64_t j = 0; j < tile; ++j) {
      own[j] = mulf(dx[j], v);
      fromPrevious[j] = mulf(z0[j], g);
      v = fma(a(j), v, x(j));
      g = mulf(a(j), g);
    }
    SmallVector<Value> da(tile);
    if (hops == 0) {
      da = own;
    } else {
      // Tile -1 is h0's: its terminal state is h0.
      Value terminal = v;
      if (Value init = op.getInit()) {
        Value h0 = widenToF32(
            b, memref::LoadOp::create(
                   b, init, indicesAt(init, Layout::State, {bi, hi, d}, {})));
        terminal = arith::SelectOp::create(
            b, cmp(arith::CmpIPredicate::eq, tileIndex, idx(-1)), h0, terminal);
      }
      Value previous = shuffle(terminal, gpu::ShuffleMode::UP);
      for (int64_t j = 0; j < tile; ++j)
        da[j] = fma(fromPrevious[j], previous, own[j]);
    }
    SmallVector<Value> next;
    if (perHead) {
      for (int64_t j = 0; j < tile; ++j)
        next.push_back(addf(sums[j], da[j]));
    } else {
      storeTile(op.getGradGates(), Layout::Gates, d, first, whole, da);
    }
    if (Value gradInit = op.getGradInit()) {
      // dh0 = a_0 * z0_0 for K = 1 (tile 0's reverse total), 0 for K = 0.
      Value dh0 = hops == 0 ? f32(0) : reverseTotal;
      store(gradInit, Layout::State, d, Value(),
            arith::AndIOp::create(
                b, owns, cmp(arith::CmpIPredicate::eq, tileIndex, idx(0))),
            dh0);
    }
    return next;
  }

  /// Sums the warps' per-head partial da (in workgroup memory) and stores
  /// it, consecutive threads on consecutive positions.
  void emitHeadSums(Value warp, Value group) {
    Value memory = headMemory;
    gpu::BarrierOp::create(b);
    Value thread = add(mul(warp, idx(kWarpSize)), lane); // 0 .. warps * 32 - 1
    scf::ForOp::create(
        b, thread, idx(kWarpSize * tile), idx(warps * kWarpSize), ValueRange{},
        [&](OpBuilder &, Location, Value o, ValueRange) {
          Value l = arith::DivUIOp::create(b, o, idx(tile));
          Value j = arith::RemUIOp::create(b, o, idx(tile));
          Value total = f32(0);
          for (int64_t w = 0; w < warps; ++w)
            total = addf(total, memref::LoadOp::create(
                                    b, memory, ValueRange{idx(w), l, j}));
          Value t = arith::SubIOp::create(
              b, add(mul(group, idx(kOwnedTiles)), l), idx(1));
          Value pos = add(mul(t, idx(tile)), j);
          Value ok = arith::AndIOp::create(
              b,
              arith::AndIOp::create(
                  b, cmp(arith::CmpIPredicate::uge, l, idx(1)),
                  cmp(arith::CmpIPredicate::ule, l, idx(kOwnedTiles))),
              cmp(arith::CmpIPredicate::slt, pos, n));
          store(op.getGradGates(), Layout::Gates, idx(0), pos, ok, total);
          scf::YieldOp::create(b);
        });
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

  /// Element `pos` of `memref` for sequence (bi, hi, d), widened to f32;
  /// `otherwise` where `valid` is false (the load reads a safe position).
  /// Element `pos` of `memref` for sequence (bi, hi, d), widened to f32;
  /// `otherwise` where `valid` (if given) is false.
  Value load(Value memref, Layout layout, Value d, Value pos, Value valid,
             float otherwise) {
    Value value = widenToF32(
        b, memref::LoadOp::create(b, memref,
                                  indicesAt(memref, layout, {bi, hi, d}, pos)));
    if (!valid)
      return value;
    return arith::SelectOp::create(b, valid, value, f32(otherwise));
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

  Value shuffle(Value v, gpu::ShuffleMode mode) {
    return gpu::ShuffleOp::create(
               b, v,
               arith::ConstantIntOp::create(b, b.getI32Type(), 1).getResult(),
               arith::ConstantIntOp::create(b, b.getI32Type(), kWarpSize)
                   .getResult(),
               mode)
        .getShuffleResult();
  }
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f32(float v) {
    return arith::ConstantFloatOp::create(b, b.getF32Type(), APFloat(v));
  }
  Value add(Value l, Value r) { return arith::AddIOp::create(b, l, r); }
  Value mul(Value l, Value r) { return arith::MulIOp::create(b, l, r); }
  Value cmp(arith::CmpIPredicate p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  }
  Value mulf(Value l, Value r) {
    return arith::MulFOp::create(b, l, r, arith::FastMathFlags::contract);
  }
  Value addf(Value l, Value r) {
    return arith::AddFOp::create(b, l, r, arith::FastMathFlags::contract);
  }
  /// l * r + s.
  Value fma(Value l, Value r, Value s) { return addf(mulf(l, r), s); }

  ImplicitLocOpBuilder &b;
  ScanGradOp op;
  int64_t tile, hops, warps;
  bool perHead;
  Value batch, heads, channels, n, tiles, groups;
  /// Whether every row of the vector-accessed arrays starts on 16 bytes.
  Value aligned;
  // In the kernel.
  Value lane, bi, hi, tileIndex, owns;
  /// Per head: [warp][lane][position] partial sums of da.
  Value headMemory;
};

} // namespace

LogicalResult mlir::swr::checkGradKernel(ScanGradOp op) {
  WindowAttr window = op.getWindow();
  if (window.isExact() || window.getHops() > 1)
    return op.emitOpError("has a GPU kernel for hops 0 and 1 only, got hops = ")
           << (window.isExact() ? std::string("inf")
                                : std::to_string(window.getHops()))
           << " (convert-swr-to-scf runs it on the CPU)";
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
