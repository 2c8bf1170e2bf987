//===- CudaRuntime.cpp - mgpu* host calls over the CUDA driver ------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Implements the host functions that `gpu-to-llvm` code calls (the same
// names and signatures as MLIR's CUDA runtime wrappers, which Debian does
// not ship) and the swr_cuda_* functions of the C API over the CUDA driver
// API. libcuda is loaded on first use and kernel modules when first
// launched, so the library and CUDA artifacts load anywhere; without a GPU
// every call records an error and returns a null handle instead of
// crashing.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "swr/Runtime/swr_runtime.h"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>

using swr::runtime::recordError;

namespace {

// The few driver types and entry points used, declared here so that the
// runtime builds without the CUDA toolkit.
using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUevent = void *;
using CUmemoryPool = void *;
using CUdeviceptr = uintptr_t;
constexpr CUresult kSuccess = 0;
constexpr unsigned kStreamNonBlocking = 1;
constexpr int kPointerAttributeMemoryType = 2;
constexpr unsigned kMemoryTypeHost = 1;
constexpr int kMemPoolAttrReleaseThreshold = 4;
constexpr int kLaunchAttributeProgrammaticStreamSerialization = 6;

/// cuLaunchKernelEx's configuration (cuda.h's CUlaunchConfig and
/// CUlaunchAttribute, whose value is a union of 64 bytes, 8-byte aligned).
struct alignas(8) LaunchAttribute {
  int id;
  char pad[4];
  union {
    char bytes[64];
    int flag;
  } value;
};
struct LaunchConfig {
  unsigned gridX, gridY, gridZ, blockX, blockY, blockZ, sharedMemBytes;
  CUstream stream;
  LaunchAttribute *attrs;
  unsigned numAttrs;
};
static_assert(sizeof(LaunchAttribute) == 72 && alignof(LaunchAttribute) == 8 &&
                  sizeof(LaunchConfig) == 56,
              "cuda.h's launch configuration layout");

struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuMemAllocManaged)(void **, size_t, unsigned);
  CUresult (*cuMemAlloc)(void **, size_t);
  CUresult (*cuMemFree)(void *);
  CUresult (*cuMemAllocAsync)(void **, size_t, CUstream);
  CUresult (*cuMemFreeAsync)(void *, CUstream);
  CUresult (*cuDeviceGetDefaultMemPool)(CUmemoryPool *, CUdevice);
  CUresult (*cuMemPoolSetAttribute)(CUmemoryPool, int, void *);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuPointerGetAttribute)(void *, int, CUdeviceptr);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  /// Null where the driver has none (before CUDA 12): launches are then
  /// ordinary ones.
  CUresult (*cuLaunchKernelEx)(const LaunchConfig *, CUfunction, void **,
                               void **);
};

/// The stream of swr_runtime_set_stream (null: the default stream), and
/// whether calls on it are asynchronous (one was set): per thread, as
/// PyTorch's current stream is (see swr_runtime.h).
thread_local CUstream userStream = nullptr;
thread_local bool asyncCalls = false;
/// The device of swr_runtime_set_device, per thread (as CUDA's current
/// device is).
thread_local int userDevice = 0;

