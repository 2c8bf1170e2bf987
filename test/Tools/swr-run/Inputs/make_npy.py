"""Writes the .npy files of the swr-run tests into a directory: good inputs
of Inputs/scan.mlir and one bad file per way an input can be wrong."""

import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
g = np.random.default_rng(0)


def save(name, array):
    np.save(os.path.join(out, name), array)


def bf16(values):
    return (values.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)


a = g.uniform(0.5, 1.0, (2, 3, 17)).astype(np.float32)
x = g.uniform(-1.0, 1.0, (2, 3, 4, 17))
save("a.npy", a)
save("x.npy", bf16(x).view("V2"))          # bf16 as raw 2-byte values
save("x_u2.npy", bf16(x))                  # bf16 bits as uint16
save("x_f16.npy", x.astype(np.float16))    # wrong dtype for @scan
save("x_rank3.npy", bf16(x[:, :, 0]).view("V2"))
save("x_dim.npy", bf16(x[..., :16]).view("V2"))
save("a_fortran.npy", np.asfortranarray(a))
save("a_int.npy", a.astype(np.int32))
save("dx.npy", x.astype(np.float32))
save("dx_short.npy", x[..., :16].astype(np.float32))
with open(os.path.join(out, "a.npy"), "rb") as f:
    good = f.read()
with open(os.path.join(out, "truncated.npy"), "wb") as f:
    f.write(good[:-10])
with open(os.path.join(out, "garbage.npy"), "wb") as f:
    f.write(b"this is not a numpy file at all")
with open(os.path.join(out, "not_an_artifact.so"), "wb") as f:
    f.write(b"\x7fELF garbage")
