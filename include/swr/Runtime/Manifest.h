//===- Manifest.h - what swr-compile embeds in an artifact ------*- C++ -*-===//
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
// The writer is swr-compile; the reader is the runtime (lib/Runtime).
//
//===----------------------------------------------------------------------===//

#ifndef SWR_RUNTIME_MANIFEST_H
#define SWR_RUNTIME_MANIFEST_H

namespace swr::manifest {
inline constexpr const char *kSymbol = "swr_artifact_manifest";
inline constexpr const char *kEntryPrefix = "_swr_entry_";
inline constexpr const char *kMagic = "swr-artifact";
inline constexpr int kVersion = 1;
} // namespace swr::manifest

#endif // SWR_RUNTIME_MANIFEST_H
