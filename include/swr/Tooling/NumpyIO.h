//===- NumpyIO.h - NumPy .npy arrays for swr tools --------------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Reads and writes NumPy's .npy format (versions 1 to 3, little-endian,
// C order) for the element types of artifacts:
//
//   f32 '<f4', f16 '<f2', f64 '<f8'; NumPy has no bfloat16, so bf16 arrays
//   are raw 16-bit patterns (the upper half of the f32 value), read from
//   '<V2', '|V2', '<u2' or 'bfloat16' (ml_dtypes) and written as '<V2'.
//
// Every failure is one line, returned rather than printed, that says what
// is wrong ("the header says 4x8xf32 = 128 bytes, the file has 120").
// No MLIR; the element types are the runtime's (swr_dtype).
//
//===----------------------------------------------------------------------===//

#ifndef SWR_TOOLING_NUMPYIO_H
#define SWR_TOOLING_NUMPYIO_H

#include "swr/Runtime/swr_runtime.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace swr::npy {

/// A dense row-major array in host memory.
struct Array {
  swr_dtype dtype = SWR_DTYPE_F32;
  std::vector<int64_t> shape;
  std::vector<char> bytes;

  int64_t count() const;
  /// Element `index` (row-major) converted to double.
  double at(int64_t index) const;
};

/// "4x16xf32" ("f32" for rank 0).
std::string shapeString(const std::vector<int64_t> &shape, swr_dtype dtype);

/// Parses the contents of a .npy file. Returns "" or why it is not one this
/// reader accepts.
std::string parse(std::string_view data, Array &array);

/// The contents of a .npy file holding `array` (version 1.0, header padded
/// to 64 bytes).
std::string serialize(const Array &array);

/// `parse` and `serialize` on files; errors name the file.
std::string readFile(const std::string &path, Array &array);
std::string writeFile(const std::string &path, const Array &array);

/// A zero-filled array from "4x16xf32" ("f32" for rank 0); false if `spec`
/// is not such a shape (rank at most SWR_MAX_RANK).
bool zeros(std::string_view spec, Array &array);

} // namespace swr::npy

#endif // SWR_TOOLING_NUMPYIO_H
