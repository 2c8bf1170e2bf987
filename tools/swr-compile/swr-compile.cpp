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
// without MLIR. CUDA kernels are embedded in it (cubin by default).
//
// A failing stage (parse, verify, signature, lowering, translate, codegen,
// link) is reported with its diagnostics and a command that reproduces it.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/InitAll.h"
#include "swr/Pipelines/Pipelines.h"
#include "swr/Runtime/Manifest.h"
#include "swr/Runtime/swr_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
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
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <map>

using namespace mlir;
namespace cl = llvm::cl;

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
enum class Emit { Library, LLVMDialect, LLVMIR };
static cl::opt<Emit>
    emit("emit", cl::desc("What to write"), cl::init(Emit::Library),
         cl::values(clEnumValN(Emit::Library, "lib", "the shared library"),
                    clEnumValN(Emit::LLVMDialect, "mlir",
                               "the module after the pipeline (LLVM dialect)"),
                    clEnumValN(Emit::LLVMIR, "llvm",
                               "LLVM IR with entry points and manifest")));
static cl::opt<unsigned> optLevel("O", cl::desc("Host code optimization level"),
                                  cl::init(2), cl::Prefix);
static cl::opt<std::string> linker("linker",
                                   cl::desc("The linker of the shared library"),
                                   cl::init(SWR_DEFAULT_LINKER));

namespace {

/// Prints the failure of a stage and how to reproduce it; returns 1.
int stageFailed(StringRef stage, StringRef reproducer) {
  llvm::errs() << "swr-compile: error: " << stage << " failed";
  if (!reproducer.empty())
    llvm::errs() << "; reproduce with: " << reproducer;
  llvm::errs() << "\n";
  return 1;
}

std::string quoted(StringRef text) { return "'" + text.str() + "'"; }

struct Target {
  bool cuda = false;
  std::string chip; // cuda only
  std::string pipeline;
  std::string options;
};

/// Parses --target and --pipeline-options into a pipeline and its options.
std::optional<Target> parseTarget() {
  Target target;
  StringRef name = targetName;
  if (name == "cpu") {
    target.pipeline = "swr-cpu-pipeline";
    target.options = pipelineOptions;
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
  if (!StringRef(pipelineOptions).contains("toolkit="))
    target.options += " toolkit=" SWR_DEFAULT_CUDA_TOOLKIT;
#endif
  if (!pipelineOptions.empty())
    target.options += " " + pipelineOptions;
  return target;
}

/// Whether LLVM's NVPTX backend knows `chip` (an unknown one makes it abort
/// while selecting instructions).
bool isKnownCudaChip(StringRef chip) {
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTarget();
  LLVMInitializeNVPTXTargetMC();
  llvm::Triple triple("nvptx64-nvidia-cuda");
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return false;
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target->createMCSubtargetInfo(triple, "", ""));
  return info && info->isCPUStringValid(chip);
}

//===----------------------------------------------------------------------===//
// Signatures and the manifest
//===----------------------------------------------------------------------===//

std::optional<std::string> dtypeName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isF64())
    return "f64";
  return std::nullopt;
}

/// The manifest words of a tensor or memref type ("memref f32 4,?"), or a
/// located error naming `what`.
FailureOr<std::string> manifestType(func::FuncOp func, Type type,
                                    const Twine &what) {
  auto shaped = dyn_cast<ShapedType>(type);
  auto memref = dyn_cast<MemRefType>(type);
  auto fail = [&](StringRef why) {
    return func.emitError() << "public function @" << func.getSymName() << ": "
                            << what << " has type " << type << ", but " << why;
  };
  if (!shaped || !shaped.hasRank() || !(isa<RankedTensorType>(type) || memref))
    return fail("artifacts take and return ranked tensors or memrefs");
  std::optional<std::string> dtype = dtypeName(shaped.getElementType());
  if (!dtype)
    return fail("the element type must be f32, f16, bf16 or f64");
  if (shaped.getRank() > SWR_MAX_RANK)
    return fail("the rank must be at most " + std::to_string(SWR_MAX_RANK) +
                " (SWR_MAX_RANK of the runtime)");
  if (memref && (!memref.getLayout().isIdentity() || memref.getMemorySpace()))
    return fail("memrefs must have the identity layout and no memory space "
                "(dense row-major buffers)");
  SmallVector<std::string> dims;
  for (int64_t size : shaped.getShape())
    dims.push_back(ShapedType::isDynamic(size) ? "?" : std::to_string(size));
  return std::string(memref ? "memref " : "tensor ") + *dtype + " " +
         (dims.empty() ? "-" : llvm::join(dims, ","));
}

