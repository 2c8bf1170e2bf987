//===- swr-run.cpp - runs a function of an swr artifact -------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//   swr-run ARTIFACT --function=NAME --input=@a.npy --input=@x.npy
//           [--output=@y.npy ...] [--device=cpu|cuda] [--benchmark=N]
//
// Loads an artifact of swr-compile with libswr_runtime (no MLIR), reads the
// inputs from NumPy .npy files, checks them against the function's
// signature, calls the function on the CPU or the GPU and writes its
// outputs: its results, then the memref arguments it writes. Every bad
// input is one line on stderr and exit status 1.
//
// .npy dtypes: f32 '<f4', f16 '<f2', f64 '<f8'; NumPy has no bfloat16, so
// bf16 arrays are raw 16-bit patterns (the upper half of the f32 value),
// read from '<V2' or '<u2' and written as '<V2'.
//
//===----------------------------------------------------------------------===//

#include "swr/Runtime/swr_runtime.h"
#include "swr/Tooling/NumpyIO.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using swr::npy::Array;

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "swr-run: error: %s\n", message.c_str());
  std::exit(1);
}

const char *const kUsage =
    "usage: swr-run ARTIFACT [--function=NAME] [--input=@FILE.npy | "
    "--input=SHAPExDTYPE ...]\n"
    "               [--output=@FILE.npy ...] [--device=cpu|cuda] "
    "[--benchmark=N]\n"
    "\n"
    "Runs function NAME (default: the artifact's only function) of an\n"
    "artifact of swr-compile. Each --input gives the next argument: a .npy\n"
    "file, or a zero-filled buffer such as 4x128x16x8192xf32 (for memref\n"
    "arguments the function only writes). Each --output names the file of\n"
    "the next output: the function's results, then the memref arguments it\n"
    "writes; without --output, outputs are summarized on stdout.\n"
    "--device defaults to the artifact's target. --benchmark=N times N more\n"
    "calls (device events on the GPU) and prints their median and minimum.\n"
    ".npy dtypes: f32 <f4, f16 <f2, f64 <f8, bf16 as raw bits <V2 (or <u2).\n";

void summarize(const std::string &name, const Array &array) {
  std::printf("%s: %s =", name.c_str(),
              swr::npy::shapeString(array.shape, array.dtype).c_str());
  int64_t count = array.count(), shown = std::min<int64_t>(count, 8);
  for (int64_t i = 0; i < shown; ++i)
    std::printf(" %.6g", array.at(i));
  std::printf("%s\n", count > shown ? " ..." : "");
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

std::string runtimeError() {
  const char *error = swr_runtime_last_error();
  return error ? error : "unknown error";
}

struct Options {
  std::string artifact, function, device;
  std::vector<std::string> inputs, outputs;
  int benchmark = 0;
};

Options parseOptions(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag, std::string &out) {
      std::string prefix = std::string(flag) + "=";
      if (arg.rfind(prefix, 0) != 0)
        return false;
      out = arg.substr(prefix.size());
      return true;
    };
    std::string text;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (value("--function", options.function) ||
               value("--device", options.device)) {
    } else if (value("--input", text)) {
      options.inputs.push_back(text);
    } else if (value("--output", text)) {
      options.outputs.push_back(text);
    } else if (value("--benchmark", text)) {
      char *end;
      long n = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end || n < 1 || n > 1000000)
        fail("--benchmark needs a number of runs from 1 to 1000000, got '" +
             text + "'");
      options.benchmark = static_cast<int>(n);
    } else if (arg.rfind("-", 0) == 0) {
      fail("unknown option '" + arg + "' (see --help)");
    } else if (options.artifact.empty()) {
      options.artifact = arg;
    } else {
      fail("more than one artifact given ('" + options.artifact + "', '" + arg +
           "')");
    }
  }
  if (options.artifact.empty())
    fail("no artifact given (see --help)");
  if (!options.device.empty() && options.device != "cpu" &&
      options.device != "cuda")
    fail("--device must be cpu or cuda, got '" + options.device + "'");
  return options;
}

/// A buffer in the memory the artifact runs on. It owns device memory, so it
/// moves but never copies (a copy would free it twice).
struct Placed {
  Array host;
  void *data = nullptr;
  bool onDevice = false;