/// Loads libcuda and binds the entry points. Null if that fails.
const Driver *driver() {
  static Driver d;
  static const Driver *loaded = []() -> const Driver * {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
      recordError(std::string("cannot load libcuda.so.1 (no NVIDIA driver "
                              "on this machine?): ") +
                  dlerror());
      return nullptr;
    }
    bool ok = true;
    auto bind = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          dlsym(lib, name));
      if (!fn) {
        recordError(std::string("libcuda.so.1 lacks ") + name +
                    " (driver too old?)");
        ok = false;
      }
    };
    bind(d.cuInit, "cuInit");
    bind(d.cuDeviceGet, "cuDeviceGet");
    bind(d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    bind(d.cuCtxSetCurrent, "cuCtxSetCurrent");
    bind(d.cuModuleLoadData, "cuModuleLoadData");
    bind(d.cuModuleUnload, "cuModuleUnload");
    bind(d.cuModuleGetFunction, "cuModuleGetFunction");
    bind(d.cuLaunchKernel, "cuLaunchKernel");
    bind(d.cuStreamCreate, "cuStreamCreate");
    bind(d.cuStreamSynchronize, "cuStreamSynchronize");
    bind(d.cuStreamDestroy, "cuStreamDestroy_v2");
    bind(d.cuMemAllocManaged, "cuMemAllocManaged");
    bind(d.cuMemAlloc, "cuMemAlloc_v2");
    bind(d.cuMemFree, "cuMemFree_v2");
    bind(d.cuMemAllocAsync, "cuMemAllocAsync");
    bind(d.cuMemFreeAsync, "cuMemFreeAsync");
    bind(d.cuDeviceGetDefaultMemPool, "cuDeviceGetDefaultMemPool");
    bind(d.cuMemPoolSetAttribute, "cuMemPoolSetAttribute");
    bind(d.cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
    bind(d.cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
    bind(d.cuPointerGetAttribute, "cuPointerGetAttribute");
    bind(d.cuEventCreate, "cuEventCreate");
    bind(d.cuEventRecord, "cuEventRecord");
    bind(d.cuEventElapsedTime, "cuEventElapsedTime");
    bind(d.cuEventSynchronize, "cuEventSynchronize");
    bind(d.cuEventDestroy, "cuEventDestroy_v2");
    bind(d.cuGetErrorName, "cuGetErrorName");
    bind(d.cuGetErrorString, "cuGetErrorString");
    d.cuLaunchKernelEx = reinterpret_cast<decltype(d.cuLaunchKernelEx)>(
        dlsym(lib, "cuLaunchKernelEx"));
    return ok ? &d : nullptr;
  }();
  return loaded;
}

/// Records a failed driver call; returns whether `result` is a success.
bool check(const Driver *d, CUresult result, const char *call) {
  if (result == kSuccess)
    return true;
  const char *name = "CUDA_ERROR_UNKNOWN", *text = "unknown error";
  d->cuGetErrorName(result, &name);
  d->cuGetErrorString(result, &text);
  recordError(std::string(call) + ": " + name + ": " + text);
  return false;
}

/// The driver with the primary context of the calling thread's device
/// current on this thread (shared with other users of the driver, such as
/// PyTorch).
const Driver *context() {
  const Driver *d = driver();
  if (!d)
    return nullptr;
  static std::mutex mutex;
  static CUresult initialized = d->cuInit(0);
  static std::map<int, CUcontext> contexts; // retained, never released
  if (!check(d, initialized, "cuInit"))
    return nullptr;
  CUcontext ctx = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = contexts.find(userDevice);
    if (found != contexts.end()) {
      ctx = found->second;
    } else {
      CUdevice device;
      if (!check(d, d->cuDeviceGet(&device, userDevice), "cuDeviceGet") ||
          !check(d, d->cuDevicePrimaryCtxRetain(&ctx, device),
                 "cuDevicePrimaryCtxRetain"))
        return nullptr;
      contexts.emplace(userDevice, ctx);
    }
  }
  if (!check(d, d->cuCtxSetCurrent(ctx), "cuCtxSetCurrent"))
    return nullptr;
  return d;
}

/// A kernel module of generated code: its binary is kept until the first
/// function lookup on a device, which loads it there (once per device).
struct LazyModule {
  explicit LazyModule(const void *data) : data(data) {}
  const void *data;
  std::mutex mutex;
  std::map<int, CUmodule> modules; // by device; null: failed to load
};

/// Functions to launch as programmatic dependents of the kernel before them
/// (named with SWR_DEPENDENT_KERNEL_SUFFIX), on every device they loaded.
std::mutex dependentMutex;
std::set<CUfunction> dependentFunctions;

bool isDependent(CUfunction function) {
  std::lock_guard<std::mutex> lock(dependentMutex);
  return dependentFunctions.count(function) > 0;
}

