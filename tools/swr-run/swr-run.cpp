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

//===----------------------------------------------------------------------===//
// Arrays and .npy files
//===----------------------------------------------------------------------===//

struct Array {
  swr_dtype dtype = SWR_DTYPE_F32;
  std::vector<int64_t> shape;
  std::vector<char> bytes;

  int64_t count() const {
    int64_t n = 1;
    for (int64_t size : shape)
      n *= size;
    return n;
  }
};

std::string shapeString(const std::vector<int64_t> &shape, swr_dtype dtype) {
  std::string text;
  for (int64_t size : shape)
    text += std::to_string(size) + "x";
  return text + swr_dtype_name(dtype);
}

/// The value of `key` in a .npy header dict ("{'descr': '<f4', ...}").
std::string headerValue(const std::string &header, const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return "";
  at = header.find(':', at);
  if (at == std::string::npos)
    return "";
  ++at;
  while (at < header.size() && header[at] == ' ')
    ++at;
  if (at >= header.size())
    return "";
  char open = header[at];
  char close = open == '(' ? ')' : open == '\'' ? '\'' : ',';
  size_t end = header.find(close, at + 1);
  if (end == std::string::npos)
    return "";
  return header.substr(open == '(' || open == '\'' ? at + 1 : at,
                       end - at - (open == '(' || open == '\'' ? 1 : 0));
}

Array readNpy(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    fail(path + ": cannot open: " + std::strerror(errno));
  std::vector<char> data((std::istreambuf_iterator<char>(file)),
                         std::istreambuf_iterator<char>());
  auto corrupt = [&](const std::string &why) {
    fail(path + ": not a valid .npy file (" + why + ")");
  };
  if (data.size() < 10 || std::memcmp(data.data(), "\x93NUMPY", 6) != 0)
    corrupt("bad magic");
  int major = static_cast<unsigned char>(data[6]);
  size_t headerLen = 0, headerStart = 0;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(data[8]) |
                static_cast<unsigned char>(data[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12)
      corrupt("truncated header");
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = headerLen << 8 | static_cast<unsigned char>(data[8 + i]);
    headerStart = 12;
  } else {
    corrupt("unknown version " + std::to_string(major));
  }
  if (data.size() < headerStart + headerLen)
    corrupt("truncated header");
  std::string header(data.data() + headerStart, headerLen);

  Array array;
  std::string descr = headerValue(header, "descr");
  if (descr == "<f4")
    array.dtype = SWR_DTYPE_F32;
  else if (descr == "<f2")
    array.dtype = SWR_DTYPE_F16;
  else if (descr == "<f8")
    array.dtype = SWR_DTYPE_F64;
  else if (descr == "<V2" || descr == "|V2" || descr == "<u2" ||
           descr == "bfloat16")
    array.dtype = SWR_DTYPE_BF16;
  else if (descr.empty())
    corrupt("no 'descr' in the header");
  else
    fail(path + ": unsupported dtype '" + descr +
         "' (expected <f4, <f2, <f8, or bf16 bits as <V2 or <u2)");
  std::string order = headerValue(header, "fortran_order");
  if (order == "True")
    fail(path + ": Fortran-ordered arrays are not supported (save a "
                "C-contiguous array)");
  if (order != "False")
    corrupt("no 'fortran_order' in the header");
  if (header.find("'shape'") == std::string::npos)
    corrupt("no 'shape' in the header");
  std::stringstream dims(headerValue(header, "shape"));
  std::string dim;
  while (std::getline(dims, dim, ',')) {
    dim.erase(std::remove(dim.begin(), dim.end(), ' '), dim.end());
    if (dim.empty())
      continue;
    char *end;
    long long size = std::strtoll(dim.c_str(), &end, 10);
    if (*end || size < 0)
      corrupt("bad shape");
    array.shape.push_back(size);
  }
  if (array.shape.size() > SWR_MAX_RANK)
    fail(path + ": rank " + std::to_string(array.shape.size()) +
         " is above the supported " + std::to_string(SWR_MAX_RANK));
  size_t bytes = array.count() * swr_dtype_size(array.dtype);
  size_t payload = data.size() - headerStart - headerLen;
  if (payload != bytes)
    corrupt("the header says " + shapeString(array.shape, array.dtype) + " = " +
            std::to_string(bytes) + " bytes, the file has " +
            std::to_string(payload));
  array.bytes.assign(data.begin() + headerStart + headerLen, data.end());
  return array;
}

