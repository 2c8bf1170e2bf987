//===- SwrDialect.h - swr dialect -------------------------------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWRDIALECT_H
#define SWR_DIALECT_SWR_IR_SWRDIALECT_H

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/IR/Dialect.h"

#include "swr/Dialect/Swr/IR/SwrDialect.h.inc"

#endif // SWR_DIALECT_SWR_IR_SWRDIALECT_H
