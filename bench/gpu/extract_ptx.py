#!/usr/bin/env python3
"""Extracts the PTX (or cubin) of each gpu.binary object in an MLIR file.

Usage: extract_ptx.py in.mlir out_prefix
Writes out_prefix.<binary name>.ptx (format=isa) or .cubin (format=bin).
"""
import re
import sys


def unescape(s: str) -> bytes:
    out = bytearray()
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "\\":
            nxt = s[i + 1]
            if nxt in "\\\"":
                out.append(ord(nxt))
                i += 2
            elif nxt == "n":
                out.append(10)
                i += 2
            elif nxt == "t":
                out.append(9)
                i += 2
            else:
                out.append(int(s[i + 1:i + 3], 16))
                i += 3
        else:
            out.extend(ch.encode())
            i += 1
    return bytes(out)


def main():
    text = open(sys.argv[1]).read()
    prefix = sys.argv[2]
    for m in re.finditer(r'gpu\.binary @(\w+)\s+\[#gpu\.object<.*?,\s*(?:properties = \{[^}]*\},\s*)?(?:assembly = |bin = )?"((?:[^"\\]|\\.)*)">', text, re.S):
        name, blob = m.group(1), unescape(m.group(2))
        ext = "ptx" if blob[:200].find(b".version") >= 0 or blob.startswith(b"//") else "cubin"
        path = f"{prefix}.{name}.{ext}"
        open(path, "wb").write(blob)
        print(path)


if __name__ == "__main__":
    main()
