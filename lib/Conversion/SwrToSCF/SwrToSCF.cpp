//===- SwrToSCF.cpp - swr.scan to scf loops -------------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Lowers every swr op on memrefs to the sequential loops it brings itself
// (SwrOpInterface::emitLoops, e.g. in ScanOp.cpp): the CPU path, and the
// in-IR reference that every other lowering is checked against.
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToSCF/SwrToSCF.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Utils/ShapeChecks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace swr {
#define GEN_PASS_DEF_CONVERTSWRTOSCF
#include "swr/Conversion/Passes.h.inc"
} // namespace swr
} // namespace mlir

using namespace mlir;
using namespace mlir::swr;

namespace {

/// Any swr op on memrefs: its own loops (SwrOpInterface::emitLoops).
struct SwrOpLowering : public OpInterfaceConversionPattern<SwrOpInterface> {
  using OpInterfaceConversionPattern::OpInterfaceConversionPattern;

  LogicalResult
  matchAndRewrite(SwrOpInterface op, ArrayRef<Value>,
                  ConversionPatternRewriter &rewriter) const override {
    if (llvm::any_of(op->getOperandTypes(), llvm::IsaPred<TensorType>))
      return rewriter.notifyMatchFailure(op, "on tensors: bufferize first");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    emitShapeChecked(b, op, [&] { op.emitLoops(b); });
    rewriter.eraseOp(op);
    return success();
  }
};

struct ConvertSwrToSCFPass
    : public swr::impl::ConvertSwrToSCFBase<ConvertSwrToSCFPass> {
  void runOnOperation() override {
    // A tensor-form scan is a pipeline-ordering mistake: say so plainly
    // rather than "failed to legalize".
    WalkResult tensorForm = getOperation()->walk([&](SwrOpInterface op) {
      return failed(checkBufferizedFor(op, getArgument()))
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (tensorForm.wasInterrupted())
      return signalPassFailure();

    ConversionTarget target(getContext());
    configureSwrToSCFConversionLegality(target);
    RewritePatternSet patterns(&getContext());
    populateSwrToSCFConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::swr::populateSwrToSCFConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SwrOpLowering>(patterns.getContext());
}

void mlir::swr::configureSwrToSCFConversionLegality(ConversionTarget &target) {
  target.addIllegalDialect<SwrDialect>();
  target.addLegalDialect<arith::ArithDialect, LLVM::LLVMDialect,
                         memref::MemRefDialect, scf::SCFDialect>();
}
