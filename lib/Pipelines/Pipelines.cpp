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
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "swr/Conversion/SwrToGPU/KernelMapping.h"

using namespace mlir;

/// Normalizes windows, then tensors to buffers (shared by every target).
/// Elementwise arith on tensors becomes linalg first so that it bufferizes
/// too.
static void addBufferization(OpPassManager &pm, bool deallocate) {
  // Normalize windows (e.g. a window wider than a static sequence is exact)
  // so that the lowerings emit the simplest code.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvertElementwiseToLinalgPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (deallocate) {
    bufferization::BufferDeallocationPipelineOptions dealloc;
    bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  }
}

/// Host code (loops, memrefs, arithmetic, functions) to the LLVM dialect.
static void addHostToLLVM(OpPassManager &pm) {
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
}

void swr::buildCpuPipeline(OpPassManager &pm,
                           const CpuPipelineOptions &options) {
  addBufferization(pm, options.deallocate);

  // swr and linalg to loops.
  if (options.decompose)
    pm.addPass(swr::createSwrDecompose());
  pm.addPass(swr::createConvertSwrToSCF());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvertBufferizationToMemRefPass());

  addHostToLLVM(pm);
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

/// Splits `text` into its space-separated `key=value` words (a value may be
/// quoted or in braces, with spaces inside).
static SmallVector<StringRef> optionWords(StringRef text) {
  SmallVector<StringRef> words;
  size_t start = 0, depth = 0;
  char quote = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ' ';
    if (quote) {
      quote = c == quote ? 0 : quote;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && depth > 0) {
      --depth;
    } else if (c == ' ' && depth == 0) {
      if (i > start)
        words.push_back(text.slice(start, i));
      start = i + 1;
    }
  }
  return words;
}

std::unique_ptr<swr::CudaPipelineOptions>
swr::CudaPipelineOptions::parse(StringRef text, raw_ostream &errors) {
  // Each word is the pipeline's own option, or one of the mapping's.
  std::string own, mappingText;
  for (StringRef word : optionWords(text)) {
    CudaPipelineOptions probe;
    bool isOwn = succeeded(probe.parseFromString(word, llvm::nulls()));
    (isOwn ? own : mappingText) += word.str() + " ";
  }
  auto options = std::make_unique<CudaPipelineOptions>();
  if (failed(options->parseFromString(own, errors)))
    return nullptr;
  FailureOr<ConvertSwrToGPUOptions> mapping =
      parseMappingOptions(mappingText, errors);
  if (failed(mapping))
    return nullptr;
  options->mapping = *mapping;
  return options;
}

LogicalResult swr::buildCudaPipeline(OpPassManager &pm,
                                     const CudaPipelineOptions &options,
                                     raw_ostream &errors) {
  std::string reason;
  if (failed(verifyOptions(options.mapping, reason))) {
    errors << reason << "\n";
    return failure();
  }
  if (options.sinkConstants < -1 || options.sinkConstants > 1) {
    errors << "swr-cuda-pipeline: sink-constants must be -1, 0 or 1, got "
           << options.sinkConstants << "\n";
    return failure();
  }
  addBufferization(pm, options.deallocate);

  // Each scan becomes one kernel launch; other linalg stays on the host.
  pm.addPass(swr::createSwrDecompose());
  pm.addPass(swr::createConvertSwrToGPU(options.mapping));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvertBufferizationToMemRefPass());
  // Buffers that bufferization allocates must be reachable from kernels.
  pm.addPass(swr::createSwrHostAllocsToGPU());

  // Kernels: outline, attach the target, lower to NVVM. (MLIR 22's
  // outlining passes the host's constants as kernel parameters; the
  // launches that sink-constants names get them moved in first. Our
  // outlining is upstream's, keeping the launch bounds kernels ask for.)
  if (options.sinkConstants == 1)
    pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  else if (options.sinkConstants == -1)
    pm.addPass(swr::createSwrGpuSinkConstants());
  pm.addPass(swr::createSwrGpuOutlineKernels());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());

  // Host: to LLVM, launches to runtime calls, kernels to a binary.
  addHostToLLVM(pm);
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  return success();
}

void swr::registerPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "swr-cpu-pipeline",
      "Lower a module using swr (tensor or memref form) to the LLVM dialect "
      "for the CPU.",
      buildCpuPipeline);
  registerPassPipeline(
      "swr-cuda-pipeline",
      "Lower a module using swr (tensor or memref form) to host LLVM dialect "
      "code that launches one CUDA kernel per scan, with the kernels "
      "embedded as cubin or PTX. Takes the options below and every option "
      "of convert-swr-to-gpu.",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        std::string errors;
        llvm::raw_string_ostream os(errors);
        std::unique_ptr<CudaPipelineOptions> options =
            CudaPipelineOptions::parse(text, os);
        if (!options || failed(buildCudaPipeline(pm, *options, os)))
          return errorHandler(StringRef(errors).rtrim());
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> handler) {
        handler(CudaPipelineOptions());
      });
}