/// Launches of those functions: as programmatic dependents, and as ordinary
/// launches where the driver refused (swr_cuda_dependent_launches).
std::atomic<uint64_t> earlyLaunches{0};
std::atomic<uint64_t> refusedLaunches{0};

} // namespace

bool swr::runtime::checkDevicePointer(const void *pointer,
                                      const std::string &what) {
  const Driver *d = context();
  if (!d)
    return false;
  unsigned type = 0;
  if (d->cuPointerGetAttribute(&type, kPointerAttributeMemoryType,
                               reinterpret_cast<CUdeviceptr>(pointer)) !=
          kSuccess ||
      type == kMemoryTypeHost) {
    recordError(what + " is not GPU memory (a CUDA artifact needs device or "
                       "managed memory)");
    return false;
  }
  return true;
}

extern "C" {

void swr_runtime_set_stream(void *stream) {
  userStream = stream;
  asyncCalls = true;
}

void swr_runtime_set_device(int device) { userDevice = device; }

void swr_runtime_unset_stream(void) {
  userStream = nullptr;
  asyncCalls = false;
}

// The mgpu* entry points of gpu-to-llvm host code.

void *mgpuModuleLoad(void *data, size_t /*size*/) {
  return new LazyModule(data);
}

/// PTX text (format=isa): the driver compiles it when it loads.
void *mgpuModuleLoadJIT(void *data, int /*optLevel*/) {
  return new LazyModule(data);
}

void mgpuModuleUnload(void *handle) {
  // Generated code unloads modules from a global destructor, when the
  // driver may already have shut down at process exit: best effort, silent.
  auto *lazy = static_cast<LazyModule *>(handle);
  const Driver *d = driver();
  for (auto &[device, module] : lazy->modules)
    if (d && module)
      d->cuModuleUnload(module);
  delete lazy;
}

void *mgpuModuleGetFunction(void *handle, const char *name) {
  auto *lazy = static_cast<LazyModule *>(handle);
  const Driver *d = context();
  if (!d)
    return nullptr;
  CUmodule module = nullptr;
  {
    std::lock_guard<std::mutex> lock(lazy->mutex);
    auto found = lazy->modules.find(userDevice);
    if (found == lazy->modules.end()) {
      if (!check(d, d->cuModuleLoadData(&module, lazy->data),
                 "cuModuleLoadData"))
        module = nullptr;
      lazy->modules.emplace(userDevice, module);
    } else {
      module = found->second;
      if (!module)
        recordError("cuModuleLoadData: the kernel module failed to load on "
                    "device " +
                    std::to_string(userDevice) + " before");
    }
  }
  if (!module)
    return nullptr;
  CUfunction function = nullptr;
  if (!check(d, d->cuModuleGetFunction(&function, module, name),
             "cuModuleGetFunction"))
    return nullptr;
  std::string_view view(name), suffix(SWR_DEPENDENT_KERNEL_SUFFIX);
  if (view.size() >= suffix.size() &&
      view.substr(view.size() - suffix.size()) == suffix) {
    std::lock_guard<std::mutex> lock(dependentMutex);
    dependentFunctions.insert(function);
  }
  return function;
}

// Generated host code creates a stream per call, launches on it,
// synchronizes and destroys it; it gets the caller's stream (or the default
// stream), never a new one.
void *mgpuStreamCreate() { return userStream; }

void mgpuStreamDestroy(void * /*stream*/) {}

void mgpuStreamSynchronize(void *stream) {
  // On a caller's stream, the call is asynchronous like the caller's other
  // work; the caller synchronizes.
  if (asyncCalls)
    return;
  const Driver *d = context();
  if (d)
    check(d, d->cuStreamSynchronize(stream), "cuStreamSynchronize");
}

// Device buffers of generated code (a kernel's scratch, such as the
// chained scan's status) are stream-ordered: allocated and freed on the
// call's stream from the device's default pool, which keeps what is freed
// for the next call (no synchronization, no driver allocation per call),
// or from the allocator of swr_runtime_set_device_allocator. Unified
// memory (host_shared: buffers bufferization allocates) is allocated and
// freed synchronously.
namespace {
struct DeviceAllocator {
  swr_device_alloc_fn alloc = nullptr;
  swr_device_release_fn release = nullptr;
  void *user = nullptr;
};
std::mutex asyncMutex;
std::set<void *> asyncPointers;
DeviceAllocator deviceAllocator;
/// The buffers from an allocator of swr_runtime_set_device_allocator, and
/// which.
std::map<void *, DeviceAllocator> allocatorPointers;
std::set<int> poolsKept; // devices whose default pool keeps freed memory

bool keepPoolMemory(const Driver *d) {
  std::lock_guard<std::mutex> lock(asyncMutex);
  if (poolsKept.count(userDevice))
    return true;
  CUdevice device;
  CUmemoryPool pool = nullptr;
  uint64_t keepAll = ~uint64_t(0);
  if (!check(d, d->cuDeviceGet(&device, userDevice), "cuDeviceGet") ||
      !check(d, d->cuDeviceGetDefaultMemPool(&pool, device),
             "cuDeviceGetDefaultMemPool") ||
      !check(d,
             d->cuMemPoolSetAttribute(pool, kMemPoolAttrReleaseThreshold,
                                      &keepAll),
             "cuMemPoolSetAttribute"))
    return false;
  poolsKept.insert(userDevice);
  return true;
}
} // namespace

void swr_runtime_set_device_allocator(swr_device_alloc_fn alloc,
                                      swr_device_release_fn release,
                                      void *user) {
  std::lock_guard<std::mutex> lock(asyncMutex);
  deviceAllocator = alloc && release ? DeviceAllocator{alloc, release, user}
                                     : DeviceAllocator{};
}

void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/, bool isHostShared) {
  if (sizeBytes == 0)
    return nullptr;
  DeviceAllocator allocator;
  if (!isHostShared) {
    std::lock_guard<std::mutex> lock(asyncMutex);
    allocator = deviceAllocator;
  }
  if (allocator.alloc) {
    void *ptr =
        allocator.alloc(sizeBytes, userDevice, userStream, allocator.user);
    if (!ptr) {
      recordError("the device allocator (swr_runtime_set_device_allocator) "
                  "has no memory for " +
                  std::to_string(sizeBytes) + " bytes");
      return nullptr;
    }
    std::lock_guard<std::mutex> lock(asyncMutex);
    allocatorPointers.emplace(ptr, allocator);
    return ptr;
  }
  const Driver *d = context();
  void *ptr = nullptr;
  if (!d)
    return nullptr;
  constexpr unsigned kAttachGlobal = 1;
  if (isHostShared) {
    check(d, d->cuMemAllocManaged(&ptr, sizeBytes, kAttachGlobal),
          "cuMemAllocManaged");
    return ptr;
  }
  if (!keepPoolMemory(d) ||
      !check(d, d->cuMemAllocAsync(&ptr, sizeBytes, userStream),
             "cuMemAllocAsync"))
    return nullptr;
  std::lock_guard<std::mutex> lock(asyncMutex);
  asyncPointers.insert(ptr);
  return ptr;
}

