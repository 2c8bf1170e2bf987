//===- FuzzRuntimeDtypes.cpp - the runtime's dtype API for the fuzzers ----===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// NumpyIO names dtypes through libswr_runtime's C API; the .npy fuzzer
// links the manifest's table directly instead of the whole runtime.
//
//===----------------------------------------------------------------------===//

#include "swr/Runtime/Manifest.h"

extern "C" {
const char *swr_dtype_name(swr_dtype dtype) {
  const swr::manifest::DTypeInfo *info = swr::manifest::dtypeInfo(dtype);
  return info ? info->name : nullptr;
}
size_t swr_dtype_size(swr_dtype dtype) {
  const swr::manifest::DTypeInfo *info = swr::manifest::dtypeInfo(dtype);
  return info ? info->size : 0;
}
int swr_dtype_from_name(const char *name) {
  std::optional<swr_dtype> dtype = swr::manifest::dtypeNamed(name);
  return dtype ? static_cast<int>(*dtype) : -1;
}
}
