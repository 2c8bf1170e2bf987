//===- SwrOps.h - swr attributes and operations -----------------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWROPS_H
#define SWR_DIALECT_SWR_IR_SWROPS_H

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "swr/Dialect/Swr/IR/SwrDialect.h"
#include "swr/Dialect/Swr/IR/SwrInterfaces.h"

#define GET_ATTRDEF_CLASSES
#include "swr/Dialect/Swr/IR/SwrAttrs.h.inc"

#define GET_OP_CLASSES
#include "swr/Dialect/Swr/IR/SwrOps.h.inc"

namespace mlir {
namespace swr {
namespace detail {
/// Attaches One-Shot Bufferize to the swr ops that work on tensors (done by
/// the dialect when it loads).
void attachBufferizationModels(MLIRContext *context);

/// Checks the two forms of a destination-style swr op: on tensors it
/// returns one result per destination in `outputs`, of its type; on memrefs
/// it returns nothing; never a mix. `firstName` names `outputs[0]`.
LogicalResult verifyDestinationForm(Operation *op, ValueRange outputs,
                                    StringRef firstName);
} // namespace detail
} // namespace swr
} // namespace mlir

#endif // SWR_DIALECT_SWR_IR_SWROPS_H
