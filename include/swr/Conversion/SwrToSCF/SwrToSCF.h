//===- SwrToSCF.h - swr to scf loops ----------------------------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_CONVERSION_SWRTOSCF_SWRTOSCF_H
#define SWR_CONVERSION_SWRTOSCF_SWRTOSCF_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class ConversionTarget;
class RewritePatternSet;

namespace swr {

#define GEN_PASS_DECL_CONVERTSWRTOSCF
#include "swr/Conversion/Passes.h.inc"

/// Adds the patterns that lower `swr.scan` on memrefs to scf loops.
void populateSwrToSCFConversionPatterns(RewritePatternSet &patterns);

/// Marks `swr` illegal and the dialects of the loops legal.
void configureSwrToSCFConversionLegality(ConversionTarget &target);

} // namespace swr
} // namespace mlir

#endif // SWR_CONVERSION_SWRTOSCF_SWRTOSCF_H