void writeNpy(const std::string &path, const Array &array) {
  static const char *const descrs[] = {"<f4", "<f2", "<V2", "<f8"};
  std::string shape;
  for (int64_t size : array.shape)
    shape += std::to_string(size) + ", ";
  if (array.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (!array.shape.empty())
    shape.resize(shape.size() - 1);
  std::string header = std::string("{'descr': '") + descrs[array.dtype] +
                       "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // Magic, version 1.0, 2-byte length, header padded to 64 bytes with '\n'.
  size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::ofstream file(path, std::ios::binary);
  uint16_t len = static_cast<uint16_t>(header.size());
  char preamble[10] = {'\x93',
                       'N',
                       'U',
                       'M',
                       'P',
                       'Y',
                       1,
                       0,
                       static_cast<char>(len & 0xff),
                       static_cast<char>(len >> 8)};
  file.write(preamble, 10);
  file.write(header.data(), header.size());
  file.write(array.bytes.data(), array.bytes.size());
  if (!file)
    fail(path + ": cannot write: " + std::strerror(errno));
}

/// A zero-filled array from "4x16xf32" ("f32" for rank 0).
bool parseSplat(const std::string &spec, Array &array) {
  std::stringstream parts(spec);
  std::string part;
  std::vector<std::string> fields;
  while (std::getline(parts, part, 'x'))
    fields.push_back(part);
  if (fields.empty())
    return false;
  int dtype = 0;
  while (swr_dtype_name(static_cast<swr_dtype>(dtype)) &&
         fields.back() != swr_dtype_name(static_cast<swr_dtype>(dtype)))
    ++dtype;
  if (!swr_dtype_name(static_cast<swr_dtype>(dtype)))
    return false;
  array.dtype = static_cast<swr_dtype>(dtype);
  fields.pop_back();
  if (fields.size() > SWR_MAX_RANK)
    return false;
  for (const std::string &field : fields) {
    if (field.empty() ||
        field.find_first_not_of("0123456789") != std::string::npos)
      return false;
    array.shape.push_back(std::atoll(field.c_str()));
  }
  array.bytes.assign(array.count() * swr_dtype_size(array.dtype), 0);
  return true;
}

double elementAsDouble(const Array &array, int64_t index) {
  const char *at = array.bytes.data() + index * swr_dtype_size(array.dtype);
  switch (array.dtype) {
  case SWR_DTYPE_F32: {
    float value;
    std::memcpy(&value, at, 4);
    return value;
  }
  case SWR_DTYPE_F64: {
    double value;
    std::memcpy(&value, at, 8);
    return value;
  }
  case SWR_DTYPE_BF16: {
    uint16_t bits;
    std::memcpy(&bits, at, 2);
    uint32_t wide = static_cast<uint32_t>(bits) << 16;
    float value;
    std::memcpy(&value, &wide, 4);
    return value;
  }
  case SWR_DTYPE_F16: {
    uint16_t bits;
    std::memcpy(&bits, at, 2);
    int exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
    double magnitude = exponent == 0 ? std::ldexp(mantissa, -24)
                       : exponent == 31
                           ? (mantissa ? NAN : INFINITY)
                           : std::ldexp(mantissa | 0x400, exponent - 25);
    return bits & 0x8000 ? -magnitude : magnitude;
  }
  }
  return NAN;
}

void summarize(const std::string &name, const Array &array) {
  std::printf("%s: %s =", name.c_str(),
              shapeString(array.shape, array.dtype).c_str());
  int64_t count = array.count(), shown = std::min<int64_t>(count, 8);
  for (int64_t i = 0; i < shown; ++i)
    std::printf(" %.6g", elementAsDouble(array, i));
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

} // namespace

int main(int argc, char **argv) {
  Options options = parseOptions(argc, argv);
  swr_runtime_set_verbose(0);

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

  const swr_function *function = nullptr;
  if (options.function.empty()) {
    if (swr_artifact_num_functions(artifact) != 1)
      fail("the artifact has " +
           std::to_string(swr_artifact_num_functions(artifact)) +
           " functions; choose one with --function=NAME");
    function = swr_artifact_function(artifact, 0);
  } else if (!(function =
                   swr_artifact_lookup(artifact, options.function.c_str()))) {
    fail(runtimeError());
  }
  std::string name = std::string("@") + swr_function_name(function);
  int numArgs = swr_function_num_args(function);
  int numResults = swr_function_num_results(function);
  if (static_cast<int>(options.inputs.size()) != numArgs)
    fail(name + " takes " + std::to_string(numArgs) + " arguments, got " +
         std::to_string(options.inputs.size()) + " --input");

  // Inputs: read, check, place.
  std::vector<Placed> args(numArgs);
  for (int i = 0; i < numArgs; ++i) {
    const std::string &spec = options.inputs[i];
    Placed &arg = args[i];
    if (spec.rfind("@", 0) == 0)
      arg.host = readNpy(spec.substr(1));
    else if (!parseSplat(spec, arg.host))
      fail("--input=" + spec + ": expected @FILE.npy or a shape like " +
           "4x16xf32");
    arg.data = arg.host.bytes.data();
    swr_buffer buffer = arg.buffer();
    if (swr_function_check_arg(function, i, &buffer))
      fail(spec.substr(spec[0] == '@') + ": " + runtimeError());
    if (cuda && arg.host.count()) {
      arg.data = swr_cuda_alloc(arg.host.bytes.size());
      if (!arg.data || swr_cuda_copy_to_device(arg.data, arg.host.bytes.data(),
                                               arg.host.bytes.size()))
        fail("cannot place " + spec + " on the GPU: " + runtimeError());
      arg.onDevice = true;
    }
  }

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

  // Collect and write the outputs.
  std::vector<Array> outputs;
  auto fetch = [&](const swr_buffer &buffer) {
    Array array;
    array.dtype = buffer.dtype;
    array.shape.assign(buffer.sizes, buffer.sizes + buffer.rank);
    array.bytes.resize(array.count() * swr_dtype_size(array.dtype));
    if (array.bytes.empty())
      return array;
    if (cuda) {
      if (swr_cuda_copy_to_host(array.bytes.data(), buffer.data,
                                array.bytes.size()))
        fail("cannot read an output back from the GPU: " + runtimeError());
    } else {
      std::memcpy(array.bytes.data(), buffer.data, array.bytes.size());
    }
    return array;
  };
  for (swr_buffer &result : results) {
    outputs.push_back(fetch(result));
    swr_buffer_release(artifact, &result);
  }
  for (int i : writtenArgs)
    outputs.push_back(fetch(argBuffers[i]));
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (i < options.outputs.size())
      writeNpy(options.outputs[i].substr(1), outputs[i]);
    else if (options.outputs.empty())
      summarize(i < results.size()
                    ? "result[" + std::to_string(i) + "]"
                    : "argument[" +
                          std::to_string(writtenArgs[i - results.size()]) + "]",
                outputs[i]);
  }

  // Benchmark: N more calls, each timed. On the GPU the calls are queued
  // back to back on one stream between events, and read after the last.
  if (options.benchmark) {
    int runs = options.benchmark;
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
      if (swr_function_call(function, argBuffers.data(), numArgs,
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
  args.clear();
  swr_artifact_unload(artifact);
  return 0;
}
