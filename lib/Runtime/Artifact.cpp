//===- Artifact.cpp - loading and calling swr-compile artifacts -----------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// An artifact is a shared library with a manifest and one packed entry point
// per function (include/swr/Runtime/Manifest.h). Calls check every buffer
// against the manifest, build the memref descriptors of the C interface and
// read the results' descriptors back.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "swr/Runtime/Manifest.h"
#include "swr/Runtime/swr_runtime.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <string>
#include <vector>

using swr::runtime::recordError;

struct swr_function {
  const swr_artifact *artifact;
  swr::manifest::Function signature;
  void (*entry)(void **) = nullptr;
};

struct swr_artifact {
  void *library = nullptr;
  std::string target;
  std::vector<std::unique_ptr<swr_function>> functions;
};

namespace {

using swr::manifest::dtypeInfo;
using swr::manifest::typeString;

/// Reads the manifest `text` into `artifact`; returns an error message or
/// "".
std::string readManifest(const char *text, swr_artifact &artifact) {
  swr::manifest::Manifest manifest;
  if (std::string error = swr::manifest::read(text, manifest); !error.empty())
    return error;
  artifact.target = manifest.target;
  for (swr::manifest::Function &signature : manifest.functions) {
    auto function = std::make_unique<swr_function>();
    function->artifact = &artifact;
    function->signature = std::move(signature);
    artifact.functions.push_back(std::move(function));
  }
  return "";
}

/// Makes the symbols of this library (the mgpu* functions that CUDA
/// artifacts call) visible to libraries loaded later, even when whoever
/// loaded it did so with RTLD_LOCAL (as Python's ctypes does).
void exportRuntimeSymbols() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&swr_artifact_load), &info) &&
      info.dli_fname)
    dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
}

int64_t numElements(const swr_buffer &buffer) {
  int64_t count = 1;
  for (int i = 0; i < buffer.rank; ++i)
    count *= buffer.sizes[i];
  return count;
}

/// Checks the dtype and shape of `buffer` against `type`; records an error
/// naming `what`.
bool checkBuffer(const swr_buffer &buffer, const swr_type &type,
                 const std::string &what) {
  if (!dtypeInfo(buffer.dtype)) {
    recordError(what + ": invalid dtype");
    return false;
  }
  if (buffer.dtype != type.dtype) {
    recordError(what + ": dtype " + dtypeInfo(buffer.dtype)->name +
                " does not match the signature (" + typeString(type) + ")");
    return false;
  }
  if (buffer.rank != type.rank) {
    recordError(what + ": rank " + std::to_string(buffer.rank) +
                " does not match the signature (" + typeString(type) + ")");
    return false;
  }
  for (int i = 0; i < type.rank; ++i) {
    if (buffer.sizes[i] < 0 ||
        (type.sizes[i] >= 0 && buffer.sizes[i] != type.sizes[i])) {
      recordError(what + ": dimension " + std::to_string(i) + " is " +
                  std::to_string(buffer.sizes[i]) + ", the signature says " +
                  typeString(type));
      return false;
    }
  }
  // Every count derived from the sizes (elements, bytes, the generated
  // code's index arithmetic) then fits in int64_t.
  int64_t bytes = static_cast<int64_t>(dtypeInfo(buffer.dtype)->size);
  for (int i = 0; i < buffer.rank; ++i)
    if (__builtin_mul_overflow(bytes, buffer.sizes[i], &bytes) ||
        bytes > (int64_t(1) << 62)) {
      std::string dims;
      for (int j = 0; j < buffer.rank; ++j)
        dims += std::to_string(buffer.sizes[j]) + "x";
      recordError(what + ": " + dims + dtypeInfo(buffer.dtype)->name +
                  " is more than 2^62 bytes");
      return false;
    }
  return true;
}

/// A memref descriptor: allocated, aligned, offset, sizes[rank],
/// strides[rank], all 8 bytes wide.
std::vector<int64_t> descriptorFor(const swr_buffer &buffer) {
  std::vector<int64_t> desc(3 + 2 * buffer.rank);
  desc[0] = desc[1] = reinterpret_cast<int64_t>(buffer.data);
  int64_t stride = 1;
  for (int i = buffer.rank - 1; i >= 0; --i) {
    desc[3 + i] = buffer.sizes[i];
    desc[3 + buffer.rank + i] = stride;
    stride *= buffer.sizes[i];
  }
  return desc;
}

} // namespace

