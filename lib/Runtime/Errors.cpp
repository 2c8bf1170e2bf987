//===- Errors.cpp - error recording of the swr runtime --------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "swr/Runtime/swr_runtime.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace {
std::mutex errorMutex;
std::string lastError;
bool hasError = false;
std::atomic<uint64_t> count{0};
std::atomic<bool> verbose{true};
} // namespace

void swr::runtime::recordError(const std::string &message) {
  {
    std::lock_guard<std::mutex> lock(errorMutex);
    if (!hasError) {
      lastError = message;
      hasError = true;
    }
  }
  ++count;
  if (verbose)
    std::fprintf(stderr, "swr runtime: %s\n", message.c_str());
}

uint64_t swr::runtime::errorCount() { return count; }

extern "C" {

const char *swr_runtime_last_error(void) {
  std::lock_guard<std::mutex> lock(errorMutex);
  return hasError ? lastError.c_str() : nullptr;
}

void swr_runtime_clear_error(void) {
  std::lock_guard<std::mutex> lock(errorMutex);
  hasError = false;
  lastError.clear();
}

void swr_runtime_set_verbose(int value) { verbose = value != 0; }

} // extern "C"