void mgpuMemFree(void *ptr, void * /*stream*/) {
  if (!ptr)
    return;
  DeviceAllocator allocator;
  bool async;
  {
    std::lock_guard<std::mutex> lock(asyncMutex);
    if (auto it = allocatorPointers.find(ptr); it != allocatorPointers.end()) {
      allocator = it->second;
      allocatorPointers.erase(it);
    }
    async = asyncPointers.erase(ptr) > 0;
  }
  if (allocator.release) {
    allocator.release(ptr, userDevice, userStream, allocator.user);
    return;
  }
  const Driver *d = context();
  if (!d)
    return;
  if (async)
    check(d, d->cuMemFreeAsync(ptr, userStream), "cuMemFreeAsync");
  else
    check(d, d->cuMemFree(ptr), "cuMemFree");
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  const Driver *d = context();
  if (!d)
    return;
  if (!function) {
    recordError("cuLaunchKernel: no kernel (the module or function failed "
                "to load)");
    return;
  }
  // A dependent kernel starts early where the driver allows it; where it
  // refuses (e.g. a device before Hopper), the ordinary launch is as
  // correct and reports any error of its own.
  if (d->cuLaunchKernelEx && isDependent(function)) {
    LaunchAttribute early{};
    early.id = kLaunchAttributeProgrammaticStreamSerialization;
    early.value.flag = 1;
    LaunchConfig config{unsigned(gridX),  unsigned(gridY),
                        unsigned(gridZ),  unsigned(blockX),
                        unsigned(blockY), unsigned(blockZ),
                        unsigned(smem),   stream,
                        &early,           1};
    if (d->cuLaunchKernelEx(&config, function, params, extra) == kSuccess) {
      ++earlyLaunches;
      return;
    }
    ++refusedLaunches;
  }
  check(d,
        d->cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                          smem, stream, params, extra),
        "cuLaunchKernel");
}

