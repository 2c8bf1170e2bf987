//===- TorchOps.cpp - the swr ops of PyTorch ------------------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// libswr_torch_ops.so: the `torch.library` ops of swr.torch, in C++ so that a
// call costs microseconds of host time, not tens:
//
//   swr::scan(a, x, init?, tile, hops, reverse) -> y
//   swr::scan_chunk(a, x, init?, state?, tile, hops) -> (y, state_out)
//   swr::scan_grad(a, x, dy, init?, tile, hops) -> (dx, da, dinit)
//
// (`hops` = -1 for inf). Their CPU and CUDA kernels call the kernel library
// (python/swr/kernels.py lists it) through libswr_runtime, on PyTorch's
// current stream, with outputs from PyTorch's allocator (and the buffers the
// kernels allocate themselves, a chained scan's status); scan and scan_chunk
// have autograd formulas that call scan_grad. The library is the directory
// this file's shared library lies in (swr/_lib). The fake (meta) kernels and
// the checks with Python messages are in python/swr/torch/ops.py.
//
//===----------------------------------------------------------------------===//

#include "swr/Runtime/swr_runtime.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/library.h>
#ifdef SWR_TORCH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>
#endif

#include <dlfcn.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace {

using at::Tensor;
using OptTensor = std::optional<Tensor>;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr int64_t kInf = -1;

//===----------------------------------------------------------------------===//
// The kernel library
//===----------------------------------------------------------------------===//

