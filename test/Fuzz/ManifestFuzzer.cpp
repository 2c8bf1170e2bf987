//===- ManifestFuzzer.cpp - libFuzzer target: the manifest reader ---------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Any text: read never crashes or reads out of bounds (ASan, UBSan); what
// it accepts names only arguments and dimensions that exist, and writing
// it and reading it back gives the same text.
//
//===----------------------------------------------------------------------===//

#include "swr/Runtime/Manifest.h"

#include <cstdlib>

using namespace swr::manifest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Manifest manifest;
  std::string_view text(reinterpret_cast<const char *>(data), size);
  if (!read(text, manifest).empty())
    return 0;
  for (const Function &function : manifest.functions)
    for (const SameDims &same : function.same)
      for (DimRef dim : {same.lhs, same.rhs})
        if (dim.arg < 0 ||
            static_cast<size_t>(dim.arg) >= function.args.size() ||
            dim.dim < 0 || dim.dim >= function.args[dim.arg].rank)
          std::abort();
  std::string written = write(manifest);
  Manifest again;
  if (!read(written, again).empty() || write(again) != written)
    std::abort();
  return 0;
}
