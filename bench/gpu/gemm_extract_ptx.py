#!/usr/bin/env python3
"""Writes the PTX of every `gpu.binary` (format=isa) in an MLIR file.

usage: gemm_extract_ptx.py IN.mlir OUTDIR  ->  OUTDIR/<binary name>.ptx
"""
import pathlib
import re
import sys


def unescape(s: str) -> str:
    # MLIR string literals escape bytes as \XX (hex) plus \\ and \".
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\":
            nxt = s[i + 1]
            if nxt in "\\\"":
                out.append(nxt)
                i += 2
            elif nxt == "n":
                out.append("\n")
                i += 2
            elif nxt == "t":
                out.append("\t")
                i += 2
            else:
                out.append(chr(int(s[i + 1:i + 3], 16)))
                i += 3
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def main() -> None:
    text = pathlib.Path(sys.argv[1]).read_text()
    outdir = pathlib.Path(sys.argv[2])
    outdir.mkdir(parents=True, exist_ok=True)
    found = 0
    for m in re.finditer(r'gpu\.binary @(\w+).*?assembly = "((?:[^"\\]|\\.)*)"',
                         text, re.S):
        (outdir / f"{m.group(1)}.ptx").write_text(unescape(m.group(2)))
        found += 1
    if not found:
        sys.exit("no gpu.binary with an assembly found")


if __name__ == "__main__":
    main()
