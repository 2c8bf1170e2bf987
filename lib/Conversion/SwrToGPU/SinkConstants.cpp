//===- SinkConstants.cpp - constants into the launches that ask for it ----===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// swr-gpu-sink-constants: the host's constants (and index computations
// made of them) into each gpu.launch marked `swr.sink_constants`, so that
// outlining does not turn them into kernel parameters.
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Utils/GPUUtils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir {
namespace swr {
#define GEN_PASS_DEF_SWRGPUSINKCONSTANTS
#include "swr/Conversion/Passes.h.inc"
} // namespace swr
} // namespace mlir

using namespace mlir;

namespace {
/// What a kernel computes more cheaply than it reads as a parameter: side
/// effect free, so that copying it into the launch is legal.
bool isCheapToSink(Operation *op) {
  return isa<arith::ConstantOp, memref::DimOp, arith::CmpIOp, arith::SelectOp>(
      op);
}

struct SwrGpuSinkConstantsPass
    : public swr::impl::SwrGpuSinkConstantsBase<SwrGpuSinkConstantsPass> {
  void runOnOperation() override {
    WalkResult result = getOperation()->walk([](gpu::LaunchOp launch) {
      if (!launch->hasAttr(swr::kSinkConstantsAttrName))
        return WalkResult::advance();
      if (failed(sinkOperationsIntoLaunchOp(launch, isCheapToSink))) {
        launch.emitOpError("could not take in the host's constants");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