extern "C" {

const char *swr_dtype_name(swr_dtype dtype) {
  const swr::manifest::DTypeInfo *info = dtypeInfo(dtype);
  return info ? info->name : nullptr;
}

size_t swr_dtype_size(swr_dtype dtype) {
  const swr::manifest::DTypeInfo *info = dtypeInfo(dtype);
  return info ? info->size : 0;
}

int swr_dtype_from_name(const char *name) {
  std::optional<swr_dtype> dtype = swr::manifest::dtypeNamed(name);
  return dtype ? static_cast<int>(*dtype) : -1;
}

swr_artifact *swr_artifact_load(const char *path) {
  exportRuntimeSymbols();
  // A bare name is a file here, not a library to search for.
  std::string file = std::strchr(path, '/') ? path : std::string("./") + path;
  void *library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    recordError(std::string("cannot load artifact: ") + dlerror());
    return nullptr;
  }
  auto artifact = std::make_unique<swr_artifact>();
  artifact->library = library;
  auto *text =
      static_cast<const char *>(dlsym(library, swr::manifest::kSymbol));
  std::string error = text
                          ? readManifest(text, *artifact)
                          : std::string("it has no ") + swr::manifest::kSymbol +
                                " (not made by swr-compile?)";
  for (auto &function : artifact->functions) {
    if (!error.empty())
      break;
    std::string entry = swr::manifest::kEntryPrefix + function->signature.name;
    function->entry =
        reinterpret_cast<void (*)(void **)>(dlsym(library, entry.c_str()));
    if (!function->entry)
      error = "it lacks " + entry;
  }
  if (!error.empty()) {
    recordError(std::string(path) + " is not a valid swr artifact: " + error);
    dlclose(library);
    return nullptr;
  }
  return artifact.release();
}

void swr_artifact_unload(swr_artifact *artifact) {
  if (!artifact)
    return;
  dlclose(artifact->library);
  delete artifact;
}

const char *swr_artifact_target(const swr_artifact *artifact) {
  return artifact->target.c_str();
}

int swr_artifact_is_cuda(const swr_artifact *artifact) {
  return artifact->target.rfind("cuda:", 0) == 0;
}

int swr_artifact_num_functions(const swr_artifact *artifact) {
  return static_cast<int>(artifact->functions.size());
}

const swr_function *swr_artifact_function(const swr_artifact *artifact,
                                          int index) {
  if (index < 0 || index >= swr_artifact_num_functions(artifact))
    return nullptr;
  return artifact->functions[index].get();
}

const swr_function *swr_artifact_lookup(const swr_artifact *artifact,
                                        const char *name) {
  std::string names;
  for (const auto &function : artifact->functions) {
    if (function->signature.name == name)
      return function.get();
    names += (names.empty() ? "" : ", ") + function->signature.name;
  }
  recordError(std::string("no function '") + name +
              "' in the artifact (it has: " + (names.empty() ? "none" : names) +
              ")");
  return nullptr;
}

const char *swr_function_name(const swr_function *function) {
  return function->signature.name.c_str();
}

int swr_function_num_args(const swr_function *function) {
  return static_cast<int>(function->signature.args.size());
}

int swr_function_num_results(const swr_function *function) {
  return static_cast<int>(function->signature.results.size());
}

int swr_function_arg_type(const swr_function *function, int index,
                          swr_type *type) {
  if (index < 0 || index >= swr_function_num_args(function))
    return -1;
  *type = function->signature.args[index];
  return 0;
}

int swr_function_result_type(const swr_function *function, int index,
                             swr_type *type) {
  if (index < 0 || index >= swr_function_num_results(function))
    return -1;
  *type = function->signature.results[index];
  return 0;
}

int swr_function_check_arg(const swr_function *function, int index,
                           const swr_buffer *arg) {
  if (index < 0 || index >= swr_function_num_args(function)) {
    recordError("@" + function->signature.name + " has no argument " +
                std::to_string(index));
    return -1;
  }
  return checkBuffer(*arg, function->signature.args[index],
                     "argument " + std::to_string(index) + " of @" +
                         function->signature.name)
             ? 0
             : -1;
}

