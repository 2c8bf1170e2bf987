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
#include <sstream>
#include <string>
#include <vector>

using swr::runtime::recordError;

struct swr_function {
  const swr_artifact *artifact;
  std::string name;
  std::vector<swr_type> args, results;
  /// Pairs of (argument, dimension) that must be equal at run time.
  std::vector<std::pair<std::pair<int, int>, std::pair<int, int>>> same;
  void (*entry)(void **) = nullptr;
};

struct swr_artifact {
  void *library = nullptr;
  std::string target;
  std::vector<std::unique_ptr<swr_function>> functions;
};

namespace {

const char *const kDtypeNames[] = {"f32", "f16", "bf16", "f64"};
const size_t kDtypeSizes[] = {4, 2, 2, 8};
constexpr int kNumDtypes = 4;

/// Whether `dtype` (which C callers may set to anything) names a dtype.
bool validDtype(swr_dtype dtype) {
  int value = static_cast<int>(dtype);
  return value >= 0 && value < kNumDtypes;
}

/// "memref<2x?xf32>"-like text of a manifest type, for messages.
std::string typeString(const swr_type &type) {
  std::string text = type.is_memref ? "memref<" : "tensor<";
  for (int i = 0; i < type.rank; ++i)
    text +=
        (type.sizes[i] < 0 ? std::string("?") : std::to_string(type.sizes[i])) +
        "x";
  return text + kDtypeNames[type.dtype] + ">";
}

/// A non-negative decimal integer that fits in int64_t, and nothing else.
bool parseCount(const std::string &text, int64_t &value) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  value = std::stoll(text);
  return true;
}

bool parseType(std::istringstream &words, bool isArg, swr_type &type) {
  std::string kind, dtype, dims, flag;
  if (!(words >> kind >> dtype >> dims) ||
      (kind != "memref" && kind != "tensor"))
    return false;
  type = swr_type{};
  type.is_memref = kind == "memref";
  int index = 0;
  while (index < kNumDtypes && dtype != kDtypeNames[index])
    ++index;
  if (index == kNumDtypes)
    return false;
  type.dtype = static_cast<swr_dtype>(index);
  if (dims != "-") {
    std::istringstream list(dims);
    std::string dim;
    while (std::getline(list, dim, ',')) {
      if (type.rank == SWR_MAX_RANK)
        return false;
      int64_t size = -1;
      if (dim != "?" && !parseCount(dim, size))
        return false;
      type.sizes[type.rank++] = size;
    }
  }
  if (words >> flag) {
    if (!isArg || flag != "written")
      return false;
    type.written = 1;
  }
  return true;
}

/// "I.J": argument I, dimension J.
bool parseDim(const std::string &text, std::pair<int, int> &dim) {
  size_t dot = text.find('.');
  int64_t arg, index;
  if (dot == std::string::npos || !parseCount(text.substr(0, dot), arg) ||
      !parseCount(text.substr(dot + 1), index) || arg > 1000000 ||
      index > 1000000)
    return false;
  dim = {static_cast<int>(arg), static_cast<int>(index)};
  return true;
}

/// Why the constraint `same lhs rhs` cannot apply to `function`, or "".
std::string checkConstraint(const swr_function &function,
                            std::pair<int, int> dim, const std::string &text) {
  size_t numArgs = function.args.size();
  if (static_cast<size_t>(dim.first) >= numArgs)
    return "constraint '" + text + "' names argument " +
           std::to_string(dim.first) + ", but @" + function.name + " has " +
           std::to_string(numArgs) +
           (numArgs == 1 ? " argument" : " arguments");
  int rank = function.args[dim.first].rank;
  if (dim.second >= rank)
    return "constraint '" + text + "' names dimension " +
           std::to_string(dim.second) + " of argument " +
           std::to_string(dim.first) + ", which has rank " +
           std::to_string(rank);
  return "";
}

