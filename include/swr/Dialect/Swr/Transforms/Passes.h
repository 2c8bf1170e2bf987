//===- Passes.h - swr transformation passes ---------------------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_TRANSFORMS_PASSES_H
#define SWR_DIALECT_SWR_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace swr {

#define GEN_PASS_DECL
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"

} // namespace swr
} // namespace mlir

#endif // SWR_DIALECT_SWR_TRANSFORMS_PASSES_H
