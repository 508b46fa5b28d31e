#!/usr/bin/env python3
"""Runs sessa-opt on every malformed input in a folder and checks that each
one is rejected cleanly: exit status exactly 1 (a crash shows up as a negative
status, i.e. a signal, or as a different code), a located `file:line:col:
error:` diagnostic on stderr, and no crash report.

Usage: check_exit_codes.py <sessa-opt> <folder>
"""
import glob
import os
import re
import subprocess
import sys

CRASH_MARKERS = ("Stack dump", "Assertion", "PLEASE submit", "LLVM ERROR",
                 "UNREACHABLE")
MIN_INPUTS = 20


def main():
    tool, folder = sys.argv[1], sys.argv[2]
    inputs = sorted(glob.glob(os.path.join(folder, "*.mlir")))
    failures = []
    if len(inputs) < MIN_INPUTS:
        failures.append(f"only {len(inputs)} malformed inputs, expected at "
                        f"least {MIN_INPUTS}")
    for path in inputs:
        name = os.path.basename(path)
        try:
            proc = subprocess.run([tool, path], capture_output=True, text=True,
                                  timeout=60)
        except subprocess.TimeoutExpired:
            failures.append(f"{name}: timed out")
            continue
        if proc.returncode != 1:
            failures.append(f"{name}: exit status {proc.returncode}, "
                            f"expected 1\n{proc.stderr}")
            continue
        if not re.search(re.escape(name) + r":\d+:\d+: error: ", proc.stderr):
            failures.append(f"{name}: no located 'error:' diagnostic\n"
                            f"{proc.stderr}")
        for marker in CRASH_MARKERS:
            if marker in proc.stderr:
                failures.append(f"{name}: crash marker {marker!r}\n"
                                f"{proc.stderr}")
        if proc.stdout.strip():
            failures.append(f"{name}: printed output despite the error\n"
                            f"{proc.stdout}")
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    print(f"checked {len(inputs)} malformed inputs, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
