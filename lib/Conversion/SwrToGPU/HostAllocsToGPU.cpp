//===- HostAllocsToGPU.cpp - host buffers in unified memory ---------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// swr-host-allocs-to-gpu: host `memref.alloc`/`dealloc` to `gpu.alloc
// host_shared`/`gpu.dealloc`, so that buffers bufferization allocates are
// reachable from kernels.
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace swr {
#define GEN_PASS_DEF_SWRHOSTALLOCSTOGPU
#include "swr/Conversion/Passes.h.inc"
} // namespace swr
} // namespace mlir

using namespace mlir;

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
