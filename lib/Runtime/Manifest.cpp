//===- Manifest.cpp - writer and reader of artifact manifests -------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Runtime/Manifest.h"

#include <sstream>

namespace swr::manifest {
namespace {

/// Indexed by swr_dtype.
constexpr DTypeInfo kDTypes[] = {
    {"f32", 4},  // SWR_DTYPE_F32
    {"f16", 2},  // SWR_DTYPE_F16
    {"bf16", 2}, // SWR_DTYPE_BF16
    {"f64", 8},  // SWR_DTYPE_F64
};
constexpr int kNumDTypes = sizeof(kDTypes) / sizeof(kDTypes[0]);

std::string dimsString(const swr_type &type) {
  if (type.rank == 0)
    return "-";
  std::string text;
  for (int i = 0; i < type.rank; ++i)
    text +=
        (i ? "," : "") +
        (type.sizes[i] < 0 ? std::string("?") : std::to_string(type.sizes[i]));
  return text;
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
  std::optional<swr_dtype> named = dtypeNamed(dtype);
  if (!named)
    return false;
  type.dtype = *named;
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
bool parseDim(const std::string &text, DimRef &dim) {
  size_t dot = text.find('.');
  int64_t arg, index;
  if (dot == std::string::npos || !parseCount(text.substr(0, dot), arg) ||
      !parseCount(text.substr(dot + 1), index) || arg > 1000000 ||
      index > 1000000)
    return false;
  dim = {static_cast<int>(arg), static_cast<int>(index)};
  return true;
}

/// Why `dim` of the constraint `text` cannot apply to `function`, or "".
std::string checkDim(const Function &function, DimRef dim,
                     const std::string &text) {
  size_t numArgs = function.args.size();
  if (static_cast<size_t>(dim.arg) >= numArgs)
    return "constraint '" + text + "' names argument " +
           std::to_string(dim.arg) + ", but @" + function.name + " has " +
           std::to_string(numArgs) +
           (numArgs == 1 ? " argument" : " arguments");
  int rank = function.args[dim.arg].rank;
  if (dim.dim >= rank)
    return "constraint '" + text + "' names dimension " +
           std::to_string(dim.dim) + " of argument " + std::to_string(dim.arg) +
           ", which has rank " + std::to_string(rank);
  return "";
}

} // namespace

const DTypeInfo *dtypeInfo(swr_dtype dtype) {
  int value = static_cast<int>(dtype);
  return value >= 0 && value < kNumDTypes ? &kDTypes[value] : nullptr;
}

std::optional<swr_dtype> dtypeNamed(std::string_view name) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (name == kDTypes[i].name)
      return static_cast<swr_dtype>(i);
  return std::nullopt;
}

std::string typeString(const swr_type &type) {
  std::string text = type.is_memref ? "memref<" : "tensor<";
  for (int i = 0; i < type.rank; ++i)
    text +=
        (type.sizes[i] < 0 ? std::string("?") : std::to_string(type.sizes[i])) +
        "x";
  const DTypeInfo *info = dtypeInfo(type.dtype);
  return text + (info ? info->name : "?") + ">";
}

std::string write(const Manifest &manifest) {
  std::string text = std::string(kMagic) + " " + std::to_string(kVersion) +
                     "\ntarget " + manifest.target + "\n";
  auto typeWords = [](const swr_type &type) {
    return std::string(type.is_memref ? "memref " : "tensor ") +
           dtypeInfo(type.dtype)->name + " " + dimsString(type);
  };
  auto dimWords = [](DimRef dim) {
    return std::to_string(dim.arg) + "." + std::to_string(dim.dim);
  };
  for (const Function &function : manifest.functions) {
    text += "function " + function.name + "\n";
    for (const swr_type &arg : function.args)
      text += "arg " + typeWords(arg) + (arg.written ? " written" : "") + "\n";
    for (const swr_type &result : function.results)
      text += "result " + typeWords(result) + "\n";
    for (const SameDims &same : function.same)
      text += "same " + dimWords(same.lhs) + " " + dimWords(same.rhs) + "\n";
    text += "end\n";
  }
  return text;
}

std::string read(std::string_view text, Manifest &manifest) {
  manifest = Manifest{};
  std::istringstream lines{std::string(text)};
  std::string line;
  int lineNo = 0;
  Function *current = nullptr;
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
      if (keyword != kMagic || !(words >> version))
        return bad("not an swr artifact manifest");
      if (version != kVersion)
        return bad("version " + std::to_string(version) +
                   ", this runtime reads version " + std::to_string(kVersion));
    } else if (keyword == "target") {
      words >> manifest.target;
    } else if (keyword == "function") {
      manifest.functions.emplace_back();
      current = &manifest.functions.back();
      words >> current->name;
    } else if (current && (keyword == "arg" || keyword == "result")) {
      swr_type type;
      if (!parseType(words, keyword == "arg", type))
        return bad("malformed type");
      (keyword == "arg" ? current->args : current->results).push_back(type);
    } else if (current && keyword == "same") {
      std::string lhs, rhs;
      SameDims same;
      if (!(words >> lhs >> rhs) || !parseDim(lhs, same.lhs) ||
          !parseDim(rhs, same.rhs))
        return bad("malformed constraint");
      // Arguments come before constraints: check the indices now, so that
      // calls never index past an argument list or a rank.
      std::string constraint = "same " + lhs + " " + rhs;
      for (DimRef dim : {same.lhs, same.rhs})
        if (std::string why = checkDim(*current, dim, constraint); !why.empty())
          return bad(why);
      current->same.push_back(same);
    } else if (current && keyword == "end") {
      current = nullptr;
    } else {
      return bad("unexpected '" + keyword + "'");
    }
  }
  if (manifest.target != "cpu" && manifest.target.rfind("cuda:", 0) != 0)
    return "its manifest names no known target";
  return "";
}

} // namespace swr::manifest
