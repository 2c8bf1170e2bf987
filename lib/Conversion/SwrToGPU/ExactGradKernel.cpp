//===- ExactGradKernel.cpp - the exact scan's backward from its output ----===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// swr.scan_grad from_output (hops = inf) in one pass: dx is the reverse
// exact scan of dy, and da_k = dx_k * y_{k-1} needs only what that scan's
// lanes hold (dx), its loads (y, one vector and one scalar more per lane)
// and a sum over a head's channels. So ScanKernel.cpp walks the reverse
// scan and finishes each step with da and dh0 (ScanSpec's backward fields):
// per channel, da is stored like dx; per head, a block holds one head's
// channels, a warp per group of channels-per-lane channels walking in step,
// and sums da through workgroup memory with one barrier per round of
// prefetch-steps steps (KernelMapping's head blocks). Reads a, y and dy;
// writes dx, da (and dh0).
//
// A head with more channel groups than a block holds (checked at run time
// when the number of channels is dynamic) gets the reverse scan for dx and
// a second kernel, a thread per (b, h, k), for da and dh0: one more read
// of dx.
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
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::swr;

/// The reverse scan of dy into dx, with the backward's fields.
static ScanSpec exactGradSpec(ScanGradOp op) {
  ScanSpec spec{op.getWindow().getTile(), WindowAttr::kInfiniteHops,
                /*reverse=*/true,         op.getGates(),
                op.getGradOutput(),
                /*init=*/Value(),         op.getGradInput()};
  spec.savedOutput = op.getInput();
  spec.forwardInit = op.getInit();
  spec.gateGrad = op.getGradGates();
  spec.initGrad = op.getGradInit();
  return spec;
}

FailureOr<KernelMapping>
mlir::swr::mapExactGradKernel(ScanGradOp op,
                              const ConvertSwrToGPUOptions &options) {
  std::string reason;
  FailureOr<KernelMapping> m =
      KernelMapping::compute(exactGradSpec(op), options, reason);
  if (failed(m))
    return op.emitOpError(reason);
  return m;
}

namespace {

/// The second kernel of a head too wide for one block: a thread per (b, h,
/// k) sums da_k = sum_d dx_k * y_{k-1} over the head's channels (dx as the
/// scan stored it); the thread of k = 0 also writes dh0 = a_0 * dx_0.
class WideHeadGrad : KernelBuilder {
public:
  WideHeadGrad(ImplicitLocOpBuilder &b, ScanGradOp op, int64_t threads)
      : KernelBuilder(b), op(op), threads(threads) {}

  void emit() {
    Value y = op.getInput();
    Value batch = memref::DimOp::create(b, y, 0);
    heads = memref::DimOp::create(b, y, 1);
    channels = memref::DimOp::create(b, y, 2);
    n = memref::DimOp::create(b, y, 3);
    Value total = mul(mul(batch, heads), n);
    Value blocks = ceilDiv(total, idx(threads));
    scf::IfOp::create(
        b, cmp(arith::CmpIPredicate::sgt, total, idx(0)),
        [&](OpBuilder &, Location) {
          Value one = idx(1);
          auto launch = gpu::LaunchOp::create(b, blocks, one, one, idx(threads),
                                              one, one);
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(&launch.getBody().front());
          Value id = add(mul(launch.getBlockIds().x, idx(threads)),
                         launch.getThreadIds().x);
          scf::IfOp::create(b, cmp(arith::CmpIPredicate::ult, id, total),
                            [&](OpBuilder &, Location) {
                              emitThread(id);
                              scf::YieldOp::create(b);
                            });
          gpu::TerminatorOp::create(b);
          b.setInsertionPointAfter(launch);
          scf::YieldOp::create(b);
        });
  }

private:
  Value load(Value memref, Layout layout, Value d, Value pos) {
    return widenToF32(
        b, memref::LoadOp::create(b, memref,
                                  indicesAt(memref, layout, {bi, hi, d}, pos)));
  }
  void store(Value memref, Layout layout, Value d, Value pos, Value v) {
    memref::StoreOp::create(b, narrowTo(b, elementTypeOf(memref), v), memref,
                            indicesAt(memref, layout, {bi, hi, d}, pos));
  }

  void emitThread(Value id) {
    using P = arith::CmpIPredicate;
    Value k = remu(id, n);
    Value bh = divu(id, n);
    bi = divu(bh, heads);
    hi = remu(bh, heads);
    Value first = cmp(P::eq, k, idx(0));
    Value before = select(first, idx(0), sub(k, idx(1)));
    auto sum = scf::ForOp::create(
        b, idx(0), channels, idx(1), ValueRange{f32(0)},
        [&](OpBuilder &, Location, Value d, ValueRange acc) {
          Value yPrev = load(op.getInput(), Layout::Sequence, d, before);
          Value start = op.getInit()
                            ? load(op.getInit(), Layout::State, d, Value())
                            : f32(0);
          yPrev = select(first, start, yPrev);
          Value dx = load(op.getGradInput(), Layout::Sequence, d, k);
          scf::YieldOp::create(b, ValueRange{fadd(acc[0], fmul(dx, yPrev))});
        });
    store(op.getGradGates(), Layout::Gates, Value(), k, sum.getResult(0));
    if (!op.getGradInit())
      return;
    scf::IfOp::create(b, first, [&](OpBuilder &, Location) {
      Value a0 = load(op.getGates(), Layout::Gates, Value(), idx(0));
      scf::ForOp::create(
          b, idx(0), channels, idx(1), ValueRange{},
          [&](OpBuilder &, Location, Value d, ValueRange) {
            Value dx = load(op.getGradInput(), Layout::Sequence, d, idx(0));
            store(op.getGradInit(), Layout::State, d, Value(), fmul(a0, dx));
            scf::YieldOp::create(b);
          });
      scf::YieldOp::create(b);
    });
  }

  ScanGradOp op;
  int64_t threads;
  Value heads, channels, n, bi, hi;
};

} // namespace

void mlir::swr::emitExactGradKernel(ImplicitLocOpBuilder &b, ScanGradOp op,
                                    const KernelMapping &mapping,
                                    int64_t warpsPerBlock) {
  ScanSpec spec = exactGradSpec(op);
  // An empty sequence: dh0 = 0 (no scan step reaches position 0).
  emitZeroGradInitIfEmpty(b, op, warpsPerBlock);
  if (!mapping.headBlocks)
    return emitScanKernel(b, spec, mapping);
  Value channels = memref::DimOp::create(b, op.getInput(), 2);
  Value groups = arith::CeilDivUIOp::create(
      b, channels, arith::ConstantIndexOp::create(b, mapping.channelsPerLane));
  Value fits = arith::CmpIOp::create(
      b, arith::CmpIPredicate::ule, groups,
      arith::ConstantIndexOp::create(b, mapping.itemsPerBlock));
  scf::IfOp::create(
      b, fits,
      [&](OpBuilder &, Location) {
        emitScanKernel(b, spec, mapping);
        scf::YieldOp::create(b);
      },
      [&](OpBuilder &, Location) {
        // dx alone (as a reverse scan of any head width), then da and dh0.
        ScanSpec scan = spec;
        scan.savedOutput = scan.forwardInit = scan.gateGrad = scan.initGrad =
            Value();
        KernelMapping plain = mapping;
        plain.headBlocks = false;
        plain.itemsPerBlock = warpsPerBlock;
        plain.blockThreads = warpsPerBlock * kWarpSize;
        emitScanKernel(b, scan, plain);
        WideHeadGrad(b, op, warpsPerBlock * kWarpSize).emit();
        scf::YieldOp::create(b);
      });
}