/// Whether the function may write the memref `arg`: some use through views
/// and casts has a write effect on it, or an effect the op cannot describe.
bool mayWrite(BlockArgument arg) {
  SmallVector<Value> worklist{arg};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp>(user))
        continue;
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if ((view && view.getViewSource() == value) ||
          isa<CastOpInterface>(user)) {
        llvm::append_range(worklist, user->getResults());
        continue;
      }
      auto effects = dyn_cast<MemoryEffectOpInterface>(user);
      if (!effects)
        return true;
      SmallVector<MemoryEffects::EffectInstance> instances;
      effects.getEffects(instances);
      for (const auto &instance : instances)
        if (isa<MemoryEffects::Write>(instance.getEffect()) &&
            (!instance.getValue() || instance.getValue() == value))
          return true;
    }
  }
  return false;
}

/// The function argument `value` is, through casts, or -1.
int argumentIndex(func::FuncOp func, Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (!isa<CastOpInterface>(def) || def->getNumOperands() != 1)
      return -1;
    value = def->getOperand(0);
  }
  auto arg = dyn_cast<BlockArgument>(value);
  return arg && arg.getOwner() == &func.getBody().front()
             ? static_cast<int>(arg.getArgNumber())
             : -1;
}

/// "same I.J K.L" lines: dimensions of arguments that an swr op needs equal
/// (its operands' logical B, H, D, N, from their roles), so that the runtime
/// rejects mismatched dynamic sizes instead of running off the end of a
/// buffer.
void opConstraints(func::FuncOp func, std::string &out) {
  func.walk([&](mlir::swr::SwrOpInterface op) {
    // Logical dimension -> (argument, dimension) pairs.
    std::map<mlir::swr::Dim, SmallVector<std::pair<int, int>>> dims;
    for (auto &[operand, role] : mlir::swr::operandRoles(op)) {
      int arg = argumentIndex(func, operand->get());
      auto type = cast<ShapedType>(operand->get().getType());
      if (arg < 0)
        continue;
      for (auto [dim, name] :
           llvm::enumerate(mlir::swr::logicalDims(role.layout, type.getRank())))
        if (name != mlir::swr::Dim::Tiles)
          dims[name].push_back({arg, static_cast<int>(dim)});
    }
    for (auto &[name, list] : dims)
      for (size_t i = 1; i < list.size(); ++i)
        if (list[i] != list[0])
          out += "same " + std::to_string(list[0].first) + "." +
                 std::to_string(list[0].second) + " " +
                 std::to_string(list[i].first) + "." +
                 std::to_string(list[i].second) + "\n";
  });
}

/// Checks every public function's signature, marks it for a C interface and
/// returns the manifest, with the names of the functions.
FailureOr<std::string> buildManifest(ModuleOp module, const Target &target,
                                     SmallVectorImpl<std::string> &names) {
  std::string manifest = std::string(::swr::manifest::kMagic) + " " +
                         std::to_string(::swr::manifest::kVersion) + "\n" +
                         "target " +
                         (target.cuda ? "cuda:" + target.chip : "cpu") + "\n";
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    names.push_back(func.getSymName().str());
    manifest += "function " + func.getSymName().str() + "\n";
    FunctionType type = func.getFunctionType();
    for (auto [i, input] : llvm::enumerate(type.getInputs())) {
      FailureOr<std::string> words =
          manifestType(func, input, "argument " + Twine(i));
      if (failed(words))
        return failure();
      manifest += "arg " + *words;
      if (isa<MemRefType>(input) && mayWrite(func.getArgument(i)))
        manifest += " written";
      manifest += "\n";
    }
    for (auto [i, result] : llvm::enumerate(type.getResults())) {
      FailureOr<std::string> words =
          manifestType(func, result, "result " + Twine(i));
      if (failed(words))
        return failure();
      manifest += "result " + *words + "\n";
    }
    opConstraints(func, manifest);
    manifest += "end\n";
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(module.getContext()));
  }
  if (names.empty())
    return module.emitError("the module has no public function with a body; "
                            "an artifact would have nothing to call");
  return manifest;
}

//===----------------------------------------------------------------------===//
// LLVM IR: entry points, manifest, object code
//===----------------------------------------------------------------------===//

