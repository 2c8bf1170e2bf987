//===- Compile.cpp - from a module to a loadable artifact
//------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The stages of `compile`: parse, verify, signature check, lowering,
// translation to LLVM IR, entry points, optimization, code generation, link.
// A failing stage is reported with its diagnostics and a command that
// reproduces it.
//
//===----------------------------------------------------------------------===//

#include "swr/Compiler/Compiler.h"
#include "swr/InitAll.h"
#include "swr/Pipelines/Pipelines.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::swr;

namespace {

/// Prints the failure of a stage and how to reproduce it.
LogicalResult stageFailed(StringRef stage, StringRef reproducer = "") {
  llvm::errs() << "swr-compile: error: " << stage << " failed";
  if (!reproducer.empty())
    llvm::errs() << "; reproduce with: " << reproducer;
  llvm::errs() << "\n";
  return failure();
}

LogicalResult error(const Twine &message) {
  llvm::errs() << "swr-compile: error: " << message << "\n";
  return failure();
}

std::string quoted(StringRef text) { return "'" + text.str() + "'"; }

/// Whether LLVM's NVPTX backend knows `chip` (an unknown one makes it abort
/// while selecting instructions).
bool isKnownCudaChip(StringRef chip) {
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTarget();
  LLVMInitializeNVPTXTargetMC();
  llvm::Triple triple("nvptx64-nvidia-cuda");
  std::string message;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, message);
  if (!target)
    return false;
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target->createMCSubtargetInfo(triple, "", ""));
  return info && info->isCPUStringValid(chip);
}

std::unique_ptr<llvm::TargetMachine> hostTargetMachine() {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string message;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, message);
  if (!target) {
    (void)error(message);
    return nullptr;
  }
  // Constructors (which register the CUDA kernels) in .init_array, which
  // the dynamic loader runs; .ctors would need crtbegin.o.
  llvm::TargetOptions options;
  options.UseInitArray = true;
  // A generic CPU, so that artifacts run on any machine of this kind.
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, "generic", "", options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Default));
}

LogicalResult emitObject(llvm::Module &module, llvm::TargetMachine &machine,
                         StringRef path) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return error("cannot write " + path + ": " + ec.message());
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, os, nullptr,
                                  llvm::CodeGenFileType::ObjectFile))
    return error("the target cannot emit objects");
  passes.run(module);
  return success();
}

/// Optimizes `module` for this machine, emits an object and links it into
/// the shared library `output`.
LogicalResult emitLibrary(llvm::Module &module, llvm::TargetMachine &machine,
                          const CompileOptions &options) {
  if (llvm::Error err =
          makeOptimizingTransformer(options.optLevel, 0, &machine)(&module)) {
    (void)error(toString(std::move(err)));
    return stageFailed("LLVM optimization");
  }
  SmallString<128> object;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("swr-compile", "o", object))
    return error("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeObject(object);
  if (failed(emitObject(module, machine, object)))
    return stageFailed("code generation");

  std::string linker =
      options.linker.empty() ? SWR_DEFAULT_LINKER : options.linker;
  SmallVector<StringRef> linkArgs{
      linker, "-shared", "-o", options.output, object,
      // f16/bf16 conversions of generic x86-64 code.
      SWR_COMPILER_RT_BUILTINS};
  std::string linkError;
  int status = llvm::sys::ExecuteAndWait(linker, linkArgs, std::nullopt, {}, 0,
                                         0, &linkError);
  if (status == 0)
    return success();
  removeObject.releaseFile(); // The reproducer needs it.
  if (!linkError.empty())
    (void)error(linkError);
  return stageFailed("link", llvm::join(linkArgs, " "));
}

LogicalResult writeOutput(StringRef path,
                          llvm::function_ref<void(raw_ostream &)> print) {
  std::string message;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(path, &message);
  if (!file)
    return error(message);
  print(file->os());
  file->keep();
  return success();
}

} // namespace

std::optional<CompileTarget> CompileTarget::parse(StringRef name,
                                                  StringRef pipelineOptions) {
  CompileTarget target;
  if (name == "cpu") {
    target.pipeline = "swr-cpu-pipeline";
    target.options = pipelineOptions.str();
    return target;
  }
  if (!name.consume_front("cuda"))
    return std::nullopt;
  target.cuda = true;
  target.chip = "sm_90a";
  if (name.consume_front(":")) {
    if (!name.starts_with("sm_") || name.size() <= 3)
      return std::nullopt;
    target.chip = name.str();
  } else if (!name.empty()) {
    return std::nullopt;
  }
  target.pipeline = "swr-cuda-pipeline";
  target.options = "chip=" + target.chip;
#ifdef SWR_DEFAULT_CUDA_TOOLKIT
  if (!pipelineOptions.contains("toolkit="))
    target.options += " toolkit=" SWR_DEFAULT_CUDA_TOOLKIT;
#endif
  if (!pipelineOptions.empty())
    target.options += " " + pipelineOptions.str();
  return target;
}

