//===- Manifest.h - the signature table of an swr artifact ------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// An artifact of `swr-compile` is a shared library with, for every public
// function NAME of the module,
//   - `void _swr_entry_NAME(void **args)`: calls the C interface of NAME
//     (`_mlir_ciface_NAME`) with `args[0]` the address of the results'
//     memref descriptors (when NAME returns results) followed by the address
//     of each argument's memref descriptor;
// and one NUL-terminated string `swr_artifact_manifest`, lines of
// space-separated words:
//
//   swr-artifact 1
//   target cpu | cuda:<chip>
//   function NAME                       (then, for its arguments in order,)
//   arg memref|tensor f32|f16|bf16|f64 DIMS [written]
//   result tensor|memref DTYPE DIMS     (its results in order)
//   same I.J K.L                        (arguments I and K must have equal
//                                        dimensions J and L at run time)
//   end                                 (ends the function)
//
// DIMS is a comma-separated list of sizes, `?` for dynamic ones, or `-` for
// rank 0. `written` marks memref arguments the function may write.
//
// `Manifest` is that text as a struct, with its one writer (used by the
// compiler library) and its one reader (used by the runtime, and through
// the runtime's C API by swr-run and Python). No MLIR, no LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_RUNTIME_MANIFEST_H
#define SWR_RUNTIME_MANIFEST_H

#include "swr/Runtime/swr_runtime.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swr::manifest {
inline constexpr const char *kSymbol = "swr_artifact_manifest";
inline constexpr const char *kEntryPrefix = "_swr_entry_";
inline constexpr const char *kMagic = "swr-artifact";
inline constexpr int kVersion = 1;

//===----------------------------------------------------------------------===//
// Element types: the one table of their names and sizes
//===----------------------------------------------------------------------===//

struct DTypeInfo {
  /// MLIR's spelling of the element type ("f32", "bf16", ...), which the
  /// manifest, swr-run's shapes and Python use.
  const char *name;
  size_t size; // bytes
};

/// The entry of `dtype`, or null when `dtype` (which C callers may set to
/// anything) names no element type.
const DTypeInfo *dtypeInfo(swr_dtype dtype);

/// The element type spelled `name`, if any.
std::optional<swr_dtype> dtypeNamed(std::string_view name);

/// "memref<2x?xf32>"-like text of a type, for messages.
std::string typeString(const swr_type &type);

//===----------------------------------------------------------------------===//
// The manifest
//===----------------------------------------------------------------------===//

/// Dimension `dim` of argument `arg`.
struct DimRef {
  int arg = 0;
  int dim = 0;
};

/// Two argument dimensions that must be equal at run time.
struct SameDims {
  DimRef lhs, rhs;
};

struct Function {
  std::string name;
  std::vector<swr_type> args, results;
  std::vector<SameDims> same;
};

struct Manifest {
  std::string target; // "cpu" or "cuda:<chip>"
  std::vector<Function> functions;
};

/// The text of `manifest` (the format above).
std::string write(const Manifest &manifest);

/// Reads `text` into `manifest`. Returns "" or one line saying why `text`
/// is not a manifest this reader can trust ("line 4: constraint 'same 0.3
/// 5.1' names argument 5, but @k has 3 arguments"): every constraint names
/// an argument and a dimension that exist, every size is a number.
std::string read(std::string_view text, Manifest &manifest);

} // namespace swr::manifest

#endif // SWR_RUNTIME_MANIFEST_H
