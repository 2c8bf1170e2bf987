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

#define GET_ATTRDEF_CLASSES
#include "swr/Dialect/Swr/IR/SwrAttrs.h.inc"

#define GET_OP_CLASSES
#include "swr/Dialect/Swr/IR/SwrOps.h.inc"

#endif // SWR_DIALECT_SWR_IR_SWROPS_H
