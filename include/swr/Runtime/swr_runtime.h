/*===- swr_runtime.h - the swr runtime, C API ------------------*- C -*-===*\
|*                                                                        *|
|* Part of the swr project: sliding window recurrences in MLIR.           *|
|*                                                                        *|
|* libswr_runtime runs what `swr-compile` produces, without MLIR:         *|
|*  - artifacts: loads the shared library of a compiled module, reads its *|
|*    embedded manifest (the signature of every public function), checks  *|
|*    buffers against it and calls the functions;                         *|
|*  - CUDA: the `mgpu*` functions that the host code of                   *|
|*    swr-cuda-pipeline calls (module load, kernel launch, streams,       *|
|*    allocation), plus device memory, copies and events for callers,     *|
|*    over the CUDA driver API, which is loaded lazily (dlopen of         *|
|*    libcuda.so.1): the library loads, and CPU artifacts run, on         *|
|*    machines without a GPU.                                             *|
|*                                                                        *|
|* Nothing aborts. A failing call returns -1 (or NULL) and records one    *|
|* line naming what failed ("cuLaunchKernel: CUDA_ERROR_...: ...",        *|
|* "argument 1: dimension 3 is 17, the signature says 16"), which         *|
|* `swr_runtime_last_error` returns.                                      *|
|*                                                                        *|
|* Threads: every function may be called from any thread. The recorded    *|
|* error and the stream set by `swr_runtime_set_stream` belong to the     *|
|* calling thread (as a CUDA current stream does); loading, calling and   *|
|* unloading artifacts, and the lazy loading of kernel modules, are       *|
|* safe concurrently, except that an artifact must not be unloaded while  *|
|* another thread uses it.                                                *|
|*                                                                        *|
\*===----------------------------------------------------------------------===*/

#ifndef SWR_RUNTIME_SWR_RUNTIME_H
#define SWR_RUNTIME_SWR_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===
 * Errors
 *===----------------------------------------------------------------------===*/

/// The calling thread's first error since it last called
/// `swr_runtime_clear_error`, or NULL. The text stays valid until this
/// thread records or clears an error.
const char *swr_runtime_last_error(void);

/// Forgets the calling thread's recorded error.
void swr_runtime_clear_error(void);

/// Whether errors are also printed to stderr when they happen (default: 1,
/// since generated host code cannot report them otherwise).
void swr_runtime_set_verbose(int verbose);

/// Called by generated code (not by users) when a call's sizes violate an
/// swr op's preconditions that only run time can check, e.g. two dynamic
/// dimensions its operand roles tie together: records "MESSAGE: GOT and
/// EXPECTED" as the calling thread's error, and the op does nothing, so
/// that the call fails with that one line instead of touching memory
/// outside its buffers.
void swr_runtime_shape_error(const char *message, int64_t got,
                             int64_t expected);

/*===----------------------------------------------------------------------===
 * CUDA: devices, streams, memory, events (primary contexts)
 *===----------------------------------------------------------------------===*/

/// By default a call launches its kernels on the CUDA default (legacy)
/// stream and waits for them before returning: it is ordered after all
/// earlier work on that stream (and on blocking streams) and its results
/// are ready when it returns.
///
/// `swr_runtime_set_stream` makes the calling thread's calls launch on
/// `stream` instead (a
/// CUstream, e.g. PyTorch's current stream; NULL is the default stream)
/// and return without waiting, like any other work queued on that stream:
/// the caller synchronizes. `swr_runtime_unset_stream` restores the
/// default.
void swr_runtime_set_stream(void *stream);
void swr_runtime_unset_stream(void);

/// Generated kernels whose names end with this suffix are launched as
/// programmatic dependents of the kernel before them on the stream
/// (cuLaunchKernelEx with programmatic stream serialization, Hopper and
/// later): their blocks may start once every block of that kernel has run
/// `griddepcontrol.launch_dependents`, and they run `griddepcontrol.wait`
/// before they touch anything it wrote. The chained time-major scan is one,
/// after the kernel that fills its status (convert-swr-to-gpu's
/// `dependent-launch`). Launched the ordinary way they are correct too.
#define SWR_DEPENDENT_KERNEL_SUFFIX "_dependent"

/// The CUDA device (ordinal) that the calling thread's calls, allocations,
/// copies, streams and events use, through its primary context (the one
/// PyTorch uses too); 0 until set. A kernel module loads once per device,
/// at its first launch there.
void swr_runtime_set_device(int device);

/// 1 if the CUDA driver loads and the calling thread's device is usable, 0
/// otherwise (the reason is recorded).
int swr_cuda_available(void);

/// How many launches of kernels named with SWR_DEPENDENT_KERNEL_SUFFIX this
/// process made as programmatic dependents (`early`), and how many the
/// driver refused so that they ran as ordinary launches (`refused`: correct,
/// without the overlap); either pointer may be NULL.
void swr_cuda_dependent_launches(uint64_t *early, uint64_t *refused);

