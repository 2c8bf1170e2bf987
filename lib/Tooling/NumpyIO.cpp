//===- NumpyIO.cpp - NumPy .npy arrays for swr tools ----------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The format:
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html (magic
// "\x93NUMPY", major and minor version, a little-endian header length of 2
// bytes in version 1 and 4 in versions 2 and 3, then a Python dict literal with
// 'descr', 'fortran_order' and 'shape', then the data).
//
//===----------------------------------------------------------------------===//

#include "swr/Tooling/NumpyIO.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

namespace swr::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

/// The descr each dtype is written with, indexed by swr_dtype.
constexpr const char *kWriteDescr[] = {"<f4", "<f2", "<V2", "<f8"};

struct Descr {
  const char *text;
  swr_dtype dtype;
};
/// Every descr that is read, including the other spellings of bf16 bits.
constexpr Descr kReadDescrs[] = {
    {"<f4", SWR_DTYPE_F32},       {"<f2", SWR_DTYPE_F16},
    {"<f8", SWR_DTYPE_F64},       {"<V2", SWR_DTYPE_BF16},
    {"|V2", SWR_DTYPE_BF16},      {"<u2", SWR_DTYPE_BF16},
    {"bfloat16", SWR_DTYPE_BF16},
};

/// The value of `key` in a header dict ("{'descr': '<f4', ...}"): the text
/// inside quotes or parentheses, else up to the next comma. "" if absent.
std::string headerValue(std::string_view header, const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string_view::npos)
    return "";
  at = header.find(':', at);
  if (at == std::string_view::npos)
    return "";
  at = header.find_first_not_of(' ', at + 1);
  if (at == std::string_view::npos)
    return "";
  char open = header[at];
  bool enclosed = open == '(' || open == '\'';
  char close = open == '(' ? ')' : open == '\'' ? '\'' : ',';
  size_t end = header.find(close, at + 1);
  if (end == std::string_view::npos)
    return "";
  return std::string(
      header.substr(enclosed ? at + 1 : at, end - at - (enclosed ? 1 : 0)));
}

/// Parses "3, 4" or "5," or "" into `shape`.
bool parseShape(const std::string &text, std::vector<int64_t> &shape) {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find(',', at);
    std::string dim = text.substr(
        at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? text.size() : end + 1;
    size_t first = dim.find_first_not_of(' ');
    if (first == std::string::npos) {
      if (end == std::string::npos)
        break; // Trailing comma.
      return false;
    }
    dim = dim.substr(first, dim.find_last_not_of(' ') - first + 1);
    if (dim.empty() || dim.size() > 18 ||
        dim.find_first_not_of("0123456789") != std::string::npos)
      return false;
    shape.push_back(std::stoll(dim));
  }
  return true;
}

/// The byte size of `shape` elements of `dtype`, or -1 on overflow.
int64_t byteSize(const std::vector<int64_t> &shape, swr_dtype dtype) {
  int64_t bytes = static_cast<int64_t>(swr_dtype_size(dtype));
  for (int64_t size : shape)
    if (__builtin_mul_overflow(bytes, size, &bytes))
      return -1;
  return bytes;
}

uint32_t littleEndian(std::string_view bytes) {
  uint32_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;)
    value = value << 8 | static_cast<unsigned char>(bytes[i]);
  return value;
}

} // namespace

int64_t Array::count() const {
  int64_t n = 1;
  for (int64_t size : shape)
    n *= size;
  return n;
}

double Array::at(int64_t index) const {
  const char *data = bytes.data() + index * swr_dtype_size(dtype);
  switch (dtype) {
  case SWR_DTYPE_F32: {
    float value;
    std::memcpy(&value, data, 4);
    return value;
  }
  case SWR_DTYPE_F64: {
    double value;
    std::memcpy(&value, data, 8);
    return value;
  }
  case SWR_DTYPE_BF16: {
    uint16_t bits;
    std::memcpy(&bits, data, 2);
    uint32_t wide = static_cast<uint32_t>(bits) << 16;
    float value;
    std::memcpy(&value, &wide, 4);
    return value;
  }
  case SWR_DTYPE_F16: {
    uint16_t bits;
    std::memcpy(&bits, data, 2);
    int exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
    double magnitude = exponent == 0 ? std::ldexp(mantissa, -24)
                       : exponent == 31
                           ? (mantissa ? NAN : INFINITY)
                           : std::ldexp(mantissa | 0x400, exponent - 25);
    return bits & 0x8000 ? -magnitude : magnitude;
  }
  }
  return NAN;
}

