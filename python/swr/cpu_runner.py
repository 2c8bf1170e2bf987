"""Runs MLIR modules on the CPU through swr-opt and mlir-runner, and checks
their numbers against the float64 reference.

Used by the CPU execution tests and by the demo. Outputs travel as the bit
patterns of f32 values (printed with printMemrefI32), so nothing is lost to
decimal printing.
"""

import re
import shlex
import subprocess

import numpy as np

from .dtypes import unit_roundoff
from .reference import scan_reference


class RunError(RuntimeError):
    """A tool in the chain failed; the message holds its stderr."""


def hex_dense(stored):
    """A dense elements literal holding the raw bytes of `stored`."""
    return '"0x' + np.ascontiguousarray(stored).tobytes().hex().upper() + '"'


def lower_and_run(module, *, swr_opt, mlir_runner, shared_libs,
                  pipeline="--swr-cpu-pipeline", entry="main"):
    """Lowers `module` with `swr-opt <pipeline>` and runs `entry` with
    mlir-runner; returns what it printed. `pipeline` is split as a shell
    would (quotes keep pass options with spaces together)."""
    lowered = subprocess.run([swr_opt, *shlex.split(pipeline)], input=module, text=True,
                             capture_output=True)
    if lowered.returncode != 0:
        raise RunError(f"swr-opt {pipeline} failed:\n{lowered.stderr}")
    ran = subprocess.run([mlir_runner, "-e", entry, "-entry-point-result=void",
                          f"-shared-libs={shared_libs}"], input=lowered.stdout, text=True,
                         capture_output=True)
    if ran.returncode != 0:
        raise RunError(f"mlir-runner failed:\n{ran.stderr}")
    return ran.stdout


def parse_printed_bits(text, shape):
    """Decodes the f32 values of a printMemrefI32 of their bit patterns."""
    parts = text.split("data =", 1)
    if len(parts) != 2:
        raise RunError(f"no memref was printed:\n{text}")
    ints = np.array([int(v) for v in re.findall(r"-?\d+", parts[1])], dtype=np.int64)
    if ints.size != int(np.prod(shape)):
        raise RunError(f"expected {int(np.prod(shape))} values, got {ints.size}")
    return ints.astype(np.int32).view(np.float32).astype(np.float64).reshape(shape)


def check_close(got, ref, scale, out_dtype, rtol=1e-5, roundings=1, floor=1e-30):
    """Compares outputs with the float64 reference, element by element:
    |got - ref| <= rtol * scale + roundings * (rounding of out_dtype) * |ref|
    + floor (roundings = 2 when `ref` was itself rounded to out_dtype; floor
    = 0 where outputs are meant to be denormal, so that flushing them to
    zero fails), where
    `scale` is the reference evaluated on |a| and |x| (it bounds f32
    accumulation error). Where either side is not finite, both must be: an
    output whose window holds a NaN or an infinity is NaN or +-inf, and which
    one depends on the order of evaluation (a sum of products and the
    recurrence's Horner form differ, e.g. inf - inf against inf * (...)).
    Returns (ok, one-line summary)."""
    with np.errstate(invalid="ignore"):
        tol = rtol * scale + roundings * unit_roundoff(out_dtype) * np.abs(ref) + floor
        err = np.abs(got - ref)
        special = ~np.isfinite(ref) | ~np.isfinite(got)
        same_special = ~np.isfinite(got) & ~np.isfinite(ref)
        err = np.where(special, np.where(same_special, 0.0, np.inf), err)
        tol = np.where(special, 1.0, tol)
    bad = ~(err <= tol)
    if bad.any():
        i = np.unravel_index(np.argmax(np.where(bad, err / tol, 0)), err.shape)
        return False, (f"{bad.sum()} of {err.size} outputs differ; worst at {i}: "
                       f"got {got[i]!r}, reference {ref[i]!r}, tolerance {tol[i]:.3g}")
    nonfinite = int(np.sum(special))
    if err.size == 0:
        return True, "no outputs (an empty sequence)"
    return True, (f"{err.size} outputs within tolerance ({nonfinite} non-finite on both sides); "
                  f"max error {err.max():.3g}, "
                  f"max error / tolerance {np.max(err / tol):.3g}")


def check_scan(got, a, x, *, tile, hops, init=None, reverse=False, out_dtype="f32",
               floor=1e-30):
    """Checks the outputs of a scan of the stored inputs `a`, `x`, `init`
    (as float64) against the float64 reference, with `check_close`'s
    tolerance. Returns (ok, one-line summary)."""
    window = dict(tile=tile, hops=hops, reverse=reverse)
    ref = scan_reference(a, x, init=init, **window)
    scale = scan_reference(np.abs(a), np.abs(x),
                           init=None if init is None else np.abs(init), **window)
    return check_close(got, ref, scale, out_dtype, floor=floor)


def tensor_type(shape, dtype):
    return "tensor<" + "x".join(str(d) for d in shape) + f"x{dtype}>"


def memref_type(shape, dtype, layout=None):
    body = "x".join(str(d) for d in shape) + f"x{dtype}"
    return f"memref<{body}" + (f", {layout}>" if layout else ">")


def print_bits(value, shape, dtype):
    """MLIR lines that print the bits of tensor `value` (f32, f16 or bf16,
    widened to f32) with printMemrefI32. Needs PRINT_DECL in the module."""
    lines, f32 = [], value
    if dtype != "f32":
        lines.append(f"  %pb_wide = arith.extf {value} : {tensor_type(shape, dtype)} to "
                     f"{tensor_type(shape, 'f32')}")
        f32 = "%pb_wide"
    lines += [
        f"  %pb_bits = arith.bitcast {f32} : {tensor_type(shape, 'f32')} to {tensor_type(shape, 'i32')}",
        f"  %pb_buf = bufferization.to_buffer %pb_bits : {tensor_type(shape, 'i32')} to "
        f"{memref_type(shape, 'i32')}",
        f"  %pb_u = memref.cast %pb_buf : {memref_type(shape, 'i32')} to memref<*xi32>",
        "  call @printMemrefI32(%pb_u) : (memref<*xi32>) -> ()",
    ]
    return lines


#: Declaration of the runner-utils function that print_bits calls.
PRINT_DECL = "func.func private @printMemrefI32(memref<*xi32>) attributes {llvm.emit_c_interface}"


def call_main(callee, inputs, result_shape, result_dtype):
    """A @main that calls `callee` on constant tensors and prints its result's
    bits. `inputs` is a list of (stored array, shape, dtype)."""
    lines = [PRINT_DECL, "func.func @main() {"]
    names, types = [], []
    for i, (stored, shape, dtype) in enumerate(inputs):
        t = tensor_type(shape, dtype)
        lines.append(f"  %in{i} = arith.constant dense<{hex_dense(stored)}> : {t}")
        names.append(f"%in{i}")
        types.append(t)
    result_t = tensor_type(result_shape, result_dtype)
    lines.append(f"  %result = call @{callee}({', '.join(names)}) : ({', '.join(types)}) -> {result_t}")
    lines += print_bits("%result", result_shape, result_dtype)
    lines += ["  return", "}"]
    return "\n".join(lines) + "\n"
