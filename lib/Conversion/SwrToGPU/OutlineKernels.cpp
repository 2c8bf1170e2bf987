//===- OutlineKernels.cpp - outlining that keeps launch bounds ------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// swr-gpu-outline-kernels: upstream's gpu-kernel-outlining, with the blocks
// per multiprocessor that a launch asks for (`swr.min_blocks_per_sm`) set
// as `nvvm.minctasm` on its outlined kernel, and the kernels of launches
// marked `swr.dependent_launch` named for the runtime
// (SWR_DEPENDENT_KERNEL_SUFFIX).
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"
#include "swr/Runtime/swr_runtime.h"

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
    // Kernels named here, by name: their bound (or null).
    llvm::StringMap<IntegerAttr> bounds;
    module.walk([&](gpu::LaunchOp launch) {
      auto blocks =
          launch->getAttrOfType<IntegerAttr>(swr::kMinBlocksPerSMAttrName);
      bool dependent = bool(launch->removeAttr(swr::kDependentLaunchAttrName));
      if (!blocks && !dependent)
        return;
      launch->removeAttr(swr::kMinBlocksPerSMAttrName);
      StringRef suffix = dependent ? SWR_DEPENDENT_KERNEL_SUFFIX : "";
      FlatSymbolRefAttr name = launch.getFunctionAttr();
      if (!name || !name.getValue().ends_with(suffix)) {
        std::string stem;
        if (name) {
          stem = name.getValue().str();
        } else {
          auto parent = launch->getParentOfType<FunctionOpInterface>();
          stem = ((parent ? parent.getName() : StringRef("launch")) +
                  (blocks ? "_bounded_kernel" : "_kernel"))
                     .str();
        }
        std::string unique = stem + suffix.str();
        for (unsigned i = 0; symbols.lookup(unique) || bounds.count(unique);
             ++i)
          unique = stem + "_" + std::to_string(i) + suffix.str();
        name = FlatSymbolRefAttr::get(ctx, unique);
        launch.setFunctionAttr(name);
      }
      bounds[name.getValue()] =
          blocks ? IntegerAttr::get(IntegerType::get(ctx, 32), blocks.getInt())
                 : IntegerAttr();
    });

    OpPassManager outlining(ModuleOp::getOperationName());
    outlining.addPass(createGpuKernelOutliningPass());
    if (failed(runPipeline(outlining, module)))
      return signalPassFailure();

    module.walk([&](gpu::GPUFuncOp func) {
      auto it = bounds.find(func.getName());
      if (it != bounds.end() && it->second && func.isKernel())
        func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(), it->second);
    });
  }
};
} // namespace
