//===- Pipelines.cpp - swr pass pipelines ---------------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Pipelines/Pipelines.h"
#include "swr/Conversion/Passes.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void swr::buildCpuPipeline(OpPassManager &pm,
                           const CpuPipelineOptions &options) {
  // Normalize windows (e.g. a window wider than a static sequence is exact)
  // so that the lowering emits the simplest loops.
  pm.addPass(createCanonicalizerPass());

  // Tensors to buffers. Elementwise arith on tensors becomes linalg first so
  // that it bufferizes too.
  pm.addPass(createConvertElementwiseToLinalgPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (options.deallocate) {
    bufferization::BufferDeallocationPipelineOptions dealloc;
    bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  }

  // swr and linalg to loops.
  if (options.decompose)
    pm.addPass(swr::createSwrDecompose());
  pm.addPass(swr::createConvertSwrToSCF());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Loops, memrefs and arithmetic to the LLVM dialect.
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void swr::registerPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "swr-cpu-pipeline",
      "Lower a module using swr (tensor or memref form) to the LLVM dialect "
      "for the CPU.",
      buildCpuPipeline);
}
