//===- Pipelines.h - swr pass pipelines -------------------------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The pipelines are defined once here and used by every tool (swr-opt by
// name, the ahead-of-time driver, the Python package through the tools).
//
//===----------------------------------------------------------------------===//

#ifndef SWR_PIPELINES_PIPELINES_H
#define SWR_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
namespace swr {

/// Options of `swr-cpu-pipeline`.
struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  PassOptions::Option<bool> deallocate{
      *this, "deallocate",
      llvm::cl::desc("Free the buffers that bufferization allocates "
                     "(ownership-based deallocation; turn it off for "
                     "modules that call memref.dealloc themselves)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> decompose{
      *this, "decompose",
      llvm::cl::desc("Lower swr.scan through its hierarchical form "
                     "(swr-decompose: tile-local scans, carries, rank-1 "
                     "update) instead of direct windowed loops"),
      llvm::cl::init(false)};
};

/// Builds `swr-cpu-pipeline`: takes a module whose functions work on tensors
/// or memrefs (swr, linalg, arith, tensor, memref, scf, func) down to the
/// LLVM dialect, ready for `mlir-runner` or translation to LLVM IR.
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// Registers every swr pipeline with the global pass registry.
void registerPipelines();

} // namespace swr
} // namespace mlir

#endif // SWR_PIPELINES_PIPELINES_H
