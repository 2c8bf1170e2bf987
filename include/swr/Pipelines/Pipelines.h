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

#include "swr/Conversion/Passes.h"

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

/// Options of `swr-cuda-pipeline`.
struct CudaPipelineOptions : public PassPipelineOptions<CudaPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU architecture (e.g. sm_90a, sm_80)"),
      llvm::cl::init("sm_90a")};
  PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("PTX features (e.g. +ptx80)"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu-module-to-binary embeds: isa (PTX text), bin "
                     "(cubin, needs ptxas), fatbin (needs fatbinary), or "
                     "offload (LLVM bitcode)"),
      llvm::cl::init("bin")};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit directory (ptxas, fatbinary); empty: "
                     "CUDA_ROOT, CUDA_HOME, CUDA_PATH, then PATH"),
      llvm::cl::init("")};
  PassOptions::Option<bool> deallocate{
      *this, "deallocate",
      llvm::cl::desc("Free the buffers that bufferization allocates"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> sinkConstants{
      *this, "sink-constants",
      llvm::cl::desc(
          "Move the host's constants and index computations into launches "
          "before outlining, so that kernels get them as immediates, not "
          "parameters: -1 into the kernels that ask for it "
          "(swr-gpu-sink-constants: finite-window scans, f32 time-major "
          "scans, the backward), 0 none, 1 every kernel "
          "(gpu-launch-sink-index-computations)"),
      llvm::cl::init(-1)};

  /// The options of convert-swr-to-gpu (declared once, in Passes.td), which
  /// the pipeline's option string takes as well, by the same names.
  ConvertSwrToGPUOptions mapping;

  /// Parses an option string: the pipeline's own options and those of
  /// convert-swr-to-gpu, in any order. Reports errors to `errors` and
  /// returns null.
  static std::unique_ptr<CudaPipelineOptions> parse(StringRef text,
                                                    raw_ostream &errors);
};

/// Builds `swr-cpu-pipeline`: takes a module whose functions work on tensors
/// or memrefs (swr, linalg, arith, tensor, memref, scf, func) down to the
/// LLVM dialect, ready for `mlir-runner` or translation to LLVM IR.
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// Builds `swr-cuda-pipeline` (after checking `options.mapping`; reports a
/// range error to `errors` and fails): bufferizes like the CPU pipeline,
/// decomposes every scan, maps each onto one GPU kernel (convert-swr-to-gpu),
/// lowers kernels to NVVM and embeds them as PTX or cubin
/// (gpu-module-to-binary), and lowers the host code to the LLVM dialect
/// (gpu-to-llvm), which calls the `mgpu*` runtime functions to load modules and
/// launch kernels.
LogicalResult buildCudaPipeline(OpPassManager &pm,
                                const CudaPipelineOptions &options,
                                raw_ostream &errors = llvm::errs());

/// Registers every swr pipeline with the global pass registry.
void registerPipelines();

} // namespace swr
} // namespace mlir

#endif // SWR_PIPELINES_PIPELINES_H
