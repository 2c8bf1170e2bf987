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
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace swr::npy {

/// Bytes whose allocation reports failure instead of aborting (the tools
/// are built without exceptions, where std::vector would abort).
class Bytes {
public:
  /// `count` zero bytes; false (and empty) when memory is short.
  bool resize(size_t count) {
    data_.reset(count ? new (std::nothrow) char[count]() : nullptr);
    size_ = data_ || !count ? count : 0;
    return size_ == count;
  }
  /// A copy of [begin, end); false when memory is short.
  bool assign(const char *begin, const char *end) {
    if (!resize(static_cast<size_t>(end - begin)))
      return false;
    if (size_)
      std::memcpy(data_.get(), begin, size_);
    return true;
  }
  char *data() { return data_.get(); }
  const char *data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  char &operator[](size_t i) { return data_[i]; }
  bool operator==(const Bytes &other) const {
    return size_ == other.size_ &&
           (!size_ || std::memcmp(data_.get(), other.data_.get(), size_) == 0);
  }

private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
};

/// A dense row-major array in host memory.
struct Array {
  swr_dtype dtype = SWR_DTYPE_F32;
  std::vector<int64_t> shape;
  Bytes bytes;

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

/// `parse` and `serialize` on files; errors name the file. `readFile`
/// reads the header, then exactly the bytes it announces (a directory, a
/// device such as /dev/zero or a truncated file is an error, not a hang).
std::string readFile(const std::string &path, Array &array);
std::string writeFile(const std::string &path, const Array &array);

/// A zero-filled array from "4x16xf32" ("f32" for rank 0). Returns "" or
/// why not: not such a shape (rank at most SWR_MAX_RANK), or more bytes
/// than fit in memory.
std::string zeros(std::string_view spec, Array &array);

} // namespace swr::npy

#endif // SWR_TOOLING_NUMPYIO_H
