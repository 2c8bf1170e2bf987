//===- DeviceAllocatorTest.cpp - swr_runtime_set_device_allocator ---------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The device buffers of generated code (gpu-to-llvm's mgpuMemAlloc and
// mgpuMemFree) go through the allocator that swr_runtime_set_device_allocator
// sets, with the calling thread's device and stream, and back to the default
// when it is unset; a buffer is released the way it was allocated. (The
// default path needs a GPU; the allocator's does not.)
//
//===----------------------------------------------------------------------===//

#include "swr/Runtime/swr_runtime.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                              bool isHostShared);
extern "C" void mgpuMemFree(void *ptr, void *stream);

namespace {

struct Calls {
  struct Call {
    size_t bytes;
    int device;
    void *stream;
    void *pointer;
  };
  std::vector<Call> allocs, releases;
  bool fail = false;
};

void *countingAlloc(size_t bytes, int device, void *stream, void *user) {
  auto *calls = static_cast<Calls *>(user);
  void *pointer = calls->fail ? nullptr : std::malloc(bytes);
  calls->allocs.push_back({bytes, device, stream, pointer});
  return pointer;
}

void countingRelease(void *pointer, int device, void *stream, void *user) {
  auto *calls = static_cast<Calls *>(user);
  calls->releases.push_back({0, device, stream, pointer});
  std::free(pointer);
}

struct DeviceAllocatorTest : ::testing::Test {
  void TearDown() override {
    swr_runtime_set_device_allocator(nullptr, nullptr, nullptr);
    swr_runtime_unset_stream();
    swr_runtime_set_device(0);
  }
};

TEST_F(DeviceAllocatorTest, BuffersComeFromTheAllocator) {
  Calls calls;
  swr_runtime_set_device_allocator(countingAlloc, countingRelease, &calls);
  void *stream = reinterpret_cast<void *>(uintptr_t(0x5000));
  swr_runtime_set_device(3);
  swr_runtime_set_stream(stream);
  void *a = mgpuMemAlloc(256, nullptr, /*isHostShared=*/false);
  void *b = mgpuMemAlloc(16, nullptr, /*isHostShared=*/false);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(calls.allocs.size(), 2u);
  EXPECT_EQ(calls.allocs[0].bytes, 256u);
  EXPECT_EQ(calls.allocs[0].device, 3);
  EXPECT_EQ(calls.allocs[0].stream, stream);
  EXPECT_EQ(calls.allocs[0].pointer, a);
  mgpuMemFree(b, nullptr);
  mgpuMemFree(a, nullptr);
  ASSERT_EQ(calls.releases.size(), 2u);
  EXPECT_EQ(calls.releases[0].pointer, b);
  EXPECT_EQ(calls.releases[1].pointer, a);
  EXPECT_EQ(calls.releases[1].device, 3);
  EXPECT_EQ(calls.releases[1].stream, stream);
}

TEST_F(DeviceAllocatorTest, ReleasedByTheAllocatorOfItsAllocation) {
  Calls first, second;
  swr_runtime_set_device_allocator(countingAlloc, countingRelease, &first);
  void *a = mgpuMemAlloc(64, nullptr, false);
  swr_runtime_set_device_allocator(countingAlloc, countingRelease, &second);
  void *b = mgpuMemAlloc(64, nullptr, false);
  swr_runtime_set_device_allocator(nullptr, nullptr, nullptr);
  mgpuMemFree(a, nullptr);
  mgpuMemFree(b, nullptr);
  ASSERT_EQ(first.releases.size(), 1u);
  EXPECT_EQ(first.releases[0].pointer, a);
  ASSERT_EQ(second.releases.size(), 1u);
  EXPECT_EQ(second.releases[0].pointer, b);
}

TEST_F(DeviceAllocatorTest, NoMemoryIsAnError) {
  Calls calls;
  calls.fail = true;
  swr_runtime_set_device_allocator(countingAlloc, countingRelease, &calls);
  swr_runtime_clear_error();
  EXPECT_EQ(mgpuMemAlloc(1024, nullptr, false), nullptr);
  const char *error = swr_runtime_last_error();
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::string(error).find("no memory for 1024 bytes"),
            std::string::npos)
      << error;
  EXPECT_TRUE(calls.releases.empty());
}

TEST_F(DeviceAllocatorTest, EmptyAndUnifiedBuffersBypassIt) {
  Calls calls;
  swr_runtime_set_device_allocator(countingAlloc, countingRelease, &calls);
  EXPECT_EQ(mgpuMemAlloc(0, nullptr, false), nullptr);
  // (Unified memory takes the driver, absent on a machine without a GPU.)
  void *unified = mgpuMemAlloc(64, nullptr, /*isHostShared=*/true);
  EXPECT_TRUE(calls.allocs.empty());
  mgpuMemFree(unified, nullptr);
  EXPECT_TRUE(calls.releases.empty());
}

} // namespace
