//===- NpyFuzzer.cpp - libFuzzer target: the .npy reader ------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Any bytes: parse never crashes, hangs or reads out of bounds (built with
// ASan and UBSan); what it accepts serializes back to a file it reads as
// the same array.
//
//===----------------------------------------------------------------------===//

#include "swr/Tooling/NumpyIO.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  swr::npy::Array array;
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  if (!swr::npy::parse(bytes, array).empty())
    return 0;
  swr::npy::Array again;
  if (!swr::npy::parse(swr::npy::serialize(array), again).empty() ||
      again.dtype != array.dtype || again.shape != array.shape ||
      !(again.bytes == array.bytes))
    std::abort();
  for (int64_t i = 0, n = std::min<int64_t>(array.count(), 4); i < n; ++i)
    (void)array.at(i);
  return 0;
}