/// Adds `void _swr_entry_NAME(ptr args)`, which calls `_mlir_ciface_NAME`
/// with the pointers in args[0..n), and the manifest string.
LogicalResult addEntryPoints(llvm::Module &module, ArrayRef<std::string> names,
                             StringRef manifest) {
  llvm::LLVMContext &context = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(context);
  for (const std::string &name : names) {
    llvm::Function *ciface = module.getFunction("_mlir_ciface_" + name);
    if (!ciface) {
      llvm::errs() << "swr-compile: error: no C interface for @" << name
                   << " after lowering\n";
      return failure();
    }
    auto *entry = llvm::Function::Create(
        llvm::FunctionType::get(llvm::Type::getVoidTy(context), {ptr}, false),
        llvm::GlobalValue::ExternalLinkage,
        ::swr::manifest::kEntryPrefix + name, module);
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
  llvm::Constant *text = llvm::ConstantDataArray::getString(context, manifest);
  new llvm::GlobalVariable(module, text->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text,
                           ::swr::manifest::kSymbol);
  return success();
}

std::unique_ptr<llvm::TargetMachine> hostTargetMachine() {
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    llvm::errs() << "swr-compile: error: " << error << "\n";
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
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_None);
  if (error) {
    llvm::errs() << "swr-compile: error: cannot write " << path << ": "
                 << error.message() << "\n";
    return failure();
  }
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, os, nullptr,
                                  llvm::CodeGenFileType::ObjectFile)) {
    llvm::errs() << "swr-compile: error: the target cannot emit objects\n";
    return failure();
  }
  passes.run(module);
  return success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv,
      "swr ahead-of-time compiler: a module to a shared library that "
      "libswr_runtime and swr-run load\n");
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  std::optional<Target> target = parseTarget();
  if (!target) {
    llvm::errs() << "swr-compile: error: unknown target '" << targetName
                 << "' (expected cpu, cuda or cuda:sm_XX)\n";
    return 1;
  }
  std::string pipelineArg =
      "--" + target->pipeline + "=" + quoted(target->options);
  std::string optReproducer =
      "swr-opt " + quoted(inputFilename) + " " + pipelineArg;

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  mlir::swr::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Diagnostics name the source location; the reproducer shows the IR.
  context.printOpOnDiagnostic(false);

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << "swr-compile: error: " << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  // Parse and verify separately, to name the stage that fails.
  ParserConfig config(&context, /*verifyAfterParse=*/false);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, config);
  if (!module)
    return stageFailed("parse", "");
  if (failed(verify(*module)))
    return stageFailed("verify", "swr-opt " + quoted(inputFilename));

  SmallVector<std::string> names;
  FailureOr<std::string> manifest = buildManifest(*module, *target, names);
  if (failed(manifest))
    return stageFailed("signature check", "");

  PassManager pm(&context);
  if (target->cuda) {
    std::unique_ptr<mlir::swr::CudaPipelineOptions> options =
        mlir::swr::CudaPipelineOptions::parse(target->options, llvm::errs());
    if (!options)
      return stageFailed("parsing --pipeline-options for swr-cuda-pipeline",
                         "");
    if (!isKnownCudaChip(options->chip)) {
      llvm::errs() << "swr-compile: error: unknown CUDA chip '" << options->chip
                   << "' (expected one LLVM's NVPTX backend knows, such as "
                      "sm_80, sm_90 or sm_90a)\n";
      return 1;
    }
    if (failed(mlir::swr::buildCudaPipeline(pm, *options)))
      return stageFailed("parsing --pipeline-options for swr-cuda-pipeline",
                         "");
  } else {
    auto options =
        mlir::swr::CpuPipelineOptions::createFromString(target->options);
    if (!options)
      return stageFailed("parsing --pipeline-options for swr-cpu-pipeline", "");
    mlir::swr::buildCpuPipeline(pm, *options);
  }
  if (failed(pm.run(*module)))
    return stageFailed("lowering (" + target->pipeline + ")", optReproducer);

  auto writeOutput = [&](auto print) {
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(outputFilename, &error);
    if (!file) {
      llvm::errs() << "swr-compile: error: " << error << "\n";
      return 1;
    }
    print(file->os());
    file->keep();
    return 0;
  };
  if (emit == Emit::LLVMDialect)
    return writeOutput([&](raw_ostream &os) { module->print(os); });

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, "swr");
  if (!llvmModule)
    return stageFailed("translation to LLVM IR",
                       optReproducer + " | mlir-translate --mlir-to-llvmir");
  if (failed(addEntryPoints(*llvmModule, names, *manifest)))
    return stageFailed("entry points", "");

  std::unique_ptr<llvm::TargetMachine> machine = hostTargetMachine();
  if (!machine)
    return stageFailed("code generation", "");
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());
  if (emit == Emit::LLVMIR)
    return writeOutput(
        [&](raw_ostream &os) { llvmModule->print(os, nullptr); });

  if (llvm::Error err = makeOptimizingTransformer(optLevel, 0, machine.get())(
          llvmModule.get())) {
    llvm::errs() << "swr-compile: error: " << toString(std::move(err)) << "\n";
    return stageFailed("LLVM optimization", "");
  }

  SmallString<128> object;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("swr-compile", "o", object)) {
    llvm::errs() << "swr-compile: error: cannot create a temporary file: "
                 << ec.message() << "\n";
    return 1;
  }
  llvm::FileRemover removeObject(object);
  if (failed(emitObject(*llvmModule, *machine, object)))
    return stageFailed("code generation", "");

  SmallVector<StringRef> linkArgs{
      linker, "-shared", "-o", outputFilename, object,
      // f16/bf16 conversions of generic x86-64 code.
      SWR_COMPILER_RT_BUILTINS};
  std::string linkError;
  int status = llvm::sys::ExecuteAndWait(linker, linkArgs, std::nullopt, {}, 0,
                                         0, &linkError);
  if (status != 0) {
    removeObject.releaseFile(); // The reproducer needs it.
    if (!linkError.empty())
      llvm::errs() << "swr-compile: error: " << linkError << "\n";
    return stageFailed("link", llvm::join(linkArgs, " "));
  }
  return 0;
}