std::string shapeString(const std::vector<int64_t> &shape, swr_dtype dtype) {
  std::string text;
  for (int64_t size : shape)
    text += std::to_string(size) + "x";
  const char *name = swr_dtype_name(dtype);
  return text + (name ? name : "?");
}

namespace {

std::string corrupt(const std::string &why) {
  return "not a valid .npy file (" + why + ")";
}

/// The size of the preamble (magic, version, header length) and of the
/// header that follows it, from the first 12 bytes of a file (fewer: a
/// truncated file). Returns "" or why not.
std::string headerExtent(std::string_view prefix, size_t &headerStart,
                         size_t &headerLen) {
  if (prefix.size() < 10 || prefix.substr(0, kMagicSize) != kMagic)
    return corrupt("bad magic");
  int major = static_cast<unsigned char>(prefix[6]);
  size_t lengthBytes = major == 1 ? 2 : major == 2 || major == 3 ? 4 : 0;
  if (!lengthBytes)
    return corrupt("unknown version " + std::to_string(major));
  headerStart = 8 + lengthBytes;
  if (prefix.size() < headerStart)
    return corrupt("truncated header");
  headerLen = littleEndian(prefix.substr(8, lengthBytes));
  return "";
}

/// Reads the header dict into `array` (dtype and shape, no bytes) and the
/// payload size it announces.
std::string parseHeader(std::string_view header, Array &array,
                        int64_t &payload) {
  array = Array{};
  std::string descr = headerValue(header, "descr");
  if (descr.empty())
    return corrupt("no 'descr' in the header");
  const Descr *known = nullptr;
  for (const Descr &entry : kReadDescrs)
    if (descr == entry.text)
      known = &entry;
  if (!known)
    return "unsupported dtype '" + descr +
           "' (expected <f4, <f2, <f8, or bf16 bits as <V2 or <u2)";
  array.dtype = known->dtype;
  std::string order = headerValue(header, "fortran_order");
  if (order == "True")
    return "Fortran-ordered arrays are not supported (save a C-contiguous "
           "array)";
  if (order != "False")
    return corrupt("no 'fortran_order' in the header");
  if (header.find("'shape'") == std::string_view::npos)
    return corrupt("no 'shape' in the header");
  if (!parseShape(headerValue(header, "shape"), array.shape))
    return corrupt("bad shape");
  if (array.shape.size() > SWR_MAX_RANK)
    return "rank " + std::to_string(array.shape.size()) +
           " is above the supported " + std::to_string(SWR_MAX_RANK);
  payload = byteSize(array.shape, array.dtype);
  return "";
}

std::string payloadMismatch(const Array &array, int64_t bytes, uint64_t have) {
  return corrupt("the header says " + shapeString(array.shape, array.dtype) +
                 " = " +
                 (bytes < 0 ? std::string("too many") : std::to_string(bytes)) +
                 " bytes, the file has " + std::to_string(have));
}

std::string outOfMemory(const Array &array) {
  return "not enough memory for " + shapeString(array.shape, array.dtype);
}

} // namespace

std::string parse(std::string_view data, Array &array) {
  size_t headerStart = 0, headerLen = 0;
  if (std::string error =
          headerExtent(data.substr(0, 12), headerStart, headerLen);
      !error.empty())
    return error;
  if (data.size() - headerStart < headerLen)
    return corrupt("truncated header");
  int64_t bytes;
  if (std::string error =
          parseHeader(data.substr(headerStart, headerLen), array, bytes);
      !error.empty())
    return error;
  size_t payload = data.size() - headerStart - headerLen;
  if (bytes < 0 || static_cast<uint64_t>(bytes) != payload)
    return payloadMismatch(array, bytes, payload);
  const char *begin = data.data() + headerStart + headerLen;
  if (!array.bytes.assign(begin, begin + payload))
    return outOfMemory(array);
  return "";
}

