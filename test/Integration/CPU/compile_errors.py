# sessa-compile on bad input: malformed MLIR, verifier errors, entry points
# with a non-tensor argument or result, an unsupported element type, a
# dynamic result size that no input determines, entry names that are not C
# identifiers, no public function, an unknown --target, a bad --name, a
# failing link step and a missing input file. Each must exit with code 1,
# print a located diagnostic ('FILE:LINE:COL: error:', at the offending op
# where there is one) and write nothing into the output directory, whether
# it is absent (it must stay absent, or be left empty), empty (it must stay
# empty) or holds an earlier artifact (it must be left as it was).
#
# RUN: %python %s %t

import os
import re
import shutil
import sys

from sessa_testing import Checker, rope_func, run_compiler

work = sys.argv[1]
if os.path.isdir(work):
    shutil.rmtree(work)
os.makedirs(work)
chk = Checker("sessa-compile errors")

GOOD = rope_func("good", (1, 2, 2, 4))   # 4 lines

# name -> (source, extra options, (line, col) of the error or None for any
# location, text the message must contain)
CASES = {
    "malformed": (
        "func.func @f(%x: tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32> {\n"
        "  %0 = sessa.rope %x : tensor<1x2x2x4xf32\n"
        "  return %0 : tensor<1x2x2x4xf32>\n"
        "}\n", [], (2, 42), "expected '>'"),
    "unknown_op": (
        GOOD +
        "func.func @f(%x: tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32> {\n"
        "  %0 = sessa.rotate %x : tensor<1x2x2x4xf32>\n"
        "  return %0 : tensor<1x2x2x4xf32>\n"
        "}\n", [], (6, 8), "sessa.rotate"),
    "verifier_odd_rope_dim": (
        GOOD +
        "func.func @f(%x: tensor<1x2x2x5xf32>) -> tensor<1x2x2x5xf32> {\n"
        "  %0 = sessa.rope %x : tensor<1x2x2x5xf32>\n"
        "  return %0 : tensor<1x2x2x5xf32>\n"
        "}\n", [], (6, 8), "even"),
    "verifier_gqa_heads": (
        "func.func @f(%q: tensor<1x4x6x8xf32>, %k: tensor<1x4x4x8xf32>) -> tensor<1x4x6x8xf32> {\n"
        "  %0 = sessa.attention %q, %k, %k : tensor<1x4x6x8xf32>, tensor<1x4x4x8xf32>, "
        "tensor<1x4x4x8xf32>\n"
        "  return %0 : tensor<1x4x6x8xf32>\n"
        "}\n", [], (2, 8), "sessa.attention"),
    "non_tensor_argument": (
        GOOD +
        "func.func @f(%x: tensor<1x2x2x4xf32>, %p: index) -> tensor<1x2x2x4xf32> {\n"
        "  %0 = sessa.rope %x offset(%p) : tensor<1x2x2x4xf32>\n"
        "  return %0 : tensor<1x2x2x4xf32>\n"
        "}\n", [], (5, 1), "argument #1 has type 'index'"),
    "non_tensor_result": (
        "func.func @f(%x: tensor<1x2x2x4xf32>) -> (tensor<1x2x2x4xf32>, index) {\n"
        "  %c = arith.constant 3 : index\n"
        "  %0 = sessa.rope %x : tensor<1x2x2x4xf32>\n"
        "  return %0, %c : tensor<1x2x2x4xf32>, index\n"
        "}\n", [], (1, 1), "result #1 has type 'index'"),
    "unsupported_element_type": (
        "func.func @f(%x: tensor<1x2x2x4xf32>, %m: tensor<4xi8>) -> tensor<1x2x2x4xf32> {\n"
        "  %0 = sessa.rope %x : tensor<1x2x2x4xf32>\n"
        "  return %0 : tensor<1x2x2x4xf32>\n"
        "}\n", [], (1, 1), "i8"),
    "undetermined_result_dim": (
        "func.func @f(%x: tensor<1x2x2x4xf32>) -> tensor<?x2x2x4xf32> {\n"
        "  %0 = sessa.rope %x : tensor<1x2x2x4xf32>\n"
        "  %1 = tensor.cast %0 : tensor<1x2x2x4xf32> to tensor<?x2x2x4xf32>\n"
        "  return %1 : tensor<?x2x2x4xf32>\n"
        "}\n", [], (1, 1), "not determined by the inputs"),
    # Collapsing two dynamic dimensions: the product is no input dimension.
    "undetermined_collapsed_dim": (
        "func.func @f(%x: tensor<?x?x4xf32>) -> tensor<?x4xf32> {\n"
        "  %0 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<?x?x4xf32> into tensor<?x4xf32>\n"
        "  return %0 : tensor<?x4xf32>\n"
        "}\n", [], (1, 1), "not determined by the inputs"),
    "entry_name_not_c_identifier": (
        GOOD +
        "func.func @\"my-entry\"(%x: tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32> {\n"
        "  %0 = sessa.rope %x : tensor<1x2x2x4xf32>\n"
        "  return %0 : tensor<1x2x2x4xf32>\n"
        "}\n", [], (5, 1), "C identifier"),
    "entry_name_reserved_prefix": (
        "func.func @sessa_forward(%x: tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32> {\n"
        "  %0 = sessa.rope %x : tensor<1x2x2x4xf32>\n"
        "  return %0 : tensor<1x2x2x4xf32>\n"
        "}\n", [], (1, 1), "sessa_"),
    "no_public_function": (
        "func.func private @f(%x: tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32> {\n"
        "  %0 = sessa.rope %x : tensor<1x2x2x4xf32>\n"
        "  return %0 : tensor<1x2x2x4xf32>\n"
        "}\n", [], None, "no public function"),
    "unknown_target": (GOOD, ["--target=tpu"], None, "'tpu'"),
    "name_not_c_identifier": (GOOD, ["--name=my-lib"], None, "C identifier"),
    # A linker that runs and fails, after the output directory is created.
    "link_failure": (GOOD, ["--linker=" + (shutil.which("false") or "/bin/false")], None,
                     "linking"),
}