/// The directory of this shared library: the kernel library's.
std::string libraryDirectory() {
  Dl_info info;
  if (!dladdr(reinterpret_cast<void *>(&libraryDirectory), &info) ||
      !info.dli_fname)
    return ".";
  std::string path = info.dli_fname;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

const char *dtypeName(at::ScalarType type) {
  switch (type) {
  case at::kFloat:
    return "f32";
  case at::kBFloat16:
    return "bf16";
  case at::kHalf:
    return "f16";
  default:
    TORCH_CHECK_TYPE(false, "swr.torch.scan: dtype ", type,
                     " is not supported (float32, bfloat16, float16)");
  }
}

bool isCuda(const Tensor &x) {
  if (x.is_cpu())
    return false;
  TORCH_CHECK_VALUE(x.is_cuda(), "swr.torch.scan: tensors on ",
                    x.device().type(), " are not supported (cpu or cuda)");
  return true;
}

/// The name of a configuration's function: python/swr/kernels.py's
/// `Config.name`, e.g. "scan_bf16_t16_k1_head_init".
std::string functionName(const char *kind, const Tensor &a, const Tensor &x,
                         int64_t tile, int64_t hops, const char *start = "",
                         bool reverse = false) {
  std::string name = std::string(kind) + "_" + dtypeName(x.scalar_type()) +
                     "_t" + std::to_string(tile) + "_k" +
                     (hops == kInf ? "inf" : std::to_string(hops)) +
                     (a.dim() == 3 ? "_head" : "_channel");
  if (*start)
    name += std::string("_") + start;
  if (reverse)
    name += "_rev";
  return name;
}

#ifdef SWR_TORCH_CUDA
/// The device buffers that the kernel library allocates itself (a chained
/// scan's status) from PyTorch's caching allocator, on the call's stream
/// (swr_runtime_set_device_allocator); no memory is NULL (the call then
/// fails with that reason), never an exception through the runtime's C
/// frames.
void *torchAlloc(size_t bytes, int device, void *stream, void * /*user*/) {
  // (The allocator serves the current device: the call's, for the call.)
  struct OnDevice {
    c10::DeviceIndex previous;
    explicit OnDevice(int device)
        : previous(c10::cuda::ExchangeDevice(
              static_cast<c10::DeviceIndex>(device))) {}
    ~OnDevice() { c10::cuda::MaybeExchangeDevice(previous); }
  };
  try {
    OnDevice on(device);
    return c10::cuda::CUDACachingAllocator::raw_alloc_with_stream(
        bytes, static_cast<cudaStream_t>(stream));
  } catch (...) {
    return nullptr;
  }
}

void torchRelease(void *pointer, int /*device*/, void * /*stream*/,
                  void * /*user*/) {
  try {
    c10::cuda::CUDACachingAllocator::raw_delete(pointer);
  } catch (...) {
  }
}
#endif

class Library {
public:
  /// The function `name` of the artifact for `cuda` and the storage type of
  /// `x` (kernels.py's `artifact_name`), or null when there is none.
  const swr_function *find(bool cuda, const Tensor &x,
                           const std::string &name) {
    std::string file = std::string("kernels-") + (cuda ? "cuda" : "cpu") + "-" +
                       dtypeName(x.scalar_type()) + ".so";
    std::lock_guard<std::mutex> lock(mutex);
    auto key = file + ":" + name;
    auto found = functions.find(key);
    if (found != functions.end())
      return found->second;
    auto art = artifacts.find(file);
    if (art == artifacts.end()) {
      std::string path = directory + "/" + file;
      swr_runtime_clear_error();
      swr_artifact *loaded = swr_artifact_load(path.c_str());
      TORCH_CHECK(loaded, "swr.torch: cannot load the kernel library ", path,
                  ": ", swr_runtime_last_error());
      art = artifacts.emplace(file, loaded).first;
    }
    swr_runtime_clear_error();
    const swr_function *fn = swr_artifact_lookup(art->second, name.c_str());
    swr_runtime_clear_error();
    functions.emplace(key, fn);
    return fn;
  }

  /// Calls `name` on `tensors` (inputs and outputs). Inputs are made
  /// contiguous; outputs must be fresh contiguous tensors, so that
  /// contiguous() returns them and the kernel writes the caller's memory.
  /// Nothing to do when `x` is empty (the runtime refuses null buffers).
  void call(const Tensor &x, const std::string &name,
            const std::vector<Tensor> &tensors) {
    if (x.numel() == 0)
      return;
    bool cuda = isCuda(x);
    const swr_function *fn = find(cuda, x, name);
    TORCH_CHECK(fn, "swr.torch: the kernel library has no ", name, " for ",
                cuda ? "CUDA" : "the CPU");
    std::vector<Tensor> dense;
    std::vector<swr_buffer> buffers(tensors.size());
    dense.reserve(tensors.size());
    for (size_t i = 0; i < tensors.size(); ++i) {
      const Tensor &t = dense.emplace_back(tensors[i].contiguous());
      TORCH_CHECK_VALUE(t.device() == x.device(),
                        "swr.torch.scan: a tensor is on ", t.device(),
                        ", x on ", x.device());
      swr_buffer &b = buffers[i];
      b.data = t.data_ptr();
      b.dtype = static_cast<swr_dtype>(
          swr_dtype_from_name(dtypeName(t.scalar_type())));
      b.rank = static_cast<int32_t>(t.dim());
      for (int64_t d = 0; d < t.dim(); ++d)
        b.sizes[d] = t.size(d);
      b.allocation = nullptr;
    }
#ifdef SWR_TORCH_CUDA
    if (cuda) {
      static const bool allocatorSet = [] {
        swr_runtime_set_device_allocator(torchAlloc, torchRelease, nullptr);
        return true;
      }();
      (void)allocatorSet;
      c10::DeviceIndex device = x.device().index();
      swr_runtime_set_device(device);
      swr_runtime_set_stream(c10::cuda::getCurrentCUDAStream(device).stream());
    }
#else
    TORCH_CHECK(!cuda, "swr.torch: this build of the ops has no CUDA support");
#endif
    swr_runtime_clear_error();
    if (swr_function_call(fn, buffers.data(), static_cast<int>(buffers.size()),
                          nullptr, 0)) {
      const char *error = swr_runtime_last_error();
      TORCH_CHECK_VALUE(false, "swr.torch: ", name, ": ",
                        error ? error : "unknown error");
    }
  }

  bool has(const Tensor &x, const std::string &name) {
    return find(isCuda(x), x, name) != nullptr;
  }

  Library() {
    // Errors become Python exceptions; a missing function is no error.
    swr_runtime_set_verbose(0);
  }

private:
  std::string directory = libraryDirectory();
  std::mutex mutex;
  std::map<std::string, swr_artifact *> artifacts;
  std::map<std::string, const swr_function *> functions;
};

Library &library() {
  static Library *lib = new Library(); // never unloaded
  return *lib;
}

int64_t stateSlots(int64_t hops) { return hops == kInf ? 1 : hops + 2; }

const char *startOf(const OptTensor &init, const OptTensor &state = {}) {
  return init ? "init" : state ? "state" : "";
}

std::vector<Tensor> with(std::vector<Tensor> tensors, const OptTensor &t) {
  if (t)
    tensors.push_back(*t);
  return tensors;
}

//===----------------------------------------------------------------------===//
// Typed handles of the ops, for calls through the dispatcher (autograd
// formulas and compositions call the ops, not the kernels)
//===----------------------------------------------------------------------===//

Tensor callScan(const Tensor &a, const Tensor &x, const OptTensor &init,
                int64_t tile, int64_t hops, bool reverse) {
  static auto op =
      c10::Dispatcher::singleton()
          .findSchemaOrThrow("swr::scan", "")
          .typed<Tensor(const Tensor &, const Tensor &, const OptTensor &,
                        int64_t, int64_t, bool)>();
  return op.call(a, x, init, tile, hops, reverse);
}

std::tuple<Tensor, Tensor> callChunk(const Tensor &a, const Tensor &x,
                                     const OptTensor &init,
                                     const OptTensor &state, int64_t tile,
                                     int64_t hops) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("swr::scan_chunk", "")
                       .typed<std::tuple<Tensor, Tensor>(
                           const Tensor &, const Tensor &, const OptTensor &,
                           const OptTensor &, int64_t, int64_t)>();
  return op.call(a, x, init, state, tile, hops);
}

