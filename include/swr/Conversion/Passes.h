//===- Passes.h - swr conversion passes -------------------------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_CONVERSION_PASSES_H
#define SWR_CONVERSION_PASSES_H

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"
#include "swr/Conversion/SwrToSCF/SwrToSCF.h"

namespace mlir {
namespace swr {

#define GEN_PASS_REGISTRATION
#include "swr/Conversion/Passes.h.inc"

} // namespace swr
} // namespace mlir

#endif // SWR_CONVERSION_PASSES_H
