//===- Errors.cpp - error recording of the swr runtime --------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "swr/Runtime/swr_runtime.h"

#include <atomic>
#include <cstdio>

namespace {
/// Each thread's first error since it last cleared (see swr_runtime.h):
/// a pointer from swr_runtime_last_error stays valid until this thread
/// records or clears an error, whatever other threads do.
thread_local std::string lastError;
thread_local bool hasError = false;
std::atomic<uint64_t> count{0};
std::atomic<bool> verbose{true};
} // namespace

void swr::runtime::recordError(const std::string &message) {
  if (!hasError) {
    lastError = message;
    hasError = true;
  }
  ++count;
  if (verbose)
    std::fprintf(stderr, "swr runtime: %s\n", message.c_str());
}

uint64_t swr::runtime::errorCount() { return count; }

extern "C" {

const char *swr_runtime_last_error(void) {
  return hasError ? lastError.c_str() : nullptr;
}

void swr_runtime_clear_error(void) {
  hasError = false;
  lastError.clear();
}

void swr_runtime_set_verbose(int value) { verbose = value != 0; }

void swr_runtime_shape_error(const char *message, int64_t got,
                             int64_t expected) {
  swr::runtime::recordError(std::string(message) + ": " + std::to_string(got) +
                            " and " + std::to_string(expected));
}

} // extern "C"
