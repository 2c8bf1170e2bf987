//===- SwrToGPU.h - swr decomposed form to GPU kernels ----------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_CONVERSION_SWRTOGPU_SWRTOGPU_H
#define SWR_CONVERSION_SWRTOGPU_SWRTOGPU_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace swr {

#define GEN_PASS_DECL_CONVERTSWRTOGPU
#define GEN_PASS_DECL_SWRHOSTALLOCSTOGPU
#include "swr/Conversion/Passes.h.inc"

} // namespace swr
} // namespace mlir

#endif // SWR_CONVERSION_SWRTOGPU_SWRTOGPU_H
