//===- Compiler.h - ahead-of-time compilation of swr modules ----*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The library behind `swr-compile`: a module whose public functions take and
// return ranked tensors or memrefs becomes a shared library that
// libswr_runtime loads without MLIR (include/swr/Runtime/Manifest.h):
//
//   buildManifest        checks every public signature and describes it,
//                        with the dimension equalities the swr ops need at
//                        run time;
//   buildTargetPipeline  the target's registered pipeline with its options;
//   addEntryPoints       adds the packed entry points and the manifest
//                        string to the translated LLVM module;
//   compile              all of the above from a file, then code generation
//                        and link, each failing stage named with a command
//                        that reproduces it.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_COMPILER_COMPILER_H
#define SWR_COMPILER_COMPILER_H

#include "swr/Runtime/Manifest.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace llvm {
class Module;
} // namespace llvm

namespace mlir::swr {

/// Where an artifact runs and the pipeline that lowers it.
struct CompileTarget {
  bool cuda = false;
  std::string chip;     // cuda only, e.g. "sm_90a"
  std::string pipeline; // "swr-cpu-pipeline" or "swr-cuda-pipeline"
  std::string options;  // the pipeline's options, chip and toolkit included

  /// `cpu`, `cuda` or `cuda:sm_XX` with the user's pipeline options;
  /// nullopt for an unknown target.
  static std::optional<CompileTarget> parse(StringRef name,
                                            StringRef pipelineOptions);

  /// The manifest's `target` word: "cpu" or "cuda:<chip>".
  std::string manifestName() const { return cuda ? "cuda:" + chip : "cpu"; }
};

/// Checks every public function's signature (ranked tensors and memrefs of
/// f32/f16/bf16/f64, rank at most SWR_MAX_RANK, dense memrefs), marks it
/// for a C interface and describes it: which memref arguments it may write
/// and which argument dimensions its swr ops need equal (from their operand
/// roles). Emits a located error and fails otherwise.
FailureOr<::swr::manifest::Manifest> buildManifest(ModuleOp module,
                                                   const CompileTarget &target);

/// Adds `target`'s pipeline, with its options, to `pm`; says on `errs`
/// what is wrong with bad options.
LogicalResult buildTargetPipeline(OpPassManager &pm,
                                  const CompileTarget &target,
                                  raw_ostream &errs);

/// Adds `void _swr_entry_NAME(ptr args)` for every function of `manifest`
/// and the manifest string to a module translated from the lowered IR.
LogicalResult addEntryPoints(llvm::Module &module,
                             const ::swr::manifest::Manifest &manifest,
                             raw_ostream &errs);

/// What `compile` writes.
enum class CompileOutput { Library, LLVMDialect, LLVMIR };

struct CompileOptions {
  std::string input = "-";
  std::string output;
  std::string target = "cpu";
  std::string pipelineOptions;
  CompileOutput emit = CompileOutput::Library;
  unsigned optLevel = 2; // of host code
  std::string linker;    // empty: the one found at build time
};

/// Compiles `options.input` into `options.output`. Diagnostics and the
/// failing stage ("swr-compile: error: lowering (...) failed; reproduce
/// with: ...") go to stderr.
LogicalResult compile(const CompileOptions &options);

} // namespace mlir::swr

#endif // SWR_COMPILER_COMPILER_H