std::tuple<Tensor, Tensor, Tensor> callGrad(const Tensor &a, const Tensor &x,
                                            const Tensor &dy,
                                            const OptTensor &init, int64_t tile,
                                            int64_t hops) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("swr::scan_grad", "")
                       .typed<std::tuple<Tensor, Tensor, Tensor>(
                           const Tensor &, const Tensor &, const Tensor &,
                           const OptTensor &, int64_t, int64_t)>();
  return op.call(a, x, dy, init, tile, hops);
}

//===----------------------------------------------------------------------===//
// Kernels (CPU and CUDA)
//===----------------------------------------------------------------------===//

/// `t` ([B, H, D, N], or [B, H, N] per-head gates) with its dimensions in
/// time-major order, [B, N, H(, D)]: a dense tensor when `t` is the view of
/// one.
Tensor timeMajorOrder(const Tensor &t) {
  return t.dim() == 4 ? t.permute({0, 3, 1, 2}) : t.permute({0, 2, 1});
}

/// The inverse of timeMajorOrder: a [B, N, H(, D)] tensor seen as
/// [B, H(, D), N].
Tensor fromTimeMajorOrder(const Tensor &t) {
  return t.dim() == 4 ? t.permute({0, 2, 3, 1}) : t.permute({0, 2, 1});
}

/// An uninitialized y for `x`'s time-major view: the [B, H, D, N] view of a
/// new dense [B, N, H, D] tensor.
Tensor emptyTimeMajor(const Tensor &x) {
  return fromTimeMajorOrder(at::empty(timeMajorOrder(x).sizes(), x.options()));
}

/// `t` with its data in time-major order (a copy unless it is already): the
/// [B, H(, D), N] view of a dense [B, N, H(, D)] tensor.
Tensor inTimeMajorLayout(const Tensor &t) {
  return fromTimeMajorOrder(timeMajorOrder(t).contiguous());
}

/// Whether a forward scan of `x` runs time-major: `x` is not contiguous but
/// the view of a dense [B, N, H, D] tensor (a linear projection's output
/// permuted), so that the library's `_tm` function reads it, and writes y,
/// without a transposing copy. python/swr/torch/ops.py's `_time_major` is
/// this rule for the fake kernel (y's strides).
bool timeMajor(const Tensor &x, bool reverse) {
  return !reverse && !x.is_contiguous() && timeMajorOrder(x).is_contiguous();
}

