//===- OutlineKernels.cpp - outlining that keeps launch bounds ------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// swr-gpu-outline-kernels: upstream's gpu-kernel-outlining, with the blocks
// per multiprocessor that a launch asks for (`swr.min_blocks_per_sm`) set
// as `nvvm.minctasm` on its outlined kernel.
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/PassManager.h"

namespace mlir {
namespace swr {
#define GEN_PASS_DEF_SWRGPUOUTLINEKERNELS
#include "swr/Conversion/Passes.h.inc"
} // namespace swr
} // namespace mlir

using namespace mlir;

namespace {
struct SwrGpuOutlineKernelsPass
    : public swr::impl::SwrGpuOutlineKernelsBase<SwrGpuOutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    SymbolTable symbols(module);
    // Kernels to bound, by the name given to their launch.
    llvm::StringMap<IntegerAttr> bounds;
    module.walk([&](gpu::LaunchOp launch) {
      auto blocks =
          launch->getAttrOfType<IntegerAttr>(swr::kMinBlocksPerSMAttrName);
      if (!blocks)
        return;
      launch->removeAttr(swr::kMinBlocksPerSMAttrName);
      FlatSymbolRefAttr name = launch.getFunctionAttr();
      if (!name) {
        auto parent = launch->getParentOfType<FunctionOpInterface>();
        std::string stem = ((parent ? parent.getName() : StringRef("launch")) +
                            "_bounded_kernel")
                               .str();
        std::string unique = stem;
        for (unsigned i = 0; symbols.lookup(unique) || bounds.count(unique);
             ++i)
          unique = stem + "_" + std::to_string(i);
        name = FlatSymbolRefAttr::get(ctx, unique);
        launch.setFunctionAttr(name);
      }
      bounds[name.getValue()] =
          IntegerAttr::get(IntegerType::get(ctx, 32), blocks.getInt());
    });

    OpPassManager outlining(ModuleOp::getOperationName());
    outlining.addPass(createGpuKernelOutliningPass());
    if (failed(runPipeline(outlining, module)))
      return signalPassFailure();

    module.walk([&](gpu::GPUFuncOp func) {
      auto it = bounds.find(func.getName());
      if (it != bounds.end() && func.isKernel())
        func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(), it->second);
    });
  }
};
} // namespace
