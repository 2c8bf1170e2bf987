# -*- Python -*-
"""lit configuration of the swr test suite."""

import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SWR"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "Install", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.swr_obj_root, "test")

config.environment["FILECHECK_OPTS"] = "--enable-var-scope"
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

python = config.python_executable
# The runtime provides swr_runtime_shape_error, which lowered swr ops call
# when their run-time sizes are wrong.
runner_libs = ",".join(
    [os.path.join(config.llvm_lib_dir, lib)
     for lib in ("libmlir_runner_utils.so", "libmlir_c_runner_utils.so")]
    + [os.path.join(config.swr_obj_root, "lib", "libswr_runtime.so")])
swr_opt = os.path.join(config.swr_tools_dir, "swr-opt")
mlir_runner = os.path.join(config.llvm_tools_dir, "mlir-runner")

config.substitutions.append(("%python", python))
config.substitutions.append(("%swr_opt", swr_opt))
config.substitutions.append(("%mlir_translate",
                             os.path.join(config.llvm_tools_dir, "mlir-translate")))
clang = shutil.which("clang-22") or os.path.join(config.llvm_tools_dir, "clang")
if os.path.exists(clang):
    config.available_features.add("clang")
    config.substitutions.append(("%clang", clang))
config.substitutions.append(("%swr_src", config.swr_src_root))
if os.path.exists(os.path.join(config.swr_tools_dir, "swr-fuzz-module")):
    config.available_features.add("fuzzers")
config.substitutions.append(("%swr_tools_dir", config.swr_tools_dir))
config.substitutions.append(("%swr_lib_dir", os.path.join(config.swr_obj_root, "lib")))
config.substitutions.append((
    "%run_scan",
    f"{python} {config.swr_src_root}/test/Integration/CPU/run_scan.py "
    f"--swr-opt {swr_opt} --mlir-runner {mlir_runner} --shared-libs {runner_libs}"))

swr_compile = os.path.join(config.swr_tools_dir, "swr-compile")
swr_run = os.path.join(config.swr_tools_dir, "swr-run")
config.substitutions.append((
    "%run_aot",
    f"{python} {config.swr_src_root}/test/Integration/CPU/run_scan.py --aot "
    f"--swr-opt {swr_opt} --mlir-runner {mlir_runner} --shared-libs {runner_libs} "
    f"--swr-compile {swr_compile} --swr-run {swr_run}"))

llvm_config.add_tool_substitutions(
    ["swr-opt", "swr-compile", "swr-run", ToolSubst("mlir-runner", unresolved="fatal")],
    [config.swr_tools_dir, config.llvm_tools_dir])

# Features.
def _python_has(module):
    return subprocess.run([python, "-c", f"import {module}"],
                          capture_output=True).returncode == 0

if _python_has("numpy"):
    config.available_features.add("numpy")
if _python_has("pytest"):
    config.available_features.add("pytest")

# The PyTorch front end runs under the virtual environment that
# scripts/build.sh makes (PyPI's torch, numpy, pytest) with the kernel
# library that the build compiled.
torch_python = os.path.join(config.swr_obj_root, "venv", "bin", "python")
if os.path.exists(torch_python) and subprocess.run(
        [torch_python, "-c", "import torch, numpy, pytest"], capture_output=True).returncode == 0:
    config.available_features.add("torch")
    config.substitutions.append(("%torch_python", torch_python))
config.substitutions.append(("%swr_python_lib_dir", config.swr_python_lib_dir))

# PTX text needs only LLVM's NVPTX backend; cubins need ptxas from a CUDA
# toolkit; execution needs a GPU.
llc = os.path.join(config.llvm_tools_dir, "llc")
if "nvptx64" in subprocess.run([llc, "--version"], capture_output=True,
                               text=True).stdout:
    config.available_features.add("nvptx")
cuda_root = config.cuda_toolkit_dir or os.environ.get("CUDA_HOME", "/usr/local/cuda")
if os.path.exists(os.path.join(cuda_root, "bin", "ptxas")):
    config.available_features.add("ptxas")
    config.substitutions.append(("%cuda_toolkit", cuda_root))
if shutil.which("nvidia-smi") and subprocess.run(
        ["nvidia-smi", "-L"], capture_output=True).returncode == 0:
    config.available_features.add("cuda-gpu")
