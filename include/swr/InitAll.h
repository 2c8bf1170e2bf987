//===- InitAll.h - register everything swr provides -------------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_INITALL_H
#define SWR_INITALL_H

namespace mlir {
class DialectRegistry;

namespace swr {

/// Adds the swr dialect (and the external models it needs) to `registry`.
void registerAllDialects(DialectRegistry &registry);

/// Registers every swr pass and pipeline with the global registry.
void registerAllPasses();

} // namespace swr
} // namespace mlir

#endif // SWR_INITALL_H
