//===- NumpyIOTest.cpp - .npy arrays
//---------------------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Tooling/NumpyIO.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdio>
#include <cstring>

using namespace swr::npy;

namespace {

/// A .npy file of version `major` with header dict `dict` and `payload`.
std::string npyFile(int major, const std::string &dict,
                    const std::string &payload) {
  std::string header = dict + "\n";
  std::string data = std::string("\x93NUMPY", 6);
  data += static_cast<char>(major);
  data += '\0';
  size_t length = header.size();
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i, length >>= 8)
    data += static_cast<char>(length & 0xff);
  return data + header + payload;
}

std::string floats(std::initializer_list<float> values) {
  std::string bytes(values.size() * 4, '\0');
  std::memcpy(bytes.data(), values.begin(), bytes.size());
  return bytes;
}

/// The error of parsing `data`, which must fail.
std::string parseError(const std::string &data) {
  Array array;
  std::string error = parse(data, array);
  EXPECT_FALSE(error.empty());
  return error;
}

} // namespace

TEST(NumpyIO, ReadsWhatNumPyWrites) {
  // np.save(f, np.array([[1.5, -2.0, 0.25]], dtype='<f2')), byte for byte.
  std::string dict = "{'descr': '<f2', 'fortran_order': False, 'shape': (1, "
                     "3), }";
  std::string numpy = npyFile(1, dict + std::string(117 - dict.size(), ' '),
                              std::string("\x00\x3e\x00\xc0\x00\x34", 6));
  ASSERT_EQ(numpy.size(), 134u);
  Array array;
  ASSERT_EQ(parse(numpy, array), "");
  EXPECT_EQ(array.dtype, SWR_DTYPE_F16);
  EXPECT_EQ(array.shape, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(array.at(0), 1.5);
  EXPECT_EQ(array.at(1), -2.0);
  EXPECT_EQ(array.at(2), 0.25);
  // And writes it back the same way.
  EXPECT_EQ(serialize(array), numpy);
}

TEST(NumpyIO, HeaderVersionsAndSpellings) {
  Array array;
  ASSERT_EQ(parse(npyFile(2,
                          "{'descr': '<f4', 'fortran_order': False, "
                          "'shape': (2,), }",
                          floats({1, 2})),
                  array),
            "");
  EXPECT_EQ(array.shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(array.at(1), 2.0);
  // Keys in any order, rank 0.
  ASSERT_EQ(parse(npyFile(3,
                          "{'shape': (), 'fortran_order': False, 'descr': "
                          "'<f4'}",
                          floats({7})),
                  array),
            "");
  EXPECT_TRUE(array.shape.empty());
  EXPECT_EQ(array.count(), 1);
  // bf16 bits in every accepted spelling.
  for (const char *descr : {"<V2", "|V2", "<u2", "bfloat16"}) {
    std::string dict = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': (1,), }";
    ASSERT_EQ(parse(npyFile(1, dict, std::string("\xc0\x3f", 2)), array), "")
        << descr;
    EXPECT_EQ(array.dtype, SWR_DTYPE_BF16);
    EXPECT_EQ(array.at(0), 1.5);
  }
}

TEST(NumpyIO, RoundTripOfEveryDtypeAndRank) {
  for (swr_dtype dtype :
       {SWR_DTYPE_F32, SWR_DTYPE_F16, SWR_DTYPE_BF16, SWR_DTYPE_F64}) {
    for (std::vector<int64_t> shape :
         {std::vector<int64_t>{}, {5}, {2, 3, 4}, {1, 0, 2}}) {
      Array array;
      array.dtype = dtype;
      array.shape = shape;
      ASSERT_TRUE(array.bytes.resize(array.count() * swr_dtype_size(dtype)));
      for (size_t i = 0; i < array.bytes.size(); ++i)
        array.bytes[i] = static_cast<char>(i * 37 + 11);
      std::string data = serialize(array);
      EXPECT_EQ((data.size() - array.bytes.size()) % 64, 0u);
      Array back;
      ASSERT_EQ(parse(data, back), "") << shapeString(shape, dtype);
      EXPECT_EQ(back.dtype, dtype);
      EXPECT_EQ(back.shape, shape);
      EXPECT_EQ(back.bytes, array.bytes);
    }
  }
}

TEST(NumpyIO, OneLineErrors) {
  std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
  EXPECT_EQ(parseError("PK\x03\x04 not numpy"),
            "not a valid .npy file (bad magic)");
  EXPECT_EQ(parseError(npyFile(4, f4 + "(1,), }", floats({1}))),
            "not a valid .npy file (unknown version 4)");
  EXPECT_EQ(parseError(npyFile(1, f4 + "(1,), }", floats({1})).substr(0, 20)),
            "not a valid .npy file (truncated header)");
  EXPECT_EQ(parseError(npyFile(1, f4 + "(3,), }", floats({1, 2}))),
            "not a valid .npy file (the header says 3xf32 = 12 bytes, the "
            "file has 8)");
  EXPECT_EQ(parseError(npyFile(1, f4 + "(100000000000000000, 1000), }", "")),
            "not a valid .npy file (the header says "
            "100000000000000000x1000xf32 = too many bytes, the file has 0)");
  EXPECT_EQ(parseError(npyFile(1, f4 + "(-1,), }", "")),
            "not a valid .npy file (bad shape)");
  EXPECT_EQ(parseError(npyFile(1, f4 + "(1,,2), }", "")),
            "not a valid .npy file (bad shape)");
  EXPECT_EQ(parseError(
                npyFile(1, f4 + "(1, 1, 1, 1, 1, 1, 1, 1, 1), }", floats({1}))),
            "rank 9 is above the supported 8");
  EXPECT_EQ(parseError(npyFile(1,
                               "{'descr': '<i4', 'fortran_order': False, "
                               "'shape': (1,), }",
                               floats({1}))),
            "unsupported dtype '<i4' (expected <f4, <f2, <f8, or bf16 bits "
            "as <V2 or <u2)");
  EXPECT_EQ(parseError(npyFile(1,
                               "{'descr': '<f4', 'fortran_order': True, "
                               "'shape': (1,), }",
                               floats({1}))),
            "Fortran-ordered arrays are not supported (save a C-contiguous "
            "array)");
  EXPECT_EQ(parseError(npyFile(1, "{'fortran_order': False, 'shape': (1,)}",
                               floats({1}))),
            "not a valid .npy file (no 'descr' in the header)");
  EXPECT_EQ(
      parseError(npyFile(1, "{'descr': '<f4', 'shape': (1,)}", floats({1}))),
      "not a valid .npy file (no 'fortran_order' in the header)");
}

TEST(NumpyIO, Files) {
  Array array;
  EXPECT_EQ(readFile("/nonexistent/x.npy", array),
            "/nonexistent/x.npy: cannot open: No such file or directory");
  // Neither a directory nor an endless device hangs or aborts (issue 15,
  // 6): the header comes first, then exactly the bytes it announces.
  EXPECT_EQ(readFile("/tmp", array), "/tmp: is a directory, not a .npy file");
  EXPECT_EQ(readFile("/dev/zero", array),
            "/dev/zero: not a valid .npy file (bad magic)");
  // A file with more or fewer bytes than its header says.
  Array small;
  small.dtype = SWR_DTYPE_F32;
  small.shape = {2};
  ASSERT_TRUE(small.bytes.resize(8));
  std::string path = testing::TempDir() + "swr-npy-test.npy";
  for (int extra : {-4, 4}) {
    std::string data = serialize(small);
    if (extra < 0)
      data.resize(data.size() + extra);
    else
      data.append(extra, 'x');
    FILE *f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
    EXPECT_EQ(readFile(path, array),
              path +
                  ": not a valid .npy file (the header says 2xf32 = 8 "
                  "bytes, the file has " +
                  (extra < 0 ? "4" : "more") + ")");
  }
  ASSERT_EQ(writeFile(path, small), "");
  ASSERT_EQ(readFile(path, array), "");
  EXPECT_EQ(array.bytes, small.bytes);
  std::remove(path.c_str());
  EXPECT_EQ(writeFile("/nonexistent/x.npy", array)
                .rfind("/nonexistent/x.npy: cannot write", 0),
            0u);
}

TEST(NumpyIO, Zeros) {
  Array array;
  ASSERT_EQ(zeros("4x16xbf16", array), "");
  EXPECT_EQ(array.dtype, SWR_DTYPE_BF16);
  EXPECT_EQ(array.shape, (std::vector<int64_t>{4, 16}));
  Bytes zero;
  ASSERT_TRUE(zero.resize(4 * 16 * 2));
  EXPECT_EQ(array.bytes, zero);
  ASSERT_EQ(zeros("f64", array), "");
  EXPECT_TRUE(array.shape.empty());
  EXPECT_EQ(array.bytes.size(), 8u);
  for (const char *bad :
       {"", "4x", "x4xf32", "4x16", "4xf8", "4x-1xf32", "4xxf32",
        "1x1x1x1x1x1x1x1x1xf32", "2x3x4x99999999999999999999999xf32"})
    EXPECT_EQ(zeros(bad, array), "expected @FILE.npy or a shape like 4x16xf32")
        << bad;
  // Counts that wrap, and more memory than there is: one line, no abort
  // (issue 15, 5 and 6).
  EXPECT_EQ(zeros("4294967296x4294967296x1x1xf32", array),
            "4294967296x4294967296x1x1xf32 has more bytes than an int64_t "
            "counts");
  EXPECT_EQ(zeros("100000000000000000x1000xf32", array),
            "100000000000000000x1000xf32 has more bytes than an int64_t "
            "counts");
  EXPECT_EQ(zeros("1000000000000000x1x1x1xf32", array),
            "not enough memory for 1000000000000000x1x1x1xf32");
}

TEST(NumpyIO, ElementsAsDouble) {
  Array array;
  array.dtype = SWR_DTYPE_F16;
  array.shape = {4};
  // 65504 (largest), 2^-24 (smallest subnormal), -inf, NaN.
  const char bits[] = "\xff\x7b\x01\x00\x00\xfc\x00\x7e";
  ASSERT_TRUE(array.bytes.assign(bits, bits + 8));
  EXPECT_EQ(array.at(0), 65504.0);
  EXPECT_EQ(array.at(1), std::ldexp(1.0, -24));
  EXPECT_EQ(array.at(2), -INFINITY);
  EXPECT_TRUE(std::isnan(array.at(3)));
}
