//===- Decompose.cpp - swr ops to their tile-level form -------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Rewrites every swr op that has a hierarchical form into it
// (SwrOpInterface::decompose; e.g. ScanOp.cpp for swr.scan).
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace swr {
#define GEN_PASS_DEF_SWRDECOMPOSE
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"
} // namespace swr
} // namespace mlir

using namespace mlir;
using namespace mlir::swr;

namespace {
struct SwrDecomposePass : public swr::impl::SwrDecomposeBase<SwrDecomposePass> {
  void runOnOperation() override {
    SmallVector<SwrOpInterface> ops;
    WalkResult result = getOperation()->walk([&](SwrOpInterface op) {
      if (failed(checkBufferizedFor(op, getArgument())))
        return WalkResult::interrupt();
      ops.push_back(op);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    for (SwrOpInterface op : ops)
      (void)op.decompose(rewriter);
  }
};
} // namespace