Tensor scanKernel(const Tensor &a, const Tensor &x, const OptTensor &init,
                  int64_t tile, int64_t hops, bool reverse) {
  if (timeMajor(x, reverse)) {
    // The function takes a, x, y in time-major order (dense; the gates
    // copied into it unless they are in it).
    Tensor y = emptyTimeMajor(x);
    std::string name =
        functionName("scan", a, x, tile, hops, startOf(init)) + "_tm";
    library().call(x, name,
                   with(with({timeMajorOrder(a), timeMajorOrder(x)}, init),
                        timeMajorOrder(y)));
    return y;
  }
  Tensor y = at::empty(x.sizes(), x.options());
  library().call(x,
                 functionName("scan", a, x, tile, hops, startOf(init), reverse),
                 with(with({a, x}, init), y));
  return y;
}

/// The state of an empty sequence (swr.scan_chunk, layout 1).
Tensor emptyState(const Tensor &x, const OptTensor &init, int64_t hops) {
  Tensor s = at::zeros({x.size(0), x.size(1), x.size(2), stateSlots(hops)},
                       x.options().dtype(at::kFloat));
  if (init) {
    Tensor h = init->to(at::kFloat).unsqueeze(-1);
    if (hops == kInf)
      s.copy_(h);
    else
      s.narrow(-1, 1, hops).copy_(h.expand({-1, -1, -1, hops}));
  }
  return s;
}

std::tuple<Tensor, Tensor> chunkKernel(const Tensor &a, const Tensor &x,
                                       const OptTensor &init,
                                       const OptTensor &state, int64_t tile,
                                       int64_t hops) {
  int64_t n = x.size(3);
  if (n == 0)
    return {at::empty(x.sizes(), x.options()),
            state ? state->clone() : emptyState(x, init, hops)};
  Tensor s = at::empty({x.size(0), x.size(1), x.size(2), stateSlots(hops)},
                       x.options().dtype(at::kFloat));
  Library &lib = library();
  // y in x's layout, as scanKernel's: time-major operands give a time-major
  // y (ops.py's fake kernel follows the same rule).
  bool inXsLayout = timeMajor(x, /*reverse=*/false);
  if ((x.is_cuda() || inXsLayout) && !state && hops != kInf &&
      n > (hops + 1) * tile) {
    // A long prefill (on the GPU, and of time-major operands, which the
    // scan then reads in place): the scan writes y, and the state, which
    // depends only on the open tile and the K tiles before it, comes from
    // the library's tail, a chunk over those (tile-aligned, so the same
    // tiles) that reads a and x in place (its outputs are dropped). Both
    // take a and x in one layout, copied only if they have other strides.
    Tensor ad = inXsLayout ? inTimeMajorLayout(a) : a.contiguous();
    Tensor xd = inXsLayout ? x : x.contiguous();
    Tensor y = scanKernel(ad, xd, init, tile, hops, /*reverse=*/false);
    int64_t first = tile * (n / tile - hops);
    Tensor tailY =
        at::empty({x.size(0), x.size(1), x.size(2), n - first}, x.options());
    auto inOrder = [&](const Tensor &t) {
      return inXsLayout ? timeMajorOrder(t) : t;
    };
    lib.call(x,
             functionName("tail", a, x, tile, hops) + (inXsLayout ? "_tm" : ""),
             {inOrder(ad), inOrder(xd), tailY, s});
    return {y, s};
  }
  Tensor y = at::empty(x.sizes(), x.options());
  std::vector<Tensor> args = with(with({a, x}, init), state);
  args.push_back(y);
  args.push_back(s);
  lib.call(x, functionName("chunk", a, x, tile, hops, startOf(init, state)),
           args);
  if (inXsLayout)
    y = emptyTimeMajor(x).copy_(y);
  return {y, s};
}

