//===- ShapeChecks.cpp - run-time checks of an swr op's dimensions --------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/Utils/ShapeChecks.h"
#include "swr/Dialect/Swr/IR/SwrInterfaces.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;
using namespace mlir::swr;

namespace {

/// One dimension that must equal another at run time.
struct Check {
  Value got, expected;
  std::string message;
};

/// "swr.scan at file.mlir:3:5" (or without the place).
std::string opPlace(Operation *op) {
  std::string text = op->getName().getStringRef().str();
  if (auto place = op->getLoc()->findInstanceOf<FileLineColLoc>())
    text += " at " + place.getFilename().str() + ":" +
            std::to_string(place.getLine()) + ":" +
            std::to_string(place.getColumn());
  return text;
}

/// The checks of `op`'s dynamic dimensions against its sequence operand.
SmallVector<Check> checksOf(ImplicitLocOpBuilder &b, Operation *op) {
  auto roles = operandRoles(op);
  auto reference = llvm::find_if(roles, [](auto &entry) {
    return entry.second.layout == Layout::Sequence;
  });
  Value refValue = reference->first->get();
  auto refType = cast<MemRefType>(refValue.getType());
  SmallVector<Dim, 4> refDims =
      logicalDims(reference->second.layout, refType.getRank());
  int64_t tile = cast<SwrOpInterface>(op).getTileLength();
  std::string place = opPlace(op);

  SmallVector<Check> checks;
  for (auto &[operand, role] : roles) {
    Value value = operand->get();
    if (value == refValue)
      continue;
    auto type = cast<MemRefType>(value.getType());
    for (auto [i, dim] :
         llvm::enumerate(logicalDims(role.layout, type.getRank()))) {
      if (dim == Dim::Slots)
        continue; // Static (the ops that have them require it).
      Dim refDim = dim == Dim::Tiles ? Dim::N : dim;
      auto at = llvm::find(refDims, refDim);
      if (at == refDims.end())
        continue;
      int64_t refIndex = at - refDims.begin();
      if (!type.isDynamicDim(i) && !refType.isDynamicDim(refIndex))
        continue; // The verifier compared them.
      Value got = memref::DimOp::create(b, value, i);
      Value expected = memref::DimOp::create(b, refValue, refIndex);
      std::string what = std::string(role.name) + " dimension " +
                         std::to_string(i) + " (" + nameOf(dim).str() + ")";
      std::string refWhat = std::string(reference->second.name) +
                            " dimension " + std::to_string(refIndex) + " (" +
                            nameOf(refDim).str() + ")";
      if (dim == Dim::Tiles) {
        expected = arith::CeilDivSIOp::create(
            b, expected, arith::ConstantIndexOp::create(b, tile));
        refWhat = "ceil(" + refWhat + " / " + std::to_string(tile) + ")";
      }
      checks.push_back(
          {got, expected, place + ": " + what + " must equal " + refWhat});
    }
  }
  return checks;
}

/// `void swr_runtime_shape_error(ptr, i64, i64)`, declared once per module.
LLVM::LLVMFuncOp errorFunction(ImplicitLocOpBuilder &b, ModuleOp module) {
  if (auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(kShapeErrorFunction))
    return fn;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto fnType =
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(b.getContext()),
                                  {ptr, b.getI64Type(), b.getI64Type()});
  return LLVM::LLVMFuncOp::create(b, kShapeErrorFunction, fnType);
}

/// Calls the runtime with `check`'s message and sizes.
void report(ImplicitLocOpBuilder &b, ModuleOp module, const Check &check) {
  // A fresh name for the message's global.
  std::string name;
  for (int i = 0;; ++i) {
    name = "swr_shape_error_" + std::to_string(i);
    if (!module.lookupSymbol(name))
      break;
  }
  // The message, NUL-terminated, in a constant global of the module.
  std::string text = check.message + '\0';
  LLVM::GlobalOp global;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    global = LLVM::GlobalOp::create(
        b, LLVM::LLVMArrayType::get(b.getI8Type(), text.size()),
        /*isConstant=*/true, LLVM::Linkage::Internal, name,
        b.getStringAttr(text));
  }
  Value message = LLVM::AddressOfOp::create(b, global);
  auto i64 = [&](Value index) {
    return arith::IndexCastOp::create(b, b.getI64Type(), index).getResult();
  };
  LLVM::CallOp::create(
      b, errorFunction(b, module),
      ValueRange{message, i64(check.got), i64(check.expected)});
}

} // namespace

void mlir::swr::emitShapeChecked(ImplicitLocOpBuilder &b, Operation *op,
                                 function_ref<void()> body) {
  SmallVector<Check> checks = checksOf(b, op);
  auto module = op->getParentOfType<ModuleOp>();
  // if (!ok_0) report_0 else if (!ok_1) report_1 ... else body.
  std::function<void(size_t)> emitFrom = [&](size_t i) {
    if (i == checks.size())
      return body();
    Value differ = arith::CmpIOp::create(b, arith::CmpIPredicate::ne,
                                         checks[i].got, checks[i].expected);
    scf::IfOp::create(
        b, differ,
        [&](OpBuilder &, Location) {
          report(b, module, checks[i]);
          scf::YieldOp::create(b);
        },
        [&](OpBuilder &, Location) {
          emitFrom(i + 1);
          scf::YieldOp::create(b);
        });
  };
  emitFrom(0);
}
