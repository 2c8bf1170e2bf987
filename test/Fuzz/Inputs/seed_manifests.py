"""Writes seed manifests for the manifest fuzzer into the given directory."""
import os
import sys

SEEDS = [
    "swr-artifact 1\ntarget cpu\nfunction scan\narg memref bf16 ?,4,?\n"
    "arg memref f32 ?,4,16,?\narg memref f16 ?,4,16,? written\n"
    "same 0.0 1.0\nsame 0.2 2.3\nend\n",
    "swr-artifact 1\ntarget cuda:sm_90a\nfunction scalar\narg tensor f64 -\n"
    "result tensor f64 -\nend\n",
    "swr-artifact 1\ntarget cpu\nfunction f\narg memref f32 4,?\nsame 0.0 0.1\nend\n",
]
out = sys.argv[1]
for i, text in enumerate(SEEDS):
    with open(os.path.join(out, f"seed{i}"), "w") as f:
        f.write(text)