std::string serialize(const Array &array) {
  std::string shape;
  for (int64_t size : array.shape)
    shape += std::to_string(size) + ", ";
  if (array.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (!array.shape.empty())
    shape.resize(shape.size() - 1); // "(5,)"
  std::string header = std::string("{'descr': '") + kWriteDescr[array.dtype] +
                       "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // Magic, version 1.0, 2-byte length, header padded to 64 bytes with
  // spaces and ended by '\n'.
  size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string data(kMagic, kMagicSize);
  data += '\x01';
  data += '\x00';
  data += static_cast<char>(header.size() & 0xff);
  data += static_cast<char>(header.size() >> 8);
  data += header;
  data.append(array.bytes.data(), array.bytes.size());
  return data;
}

std::string readFile(const std::string &path, Array &array) {
  auto fail = [&](const std::string &why) { return path + ": " + why; };
  struct stat info;
  if (stat(path.c_str(), &info) != 0)
    return fail(std::string("cannot open: ") + std::strerror(errno));
  if (S_ISDIR(info.st_mode))
    return fail("is a directory, not a .npy file");
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return fail(std::string("cannot open: ") + std::strerror(errno));
  auto readUpTo = [&](size_t count) {
    std::string chunk(count, '\0');
    file.read(chunk.data(), static_cast<std::streamsize>(count));
    chunk.resize(static_cast<size_t>(file.gcount()));
    return chunk;
  };
  std::string prefix = readUpTo(12);
  size_t headerStart = 0, headerLen = 0;
  if (std::string error = headerExtent(prefix, headerStart, headerLen);
      !error.empty())
    return fail(error);
  if (headerLen > (1 << 20))
    return fail(corrupt("a header of " + std::to_string(headerLen) + " bytes"));
  std::string header = prefix.substr(headerStart) +
                       readUpTo(headerStart + headerLen - prefix.size());
  if (header.size() != headerLen)
    return fail(corrupt("truncated header"));
  int64_t bytes;
  if (std::string error = parseHeader(header, array, bytes); !error.empty())
    return fail(error);
  if (bytes < 0)
    return fail(payloadMismatch(array, bytes, 0));
  if (!array.bytes.resize(static_cast<size_t>(bytes)))
    return fail(outOfMemory(array));
  file.read(array.bytes.data(), bytes);
  uint64_t got = static_cast<uint64_t>(file.gcount());
  if (got == static_cast<uint64_t>(bytes) && file.peek() != EOF)
    got += 1; // More than announced: say so (as "more").
  if (got != static_cast<uint64_t>(bytes)) {
    std::string have =
        got > static_cast<uint64_t>(bytes) ? "more" : std::to_string(got);
    return fail(corrupt(
        "the header says " + shapeString(array.shape, array.dtype) + " = " +
        std::to_string(bytes) + " bytes, the file has " + have));
  }
  return "";
}

std::string writeFile(const std::string &path, const Array &array) {
  std::ofstream file(path, std::ios::binary);
  std::string data = serialize(array);
  file.write(data.data(), data.size());
  file.close();
  if (!file)
    return path + ": cannot write: " + std::strerror(errno);
  return "";
}

std::string zeros(std::string_view spec, Array &array) {
  array = Array{};
  std::string notAShape = "expected @FILE.npy or a shape like 4x16xf32";
  size_t cut = spec.rfind('x');
  std::string_view name =
      cut == std::string_view::npos ? spec : spec.substr(cut + 1);
  int dtype = swr_dtype_from_name(std::string(name).c_str());
  if (dtype < 0)
    return notAShape;
  array.dtype = static_cast<swr_dtype>(dtype);
  std::string dims(cut == std::string_view::npos ? std::string_view()
                                                 : spec.substr(0, cut));
  for (char &c : dims)
    if (c == 'x')
      c = ',';
  if ((!dims.empty() && (dims.front() == ',' || dims.back() == ',')) ||
      !parseShape(dims, array.shape) || array.shape.size() > SWR_MAX_RANK)
    return notAShape;
  int64_t bytes = byteSize(array.shape, array.dtype);
  if (bytes < 0)
    return shapeString(array.shape, array.dtype) +
           " has more bytes than an int64_t counts";
  if (!array.bytes.resize(static_cast<size_t>(bytes)))
    return outOfMemory(array);
  return "";
}

} // namespace swr::npy
