//===- Internal.h - shared pieces of the swr runtime -------------*- C++
//-*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_RUNTIME_INTERNAL_H
#define SWR_LIB_RUNTIME_INTERNAL_H

#include <cstdint>
#include <string>

namespace swr::runtime {

/// Records `message` as the last error (the first since the last clear) and
/// prints it when verbose.
void recordError(const std::string &message);

/// Counts every recorded error, so that a caller can tell whether a call
/// failed even when an older error is still recorded.
uint64_t errorCount();

/// Whether `pointer` is memory the GPU can address (device or managed);
/// records an error naming `what` otherwise.
bool checkDevicePointer(const void *pointer, const std::string &what);

} // namespace swr::runtime

#endif // SWR_LIB_RUNTIME_INTERNAL_H