/// Calls the library's function `name`, a `grad` (`xy` = x) or `gradout`
/// (`xy` = y) configuration: (a, xy, dy, [init], dx, da, [dinit]).
void callGradFunction(const std::string &name, const Tensor &a,
                      const Tensor &xy, const Tensor &dy, const OptTensor &init,
                      const Tensor &dx, const Tensor &da, const Tensor &dinit) {
  std::vector<Tensor> args = with({a, xy, dy}, init);
  args.push_back(dx);
  args.push_back(da);
  if (init)
    args.push_back(dinit);
  library().call(xy, name, args);
}

/// swr.scan_grad from_output (hops = inf): the kernel library's one pass
/// (`gradout`). `dinit` is written when `init` is given.
void exactGradFromOutput(const Tensor &a, const Tensor &y, const Tensor &dy,
                         const OptTensor &init, int64_t tile, Tensor &dx,
                         Tensor &da, Tensor &dinit) {
  dx = at::empty(y.sizes(), y.options());
  if (y.numel() == 0) { // No position or no channel: the sums are 0.
    da.zero_();
    if (init)
      dinit.zero_();
    return;
  }
  callGradFunction(functionName("gradout", a, y, tile, kInf, startOf(init)), a,
                   y, dy, init, dx, da, dinit);
}

/// The same from the inputs: the forward scan first.
void exactGradFromScans(const Tensor &a, const Tensor &x, const Tensor &dy,
                        const OptTensor &init, int64_t tile, Tensor &dx,
                        Tensor &da, Tensor &dinit) {
  exactGradFromOutput(a, callScan(a, x, init, tile, kInf, false), dy, init,
                      tile, dx, da, dinit);
}

/// swr.scan_grad's formula (its op docs derive it) from forward and reverse
/// scans in f32, for the windows without a GPU kernel. With z^(j) the
/// reverse scan of dy with j hops and y^(m) the forward scan with m hops
/// (y^(m)_{-1} = h0):
///
///   dx = z^(K),  da_k = sum_{j=0}^{K} (z^(j)_k - z^(j-1)_k) S^(K-j)_k,
///   S^(m)_k = y^(m)_{k-1}, except at a tile's first position:
///             y^(m-1)_{k-1} (and S^(0)_k = 0),
///   dh0 = a_0 z^(K-1)_0 (0 for K = 0),
///
/// summed over a head's channels for per-head gates (hops = inf:
/// exactGradFromScans). 2K + 2 scans.
void gradFromScans(const Tensor &a, const Tensor &x, const Tensor &dy,
                   const OptTensor &init, int64_t tile, int64_t hops,
                   Tensor &dx, Tensor &da, Tensor &dinit) {
  if (hops == kInf)
    return exactGradFromScans(a, x, dy, init, tile, dx, da, dinit);
  Tensor a32 = a.to(at::kFloat), x32 = x.to(at::kFloat),
         dy32 = dy.to(at::kFloat);
  OptTensor h0;
  if (init)
    h0 = init->to(at::kFloat);
  int64_t n = x.size(3);
  Tensor first = h0 ? h0->unsqueeze(-1) : at::zeros_like(x32.narrow(-1, 0, 1));
  std::vector<Tensor> z, before; // before[m]: y^(m)_{k-1}
  for (int64_t w = 0; w <= hops; ++w) {
    z.push_back(callScan(a32, dy32, std::nullopt, tile, w, true));
    before.push_back(at::cat(
        {first, callScan(a32, x32, h0, tile, w, false).narrow(-1, 0, n - 1)},
        -1));
  }
  Tensor starts =
      at::arange(n, x.options().dtype(at::kLong)).remainder(tile).eq(0);
  Tensor gradA = at::zeros_like(x32);
  for (int64_t j = 0; j <= hops; ++j) {
    int64_t m = hops - j;
    Tensor s =
        at::where(starts, m ? before[m - 1] : at::zeros_like(x32), before[m]);
    gradA += (j ? z[j] - z[j - 1] : z[0]) * s;
  }
  da.copy_(a.dim() == 3 ? gradA.sum(2) : gradA);
  dx.copy_(z.back());
  if (init) {
    if (hops == 0) {
      dinit.zero_();
    } else {
      Tensor a0 = a32.select(-1, 0);
      if (a.dim() == 3)
        a0 = a0.unsqueeze(-1);
      dinit.copy_(a0 * z[hops - 1].select(-1, 0));
    }
  }
}

