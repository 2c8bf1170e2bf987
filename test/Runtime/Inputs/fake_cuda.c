/* A stand-in for libcuda.so.1, so that CI (no GPU) exercises the runtime's
 * CUDA host path: memory is host memory, kernels do not run, events report
 * 0.5 ms. FAKE_CUDA_TRACE=1 prints launches and synchronizations with their
 * stream. FAKE_CUDA_FAIL=nodevice|alloc|module|launch makes that step fail
 * with the error the real driver returns; built with -DFAKE_OLD_DRIVER it
 * lacks an entry point, like a driver older than the runtime needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
enum {
  kOutOfMemory = 2,
  kNoDevice = 100,
  kInvalidDevice = 101,
  kNoBinaryForGpu = 209,
  kLaunchFailed = 719,
};

static const char *streamName(void *stream) { return stream ? "a stream" : "the default stream"; }

static int failing(const char *step) {
  const char *fail = getenv("FAKE_CUDA_FAIL");
  return fail && strcmp(fail, step) == 0;
}

CUresult cuInit(unsigned flags) { return failing("nodevice") ? kNoDevice : 0; }
/* FAKE_CUDA_DEVICES devices (default 2); FAKE_CUDA_TRACE_DEVICES=1 prints
 * the contexts retained and the modules loaded. */
static int tracingDevices(void) { return getenv("FAKE_CUDA_TRACE_DEVICES") != NULL; }
CUresult cuDeviceGet(int *device, int ordinal) {
  const char *n = getenv("FAKE_CUDA_DEVICES");
  if (ordinal < 0 || ordinal >= (n ? atoi(n) : 2))
    return kInvalidDevice;
  *device = ordinal;
  return 0;
}
CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
  if (tracingDevices())
    fprintf(stderr, "fake: retain the primary context of device %d\n", device);
  *ctx = (void *)(long)(16 + device);
  return 0;
}
CUresult cuCtxSetCurrent(void *ctx) { return 0; }
CUresult cuModuleLoadData(void **module, const void *image) {
  if (tracingDevices())
    fprintf(stderr, "fake: load a module\n");
  *module = (void *)2;
  return failing("module") ? kNoBinaryForGpu : 0;
}
CUresult cuModuleUnload(void *module) { return 0; }
CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  *function = (void *)3;
  return 0;
}
CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                        unsigned by, unsigned bz, unsigned smem, void *stream, void **params,
                        void **extra) {
  if (getenv("FAKE_CUDA_TRACE"))
    fprintf(stderr, "fake: launch grid %u block %u on %s\n", gx, bx, streamName(stream));
  return failing("launch") ? kLaunchFailed : 0;
}
CUresult cuStreamCreate(void **stream, unsigned flags) { *stream = malloc(1); return 0; }
CUresult cuStreamSynchronize(void *stream) {
  if (getenv("FAKE_CUDA_TRACE"))
    fprintf(stderr, "fake: synchronize %s\n", streamName(stream));
  return 0;
}
CUresult cuStreamDestroy_v2(void *stream) { free(stream); return 0; }
CUresult cuMemAllocManaged(void **p, size_t n, unsigned flags) {
  *p = failing("alloc") ? NULL : calloc(n, 1);
  return *p ? 0 : kOutOfMemory;
}
CUresult cuMemAlloc_v2(void **p, size_t n) { return cuMemAllocManaged(p, n, 0); }
CUresult cuMemFree_v2(void *p) { free(p); return 0; }
CUresult cuMemAllocAsync(void **p, size_t n, void *stream) {
  if (getenv("FAKE_CUDA_TRACE"))
    fprintf(stderr, "fake: allocate %zu bytes on %s\n", n, streamName(stream));
  return cuMemAllocManaged(p, n, 0);
}
CUresult cuMemFreeAsync(void *p, void *stream) {
  if (getenv("FAKE_CUDA_TRACE"))
    fprintf(stderr, "fake: free on %s\n", streamName(stream));
  free(p);
  return 0;
}
CUresult cuDeviceGetDefaultMemPool(void **pool, int device) {
  static char thePool;
  *pool = &thePool;
  return 0;
}
CUresult cuMemPoolSetAttribute(void *pool, int attribute, void *value) { return 0; }
CUresult cuMemcpyHtoDAsync_v2(void *d, const void *s, size_t n, void *st) {
  memcpy(d, s, n);
  return 0;
}
CUresult cuMemcpyDtoHAsync_v2(void *d, const void *s, size_t n, void *st) {
  memcpy(d, s, n);
  return 0;
}
#ifndef FAKE_OLD_DRIVER
CUresult cuPointerGetAttribute(void *result, int attribute, void *pointer) {
  *(unsigned *)result = 2; /* CU_MEMORYTYPE_DEVICE */
  return 0;
}
#endif
CUresult cuEventCreate(void **event, unsigned flags) { *event = malloc(1); return 0; }
CUresult cuEventRecord(void *event, void *stream) { return 0; }
CUresult cuEventElapsedTime(float *ms, void *start, void *end) { *ms = 0.5f; return 0; }
CUresult cuEventSynchronize(void *event) { return 0; }
CUresult cuEventDestroy_v2(void *event) { free(event); return 0; }
/* The driver's name and text of each error the fake returns. */
static const struct {
  CUresult code;
  const char *name, *text;
} kErrors[] = {
    {kOutOfMemory, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {kNoDevice, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {kInvalidDevice, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {kNoBinaryForGpu, "CUDA_ERROR_NO_BINARY_FOR_GPU",
     "no kernel image is available for execution on the device"},
    {kLaunchFailed, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
};

static int errorIndex(CUresult r) {
  for (int i = 0; i < (int)(sizeof kErrors / sizeof kErrors[0]); ++i)
    if (kErrors[i].code == r)
      return i;
  return -1;
}
CUresult cuGetErrorName(CUresult r, const char **name) {
  int i = errorIndex(r);
  *name = i < 0 ? "CUDA_ERROR_UNKNOWN" : kErrors[i].name;
  return 0;
}
CUresult cuGetErrorString(CUresult r, const char **text) {
  int i = errorIndex(r);
  *text = i < 0 ? "unknown error" : kErrors[i].text;
  return 0;
}
