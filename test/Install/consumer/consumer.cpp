//===- consumer.cpp - builds against an installed swr ---------------------===//
//
// Parses a module with swr.scan, runs swr-cpu-pipeline by name (the pipeline
// registered by swr), and checks that only the LLVM dialect is left.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/InitAll.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

static const char *kModule = R"mlir(
func.func @scan(%a: tensor<1x2x9xf32>, %x: tensor<1x2x3x9xf32>, %o: tensor<1x2x3x9xf32>) -> tensor<1x2x3x9xf32> {
  %y = swr.scan <tile = 4, hops = 1> ins(%a, %x : tensor<1x2x9xf32>, tensor<1x2x3x9xf32>) outs(%o : tensor<1x2x3x9xf32>) -> tensor<1x2x3x9xf32>
  return %y : tensor<1x2x3x9xf32>
}
)mlir";

int main() {
  mlir::registerAllPasses();
  mlir::swr::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::swr::registerAllDialects(registry);
  mlir::MLIRContext context(registry);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
  if (!module) {
    llvm::errs() << "consumer: could not parse the swr module\n";
    return 1;
  }
  int scans = 0;
  module->walk([&](mlir::swr::ScanOp) { ++scans; });

  mlir::PassManager pm(&context);
  if (mlir::failed(mlir::parsePassPipeline("swr-cpu-pipeline", pm)) ||
      mlir::failed(pm.run(*module))) {
    llvm::errs() << "consumer: swr-cpu-pipeline failed\n";
    return 1;
  }
  bool onlyLLVM = true;
  module->walk([&](mlir::Operation *op) {
    llvm::StringRef ns =
        op->getDialect() ? op->getDialect()->getNamespace() : "";
    if (!llvm::isa<mlir::ModuleOp>(op) && ns != "llvm")
      onlyLLVM = false;
  });
  if (scans != 1 || !onlyLLVM) {
    llvm::errs() << "consumer: expected one swr.scan lowered to the LLVM "
                    "dialect\n";
    return 1;
  }
  llvm::outs() << "consumer: find_package(SWR) works; swr-cpu-pipeline "
                  "lowered swr.scan to the LLVM dialect\n";
  return 0;
}