LogicalResult mlir::swr::buildTargetPipeline(OpPassManager &pm,
                                             const CompileTarget &target,
                                             raw_ostream &errs) {
  if (!target.cuda) {
    auto options = CpuPipelineOptions::createFromString(target.options);
    if (!options)
      return failure();
    buildCpuPipeline(pm, *options);
    return success();
  }
  std::unique_ptr<CudaPipelineOptions> options =
      CudaPipelineOptions::parse(target.options, errs);
  if (!options)
    return failure();
  if (!isKnownCudaChip(options->chip)) {
    errs << "unknown CUDA chip '" << options->chip
         << "' (expected one LLVM's NVPTX backend knows, such as sm_80, "
            "sm_90 or sm_90a)\n";
    return failure();
  }
  return buildCudaPipeline(pm, *options);
}

LogicalResult
mlir::swr::addEntryPoints(llvm::Module &module,
                          const ::swr::manifest::Manifest &manifest,
                          raw_ostream &errs) {
  llvm::LLVMContext &context = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(context);
  for (const ::swr::manifest::Function &function : manifest.functions) {
    llvm::Function *ciface =
        module.getFunction("_mlir_ciface_" + function.name);
    if (!ciface) {
      errs << "no C interface for @" << function.name << " after lowering\n";
      return failure();
    }
    auto *entry = llvm::Function::Create(
        llvm::FunctionType::get(llvm::Type::getVoidTy(context), {ptr}, false),
        llvm::GlobalValue::ExternalLinkage,
        ::swr::manifest::kEntryPrefix + function.name, module);
    llvm::IRBuilder<> builder(
        llvm::BasicBlock::Create(context, "entry", entry));
    SmallVector<llvm::Value *> args;
    for (unsigned i = 0; i < ciface->arg_size(); ++i) {
      llvm::Value *slot = builder.CreateConstGEP1_64(ptr, entry->getArg(0), i);
      args.push_back(builder.CreateLoad(ptr, slot));
    }
    builder.CreateCall(ciface, args);
    builder.CreateRetVoid();
  }
  llvm::Constant *text = llvm::ConstantDataArray::getString(
      context, ::swr::manifest::write(manifest));
  new llvm::GlobalVariable(module, text->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text,
                           ::swr::manifest::kSymbol);
  return success();
}

LogicalResult mlir::swr::compile(const CompileOptions &options) {
  std::optional<CompileTarget> target =
      CompileTarget::parse(options.target, options.pipelineOptions);
  if (!target)
    return error("unknown target '" + options.target +
                 "' (expected cpu, cuda or cuda:sm_XX)");
  std::string optReproducer = "swr-opt " + quoted(options.input) + " --" +
                              target->pipeline + "=" + quoted(target->options);

  DialectRegistry registry;
  mlir::registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  mlir::swr::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Diagnostics name the source location; the reproducer shows the IR.
  context.printOpOnDiagnostic(false);

  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(options.input, &message);
  if (!input)
    return error(message);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  // Parse and verify separately, to name the stage that fails.
  ParserConfig config(&context, /*verifyAfterParse=*/false);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, config);
  if (!module)
    return stageFailed("parse");
  if (failed(verify(*module)))
    return stageFailed("verify", "swr-opt " + quoted(options.input));

  FailureOr<::swr::manifest::Manifest> manifest =
      buildManifest(*module, *target);
  if (failed(manifest))
    return stageFailed("signature check");

  PassManager pm(&context);
  std::string optionErrors;
  llvm::raw_string_ostream optionErrs(optionErrors);
  if (failed(buildTargetPipeline(pm, *target, optionErrs))) {
    if (!optionErrors.empty())
      llvm::errs() << "swr-compile: error: " << optionErrors;
    return stageFailed("parsing --pipeline-options for " + target->pipeline);
  }
  if (failed(pm.run(*module)))
    return stageFailed("lowering (" + target->pipeline + ")", optReproducer);
  if (options.emit == CompileOutput::LLVMDialect)
    return writeOutput(options.output,
                       [&](raw_ostream &os) { module->print(os); });

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, "swr");
  if (!llvmModule)
    return stageFailed("translation to LLVM IR",
                       optReproducer + " | mlir-translate --mlir-to-llvmir");
  std::string entryErrors;
  llvm::raw_string_ostream entryErrs(entryErrors);
  if (failed(addEntryPoints(*llvmModule, *manifest, entryErrs))) {
    llvm::errs() << "swr-compile: error: " << entryErrors;
    return stageFailed("entry points");
  }

  std::unique_ptr<llvm::TargetMachine> machine = hostTargetMachine();
  if (!machine)
    return stageFailed("code generation");
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());
  if (options.emit == CompileOutput::LLVMIR)
    return writeOutput(options.output, [&](raw_ostream &os) {
      llvmModule->print(os, nullptr);
    });
  return emitLibrary(*llvmModule, *machine, options);
}