// The swr_cuda_* functions of the C API.

int swr_cuda_available(void) { return context() != nullptr; }

void swr_cuda_dependent_launches(uint64_t *early, uint64_t *refused) {
  if (early)
    *early = earlyLaunches.load();
  if (refused)
    *refused = refusedLaunches.load();
}

void *swr_cuda_alloc(size_t bytes) {
  const Driver *d = context();
  void *ptr = nullptr;
  if (d && bytes > 0)
    check(d, d->cuMemAlloc(&ptr, bytes), "cuMemAlloc");
  return ptr;
}

void swr_cuda_free(void *pointer) { mgpuMemFree(pointer, nullptr); }

int swr_cuda_copy_to_device(void *device, const void *host, size_t bytes) {
  const Driver *d = context();
  if (!d || !check(d,
                   d->cuMemcpyHtoDAsync(reinterpret_cast<CUdeviceptr>(device),
                                        host, bytes, userStream),
                   "cuMemcpyHtoDAsync"))
    return -1;
  return swr_cuda_synchronize();
}

int swr_cuda_copy_to_host(void *host, const void *device, size_t bytes) {
  const Driver *d = context();
  if (!d ||
      !check(d,
             d->cuMemcpyDtoHAsync(host, reinterpret_cast<CUdeviceptr>(device),
                                  bytes, userStream),
             "cuMemcpyDtoHAsync"))
    return -1;
  return swr_cuda_synchronize();
}

void *swr_cuda_stream_create(void) {
  const Driver *d = context();
  CUstream stream = nullptr;
  if (d)
    check(d, d->cuStreamCreate(&stream, kStreamNonBlocking), "cuStreamCreate");
  return stream;
}

void swr_cuda_stream_destroy(void *stream) {
  const Driver *d = driver();
  if (d && stream)
    check(d, d->cuStreamDestroy(stream), "cuStreamDestroy");
}

int swr_cuda_synchronize(void) {
  const Driver *d = context();
  return d && check(d, d->cuStreamSynchronize(userStream),
                    "cuStreamSynchronize")
             ? 0
             : -1;
}

void *swr_cuda_event_create(void) {
  const Driver *d = context();
  CUevent event = nullptr;
  if (d)
    check(d, d->cuEventCreate(&event, 0), "cuEventCreate");
  return event;
}

int swr_cuda_event_record(void *event) {
  const Driver *d = context();
  return d && check(d, d->cuEventRecord(event, userStream), "cuEventRecord")
             ? 0
             : -1;
}

float swr_cuda_event_elapsed_ms(void *start, void *end) {
  const Driver *d = context();
  float ms = -1;
  if (!d || !check(d, d->cuEventSynchronize(end), "cuEventSynchronize") ||
      !check(d, d->cuEventElapsedTime(&ms, start, end), "cuEventElapsedTime"))
    return -1;
  return ms;
}

void swr_cuda_event_destroy(void *event) {
  const Driver *d = driver();
  if (d && event)
    check(d, d->cuEventDestroy(event), "cuEventDestroy");
}

} // extern "C"
