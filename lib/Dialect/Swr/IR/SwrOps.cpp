//===- SwrOps.cpp - swr operations: what they share -----------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// What every swr op gets from its operand roles: One-Shot Bufferize (every
// op on tensors bufferizes the same way: each operand becomes its buffer,
// written operands are the destinations). Each op's own code is in its file
// (ScanOp.cpp, ScanGradOp.cpp, ScanChunkOp.cpp, TileOps.cpp).
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"

using namespace mlir;
using namespace mlir::swr;

namespace {
/// One-Shot Bufferize for a destination-style swr op: written operands are
/// its destinations (tied to its results), and are not read (every position
/// is overwritten); the op on buffers is the same op with every tensor
/// operand replaced by its buffer and no results.
template <typename OpTy>
struct BufferizationModel
    : public bufferization::DstBufferizableOpInterfaceExternalModel<
          BufferizationModel<OpTy>, OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const bufferization::AnalysisState &) const {
    return !cast<SwrOpInterface>(op).getRole(operand).written;
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    SmallVector<Value> buffers;
    for (Value operand : op->getOperands()) {
      FailureOr<Value> buffer =
          bufferization::getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    Operation *onBuffers = Operation::create(
        op->getLoc(), op->getName(), /*resultTypes=*/{}, buffers,
        op->getAttrDictionary(), op->getPropertiesStorage(),
        /*successors=*/{}, /*numRegions=*/0);
    rewriter.insert(onBuffers);
    auto dps = cast<DestinationStyleOpInterface>(op);
    SmallVector<Value> results;
    for (OpOperand &init : dps.getDpsInitsMutable())
      results.push_back(buffers[init.getOperandNumber()]);
    bufferization::replaceOpWithBufferizedValues(rewriter, op, results);
    return success();
  }
};
} // namespace

void mlir::swr::detail::attachBufferizationModels(MLIRContext *context) {
  ScanOp::attachInterface<BufferizationModel<ScanOp>>(*context);
  ScanGradOp::attachInterface<BufferizationModel<ScanGradOp>>(*context);
  ScanChunkOp::attachInterface<BufferizationModel<ScanChunkOp>>(*context);
}

LogicalResult mlir::swr::detail::verifyDestinationForm(Operation *op,
                                                       ValueRange outputs,
                                                       StringRef firstName) {
  Type first = outputs.front().getType();
  bool tensorForm = isa<RankedTensorType>(first);
  for (Value v : op->getOperands())
    if (isa<RankedTensorType>(v.getType()) != tensorForm)
      return op->emitOpError("operands must be all tensors or all memrefs, "
                             "but ")
             << firstName << " is a " << (tensorForm ? "tensor" : "memref")
             << " and an operand has type " << v.getType();
  if (!tensorForm) {
    if (op->getNumResults())
      return op->emitOpError("on memrefs must not return a result");
    return success();
  }
  if (TypeRange(op->getResultTypes()) == TypeRange(outputs))
    return success();
  if (outputs.size() == 1)
    return op->emitOpError("on tensors must return one result of the "
                           "output's type ")
           << first;
  InFlightDiagnostic diag = op->emitOpError(
      "on tensors must return one result per destination, of types ");
  llvm::interleaveComma(TypeRange(outputs), diag);
  return diag;
}

#define GET_OP_CLASSES
#include "swr/Dialect/Swr/IR/SwrOps.cpp.inc"