/// Device buffers that compiled code allocates itself (a chained scan's
/// status) come from the device's default memory pool, stream-ordered on
/// the call's stream (cuMemAllocAsync / cuMemFreeAsync).
/// `swr_runtime_set_device_allocator` makes them, for every thread, come
/// from `alloc` and go back through `release` instead (e.g. PyTorch's
/// caching allocator, so that they share its pool and a CUDA graph
/// captures them with the rest): each is called with the calling thread's
/// device and stream (as set above) and `user`; `alloc` returns NULL when
/// it has no memory, and the call then fails with that reason. NULL
/// functions restore the default; a buffer is always released the way it
/// was allocated.
typedef void *(*swr_device_alloc_fn)(size_t bytes, int device, void *stream,
                                     void *user);
typedef void (*swr_device_release_fn)(void *pointer, int device, void *stream,
                                      void *user);
void swr_runtime_set_device_allocator(swr_device_alloc_fn alloc,
                                      swr_device_release_fn release,
                                      void *user);

/// Device memory (cuMemAlloc / cuMemFree); NULL on failure.
void *swr_cuda_alloc(size_t bytes);
void swr_cuda_free(void *pointer);

/// A stream of its own (cuStreamCreate, non-blocking), e.g. for
/// `swr_runtime_set_stream`; NULL on failure.
void *swr_cuda_stream_create(void);
void swr_cuda_stream_destroy(void *stream);

/// Synchronous copies between host and device (or managed) memory.
int swr_cuda_copy_to_device(void *device, const void *host, size_t bytes);
int swr_cuda_copy_to_host(void *host, const void *device, size_t bytes);

/// Waits for the stream that kernels launch on (see set_stream).
int swr_cuda_synchronize(void);

/// Events on the stream that kernels launch on.
void *swr_cuda_event_create(void);
int swr_cuda_event_record(void *event);
/// Milliseconds between two recorded events (waits for `end`); -1 on error.
float swr_cuda_event_elapsed_ms(void *start, void *end);
void swr_cuda_event_destroy(void *event);

/*===----------------------------------------------------------------------===
 * Artifacts
 *===----------------------------------------------------------------------===*/

typedef enum {
  SWR_DTYPE_F32 = 0,
  SWR_DTYPE_F16 = 1,
  SWR_DTYPE_BF16 = 2,
  SWR_DTYPE_F64 = 3,
} swr_dtype;

/// "f32", "f16", "bf16", "f64" (NULL for an invalid value) and bytes per
/// element (0 for an invalid value). The names are MLIR's; callers that
/// need the list of element types enumerate from 0 to the first NULL.
const char *swr_dtype_name(swr_dtype dtype);
size_t swr_dtype_size(swr_dtype dtype);

/// The dtype named `name` ("bf16"), or -1.
int swr_dtype_from_name(const char *name);

#define SWR_MAX_RANK 8

/// The type of a function argument or result, from the manifest.
typedef struct {
  swr_dtype dtype;
  int32_t rank;
  int64_t sizes[SWR_MAX_RANK]; /* -1: dynamic */
  int32_t is_memref;           /* 1: memref, 0: tensor */
  int32_t written;             /* memref arguments the function writes */
} swr_type;

/// A dense row-major buffer: host memory for CPU artifacts, device (or
/// managed) memory for CUDA ones.
typedef struct {
  void *data;
  swr_dtype dtype;
  int32_t rank;
  int64_t sizes[SWR_MAX_RANK];
  /// Results only: what `swr_buffer_release` frees (NULL when the result
  /// aliases an argument or a constant).
  void *allocation;
} swr_buffer;

typedef struct swr_artifact swr_artifact;
typedef struct swr_function swr_function;

/// Loads a shared library made by `swr-compile`; NULL if it cannot be
/// loaded or is not one. Loading a CUDA artifact does not touch the GPU:
/// kernels load when first launched.
swr_artifact *swr_artifact_load(const char *path);
void swr_artifact_unload(swr_artifact *artifact);

/// "cpu" or "cuda:<chip>" (e.g. "cuda:sm_90a").
const char *swr_artifact_target(const swr_artifact *artifact);
/// 1 when the artifact's functions take device memory.
int swr_artifact_is_cuda(const swr_artifact *artifact);

int swr_artifact_num_functions(const swr_artifact *artifact);
const swr_function *swr_artifact_function(const swr_artifact *artifact,
                                          int index);
/// NULL (and an error listing the functions) when there is none so named.
const swr_function *swr_artifact_lookup(const swr_artifact *artifact,
                                        const char *name);

const char *swr_function_name(const swr_function *function);
int swr_function_num_args(const swr_function *function);
int swr_function_num_results(const swr_function *function);
int swr_function_arg_type(const swr_function *function, int index,
                          swr_type *type);
int swr_function_result_type(const swr_function *function, int index,
                             swr_type *type);

/// Checks the dtype, rank and static sizes of one argument against the
/// signature.
int swr_function_check_arg(const swr_function *function, int index,
                           const swr_buffer *arg);

/// Checks `args` against the signature (count, dtype, rank, static sizes,
/// dynamic sizes the function needs equal, device memory for CUDA) and
/// calls the function. Results (tensor-returning functions) are written to
/// `results`; release each with `swr_buffer_release`. Returns 0 or -1.
int swr_function_call(const swr_function *function, const swr_buffer *args,
                      int num_args, swr_buffer *results, int num_results);

/// Frees a result's memory (host or managed, as the artifact allocated it).
void swr_buffer_release(const swr_artifact *artifact, swr_buffer *result);

#ifdef __cplusplus
}
#endif

#endif /* SWR_RUNTIME_SWR_RUNTIME_H */
