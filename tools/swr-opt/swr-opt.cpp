//===- swr-opt.cpp - the swr optimizer driver -----------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// An mlir-opt with every upstream dialect, extension and pass, plus the swr
// dialect, passes and pipelines.
//
//===----------------------------------------------------------------------===//

#include "swr/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::swr::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates GPU modules to LLVM IR in-process.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::swr::registerAllDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "swr optimizer driver (MLIR 22 + swr)\n", registry));
}
