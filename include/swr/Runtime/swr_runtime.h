/*===- swr_runtime.h - the swr CUDA runtime, C API -------------*- C -*-===*\
|*                                                                        *|
|* Part of the swr project: sliding window recurrences in MLIR.           *|
|*                                                                        *|
|* The host code that swr-cuda-pipeline produces calls the `mgpu*`        *|
|* functions (module load, kernel launch, streams); libswr_cuda_runtime   *|
|* implements them over the CUDA driver API, which it loads lazily        *|
|* (dlopen of libcuda.so.1) so that it loads on machines without a GPU.   *|
|* It has no MLIR dependency. A failing CUDA call never aborts: the       *|
|* runtime records it and the caller checks `swr_runtime_last_error`.     *|
|*                                                                        *|
\*===----------------------------------------------------------------------===*/

#ifndef SWR_RUNTIME_SWR_RUNTIME_H
#define SWR_RUNTIME_SWR_RUNTIME_H

#ifdef __cplusplus
extern "C" {
#endif

/// The first CUDA error since the last `swr_runtime_clear_error`, as one line
/// naming the call ("cuLaunchKernel: CUDA_ERROR_...: ..."), or NULL.
const char *swr_runtime_last_error(void);

/// Forgets the recorded error.
void swr_runtime_clear_error(void);

/// Makes kernels launch on `stream` (a CUstream, e.g. PyTorch's current
/// stream) instead of a stream of their own; NULL restores the default.
/// The generated code still synchronizes the stream after each launch.
void swr_runtime_set_stream(void *stream);

#ifdef __cplusplus
}
#endif

#endif /* SWR_RUNTIME_SWR_RUNTIME_H */