int swr_function_call(const swr_function *function, const swr_buffer *args,
                      int numArgs, swr_buffer *results, int numResults) {
  const std::string &name = function->signature.name;
  if (numArgs != swr_function_num_args(function) ||
      numResults != swr_function_num_results(function)) {
    recordError("@" + name + " takes " +
                std::to_string(function->signature.args.size()) +
                " arguments and " + "returns " +
                std::to_string(function->signature.results.size()) +
                " results, got " + std::to_string(numArgs) + " and " +
                std::to_string(numResults));
    return -1;
  }
  bool cuda = swr_artifact_is_cuda(function->artifact);
  for (int i = 0; i < numArgs; ++i) {
    if (swr_function_check_arg(function, i, &args[i]))
      return -1;
    if (numElements(args[i]) == 0)
      continue;
    std::string what = "argument " + std::to_string(i) + " of @" + name;
    if (!args[i].data) {
      recordError(what + ": no data");
      return -1;
    }
    if (cuda && !swr::runtime::checkDevicePointer(args[i].data, what))
      return -1;
  }
  for (const auto &[lhs, rhs] : function->signature.same) {
    int64_t a = args[lhs.arg].sizes[lhs.dim];
    int64_t b = args[rhs.arg].sizes[rhs.dim];
    if (a != b) {
      recordError("dimension " + std::to_string(lhs.dim) + " of argument " +
                  std::to_string(lhs.arg) + " is " + std::to_string(a) +
                  " but dimension " + std::to_string(rhs.dim) +
                  " of argument " + std::to_string(rhs.arg) + " is " +
                  std::to_string(b) + "; they must be equal");
      return -1;
    }
  }

  // The results' descriptors, one after the other (a struct of 8-byte
  // fields), then each argument's.
  size_t resultWords = 0;
  for (const swr_type &type : function->signature.results)
    resultWords += 3 + 2 * type.rank;
  std::vector<int64_t> resultDescs(resultWords);
  std::vector<std::vector<int64_t>> argDescs;
  std::vector<void *> packed;
  if (numResults)
    packed.push_back(resultDescs.data());
  for (int i = 0; i < numArgs; ++i) {
    argDescs.push_back(descriptorFor(args[i]));
    packed.push_back(argDescs.back().data());
  }

  uint64_t errorsBefore = swr::runtime::errorCount();
  function->entry(packed.data());
  if (swr::runtime::errorCount() != errorsBefore)
    return -1; // A CUDA call failed; recorded.

  const int64_t *desc = resultDescs.data();
  for (int r = 0; r < numResults; ++r) {
    const swr_type &type = function->signature.results[r];
    swr_buffer &result = results[r];
    result = swr_buffer{};
    result.dtype = type.dtype;
    result.rank = type.rank;
    auto *allocated = reinterpret_cast<char *>(desc[0]);
    auto *aligned = reinterpret_cast<char *>(desc[1]);
    result.data = aligned + desc[2] * dtypeInfo(type.dtype)->size;
    int64_t stride = 1;
    bool contiguous = true;
    for (int i = type.rank - 1; i >= 0; --i) {
      result.sizes[i] = desc[3 + i];
      contiguous &= result.sizes[i] == 1 || desc[3 + type.rank + i] == stride;
      stride *= result.sizes[i];
    }
    // Results that alias an argument, an earlier result or a constant
    // (memref.get_global) are not the caller's to free.
    result.allocation = allocated;
    for (int i = 0; i < numArgs && result.allocation; ++i) {
      auto *begin = static_cast<char *>(args[i].data);
      size_t bytes = numElements(args[i]) * swr_dtype_size(args[i].dtype);
      if (allocated >= begin && allocated < begin + std::max<size_t>(bytes, 1))
        result.allocation = nullptr;
    }
    for (int i = 0; i < r && result.allocation; ++i)
      if (results[i].allocation == allocated)
        result.allocation = nullptr;
    if (allocated == reinterpret_cast<char *>(0xdeadbeef))
      result.allocation = nullptr;
    if (!contiguous) {
      recordError("result " + std::to_string(r) + " of @" + name +
                  " is not a dense row-major buffer");
      return -1;
    }
    desc += 3 + 2 * type.rank;
  }
  return 0;
}

void swr_buffer_release(const swr_artifact *artifact, swr_buffer *result) {
  if (!result->allocation)
    return;
  if (swr_artifact_is_cuda(artifact))
    swr_cuda_free(result->allocation);
  else
    std::free(result->allocation);
  result->allocation = nullptr;
  result->data = nullptr;
}

} // extern "C"