std::tuple<Tensor, Tensor, Tensor> gradKernel(const Tensor &a, const Tensor &x,
                                              const Tensor &dy,
                                              const OptTensor &init,
                                              int64_t tile, int64_t hops) {
  Tensor dx = at::empty(x.sizes(), x.options());
  Tensor da = at::empty(a.sizes(), a.options());
  Tensor dinit = init ? at::empty(init->sizes(), x.options())
                      : at::empty({0}, x.options());
  if (x.numel() == 0) {
    da.zero_();
    dinit.zero_();
    return {dx, da, dinit};
  }
  std::string name = functionName("grad", a, x, tile, hops, startOf(init));
  if (library().has(x, name)) {
    callGradFunction(name, a, x, dy, init, dx, da, dinit);
  } else {
    gradFromScans(a, x, dy, init, tile, hops, dx, da, dinit);
  }
  return {dx, da, dinit};
}

/// swr::scan_grad_from_output: the backward of the exact scan from its
/// output.
std::tuple<Tensor, Tensor, Tensor>
gradFromOutputKernel(const Tensor &a, const Tensor &y, const Tensor &dy,
                     const OptTensor &init, int64_t tile) {
  Tensor dx, da = at::empty(a.sizes(), a.options());
  Tensor dinit = init ? at::empty(init->sizes(), y.options())
                      : at::empty({0}, y.options());
  exactGradFromOutput(a, y, dy, init, tile, dx, da, dinit);
  return {dx, da, dinit};
}

std::tuple<Tensor, Tensor, Tensor>
callGradFromOutput(const Tensor &a, const Tensor &y, const Tensor &dy,
                   const OptTensor &init, int64_t tile) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("swr::scan_grad_from_output", "")
                       .typed<std::tuple<Tensor, Tensor, Tensor>(
                           const Tensor &, const Tensor &, const Tensor &,
                           const OptTensor &, int64_t)>();
  return op.call(a, y, dy, init, tile);
}

/// gradFromScans on any device: what the tests check the composition with.
std::tuple<Tensor, Tensor, Tensor>
gradFromScansKernel(const Tensor &a, const Tensor &x, const Tensor &dy,
                    const OptTensor &init, int64_t tile, int64_t hops) {
  Tensor dx = at::empty(x.sizes(), x.options());
  Tensor da = at::empty(a.sizes(), a.options());
  Tensor dinit = init ? at::empty(init->sizes(), x.options())
                      : at::empty({0}, x.options());
  gradFromScans(a, x, dy, init, tile, hops, dx, da, dinit);
  return {dx, da, dinit};
}

//===----------------------------------------------------------------------===//
// Autograd
//===----------------------------------------------------------------------===//

Tensor orUndefined(const OptTensor &t) { return t ? *t : Tensor(); }

/// An operand of the backward kernels, which are head-major: time-major
/// ones (and a dy in y's time-major layout) are copied to [B, H, D, N]
/// here, by an op that a compiler sees and can fuse into its producer
/// (inside the kernel call the copy would be opaque); a no-op for
/// [B, H, D, N]-contiguous ones.
Tensor headMajor(const Tensor &t) { return t.defined() ? t.contiguous() : t; }

/// Whether any of the forward's tensor arguments `present` (in order, a
/// missing optional one false) that `wanted` names needs a gradient: the
/// context counts only the arguments that were given.
bool needsGrad(AutogradContext *ctx, std::initializer_list<bool> present,
               std::initializer_list<bool> wanted) {
  size_t edge = 0;
  auto want = wanted.begin();
  for (bool p : present) {
    bool w = *want++;
    if (p && w && ctx->needs_input_grad(edge))
      return true;
    edge += p;
  }
  return false;
}
OptTensor optional(const Tensor &t) {
  return t.defined() ? OptTensor(t) : std::nullopt;
}

