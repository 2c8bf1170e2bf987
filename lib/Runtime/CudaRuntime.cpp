//===- CudaRuntime.cpp - mgpu* host calls over the CUDA driver ------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// Implements the host functions that `gpu-to-llvm` code calls (the same
// names and signatures as MLIR's CUDA runtime wrappers, which Debian does
// not ship) over the CUDA driver API. libcuda is loaded on first use, so the
// library loads anywhere; without a GPU every call records an error and
// returns a null handle instead of crashing.
//
//===----------------------------------------------------------------------===//

#include "swr/Runtime/swr_runtime.h"

#include <cstdint>
#include <cstdio>
#include <dlfcn.h>
#include <mutex>
#include <string>
#include <type_traits>

namespace {

// The few driver types and entry points used, declared here so that the
// runtime builds without the CUDA toolkit.
using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
constexpr CUresult kSuccess = 0;
constexpr unsigned kStreamNonBlocking = 1;

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
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
};

std::mutex errorMutex;
std::string lastError;
bool hasError = false;
CUstream userStream = nullptr;

void recordError(const std::string &message) {
  std::lock_guard<std::mutex> lock(errorMutex);
  if (!hasError) {
    lastError = message;
    hasError = true;
  }
  std::fprintf(stderr, "swr runtime: %s\n", message.c_str());
}

/// Loads libcuda and makes the device's primary context current (shared
/// with other users of the driver, such as PyTorch). Null if that fails.
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
    bind(d.cuGetErrorName, "cuGetErrorName");
    bind(d.cuGetErrorString, "cuGetErrorString");
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

/// The driver with the primary context of device 0 current on this thread.
const Driver *context() {
  const Driver *d = driver();
  if (!d)
    return nullptr;
  static CUcontext primary = [&]() -> CUcontext {
    CUdevice device;
    CUcontext ctx = nullptr;
    if (check(d, d->cuInit(0), "cuInit") &&
        check(d, d->cuDeviceGet(&device, 0), "cuDeviceGet"))
      check(d, d->cuDevicePrimaryCtxRetain(&ctx, device),
            "cuDevicePrimaryCtxRetain");
    return ctx;
  }();
  if (!primary || !check(d, d->cuCtxSetCurrent(primary), "cuCtxSetCurrent"))
    return nullptr;
  return d;
}

} // namespace

extern "C" {

const char *swr_runtime_last_error(void) {
  std::lock_guard<std::mutex> lock(errorMutex);
  return hasError ? lastError.c_str() : nullptr;
}

void swr_runtime_clear_error(void) {
  std::lock_guard<std::mutex> lock(errorMutex);
  hasError = false;
  lastError.clear();
}

void swr_runtime_set_stream(void *stream) { userStream = stream; }

// The mgpu* entry points of gpu-to-llvm host code.

void *mgpuModuleLoad(void *data, size_t /*size*/) {
  const Driver *d = context();
  CUmodule module = nullptr;
  if (d)
    check(d, d->cuModuleLoadData(&module, data), "cuModuleLoadData");
  return module;
}

void mgpuModuleUnload(void *module) {
  // Generated code unloads modules from a global destructor, when the
  // driver may already have shut down at process exit: best effort, silent.
  const Driver *d = driver();
  if (d && module)
    d->cuModuleUnload(module);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  const Driver *d = context();
  CUfunction function = nullptr;
  if (!module) {
    recordError(std::string("cuModuleGetFunction: ") + name +
                ": the module failed to load");
    return nullptr;
  }
  if (d)
    check(d, d->cuModuleGetFunction(&function, module, name),
          "cuModuleGetFunction");
  return function;
}

void *mgpuStreamCreate() {
  if (userStream)
    return userStream;
  const Driver *d = context();
  CUstream stream = nullptr;
  if (d)
    check(d, d->cuStreamCreate(&stream, kStreamNonBlocking), "cuStreamCreate");
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  const Driver *d = driver();
  if (d && stream && stream != userStream)
    check(d, d->cuStreamDestroy(stream), "cuStreamDestroy");
}

void mgpuStreamSynchronize(void *stream) {
  const Driver *d = context();
  if (d)
    check(d, d->cuStreamSynchronize(stream), "cuStreamSynchronize");
}

void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/, bool isHostShared) {
  const Driver *d = context();
  void *ptr = nullptr;
  if (!d || sizeBytes == 0)
    return nullptr;
  constexpr unsigned kAttachGlobal = 1;
  if (isHostShared)
    check(d, d->cuMemAllocManaged(&ptr, sizeBytes, kAttachGlobal),
          "cuMemAllocManaged");
  else
    check(d, d->cuMemAlloc(&ptr, sizeBytes), "cuMemAlloc");
  return ptr;
}

void mgpuMemFree(void *ptr, void * /*stream*/) {
  const Driver *d = context();
  if (d && ptr)
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
  check(d,
        d->cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                          smem, stream, params, extra),
        "cuLaunchKernel");
}

} // extern "C"
