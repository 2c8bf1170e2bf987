//===- InitAll.cpp - register everything swr provides ---------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/InitAll.h"
#include "swr/Conversion/Passes.h"
#include "swr/Dialect/Swr/IR/SwrDialect.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"
#include "swr/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::swr::registerAllDialects(DialectRegistry &registry) {
  registry.insert<SwrDialect>();
}

void mlir::swr::registerAllPasses() {
  registerSwrTransformsPasses();
  registerSwrConversionPasses();
  registerTestSwrKernelMappingPass();
  registerTestSwrGpuLaunchToLoopsPass();
  registerPipelines();
}
