//===- ShapeChecks.h - run-time checks of an swr op's dimensions -*- C++
//-*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_UTILS_SHAPECHECKS_H
#define SWR_DIALECT_SWR_UTILS_SHAPECHECKS_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir {
namespace swr {

/// The name of the runtime function that generated code calls when a
/// check fails: `void swr_runtime_shape_error(const char *message, int64_t
/// got, int64_t expected)` (include/swr/Runtime/swr_runtime.h).
inline constexpr const char *kShapeErrorFunction = "swr_runtime_shape_error";

/// Emits, at the builder's insertion point, the run-time checks of what
/// `op` (an swr op on memrefs) needs of its dynamic sizes: every dimension
/// its operand roles tie to its sequence operand's (B, H, D, N, and the
/// tile count of per-tile operands) is equal to it. Then `body` (the op's
/// computation) runs where every check holds; where one fails, a call to
/// `swr_runtime_shape_error` names the first failing pair and nothing else
/// runs. Checks the verifier already settled (static sizes) are not
/// emitted. Whatever lies between a function's arguments and the op
/// (views, calls, loops), the op never runs on sizes it cannot handle.
void emitShapeChecked(ImplicitLocOpBuilder &b, Operation *op,
                      function_ref<void()> body);

} // namespace swr
} // namespace mlir

#endif // SWR_DIALECT_SWR_UTILS_SHAPECHECKS_H
