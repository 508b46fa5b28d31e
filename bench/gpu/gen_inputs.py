#!/usr/bin/env python3
"""Writes the sessa functions the GPU check/benchmark compiles (one per
variant: storage type, static Hb/dk/dv or Dm/N/G, cache and options), with
dynamic B, T (and P) so one bundle serves every shape of a variant."""
import os
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def fa(name, ty, hb, dk, dv, cache):
    f = "tensor<?x?x%dx%dx%s>" % (hb, dv, ty)
    q = "tensor<?x?x%dx%dx%s>" % (hb, dk, ty)
    g = "tensor<?x?x%dx%s>" % (hb, ty)
    args = "%%f: %s, %%q: %s, %%k: %s, %%g: %s" % (f, q, q, g)
    types = "%s, %s, %s, %s" % (f, q, q, g)
    use = "%f, %q, %k, %g"
    if cache:
        args += ", %%kp: %s, %%sp: %s" % (q, f)
        types += ", %s, %s" % (q, f)
        use += " cache(%kp, %sp)"
    text = ("func.func @%s(%s) -> %s {\n  %%s = sessa.feedback_attention %s : %s\n"
            "  return %%s : %s\n}\n" % (name, args, f, use, types, f))
    open(os.path.join(out, name + ".mlir"), "w").write(text)


def scan(name, ty, dm, n, g, full):
    x = "tensor<?x?x%dx%s>" % (dm, ty)
    a = "tensor<%dx%dx%s>" % (dm, n, ty)
    bc = "tensor<?x?x%dx%dx%s>" % (g, n, ty)
    v = "tensor<%dx%s>" % (dm, ty)
    h = "tensor<?x%dx%dx%s>" % (dm, n, ty)
    args = "%%u: %s, %%dt: %s, %%A: %s, %%B: %s, %%C: %s" % (x, x, a, bc, bc)
    opts = ""
    if full:
        args += ", %%D: %s, %%z: %s, %%bias: %s" % (v, x, v)
        opts = "D(%%D : %s) z(%%z : %s) delta_bias(%%bias : %s) " % (v, x, v)
        if full == "h0":
            args += ", %%h0: %s" % h
            opts += "h0(%%h0 : %s) " % h
        opts += "{delta_softplus}"
    text = ("func.func @%s(%s) -> (%s, %s) {\n"
            "  %%y, %%h = sessa.selective_scan %%u, %%dt, %%A, %%B, %%C %s"
            " : %s, %s, %s, %s, %s -> %s, %s\n  return %%y, %%h : %s, %s\n}\n"
            % (name, args, x, h, opts, x, x, a, bc, bc, x, h, x, h))
    open(os.path.join(out, name + ".mlir"), "w").write(text)


fa("fa_cache_f32", "f32", 2, 40, 24, True)
fa("fa_cache_bf16", "bf16", 2, 64, 96, True)
fa("fa_cache_f16", "f16", 2, 40, 24, True)
fa("fa_heads_f32", "f32", 3, 32, 80, False)
fa("fa_big_f32", "f32", 1, 1024, 1024, False)
fa("fa_big_bf16", "bf16", 1, 1024, 1024, False)
fa("fa_dec_bf16", "bf16", 1, 1024, 1024, True)
fa("fa_dec_f32", "f32", 1, 1024, 1024, True)
scan("scan_full_f32", "f32", 64, 16, 2, "h0")
scan("scan_min_f32", "f32", 48, 5, 3, None)
scan("scan_full_bf16", "bf16", 64, 16, 2, "h0")
scan("scan_staged_f32", "f32", 128, 16, 2, "h0")
scan("scan_staged_bf16", "bf16", 128, 16, 2, "h0")
scan("scan_staged8_f32", "f32", 64, 8, 1, None)
scan("scan_odd_f32", "f32", 45, 16, 3, "opts")
scan("scan_big_f32", "f32", 2048, 16, 1, "opts")
scan("scan_big_bf16", "bf16", 2048, 16, 1, "opts")