  Placed() = default;
  Placed(const Placed &) = delete;
  Placed &operator=(const Placed &) = delete;
  Placed(Placed &&other) noexcept
      : host(std::move(other.host)), data(other.data),
        onDevice(other.onDevice) {
    other.onDevice = false;
  }
  Placed &operator=(Placed &&) = delete;
  ~Placed() {
    if (onDevice)
      swr_cuda_free(data);
  }
  swr_buffer buffer() const {
    swr_buffer buffer{};
    buffer.data = data;
    buffer.dtype = host.dtype;
    buffer.rank = static_cast<int32_t>(host.shape.size());
    std::copy(host.shape.begin(), host.shape.end(), buffer.sizes);
    return buffer;
  }
};

static_assert(!std::is_copy_constructible_v<Placed>,
              "a copy of a Placed buffer would free its device memory twice");

/// The artifact and the function to run, or exits with why not.
std::pair<swr_artifact *, const swr_function *>
loadFunction(const Options &options) {
  swr_artifact *artifact = swr_artifact_load(options.artifact.c_str());
  if (!artifact)
    fail(runtimeError());
  bool cuda = swr_artifact_is_cuda(artifact);
  std::string target = swr_artifact_target(artifact);
  if (!options.device.empty() && (options.device == "cuda") != cuda)
    fail(options.artifact + " was compiled for " + target +
         "; it cannot run with --device=" + options.device +
         " (compile it with swr-compile --target=" + options.device + ")");
  if (cuda && !swr_cuda_available())
    fail("no usable GPU for this " + target + " artifact: " + runtimeError());

  if (!options.function.empty()) {
    const swr_function *function =
        swr_artifact_lookup(artifact, options.function.c_str());
    if (!function)
      fail(runtimeError());
    return {artifact, function};
  }
  if (swr_artifact_num_functions(artifact) != 1)
    fail("the artifact has " +
         std::to_string(swr_artifact_num_functions(artifact)) +
         " functions; choose one with --function=NAME");
  return {artifact, swr_artifact_function(artifact, 0)};
}

/// Reads argument `index` from `spec` (@FILE.npy or a zero-filled shape),
/// checks it against the signature and places it where the function runs.
Placed placeInput(const swr_function *function, int index,
                  const std::string &spec, bool cuda) {
  Placed arg;
  if (spec.rfind("@", 0) == 0) {
    if (std::string error = swr::npy::readFile(spec.substr(1), arg.host);
        !error.empty())
      fail(error);
  } else if (std::string error = swr::npy::zeros(spec, arg.host);
             !error.empty()) {
    fail("--input=" + spec + ": " + error);
  }
  arg.data = arg.host.bytes.data();
  swr_buffer buffer = arg.buffer();
  if (swr_function_check_arg(function, index, &buffer))
    fail(spec.substr(spec[0] == '@') + ": " + runtimeError());
  if (cuda && arg.host.count()) {
    arg.data = swr_cuda_alloc(arg.host.bytes.size());
    if (!arg.data || swr_cuda_copy_to_device(arg.data, arg.host.bytes.data(),
                                             arg.host.bytes.size()))
      fail("cannot place " + spec + " on the GPU: " + runtimeError());
    arg.onDevice = true;
  }
  return arg;
}

/// A host copy of `buffer`.
Array fetch(const swr_buffer &buffer, bool cuda) {
  Array array;
  array.dtype = buffer.dtype;
  array.shape.assign(buffer.sizes, buffer.sizes + buffer.rank);
  // The runtime checked that the buffer's byte count fits in int64_t.
  if (!array.bytes.resize(array.count() * swr_dtype_size(array.dtype)))
    fail("not enough host memory for an output of " +
         swr::npy::shapeString(array.shape, array.dtype));
  if (array.bytes.empty())
    return array;
  if (!cuda)
    std::memcpy(array.bytes.data(), buffer.data, array.bytes.size());
  else if (swr_cuda_copy_to_host(array.bytes.data(), buffer.data,
                                 array.bytes.size()))
    fail("cannot read an output back from the GPU: " + runtimeError());
  return array;
}