class ScanFunction : public torch::autograd::Function<ScanFunction> {
public:
  static Tensor forward(AutogradContext *ctx, const Tensor &a, const Tensor &x,
                        const OptTensor &init, int64_t tile, int64_t hops,
                        bool reverse) {
    at::AutoDispatchBelowADInplaceOrView guard;
    Tensor y = callScan(a, x, init, tile, hops, reverse);
    // hops = inf: the backward needs y_{k-1}, not x, so it keeps the
    // output instead (swr::scan_grad_from_output, one pass).
    bool keepOutput = hops == kInf && !reverse;
    ctx->save_for_backward({a, keepOutput ? Tensor() : x, orUndefined(init),
                            keepOutput ? y : Tensor()});
    ctx->saved_data["tile"] = tile;
    ctx->saved_data["hops"] = hops;
    ctx->saved_data["reverse"] = reverse;
    return y;
  }

  static variable_list backward(AutogradContext *ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    Tensor a = saved[0], x = saved[1];
    OptTensor init = optional(saved[2]);
    int64_t tile = ctx->saved_data["tile"].toInt();
    int64_t hops = ctx->saved_data["hops"].toInt();
    if (ctx->saved_data["reverse"].toBool()) {
      // The adjoint of the reverse scan is the forward scan (same window).
      TORCH_CHECK_NOT_IMPLEMENTED(
          !needsGrad(ctx, {true, true, init.has_value()}, {true, false, true}),
          "swr.torch.scan: gradients of a reverse scan are provided for x "
          "only, not for a or init");
      return {Tensor(), callScan(a, grads[0], std::nullopt, tile, hops, false),
              Tensor(), Tensor(),
              Tensor(), Tensor()};
    }
    a = headMajor(a);
    Tensor dy = headMajor(grads[0]);
    if (Tensor y = saved[3]; y.defined()) {
      auto [dx, da, dinit] =
          callGradFromOutput(a, headMajor(y), dy, init, tile);
      return {da, dx, init ? dinit : Tensor(), Tensor(), Tensor(), Tensor()};
    }
    auto [dx, da, dinit] = callGrad(a, headMajor(x), dy, init, tile, hops);
    return {da, dx, init ? dinit : Tensor(), Tensor(), Tensor(), Tensor()};
  }
};

class ChunkFunction : public torch::autograd::Function<ChunkFunction> {
public:
  static variable_list forward(AutogradContext *ctx, const Tensor &a,
                               const Tensor &x, const OptTensor &init,
                               const OptTensor &state, int64_t tile,
                               int64_t hops) {
    at::AutoDispatchBelowADInplaceOrView guard;
    ctx->save_for_backward({a, x, orUndefined(init), orUndefined(state)});
    ctx->saved_data["tile"] = tile;
    ctx->saved_data["hops"] = hops;
    auto [y, s] = callChunk(a, x, init, state, tile, hops);
    if (hops != kInf)
      ctx->mark_non_differentiable({s}); // see swr.torch.scan's docs
    return {y, s};
  }

