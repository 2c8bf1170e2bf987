//===- TestLaunchToLoops.cpp - kernels without communication, on the host -===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// test-swr-gpu-launch-to-loops: replaces every `gpu.launch` whose threads
// never communicate (no shuffles, barriers, workgroup or private memory)
// by loops that run its threads one after another on the host. A kernel
// whose threads are independent computes the same thing either way, so the
// CPU tests run such GPU mappings (the time-major one) against the float64
// reference. swr-opt only; not part of any pipeline.
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {

/// Why `launch` cannot run as loops, or nothing.
std::optional<StringRef> whyNotLoops(gpu::LaunchOp launch) {
  if (!launch.getWorkgroupAttributions().empty() ||
      !launch.getPrivateAttributions().empty())
    return StringRef("it has workgroup or private memory");
  if (launch.hasClusterSize() || launch.getAsyncToken() ||
      launch.getDynamicSharedMemorySize())
    return StringRef("it has clusters, async tokens or dynamic shared memory");
  if (!launch.getBody().hasOneBlock())
    return StringRef("its body has several blocks");
  WalkResult talks = launch.getBody().walk([](Operation *op) {
    return isa<gpu::ShuffleOp, gpu::BarrierOp>(op) ? WalkResult::interrupt()
                                                   : WalkResult::advance();
  });
  if (talks.wasInterrupted())
    return StringRef("its threads communicate (shuffles or barriers)");
  return std::nullopt;
}

struct TestSwrGpuLaunchToLoopsPass
    : public PassWrapper<TestSwrGpuLaunchToLoopsPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestSwrGpuLaunchToLoopsPass)

  StringRef getArgument() const override {
    return "test-swr-gpu-launch-to-loops";
  }
  StringRef getDescription() const override {
    return "Run kernels whose threads never communicate as host loops, one "
           "thread after another (for CPU tests of GPU mappings)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, scf::SCFDialect>();
  }

  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation()->walk([&](gpu::LaunchOp op) { launches.push_back(op); });
    for (gpu::LaunchOp launch : launches) {
      if (std::optional<StringRef> why = whyNotLoops(launch)) {
        launch.emitOpError("cannot run as host loops: ") << *why;
        return signalPassFailure();
      }
      OpBuilder b(launch);
      Location loc = launch.getLoc();
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      SmallVector<Value> upper = {
          launch.getGridSizeX(),  launch.getGridSizeY(),
          launch.getGridSizeZ(),  launch.getBlockSizeX(),
          launch.getBlockSizeY(), launch.getBlockSizeZ()};
      Block &body = launch.getBody().front();
      scf::buildLoopNest(b, loc, SmallVector<Value>(6, zero), upper,
                         SmallVector<Value>(6, one),
                         [&](OpBuilder &nested, Location, ValueRange ivs) {
                           IRMapping map;
                           gpu::KernelDim3 blocks = launch.getBlockIds();
                           gpu::KernelDim3 threads = launch.getThreadIds();
                           gpu::KernelDim3 grid = launch.getGridSize();
                           gpu::KernelDim3 size = launch.getBlockSize();
                           map.map(ArrayRef<Value>{blocks.x, blocks.y, blocks.z,
                                                   threads.x, threads.y,
                                                   threads.z},
                                   ivs);
                           map.map(ArrayRef<Value>{grid.x, grid.y, grid.z,
                                                   size.x, size.y, size.z},
                                   upper);
                           for (Operation &op : body.without_terminator())
                             nested.clone(op, map);
                         });
      launch.erase();
    }
  }
};

} // namespace

void mlir::swr::registerTestSwrGpuLaunchToLoopsPass() {
  PassRegistration<TestSwrGpuLaunchToLoopsPass>();
}