/// Times `runs` more calls and prints their median and minimum. On the GPU
/// the calls are queued back to back on one stream between events, and read
/// after the last.
void benchmark(const swr_artifact *artifact, const swr_function *function,
               const std::vector<swr_buffer> &args, int runs) {
  bool cuda = swr_artifact_is_cuda(artifact);
  std::string name = std::string("@") + swr_function_name(function);
  int numResults = swr_function_num_results(function);
  std::vector<double> micros;
  std::vector<void *> events;
  void *stream = nullptr;
  if (cuda) {
    stream = swr_cuda_stream_create();
    swr_runtime_set_stream(stream);
    for (int i = 0; i <= runs; ++i)
      events.push_back(swr_cuda_event_create());
    if (!stream || std::count(events.begin(), events.end(), nullptr))
      fail("cannot set up GPU timing: " + runtimeError());
    swr_cuda_event_record(events[0]);
  }
  std::vector<std::vector<swr_buffer>> allResults(
      runs, std::vector<swr_buffer>(numResults));
  for (int run = 0; run < runs; ++run) {
    auto t0 = std::chrono::steady_clock::now();
    if (swr_function_call(function, args.data(), args.size(),
                          allResults[run].data(), numResults))
      fail("calling " + name + ": " + runtimeError());
    if (cuda)
      swr_cuda_event_record(events[run + 1]);
    else
      micros.push_back(std::chrono::duration<double, std::micro>(
                           std::chrono::steady_clock::now() - t0)
                           .count());
  }
  for (int run = 0; cuda && run < runs; ++run) {
    float ms = swr_cuda_event_elapsed_ms(events[run], events[run + 1]);
    if (ms < 0)
      fail("GPU timing failed: " + runtimeError());
    micros.push_back(ms * 1e3);
  }
  for (auto &runResults : allResults)
    for (swr_buffer &result : runResults)
      swr_buffer_release(artifact, &result);
  if (cuda) {
    swr_runtime_unset_stream();
    for (void *event : events)
      swr_cuda_event_destroy(event);
    swr_cuda_stream_destroy(stream);
  }
  std::sort(micros.begin(), micros.end());
  std::printf("benchmark: %s on %s, %d runs: median %.1f us, min %.1f us "
              "(%s)\n",
              name.c_str(), cuda ? "cuda" : "cpu", runs,
              micros[micros.size() / 2], micros.front(),
              cuda ? "device events" : "wall clock");
}

} // namespace

int main(int argc, char **argv) {
  Options options = parseOptions(argc, argv);
  swr_runtime_set_verbose(0);
  auto [artifact, function] = loadFunction(options);
  bool cuda = swr_artifact_is_cuda(artifact);
  std::string name = std::string("@") + swr_function_name(function);
  int numArgs = swr_function_num_args(function);
  int numResults = swr_function_num_results(function);
  if (static_cast<int>(options.inputs.size()) != numArgs)
    fail(name + " takes " + std::to_string(numArgs) + " arguments, got " +
         std::to_string(options.inputs.size()) + " --input");

  std::vector<Placed> args;
  for (int i = 0; i < numArgs; ++i)
    args.push_back(placeInput(function, i, options.inputs[i], cuda));

  // Outputs: the results, then the memref arguments the function writes.
  std::vector<int> writtenArgs;
  for (int i = 0; i < numArgs; ++i) {
    swr_type type;
    swr_function_arg_type(function, i, &type);
    if (type.written)
      writtenArgs.push_back(i);
  }
  size_t numOutputs = numResults + writtenArgs.size();
  if (options.outputs.size() > numOutputs)
    fail(std::to_string(options.outputs.size()) + " --output given, but " +
         name + " has " + std::to_string(numOutputs) +
         " outputs (its results, then the memref arguments it writes)");
  for (const std::string &spec : options.outputs)
    if (spec.rfind("@", 0) != 0 || spec.size() == 1)
      fail("--output=" + spec + ": expected @FILE.npy");

  std::vector<swr_buffer> argBuffers, results(numResults);
  for (const Placed &arg : args)
    argBuffers.push_back(arg.buffer());
  if (swr_function_call(function, argBuffers.data(), numArgs, results.data(),
                        numResults))
    fail("calling " + name + ": " + runtimeError());

  std::vector<Array> outputs;
  for (swr_buffer &result : results) {
    outputs.push_back(fetch(result, cuda));
    swr_buffer_release(artifact, &result);
  }
  for (int i : writtenArgs)
    outputs.push_back(fetch(argBuffers[i], cuda));
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (i < options.outputs.size()) {
      if (std::string error =
              swr::npy::writeFile(options.outputs[i].substr(1), outputs[i]);
          !error.empty())
        fail(error);
    } else if (options.outputs.empty()) {
      bool isResult = i < results.size();
      summarize(isResult
                    ? "result[" + std::to_string(i) + "]"
                    : "argument[" +
                          std::to_string(writtenArgs[i - results.size()]) + "]",
                outputs[i]);
    }
  }

  if (options.benchmark)
    benchmark(artifact, function, argBuffers, options.benchmark);
  args.clear();
  swr_artifact_unload(artifact);
  return 0;
}
