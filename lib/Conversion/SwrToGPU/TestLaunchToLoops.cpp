//===- TestLaunchToLoops.cpp - kernels on the host, thread by thread ------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// test-swr-gpu-launch-to-loops: replaces every `gpu.launch` by loops that
// run its blocks one after another on the host, and in each block its
// threads one after another, phase by phase: the phases are the launch
// body's stretches between top-level barriers, so that every thread of a
// block finishes a phase before any starts the next, as the barrier
// guarantees on the GPU. Values a thread carries across a barrier live in
// per-thread host buffers; workgroup memory is a host buffer per block.
// Blocks run in order, so a kernel whose blocks wait only for blocks of
// lower index (the chained scan's look-back) finds them done, and kernels
// run one after another, so grid dependency control
// (`nvvm.griddepcontrol`) goes. Device
// buffers of the host code (`gpu.alloc`, async or not) become host buffers
// that the CPU pipeline's deallocation frees (`gpu.dealloc` and `gpu.wait`
// go). Shuffles, barriers nested in
// control flow and private memory are refused. The CPU tests run GPU
// mappings this way against the float64 reference. swr-opt only; not part
// of any pipeline.
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace {

/// Why `launch` cannot run as loops, or nothing.
std::optional<StringRef> whyNotLoops(gpu::LaunchOp launch) {
  if (!launch.getPrivateAttributions().empty())
    return StringRef("it has private memory");
  if (launch.hasClusterSize() || launch.getAsyncToken() ||
      launch.getDynamicSharedMemorySize())
    return StringRef("it has clusters, async tokens or dynamic shared memory");
  if (!launch.getBody().hasOneBlock())
    return StringRef("its body has several blocks");
  Block *body = &launch.getBody().front();
  WalkResult talks = launch.getBody().walk([&](Operation *op) {
    bool nestedBarrier = isa<gpu::BarrierOp>(op) && op->getBlock() != body;
    return isa<gpu::ShuffleOp>(op) || nestedBarrier ? WalkResult::interrupt()
                                                    : WalkResult::advance();
  });
  if (talks.wasInterrupted())
    return StringRef("its threads shuffle, or meet at a barrier inside "
                     "control flow");
  return std::nullopt;
}

/// Host buffers for the host code's device buffers; async tokens dropped.
void deviceBuffersToHost(Operation *root) {
  SmallVector<Operation *> ops;
  root->walk([&](Operation *op) {
    if (isa<gpu::AllocOp, gpu::DeallocOp, gpu::WaitOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    OpBuilder b(op);
    if (auto alloc = dyn_cast<gpu::AllocOp>(op)) {
      Value host = memref::AllocOp::create(b, op->getLoc(), alloc.getType(),
                                           alloc.getDynamicSizes(),
                                           alloc.getSymbolOperands());
      alloc.getMemref().replaceAllUsesWith(host);
    }
  }
  // What is left of their uses are tokens, used only among these ops.
  for (Operation *op : ops)
    op->dropAllReferences();
  for (Operation *op : ops) {
    op->dropAllUses();
    op->erase();
  }
}

struct TestSwrGpuLaunchToLoopsPass
    : public PassWrapper<TestSwrGpuLaunchToLoopsPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestSwrGpuLaunchToLoopsPass)

  StringRef getArgument() const override {
    return "test-swr-gpu-launch-to-loops";
  }
  StringRef getDescription() const override {
    return "Run kernels as host loops, block by block and thread by thread "
           "between barriers (for CPU tests of GPU mappings)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry
        .insert<arith::ArithDialect, memref::MemRefDialect, scf::SCFDialect>();
  }

  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation()->walk([&](gpu::LaunchOp op) { launches.push_back(op); });
    for (gpu::LaunchOp launch : launches) {
      if (std::optional<StringRef> why = whyNotLoops(launch)) {
        launch.emitOpError("cannot run as host loops: ") << *why;
        return signalPassFailure();
      }
      launch.getBody().walk([](NVVM::GriddepcontrolOp op) { op.erase(); });
      emitLoops(launch);
      launch.erase();
    }
    deviceBuffersToHost(getOperation());
  }

  /// Blocks, then phases, then threads.
  static void emitLoops(gpu::LaunchOp launch) {
    OpBuilder b(launch);
    Location loc = launch.getLoc();
    Block &body = launch.getBody().front();
    // The phases, and which values cross into later ones.
    SmallVector<SmallVector<Operation *>> phases(1);
    DenseMap<Operation *, size_t> phaseOf;
    for (Operation &op : body.without_terminator()) {
      if (isa<gpu::BarrierOp>(op)) {
        phases.emplace_back();
        continue;
      }
      phaseOf[&op] = phases.size() - 1;
      phases.back().push_back(&op);
    }
    SmallVector<llvm::SetVector<Value>> usedFromBefore(phases.size());
    llvm::SetVector<Value> crossing;
    for (auto [k, phase] : llvm::enumerate(phases))
      for (Operation *op : phase)
        op->walk([&](Operation *nested) {
          for (Value v : nested->getOperands()) {
            Operation *def = v.getDefiningOp();
            if (!def || def->getBlock() != &body || phaseOf[def] == k)
              continue;
            usedFromBefore[k].insert(v);
            crossing.insert(v);
          }
        });

    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    gpu::KernelDim3 gridSize = launch.getGridSizeOperandValues();
    gpu::KernelDim3 blockSize = launch.getBlockSizeOperandValues();
    SmallVector<Value> grid = {gridSize.x, gridSize.y, gridSize.z};
    SmallVector<Value> threads = {blockSize.x, blockSize.y, blockSize.z};
    Value threadCount = arith::MulIOp::create(
        b, loc, arith::MulIOp::create(b, loc, threads[0], threads[1]),
        threads[2]);
    gpu::KernelDim3 blockIds = launch.getBlockIds();
    gpu::KernelDim3 threadIds = launch.getThreadIds();
    gpu::KernelDim3 gridArgs = launch.getGridSize();
    gpu::KernelDim3 sizeArgs = launch.getBlockSize();
    scf::buildLoopNest(
        b, loc, SmallVector<Value>(3, zero), grid, SmallVector<Value>(3, one),
        [&](OpBuilder &nb, Location, ValueRange blockIvs) {
          // Per block: workgroup memory, and each crossing value's
          // per-thread buffer.
          IRMapping blockMap;
          for (BlockArgument arg : launch.getWorkgroupAttributions()) {
            auto type = cast<MemRefType>(arg.getType());
            Value host = memref::AllocOp::create(
                nb, loc,
                MemRefType::get(type.getShape(), type.getElementType()));
            blockMap.map(arg, host);
          }
          DenseMap<Value, Value> storage;
          for (Value v : crossing) {
            storage[v] = memref::AllocOp::create(
                nb, loc, MemRefType::get({ShapedType::kDynamic}, v.getType()),
                ValueRange{threadCount});
          }
          for (auto [k, phase] : llvm::enumerate(phases)) {
            scf::buildLoopNest(
                nb, loc, SmallVector<Value>(3, zero), threads,
                SmallVector<Value>(3, one),
                [&](OpBuilder &tb, Location, ValueRange threadIvs) {
                  IRMapping map = blockMap;
                  map.map(ArrayRef<Value>{blockIds.x, blockIds.y, blockIds.z},
                          blockIvs);
                  map.map(
                      ArrayRef<Value>{threadIds.x, threadIds.y, threadIds.z},
                      threadIvs);
                  map.map(ArrayRef<Value>{gridArgs.x, gridArgs.y, gridArgs.z},
                          grid);
                  map.map(ArrayRef<Value>{sizeArgs.x, sizeArgs.y, sizeArgs.z},
                          threads);
                  Value linear = arith::AddIOp::create(
                      tb, loc, threadIvs[0],
                      arith::MulIOp::create(
                          tb, loc, threads[0],
                          arith::AddIOp::create(
                              tb, loc, threadIvs[1],
                              arith::MulIOp::create(tb, loc, threads[1],
                                                    threadIvs[2]))));
                  for (Value v : usedFromBefore[k])
                    map.map(v, memref::LoadOp::create(tb, loc, storage[v],
                                                      ValueRange{linear}));
                  for (Operation *op : phase) {
                    Operation *copy = tb.clone(*op, map);
                    for (auto [old, now] :
                         llvm::zip(op->getResults(), copy->getResults()))
                      if (storage.count(old))
                        memref::StoreOp::create(tb, loc, now, storage[old],
                                                ValueRange{linear});
                  }
                });
          }
        });
  }
};

} // namespace

void mlir::swr::registerTestSwrGpuLaunchToLoopsPass() {
  PassRegistration<TestSwrGpuLaunchToLoopsPass>();
}
