//===- swr-compile.cpp - ahead-of-time compiler of swr modules ------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//   swr-compile IN.mlir --target=cpu|cuda[:sm_XX] -o OUT.so
//
// Runs the registered pipeline of the target on a module whose public
// functions take and return ranked tensors or memrefs, translates the result
// to LLVM IR, adds one packed entry point per public function and a manifest
// of their signatures (include/swr/Runtime/Manifest.h), compiles it for this
// machine and links a shared library, which libswr_runtime and swr-run load
// without MLIR. CUDA kernels are embedded in it (cubin by default). The work
// is the compiler library's (include/swr/Compiler/Compiler.h).
//
//===----------------------------------------------------------------------===//

#include "swr/Compiler/Compiler.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

namespace cl = llvm::cl;
using mlir::swr::CompileOutput;

static cl::opt<std::string>
    inputFilename(cl::Positional, cl::desc("<input .mlir>"), cl::init("-"));
static cl::opt<std::string> outputFilename("o", cl::desc("Output file"),
                                           cl::value_desc("file"),
                                           cl::Required);
static cl::opt<std::string>
    targetName("target",
               cl::desc("cpu, or cuda[:sm_XX] (default chip: sm_90a)"),
               cl::init("cpu"));
static cl::opt<std::string> pipelineOptions(
    "pipeline-options",
    cl::desc("Options of the target's pipeline (swr-cpu-pipeline or "
             "swr-cuda-pipeline), e.g. \"warps-per-block=8\""),
    cl::init(""));
static cl::opt<CompileOutput> emit(
    "emit", cl::desc("What to write"), cl::init(CompileOutput::Library),
    cl::values(clEnumValN(CompileOutput::Library, "lib", "the shared library"),
               clEnumValN(CompileOutput::LLVMDialect, "mlir",
                          "the module after the pipeline (LLVM dialect)"),
               clEnumValN(CompileOutput::LLVMIR, "llvm",
                          "LLVM IR with entry points and manifest")));
static cl::opt<unsigned> optLevel("O", cl::desc("Host code optimization level"),
                                  cl::init(2), cl::Prefix);
static cl::opt<std::string>
    linker("linker",
           cl::desc("The linker of the shared library (default: the one "
                    "found at build time)"),
           cl::init(""));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv,
      "swr ahead-of-time compiler: a module to a shared library that "
      "libswr_runtime and swr-run load\n");
  mlir::swr::CompileOptions options;
  options.input = inputFilename;
  options.output = outputFilename;
  options.target = targetName;
  options.pipelineOptions = pipelineOptions;
  options.emit = emit;
  options.optLevel = optLevel;
  options.linker = linker;
  return mlir::failed(mlir::swr::compile(options)) ? 1 : 0;
}
