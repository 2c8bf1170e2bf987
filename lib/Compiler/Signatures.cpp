//===- Signatures.cpp - the manifest of a module's public functions -------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// What the runtime must know to call a function safely: its signature, the
// memref arguments it may write, and the dimensions its swr ops need equal
// (from their operand roles), which the runtime checks on every call.
//
//===----------------------------------------------------------------------===//

#include "swr/Compiler/Compiler.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <map>

using namespace mlir;
namespace manifest = ::swr::manifest;

namespace {

/// The manifest type of a tensor or memref type, or a located error naming
/// `what`.
FailureOr<swr_type> manifestType(func::FuncOp func, Type type,
                                 const Twine &what) {
  auto shaped = dyn_cast<ShapedType>(type);
  auto memref = dyn_cast<MemRefType>(type);
  auto fail = [&](StringRef why) {
    return func.emitError() << "public function @" << func.getSymName() << ": "
                            << what << " has type " << type << ", but " << why;
  };
  if (!shaped || !shaped.hasRank() || !(isa<RankedTensorType>(type) || memref))
    return fail("artifacts take and return ranked tensors or memrefs");
  std::string elementName;
  llvm::raw_string_ostream(elementName) << shaped.getElementType();
  std::optional<swr_dtype> dtype = manifest::dtypeNamed(elementName);
  if (!dtype)
    return fail("the element type must be f32, f16, bf16 or f64");
  if (shaped.getRank() > SWR_MAX_RANK)
    return fail("the rank must be at most " + std::to_string(SWR_MAX_RANK) +
                " (SWR_MAX_RANK of the runtime)");
  if (memref && (!memref.getLayout().isIdentity() || memref.getMemorySpace()))
    return fail("memrefs must have the identity layout and no memory space "
                "(dense row-major buffers)");
  swr_type result{};
  result.dtype = *dtype;
  result.is_memref = memref != nullptr;
  result.rank = static_cast<int32_t>(shaped.getRank());
  for (auto [i, size] : llvm::enumerate(shaped.getShape()))
    result.sizes[i] = ShapedType::isDynamic(size) ? -1 : size;
  return result;
}

/// Whether the function may write the memref `arg`. Sound, not precise:
/// every memref an op derives from it (views, casts, transposes, anything
/// returning a memref) is followed, a use by an op that does not describe
/// its effects (a call, say) counts as a write, and so does any write
/// effect on the value or on no value in particular.
bool mayWrite(BlockArgument arg) {
  SmallVector<Value> worklist{arg};
  DenseSet<Value> seen{arg};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp>(user))
        continue;
      for (Value result : user->getResults())
        if (isa<BaseMemRefType>(result.getType()) && seen.insert(result).second)
          worklist.push_back(result);
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

/// The argument dimensions that the swr ops of `func` need equal (their
/// operands' logical B, H, D, N, from their roles), so that the runtime
/// rejects mismatched dynamic sizes instead of running off the end of a
/// buffer.
std::vector<manifest::SameDims> opConstraints(func::FuncOp func) {
  std::vector<manifest::SameDims> same;
  func.walk([&](mlir::swr::SwrOpInterface op) {
    std::map<mlir::swr::Dim, SmallVector<manifest::DimRef>> dims;
    for (auto &[operand, role] : mlir::swr::operandRoles(op)) {
      int arg = argumentIndex(func, operand->get());
      auto type = cast<ShapedType>(operand->get().getType());
      if (arg < 0)
        continue;
      for (auto [dim, name] :
           llvm::enumerate(mlir::swr::logicalDims(role.layout, type.getRank())))
        if (name != mlir::swr::Dim::Tiles && name != mlir::swr::Dim::Slots)
          dims[name].push_back({arg, static_cast<int>(dim)});
    }
    for (auto &[name, list] : dims)
      for (const manifest::DimRef &dim : llvm::drop_begin(list))
        if (dim.arg != list[0].arg || dim.dim != list[0].dim)
          same.push_back({list[0], dim});
  });
  return same;
}

} // namespace

FailureOr<manifest::Manifest>
mlir::swr::buildManifest(ModuleOp module, const CompileTarget &target) {
  manifest::Manifest result;
  result.target = target.manifestName();
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    manifest::Function &function = result.functions.emplace_back();
    function.name = func.getSymName().str();
    FunctionType type = func.getFunctionType();
    for (auto [i, input] : llvm::enumerate(type.getInputs())) {
      FailureOr<swr_type> arg =
          manifestType(func, input, "argument " + Twine(i));
      if (failed(arg))
        return failure();
      arg->written = isa<MemRefType>(input) && mayWrite(func.getArgument(i));
      function.args.push_back(*arg);
    }
    for (auto [i, output] : llvm::enumerate(type.getResults())) {
      FailureOr<swr_type> res =
          manifestType(func, output, "result " + Twine(i));
      if (failed(res))
        return failure();
      function.results.push_back(*res);
    }
    function.same = opConstraints(func);
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(module.getContext()));
  }
  if (result.functions.empty())
    return module.emitError("the module has no public function with a body; "
                            "an artifact would have nothing to call");
  return result;
}