/// Parses the manifest into `artifact`; returns an error message or "".
std::string parseManifest(const char *text, swr_artifact &artifact) {
  std::istringstream lines(text);
  std::string line;
  int lineNo = 0;
  swr_function *current = nullptr;
  auto bad = [&](const std::string &why) {
    return "line " + std::to_string(lineNo) + " of its manifest: " + why;
  };
  while (std::getline(lines, line)) {
    ++lineNo;
    std::istringstream words(line);
    std::string keyword;
    if (!(words >> keyword))
      continue;
    if (lineNo == 1) {
      int version = 0;
      if (keyword != swr::manifest::kMagic || !(words >> version))
        return bad("not an swr artifact manifest");
      if (version != swr::manifest::kVersion)
        return bad("version " + std::to_string(version) +
                   ", this runtime reads version " +
                   std::to_string(swr::manifest::kVersion));
    } else if (keyword == "target") {
      words >> artifact.target;
    } else if (keyword == "function") {
      auto function = std::make_unique<swr_function>();
      function->artifact = &artifact;
      words >> function->name;
      current = function.get();
      artifact.functions.push_back(std::move(function));
    } else if (current && (keyword == "arg" || keyword == "result")) {
      swr_type type;
      if (!parseType(words, keyword == "arg", type))
        return bad("malformed type");
      (keyword == "arg" ? current->args : current->results).push_back(type);
    } else if (current && keyword == "same") {
      std::string lhs, rhs;
      std::pair<int, int> a, b;
      if (!(words >> lhs >> rhs) || !parseDim(lhs, a) || !parseDim(rhs, b))
        return bad("malformed constraint");
      // Arguments come before constraints: check the indices now, so that
      // calls never index past an argument list or a rank.
      std::string text = "same " + lhs + " " + rhs;
      for (std::pair<int, int> dim : {a, b})
        if (std::string why = checkConstraint(*current, dim, text);
            !why.empty())
          return bad(why);
      current->same.push_back({a, b});
    } else if (current && keyword == "end") {
      current = nullptr;
    } else {
      return bad("unexpected '" + keyword + "'");
    }
  }
  if (artifact.target != "cpu" && artifact.target.rfind("cuda:", 0) != 0)
    return "its manifest names no known target";
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
  if (!validDtype(buffer.dtype)) {
    recordError(what + ": invalid dtype");
    return false;
  }
  if (buffer.dtype != type.dtype) {
    recordError(what + ": dtype " + kDtypeNames[buffer.dtype] +
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
  return validDtype(dtype) ? kDtypeNames[dtype] : nullptr;
}

size_t swr_dtype_size(swr_dtype dtype) {
  return validDtype(dtype) ? kDtypeSizes[dtype] : 0;
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
                          ? parseManifest(text, *artifact)
                          : std::string("it has no ") + swr::manifest::kSymbol +
                                " (not made by swr-compile?)";
  for (auto &function : artifact->functions) {
    if (!error.empty())
      break;
    std::string entry = swr::manifest::kEntryPrefix + function->name;
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
    if (function->name == name)
      return function.get();
    names += (names.empty() ? "" : ", ") + function->name;
  }
  recordError(std::string("no function '") + name +
              "' in the artifact (it has: " + (names.empty() ? "none" : names) +
              ")");
  return nullptr;
}

const char *swr_function_name(const swr_function *function) {
  return function->name.c_str();
}

int swr_function_num_args(const swr_function *function) {
  return static_cast<int>(function->args.size());
}

int swr_function_num_results(const swr_function *function) {
  return static_cast<int>(function->results.size());
}

int swr_function_arg_type(const swr_function *function, int index,
                          swr_type *type) {
  if (index < 0 || index >= swr_function_num_args(function))
    return -1;
  *type = function->args[index];
  return 0;
}

int swr_function_result_type(const swr_function *function, int index,
                             swr_type *type) {
  if (index < 0 || index >= swr_function_num_results(function))
    return -1;
  *type = function->results[index];
  return 0;
}

int swr_function_check_arg(const swr_function *function, int index,
                           const swr_buffer *arg) {
  if (index < 0 || index >= swr_function_num_args(function)) {
    recordError("@" + function->name + " has no argument " +
                std::to_string(index));
    return -1;
  }
  return checkBuffer(*arg, function->args[index],
                     "argument " + std::to_string(index) + " of @" +
                         function->name)
             ? 0
             : -1;
}

int swr_function_call(const swr_function *function, const swr_buffer *args,
                      int numArgs, swr_buffer *results, int numResults) {
  const std::string &name = function->name;
  if (numArgs != swr_function_num_args(function) ||
      numResults != swr_function_num_results(function)) {
    recordError("@" + name + " takes " + std::to_string(function->args.size()) +
                " arguments and " + "returns " +
                std::to_string(function->results.size()) + " results, got " +
                std::to_string(numArgs) + " and " + std::to_string(numResults));
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
  for (const auto &[lhs, rhs] : function->same) {
    int64_t a = args[lhs.first].sizes[lhs.second];
    int64_t b = args[rhs.first].sizes[rhs.second];
    if (a != b) {
      recordError("dimension " + std::to_string(lhs.second) + " of argument " +
                  std::to_string(lhs.first) + " is " + std::to_string(a) +
                  " but dimension " + std::to_string(rhs.second) +
                  " of argument " + std::to_string(rhs.first) + " is " +
                  std::to_string(b) + "; they must be equal");
      return -1;
    }
  }

  // The results' descriptors, one after the other (a struct of 8-byte
  // fields), then each argument's.
  size_t resultWords = 0;
  for (const swr_type &type : function->results)
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
    const swr_type &type = function->results[r];
    swr_buffer &result = results[r];
    result = swr_buffer{};
    result.dtype = type.dtype;
    result.rank = type.rank;
    auto *allocated = reinterpret_cast<char *>(desc[0]);
    auto *aligned = reinterpret_cast<char *>(desc[1]);
    result.data = aligned + desc[2] * kDtypeSizes[type.dtype];
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
      size_t bytes = numElements(args[i]) * kDtypeSizes[args[i].dtype];
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