  static variable_list backward(AutogradContext *ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    Tensor a = headMajor(saved[0]), x = headMajor(saved[1]);
    OptTensor init = optional(saved[2]), state = optional(saved[3]);
    int64_t tile = ctx->saved_data["tile"].toInt();
    int64_t hops = ctx->saved_data["hops"].toInt();
    Tensor dy = headMajor(grads[0]), dstate = grads[1];
    if (hops != kInf) {
      TORCH_CHECK_NOT_IMPLEMENTED(
          !state || !needsGrad(ctx, {true, true, init.has_value(), true},
                               {true, true, true, true}),
          "swr.torch.scan: gradients of a chunk that starts from a state are "
          "provided for hops = inf only");
      auto [dx, da, dinit] = callGrad(a, x, dy, init, tile, hops);
      return {da, dx, init ? dinit : Tensor(), Tensor(), Tensor(), Tensor()};
    }
    // hops = inf: the state is y_{N-1} in f32, and a state in acts as h0.
    if (!dstate.defined())
      dstate = at::zeros({x.size(0), x.size(1), x.size(2), 1},
                         x.options().dtype(at::kFloat));
    if (x.size(3) == 0)
      return {at::zeros_like(a),
              at::zeros_like(x),
              init ? dstate.select(-1, 0).to(init->scalar_type()) : Tensor(),
              state ? dstate : Tensor(),
              Tensor(),
              Tensor()};
    OptTensor h0;
    if (state)
      h0 = state->select(-1, 0);
    else if (init)
      h0 = init->to(at::kFloat);
    int64_t n = x.size(3);
    Tensor dy32 = dy.to(at::kFloat);
    dy32 = at::cat(
        {dy32.narrow(-1, 0, n - 1), dy32.narrow(-1, n - 1, 1) + dstate}, -1);
    auto [dx, da, dh0] =
        callGrad(a.to(at::kFloat), x.to(at::kFloat), dy32, h0, tile, kInf);
    return {da.to(a.scalar_type()),
            dx.to(x.scalar_type()),
            init ? dh0.to(init->scalar_type()) : Tensor(),
            state ? dh0.unsqueeze(-1) : Tensor(),
            Tensor(),
            Tensor()};
  }
};

Tensor scanAutograd(const Tensor &a, const Tensor &x, const OptTensor &init,
                    int64_t tile, int64_t hops, bool reverse) {
  return ScanFunction::apply(a, x, init, tile, hops, reverse);
}

std::tuple<Tensor, Tensor> chunkAutograd(const Tensor &a, const Tensor &x,
                                         const OptTensor &init,
                                         const OptTensor &state, int64_t tile,
                                         int64_t hops) {
  auto out = ChunkFunction::apply(a, x, init, state, tile, hops);
  return {out[0], out[1]};
}

} // namespace

TORCH_LIBRARY(swr, m) {
  // y's layout follows x's (time-major or not, scan and scan_chunk):
  // compilers must pass the strides that eager mode would.
  m.def("scan(Tensor a, Tensor x, Tensor? init, int tile, int hops, "
        "bool reverse) -> Tensor",
        {at::Tag::needs_exact_strides});
  m.def("scan_chunk(Tensor a, Tensor x, Tensor? init, Tensor? state, "
        "int tile, int hops) -> (Tensor, Tensor)",
        {at::Tag::needs_exact_strides});
  m.def("scan_grad(Tensor a, Tensor x, Tensor dy, Tensor? init, int tile, "
        "int hops) -> (Tensor, Tensor, Tensor)");
  // swr.scan_grad from_output: hops = inf, from the forward's output y.
  m.def("scan_grad_from_output(Tensor a, Tensor y, Tensor dy, Tensor? init, "
        "int tile) -> (Tensor, Tensor, Tensor)");
  // scan_grad as it is computed for the windows without a GPU kernel (from
  // scans), on any device with at least one position: for tests.
  m.def("_scan_grad_from_scans(Tensor a, Tensor x, Tensor dy, Tensor? init, "
        "int tile, int hops) -> (Tensor, Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(swr, CPU, m) {
  m.impl("scan", scanKernel);
  m.impl("scan_chunk", chunkKernel);
  m.impl("scan_grad", gradKernel);
  m.impl("scan_grad_from_output", gradFromOutputKernel);
  m.impl("_scan_grad_from_scans", gradFromScansKernel);
}

#ifdef SWR_TORCH_CUDA
TORCH_LIBRARY_IMPL(swr, CUDA, m) {
  m.impl("scan", scanKernel);
  m.impl("scan_chunk", chunkKernel);
  m.impl("scan_grad", gradKernel);
  m.impl("scan_grad_from_output", gradFromOutputKernel);
  m.impl("_scan_grad_from_scans", gradFromScansKernel);
}
#endif

TORCH_LIBRARY_IMPL(swr, Autograd, m) {
  m.impl("scan", scanAutograd);
  m.impl("scan_chunk", chunkAutograd);
}
