//===- Passes.h - swr transformation passes ---------------------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_TRANSFORMS_PASSES_H
#define SWR_DIALECT_SWR_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewriterBase;

namespace swr {
class ScanOp;

#define GEN_PASS_DECL
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"

/// Rewrites one `swr.scan` on memrefs into tile-level ops (see
/// `swr-decompose`). Fails, without changing anything, on the tensor form.
LogicalResult decomposeScan(RewriterBase &rewriter, ScanOp op);

#define GEN_PASS_REGISTRATION
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"

} // namespace swr
} // namespace mlir

#endif // SWR_DIALECT_SWR_TRANSFORMS_PASSES_H
