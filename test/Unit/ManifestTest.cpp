//===- ManifestTest.cpp - the manifest's writer and reader ----------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Runtime/Manifest.h"

#include "gtest/gtest.h"

using namespace swr::manifest;

namespace {

swr_type makeType(swr_dtype dtype, std::vector<int64_t> sizes, bool memref,
                  bool written = false) {
  swr_type type{};
  type.dtype = dtype;
  type.rank = static_cast<int32_t>(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i)
    type.sizes[i] = sizes[i];
  type.is_memref = memref;
  type.written = written;
  return type;
}

Manifest example() {
  Manifest manifest;
  manifest.target = "cuda:sm_90a";
  Function scan;
  scan.name = "scan";
  scan.args = {makeType(SWR_DTYPE_BF16, {-1, 4, -1}, true),
               makeType(SWR_DTYPE_F32, {-1, 4, 16, -1}, true),
               makeType(SWR_DTYPE_F16, {-1, 4, 16, -1}, true, true)};
  scan.same = {{{0, 0}, {1, 0}}, {{0, 2}, {2, 3}}};
  Function scalar;
  scalar.name = "scalar";
  scalar.args = {makeType(SWR_DTYPE_F64, {}, false)};
  scalar.results = {makeType(SWR_DTYPE_F64, {}, false)};
  manifest.functions = {scan, scalar};
  return manifest;
}

/// The error of reading `text`, which must fail.
std::string readError(const std::string &text) {
  Manifest manifest;
  std::string error = read(text, manifest);
  EXPECT_FALSE(error.empty()) << "accepted:\n" << text;
  return error;
}

const char *const kHeader = "swr-artifact 1\ntarget cpu\n";

} // namespace

TEST(DTypes, OneTableOfNamesAndSizes) {
  const std::pair<swr_dtype, std::pair<const char *, size_t>> expected[] = {
      {SWR_DTYPE_F32, {"f32", 4}},
      {SWR_DTYPE_F16, {"f16", 2}},
      {SWR_DTYPE_BF16, {"bf16", 2}},
      {SWR_DTYPE_F64, {"f64", 8}}};
  for (const auto &[dtype, info] : expected) {
    ASSERT_NE(dtypeInfo(dtype), nullptr);
    EXPECT_STREQ(dtypeInfo(dtype)->name, info.first);
    EXPECT_EQ(dtypeInfo(dtype)->size, info.second);
    EXPECT_EQ(dtypeNamed(info.first), dtype);
  }
  EXPECT_EQ(dtypeInfo(static_cast<swr_dtype>(4)), nullptr);
  EXPECT_EQ(dtypeInfo(static_cast<swr_dtype>(-1)), nullptr);
  EXPECT_FALSE(dtypeNamed("f8"));
  EXPECT_FALSE(dtypeNamed(""));
}

TEST(Manifest, TypeString) {
  EXPECT_EQ(typeString(makeType(SWR_DTYPE_BF16, {2, -1}, true)),
            "memref<2x?xbf16>");
  EXPECT_EQ(typeString(makeType(SWR_DTYPE_F32, {}, false)), "tensor<f32>");
}

TEST(Manifest, WriteThenReadGivesTheSameManifest) {
  Manifest original = example();
  std::string text = write(original);
  EXPECT_EQ(text, "swr-artifact 1\n"
                  "target cuda:sm_90a\n"
                  "function scan\n"
                  "arg memref bf16 ?,4,?\n"
                  "arg memref f32 ?,4,16,?\n"
                  "arg memref f16 ?,4,16,? written\n"
                  "same 0.0 1.0\n"
                  "same 0.2 2.3\n"
                  "end\n"
                  "function scalar\n"
                  "arg tensor f64 -\n"
                  "result tensor f64 -\n"
                  "end\n");
  Manifest read_;
  ASSERT_EQ(read(text, read_), "");
  EXPECT_EQ(read_.target, original.target);
  ASSERT_EQ(read_.functions.size(), 2u);
  const Function &scan = read_.functions[0];
  EXPECT_EQ(scan.name, "scan");
  ASSERT_EQ(scan.args.size(), 3u);
  EXPECT_EQ(typeString(scan.args[1]), "memref<?x4x16x?xf32>");
  EXPECT_FALSE(scan.args[1].written);
  EXPECT_TRUE(scan.args[2].written);
  ASSERT_EQ(scan.same.size(), 2u);
  EXPECT_EQ(scan.same[1].lhs.arg, 0);
  EXPECT_EQ(scan.same[1].lhs.dim, 2);
  EXPECT_EQ(scan.same[1].rhs.arg, 2);
  EXPECT_EQ(scan.same[1].rhs.dim, 3);
  EXPECT_EQ(read_.functions[1].results.size(), 1u);
  EXPECT_EQ(read_.functions[1].results[0].rank, 0);
  // Writing what was read gives the same text.
  EXPECT_EQ(write(read_), text);
}

TEST(Manifest, RefusesWhatItCannotTrust) {
  std::string f = std::string(kHeader) + "function f\narg memref f32 4,?\n";
  EXPECT_EQ(readError("swr-artifact 2\ntarget cpu\n"),
            "line 1 of its manifest: version 2, this runtime reads version 1");
  EXPECT_EQ(readError("ELF\n"),
            "line 1 of its manifest: not an swr artifact manifest");
  EXPECT_EQ(readError("swr-artifact 1\n"),
            "its manifest names no known target");
  EXPECT_EQ(readError("swr-artifact 1\ntarget tpu\n"),
            "its manifest names no known target");
  EXPECT_EQ(readError(f + "same 0.0 3.0\n"),
            "line 5 of its manifest: constraint 'same 0.0 3.0' names "
            "argument 3, but @f has 1 argument");
  EXPECT_EQ(readError(f + "same 0.0 0.2\n"),
            "line 5 of its manifest: constraint 'same 0.0 0.2' names "
            "dimension 2 of argument 0, which has rank 2");
  for (const char *bad : {"same 0.0\n", "same 0 0.1\n", "same -1.0 0.0\n",
                          "same 0.0 0.99999999999999999999\n"})
    EXPECT_EQ(readError(f + bad),
              "line 5 of its manifest: malformed constraint")
        << bad;
  for (const char *bad :
       {"arg memref f8 4\n", "arg memref f32 4,-1\n", "arg memref f32 4x\n",
        "arg vector f32 4\n", "arg memref f32 4 read\n", "arg memref f32\n",
        "result memref f32 4 written\n", "arg memref f32 1,1,1,1,1,1,1,1,1\n"})
    EXPECT_EQ(readError(f + bad), "line 5 of its manifest: malformed type")
        << bad;
  EXPECT_EQ(readError(std::string(kHeader) + "arg memref f32 4\n"),
            "line 3 of its manifest: unexpected 'arg'");
  EXPECT_EQ(readError(f + "end\nend\n"),
            "line 6 of its manifest: unexpected 'end'");
}

TEST(Manifest, RankUpToTheRuntimeMaximum) {
  std::string dims = "1";
  for (int i = 1; i < SWR_MAX_RANK; ++i)
    dims += ",1";
  Manifest manifest;
  ASSERT_EQ(read(std::string(kHeader) + "function f\narg memref f32 " + dims +
                     "\nend\n",
                 manifest),
            "");
  EXPECT_EQ(manifest.functions[0].args[0].rank, SWR_MAX_RANK);
}
