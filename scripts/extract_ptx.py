#!/usr/bin/env python3
"""Prints the PTX (or cubin bytes, with --binary) that gpu-module-to-binary
embedded in an MLIR module, for reading or for ptxas/cuobjdump:

  swr-opt in.mlir --swr-cuda-pipeline=format=isa | scripts/extract_ptx.py [KERNEL]

KERNEL names a gpu.binary (e.g. scan_kernel); without it every binary is
printed, each after a '// gpu.binary @NAME' line."""

import re
import sys


def unescape(text):
    """Decodes MLIR string escapes (\\XX hex, \\\\, \\")."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 2 < len(text) + 1 and re.match(r"[0-9A-Fa-f]{2}", text[i + 1:i + 3]):
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
        elif text[i] == "\\":
            out.append(ord(text[i + 1]))
            i += 2
        else:
            out += text[i].encode()
            i += 1
    return bytes(out)


def binaries(text):
    """(name, payload bytes) of every gpu.binary in an MLIR module's text."""
    for m in re.finditer(r'gpu\.binary @(\w+).*?(?:assembly|bin) = "((?:[^"\\]|\\.)*)"', text):
        yield m.group(1), unescape(m.group(2))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    binary = "--binary" in sys.argv
    wanted = args[0].lstrip("@") if args else None
    found = False
    for name, payload in binaries(sys.stdin.read()):
        if wanted and name != wanted:
            continue
        found = True
        if binary:
            sys.stdout.buffer.write(payload)
        else:
            print(f"// gpu.binary @{name}")
            print(payload.decode(errors="replace"))
    if not found:
        sys.exit(f"error: no gpu.binary{' @' + wanted if wanted else ''} in the input")


if __name__ == "__main__":
    main()
