//===- Swr.td - swr dialect umbrella -----------------------*- tablegen -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWR_TD
#define SWR_DIALECT_SWR_IR_SWR_TD

include "swr/Dialect/Swr/IR/SwrDialect.td"
include "swr/Dialect/Swr/IR/SwrAttrs.td"
include "swr/Dialect/Swr/IR/SwrOps.td"

#endif // SWR_DIALECT_SWR_IR_SWR_TD