LOC = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.*)$", re.M)

for name, (text, opts, where, needle) in CASES.items():
    src = os.path.join(work, name + ".mlir")
    with open(src, "w") as f:
        f.write(text)

    # 1. Into a directory that does not exist.
    out = os.path.join(work, name + ".absent")
    proc = run_compiler(src, out, *opts)
    m = LOC.search(proc.stderr)
    first = (proc.stderr.strip().splitlines() or ["(nothing on stderr)"])[0]
    chk.true("%s: exit code 1" % name, proc.returncode == 1,
             "exit %d; %s" % (proc.returncode, first))
    ok = m is not None and m.group("file") == src and needle in m.group("msg")
    if ok and where is not None:
        ok = (int(m.group("line")), int(m.group("col"))) == where
    chk.true("%s: located diagnostic %s:%s: error: ...%s..." % (
        name, os.path.basename(src), "%d:%d" % where if where else "LINE:COL", needle),
        ok, first.replace(work + os.sep, ""))
    if m is not None and (m.group("line"), m.group("col")) == ("0", "0"):
        chk.note("%s: the diagnostic is at %s:0:0 (the module; no source line)"
                 % (name, os.path.basename(src)))
    left = sorted(os.listdir(out)) if os.path.isdir(out) else None
    chk.true("%s: output directory absent or empty afterwards" % name, not left,
             "contains %s" % left)

    # 2. Into an empty directory.
    out = os.path.join(work, name + ".empty")
    os.makedirs(out)
    proc = run_compiler(src, out, *opts)
    left = sorted(os.listdir(out))
    chk.true("%s: an empty output directory stays empty (exit %d)" % (name, proc.returncode),
             proc.returncode == 1 and not left, "contains %s" % left)

# 3. Over an earlier artifact: a failing compile leaves it as it was.
good_src = os.path.join(work, "good.mlir")
with open(good_src, "w") as f:
    f.write(GOOD)
out = os.path.join(work, "earlier")
proc = run_compiler(good_src, out, "--name=model")
files = sorted(os.listdir(out)) if os.path.isdir(out) else []
chk.true("a good module writes libmodel.so, model.h, SessaRuntime.h, manifest.json",
         proc.returncode == 0 and files == ["SessaRuntime.h", "libmodel.so", "manifest.json",
                                            "model.h"],
         "exit %d, files %s %s" % (proc.returncode, files, proc.stderr[:200]))


def snapshot(d):
    snap = {}
    for n in sorted(os.listdir(d)):
        with open(os.path.join(d, n), "rb") as f:
            snap[n] = (f.read(), os.stat(os.path.join(d, n)).st_mtime_ns)
    return snap


before = snapshot(out)
for name in ("verifier_odd_rope_dim", "link_failure", "unknown_target"):
    text, opts, _, _ = CASES[name]
    src = os.path.join(work, name + ".mlir")
    proc = run_compiler(src, out, "--name=model", *opts)
    chk.true("%s over an earlier artifact: exit 1, the directory is unchanged" % name,
             proc.returncode == 1 and snapshot(out) == before,
             "exit %d, files %s" % (proc.returncode, sorted(os.listdir(out))))

# 4. A missing input file: exit 1, a message naming it, nothing written.
out = os.path.join(work, "missing.out")
missing = os.path.join(work, "does_not_exist.mlir")
proc = run_compiler(missing, out)
chk.true("missing input file: exit 1, message names the file, no output directory",
         proc.returncode == 1 and "does_not_exist.mlir" in proc.stderr
         and not (os.path.isdir(out) and os.listdir(out)),
         "exit %d: %s" % (proc.returncode, proc.stderr.strip()[:200]))

chk.finish()
