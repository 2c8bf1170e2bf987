"""Storage element types: rounding of float data to f32/f16/bf16 and their
raw little-endian bytes (NumPy has no bfloat16: it is kept as uint16 bits)."""

import numpy as np

#: The element types swr stores, by their MLIR names.
DTYPES = ("f32", "f16", "bf16")


def round_to(values, dtype):
    """Rounds float data to `dtype` (round to nearest even) and returns it as
    float64, so that a reference can be computed from exactly the stored
    values."""
    return decode(encode(values, dtype), dtype)


def encode(values, dtype):
    """Returns the storage array of `values` in `dtype`: float32, float16, or
    the uint16 bit patterns of bfloat16."""
    v = np.asarray(values, dtype=np.float64)
    if dtype == "f32":
        return v.astype(np.float32)
    if dtype == "f16":
        return v.astype(np.float16)
    if dtype == "bf16":
        bits = v.astype(np.float32).view(np.uint32).astype(np.uint64)
        nan = np.isnan(v)
        # Round to nearest even on the upper 16 bits.
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
        out = rounded.astype(np.uint16)
        out[nan] = 0x7FC0
        return out
    raise ValueError(f"unsupported dtype {dtype!r}; expected one of {DTYPES}")


def decode(stored, dtype):
    """Inverse of `encode`: storage array to float64."""
    if dtype == "bf16":
        bits = np.asarray(stored, dtype=np.uint16).astype(np.uint32) << 16
        return bits.view(np.float32).astype(np.float64)
    return np.asarray(stored).astype(np.float64)


def unit_roundoff(dtype):
    """Half the distance from 1 to the next value of `dtype`."""
    return {"f32": 2.0**-24, "f16": 2.0**-11, "bf16": 2.0**-8}[dtype]


def save_npy(path, stored, dtype):
    """Writes a storage array as .npy the way swr-run reads it: bf16 bits as
    2-byte raw values ('|V2'), f32 and f16 as themselves."""
    stored = np.ascontiguousarray(stored)
    np.save(path, stored.view("V2") if dtype == "bf16" else stored)


def load_npy(path, dtype):
    """Reads a .npy that swr-run wrote (bf16 as raw 2-byte values) and
    returns its storage array (see `encode`)."""
    array = np.load(path)
    return array.view(np.uint16) if dtype == "bf16" else array
