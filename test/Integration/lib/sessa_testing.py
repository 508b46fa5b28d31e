"""Shared helpers of the execution suites (test/Integration/CPU).

- MLIR text generation for one entry point per sessa op (`rope_func`,
  `attention_func`, `feedback_func`, `scan_func`, `layer_func`); shapes are
  tuples where `None` is a dynamic dimension. Every argument and result gets
  a `sessa.name`, so artifacts describe themselves with readable names.
- `compile_module`: runs `sessa-compile` on a module text and loads the
  artifact with the ctypes loader (`sessa_artifact.Artifact`).
- `Checker`: prints one line per check and exits 1 at the end if any failed;
  `close()` compares with the float64 reference by relative L2 error and can
  never pass on NaN / Inf (or on a shape mismatch).
- bf16 / f16 buffers: `to_bf16` / `from_bf16` (bf16 as np.uint16 bit
  patterns, round to nearest even) and `call_as`, which calls an entry point
  with buffers of any sessa dtype (the loader itself has no bf16 support).
- `raw_call`: calls an entry point with hand-made `sessa_tensor`s (any dtype
  code, rank, shape, NULL data or NULL status) and returns (code, message).
"""

import ctypes
import math
import os
import shutil
import subprocess
import sys
import time

import numpy as np

import sessa_reference as ref
from sessa_artifact import Artifact, SessaError
# ctypes structures of SessaRuntime.h, for raw_call / call_as.
from sessa_artifact import _Status, _Tensor  # noqa: F401

__all__ = [
    "ttype", "func_text", "rope_func", "attention_func", "feedback_func",
    "scan_func", "layer_func", "layer_operands", "layer_ref_params",
    "compile_module", "try_compile", "run_compiler", "Checker", "to_bf16", "from_bf16",
    "round_to", "call_as", "raw_call", "Buf", "DTYPE_CODES", "SessaError",
    "Artifact", "ref", "gates", "randn",
]

# Dtype codes and error codes of SessaRuntime.h, as the package's runtime
# (which sessa_artifact re-exports) defines them.
from sessa.runtime import (  # noqa: E402,F401
    DTYPE_CODES, OK, INVALID_ARGUMENT, DTYPE_MISMATCH, RANK_MISMATCH,
    SHAPE_MISMATCH, INTERNAL)


# --------------------------------------------------------------------------
# MLIR text
# --------------------------------------------------------------------------

def ttype(shape, dtype="f32"):
    """tensor<2x?x4xf32> from (2, None, 4)."""
    dims = "x".join("?" if d is None else str(int(d)) for d in shape)
    return "tensor<%s%s%s>" % (dims, "x" if len(shape) else "", dtype)


def func_text(name, args, results, body):
    """A func.func. args: [(ssa, type, sessa_name)], results: [(ssa, type,
    sessa_name)], body: list of op lines (without the return)."""
    arg_s = ", ".join('%%%s: %s {sessa.name = "%s"}' % (a, t, n) for a, t, n in args)
    res_s = ", ".join('%s {sessa.name = "%s"}' % (t, n) for _, t, n in results)
    lines = ["func.func @%s(%s) -> (%s) {" % (name, arg_s, res_s)]
    lines += ["  " + b for b in body]
    lines.append("  return %s : %s" % (", ".join("%" + r for r, _, _ in results),
                                       ", ".join(t for _, t, _ in results)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _attrs(d):
    items = ["%s = %s" % (k, v) for k, v in d.items() if v is not None]
    return (" {%s}" % ", ".join(items)) if items else ""


def _f64(v):
    return None if v is None else "%.17e : f64" % float(v)


def rope_func(name, shape, dtype="f32", static_offset=None, base=None,
              offset_from_dim=False):
    """sessa.rope on x: shape. offset_from_dim: the position offset is an
    `index` operand, the (dynamic) size of an extra input `pos : tensor<?xf32>`
    (entry points take tensors only), so the artifact is called with a dummy
    `pos` of P elements."""
    t = ttype(shape, dtype)
    args = [("x", t, "x")]
    body = []
    off = ""
    if offset_from_dim:
        args.append(("pos", ttype((None,), "f32"), "pos"))
        body += ["%c0 = arith.constant 0 : index",
                 "%p = tensor.dim %pos, %c0 : tensor<?xf32>"]
        off = " offset(%p)"
    attrs = _attrs({"base": _f64(base), "static_offset": static_offset})
    body.append("%%y = sessa.rope %%x%s%s : %s" % (off, attrs, t))
    return func_text(name, args, [("y", t, "y")], body)


def attention_func(name, q_shape, kv_shape, dtype="f32", scale=None):
    tq, tk = ttype(q_shape, dtype), ttype(kv_shape, dtype)
    body = ["%%o = sessa.attention %%q, %%k, %%v%s : %s, %s, %s"
            % (_attrs({"scale": _f64(scale)}), tq, tk, tk)]
    return func_text(name, [("q", tq, "q"), ("k", tk, "k"), ("v", tk, "v")],
                     [("o", tq, "out")], body)


def feedback_func(name, B, T, Hb, dk, dv, P=False, dtype="f32", scale=None):
    """sessa.feedback_attention; P=False: no cache, else the cache rows
    (an int or None for dynamic)."""
    tf = ttype((B, T, Hb, dv), dtype)
    tqk = ttype((B, T, Hb, dk), dtype)
    tg = ttype((B, T, Hb), dtype)
    args = [("f", tf, "f"), ("qb", tqk, "qb"), ("kb", tqk, "kb"), ("gamma", tg, "gamma")]
    cache = ""
    ctypes_ = ""
    if P is not False:
        tkp, tsp = ttype((B, P, Hb, dk), dtype), ttype((B, P, Hb, dv), dtype)
        args += [("kbp", tkp, "kb_prev"), ("sp", tsp, "s_prev")]
        cache = " cache(%kbp, %sp)"
        ctypes_ = ", %s, %s" % (tkp, tsp)
    body = ["%%s = sessa.feedback_attention %%f, %%qb, %%kb, %%gamma%s%s : %s, %s, %s, %s%s"
            % (cache, _attrs({"scale": _f64(scale)}), tf, tqk, tqk, tg, ctypes_)]
    return func_text(name, args, [("s", tf, "s")], body)


def scan_func(name, B, T, Dm, N, G, D=False, z=False, delta_bias=False,
              h0=False, softplus=False, dtype="f32"):
    """sessa.selective_scan; inputs u, delta, A, Bm, C then the optional
    operands present, in the order D, z, delta_bias, h0."""
    tu = ttype((B, T, Dm), dtype)
    tA = ttype((Dm, N), dtype)
    tB = ttype((B, T, G, N), dtype)
    tv = ttype((Dm,), dtype)
    th = ttype((B, Dm, N), dtype)
    args = [("u", tu, "u"), ("delta", tu, "delta"), ("A", tA, "A"),
            ("Bm", tB, "B"), ("C", tB, "C")]
    opt = ""
    if D:
        args.append(("D", tv, "D"))
        opt += " D(%%D : %s)" % tv
    if z:
        args.append(("z", tu, "z"))
        opt += " z(%%z : %s)" % tu
    if delta_bias:
        args.append(("db", tv, "delta_bias"))
        opt += " delta_bias(%%db : %s)" % tv
    if h0:
        args.append(("h0", th, "h0"))
        opt += " h0(%%h0 : %s)" % th
    attrs = " {delta_softplus}" if softplus else ""
    body = ["%%y, %%h = sessa.selective_scan %%u, %%delta, %%A, %%Bm, %%C%s%s : "
            "%s, %s, %s, %s, %s -> %s, %s"
            % (opt, attrs, tu, tu, tA, tB, tB, tu, th)]
    return func_text(name, args, [("y", tu, "y"), ("h", th, "last_state")], body)


BIAS_NAMES = ("in", "q", "k", "v", "fb", "out")
_BIAS_KEYS = {"in": "W_in.bias", "q": "mixer.q_proj.bias", "k": "mixer.k_proj.bias",
              "v": "mixer.v_proj.bias", "fb": "mixer.proj_fb.bias", "out": "W_out.bias"}


def _bias_set(biases):
    if biases is True:
        return set(BIAS_NAMES)
    if not biases:
        return set()
    return set(biases)


def layer_func(name, B, T, D, H, Hk, biases=True, rope=None, cache=False,
               dtype="f32", eps=None, gamma_max=None, rope_base=None):
    """sessa.layer. biases: True, False or a subset of BIAS_NAMES. cache:
    False (no cache), else the cache rows P (int, or None for dynamic); the
    entry then returns y and the four extended caches (rows P + T, dynamic
    when P or T is)."""
    bs = _bias_set(biases)
    d = D // H
    t = lambda *s: ttype(s, dtype)  # noqa: E731
    args = [("x", t(B, T, D), "x"), ("ln_w", t(D), "ln_weight"), ("ln_b", t(D), "ln_bias")]
    uses = ["%x norm(%ln_w, %ln_b)"]

    def proj(kw, wname, wshape, bname, bshape, key):
        args.append((wname, t(*wshape), wname))
        if key in bs:
            args.append((bname, t(*bshape), bname))
            uses.append("%s(%%%s, %%%s)" % (kw, wname, bname))
        else:
            uses.append("%s(%%%s)" % (kw, wname))

    proj("in_proj", "w_in", (2 * D, D), "b_in", (2 * D,), "in")
    proj("q_proj", "w_q", (D, D), "b_q", (D,), "q")
    proj("k_proj", "w_k", (Hk * d, D), "b_k", (Hk * d,), "k")
    proj("v_proj", "w_v", (Hk * d, D), "b_v", (Hk * d,), "v")
    proj("fb_proj", "w_fb", (2 * D, D), "b_fb", (2 * D,), "fb")
    if H > 1:
        args.append(("w_o", t(D, D), "out_proj"))
        uses.append("out_proj(%w_o)")
    args += [("g_ctx", t(1, D), "gamma_ctx"), ("g_bias", t(1), "gamma_bias")]
    uses.append("gate(%g_ctx, %g_bias)")
    proj("out", "w_out", (D, D), "b_out", (D,), "out")
    results = [("y", t(B, T, D), "y")]
    if cache is not False:
        P = cache
        PT = None if (P is None or T is None) else P + T
        args += [("kc", t(B, P, Hk, d), "k_cache"), ("vc", t(B, P, Hk, d), "v_cache"),
                 ("kbc", t(B, P, 1, D), "kb_cache"), ("sc", t(B, P, 1, D), "s_cache")]
        uses.append("cache(%kc, %vc, %kbc, %sc)")
        results += [("k1", t(B, PT, Hk, d), "k_cache_out"), ("v1", t(B, PT, Hk, d), "v_cache_out"),
                    ("kb1", t(B, PT, 1, D), "kb_cache_out"), ("s1", t(B, PT, 1, D), "s_cache_out")]
    attrs = {"num_heads": "%d : i64" % H, "num_kv_heads": "%d : i64" % Hk,
             "eps": _f64(eps), "gamma_max": _f64(gamma_max),
             "rope": None if rope is None else ("true" if rope else "false"),
             "rope_base": _f64(rope_base)}
    op = "%s = sessa.layer %s%s : (%s) -> (%s)" % (
        ", ".join("%" + r for r, _, _ in results), " ".join(uses), _attrs(attrs),
        ", ".join(a[1] for a in args), ", ".join(r[1] for r in results))
    return func_text(name, args, results, [op])


def layer_ref_params(D, H, Hk, rng, biases=True):
    """Reference parameters (state-dict keys) with exactly the biases in
    `biases` (True, False or a subset of BIAS_NAMES), float32."""
    p = ref.make_layer_params(D, H, Hk, rng, biases=True)
    for b in set(BIAS_NAMES) - _bias_set(biases):
        del p[_BIAS_KEYS[b]]
    return p


def layer_operands(params, H, biases=True):
    """The weight operands of `layer_func` (everything after x, before the
    caches), in order, from reference parameters."""
    bs = _bias_set(biases)
    p = params
    out = [p["ln.weight"], p["ln.bias"]]

    def proj(wkey, key):
        out.append(p[wkey])
        if key in bs:
            out.append(p[_BIAS_KEYS[key]])

    proj("W_in.weight", "in")
    proj("mixer.q_proj.weight", "q")
    proj("mixer.k_proj.weight", "k")
    proj("mixer.v_proj.weight", "v")
    proj("mixer.proj_fb.weight", "fb")
    if H > 1:
        out.append(p["mixer.out_proj.weight"])
    D = p["ln.weight"].shape[0]
    out.append(np.reshape(p["mixer.gamma_ctx.weight"], (1, D)))
    out.append(np.reshape(p["mixer.gamma_bias"], (1,)))
    proj("W_out.weight", "out")
    return [np.ascontiguousarray(a) for a in out]


# --------------------------------------------------------------------------
# Random inputs
# --------------------------------------------------------------------------

def randn(rng, *shape, scale=1.0, dtype=np.float32):
    return (scale * rng.standard_normal(shape)).astype(dtype)


def gates(rng, *shape, bound=0.9):
    """A squashed gate, |gamma| < bound."""
    return (bound * np.tanh(rng.standard_normal(shape))).astype(np.float32)


# --------------------------------------------------------------------------
# Compiling
# --------------------------------------------------------------------------

def _sessa_compile():
    exe = os.environ.get("SESSA_COMPILE") or shutil.which("sessa-compile")
    if exe:
        return exe
    here = os.path.dirname(os.path.abspath(__file__))
    guess = os.path.join(here, "..", "..", "..", "build", "bin", "sessa-compile")
    if os.path.exists(guess):
        return os.path.abspath(guess)
    raise RuntimeError("sessa-compile not found on PATH (set SESSA_COMPILE)")


def run_compiler(mlir_path, out_dir, *extra):
    """Runs sessa-compile; returns the CompletedProcess (text output)."""
    cmd = [_sessa_compile(), mlir_path, "-o", out_dir] + list(extra)
    return subprocess.run(cmd, capture_output=True, text=True)


def compile_module(text, workdir, name, extra=()):
    """Writes `text` to WORKDIR/NAME.mlir, compiles it into WORKDIR/NAME/ and
    returns the loaded Artifact. Raises (with the diagnostics) on failure."""
    os.makedirs(workdir, exist_ok=True)
    src = os.path.join(workdir, name + ".mlir")
    with open(src, "w") as f:
        f.write(text)
    out = os.path.join(workdir, name)
    if os.path.isdir(out):
        shutil.rmtree(out)
    t0 = time.time()
    proc = run_compiler(src, out, "--name=" + name, *extra)
    dt = time.time() - t0
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout)
        sys.stdout.write(proc.stderr)
        raise RuntimeError("sessa-compile failed (exit %d) on %s" % (proc.returncode, src))
    art = Artifact(os.path.join(out, "lib%s.so" % name))
    print("compiled %s (%d entry points) in %.2fs" % (name, len(art.entries), dt))
    sys.stdout.flush()
    return art


def try_compile(chk, text, workdir, name, what):
    """compile_module, recorded as a check of `chk`: returns the Artifact, or
    None (a failed check quoting the first diagnostic) if sessa-compile fails,
    so that the remaining checks of a test still run."""
    os.makedirs(workdir, exist_ok=True)
    src = os.path.join(workdir, name + ".mlir")
    with open(src, "w") as f:
        f.write(text)
    out = os.path.join(workdir, name)
    if os.path.isdir(out):
        shutil.rmtree(out)
    proc = run_compiler(src, out, "--name=" + name)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        errors = [l for l in lines if "error:" in l]
        first = (errors or lines or ["(no diagnostic)"])[0]
        how = ("crashed (signal %d)" % -proc.returncode if proc.returncode < 0
               else "exit %d" % proc.returncode)
        chk.true("%s compiles" % what, False, "sessa-compile %s: %s" % (how, first))
        return None
    chk.true("%s compiles" % what, True)
    return Artifact(os.path.join(out, "lib%s.so" % name))


# --------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------

class Checker:
    """Collects checks; `finish()` prints a summary and exits 1 on failure."""

    def __init__(self, title):
        self.title = title
        self.failures = []
        self.count = 0
        self.t0 = time.time()
        self.calls = 0
        self.clobbered = []
        print("== %s" % title)
        sys.stdout.flush()

    def _record(self, ok, line):
        self.count += 1
        print("%-4s %s" % ("ok" if ok else "FAIL", line))
        sys.stdout.flush()
        if not ok:
            self.failures.append(line)
        return ok

    def close(self, name, got, want, tol):
        """rel_l2(got, want) <= tol; NaN / Inf / a shape mismatch fail."""
        got = np.asarray(got)
        want = np.asarray(want)
        if got.shape != want.shape:
            return self._record(False, "%s: shape %s, expected %s" % (name, got.shape, want.shape))
        err = ref.rel_l2(got, want)
        ok = math.isfinite(err) and err <= tol
        extra = ""
        if not np.all(np.isfinite(np.asarray(got, dtype=np.float64))):
            extra = " (result has %d non-finite values)" % int(
                np.sum(~np.isfinite(np.asarray(got, dtype=np.float64))))
        return self._record(ok, "%-62s rel_l2=%.2e (tol %.2g)%s" % (name, err, tol, extra))

    def equal(self, name, got, want):
        """Bitwise / exact equality (same shape and values; NaN fails)."""
        got = np.asarray(got)
        want = np.asarray(want)
        ok = got.shape == want.shape and bool(np.all(got == want))
        detail = "" if ok else " (shape %s vs %s, max |diff| %s)" % (
            got.shape, want.shape,
            np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))
            if got.shape == want.shape else "-")
        return self._record(ok, "%s: exactly equal%s" % (name, detail))

    def call(self, art, name, *inputs, **kw):
        """art.call(name, *inputs, **kw), also checking that the inputs are
        left as they were (reported once, by finish())."""
        before = [np.array(x, copy=True) for x in inputs]
        outs = art.call(name, *inputs, **kw)
        self.calls += 1
        for i, (x, b) in enumerate(zip(inputs, before)):
            if not np.array_equal(np.asarray(x), b, equal_nan=True):
                self.clobbered.append("%s input #%d (%s)" % (name, i, art.entries[name].inputs[i][0]))
        return outs

    def note(self, line):
        """Information that is not a check (printed, never fails)."""
        print("note %s" % line)
        sys.stdout.flush()

    def true(self, name, cond, detail=""):
        return self._record(bool(cond), name + (": " + detail if detail else ""))

    def finish(self):
        if self.calls:
            self.true("no call modified its inputs (%d calls)" % self.calls, not self.clobbered,
                      ("modified: " + ", ".join(self.clobbered[:5])) if self.clobbered else "")
        dt = time.time() - self.t0
        if self.failures:
            print("== %s: %d of %d checks FAILED (%.1fs)" % (self.title, len(self.failures),
                                                          self.count, dt))
            for f in self.failures:
                print("   FAILED: " + f)
            sys.stdout.flush()
            sys.exit(1)
        print("== %s: all %d checks passed (%.1fs)" % (self.title, self.count, dt))
        sys.stdout.flush()


# --------------------------------------------------------------------------
# Low precision and raw calls
# --------------------------------------------------------------------------

def to_bf16(x):
    """float -> bf16 bit patterns (np.uint16), round to nearest even."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    r = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return r.astype(np.uint16)


def from_bf16(b):
    """bf16 bit patterns (np.uint16) -> float32."""
    return (np.asarray(b, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def round_to(x, dtype):
    """x rounded to `dtype` ("f32", "f16", "bf16"), returned as float32."""
    if dtype == "bf16":
        return from_bf16(to_bf16(x))
    if dtype == "f16":
        return np.asarray(x, dtype=np.float16).astype(np.float32)
    return np.asarray(x, dtype=np.float32)


def encode(x, dtype):
    """The buffer of `x` in `dtype`: np.float32 / np.float16 / np.uint16 (bf16)."""
    if dtype == "bf16":
        return to_bf16(x)
    if dtype == "f16":
        return np.ascontiguousarray(x, dtype=np.float16)
    if dtype == "f32":
        return np.ascontiguousarray(x, dtype=np.float32)
    raise ValueError(dtype)


def decode(buf, dtype):
    return from_bf16(buf) if dtype == "bf16" else np.asarray(buf, dtype=np.float32)


class Buf:
    """A hand-made sessa_tensor: a numpy buffer (or None for NULL data),
    a dtype name or code, and a shape (defaults to the buffer's)."""

    def __init__(self, arr, dtype=None, shape=None):
        self.arr = arr
        if dtype is None:
            dtype = {np.dtype(np.float32): "f32", np.dtype(np.float16): "f16",
                     np.dtype(np.float64): "f64", np.dtype(np.int32): "i32",
                     np.dtype(np.int64): "i64", np.dtype(np.uint16): "bf16"}[arr.dtype]
        self.code = DTYPE_CODES[dtype] if isinstance(dtype, str) else int(dtype)
        self.shape = tuple(arr.shape) if shape is None else tuple(shape)

    def tensor(self):
        t = _Tensor()
        t.data = None if self.arr is None else self.arr.ctypes.data
        t.dtype = self.code
        t.rank = len(self.shape)
        for i, n in enumerate(self.shape):
            t.shape[i] = n
        return t


def raw_call(art, name, inputs, outputs, with_status=True):
    """Calls entry `name` with Buf inputs / outputs; returns (code, message).
    with_status=False passes a NULL status (message is then None)."""
    entry = art._entry(name)
    ins = (_Tensor * max(len(inputs), 1))()
    for i, b in enumerate(inputs):
        ins[i] = b.tensor()
    outs = (_Tensor * max(len(outputs), 1))()
    for i, b in enumerate(outputs):
        outs[i] = b.tensor()
    if with_status:
        status = _Status()
        rc = entry._fn(ins, len(inputs), outs, len(outputs), ctypes.byref(status))
        return int(rc), status.message.decode("utf-8", "replace")
    rc = entry._fn(ins, len(inputs), outs, len(outputs), None)
    return int(rc), None


def call_as(art, name, dtype, *inputs):
    """Calls entry `name` with every input encoded in `dtype` ("f32", "f16"
    or "bf16", the entry's declared dtype) and returns the outputs decoded to
    float32. Raises SessaError on a non-zero return code."""
    entry = art._entry(name)
    bufs = [encode(x, dtype) for x in inputs]
    shapes = art.output_shapes(name, *bufs)
    np_dt = {"bf16": np.uint16, "f16": np.float16, "f32": np.float32}[dtype]
    outs = [np.empty(s, dtype=np_dt) for s in shapes]
    for (oname, odt, _), _o in zip(entry.outputs, outs):
        if odt != dtype:
            raise TypeError("entry %r: output %r is %s, not %s" % (name, oname, odt, dtype))
    rc, msg = raw_call(art, name, [Buf(b, dtype) for b in bufs], [Buf(o, dtype) for o in outs])
    if rc != 0:
        raise SessaError(rc, msg)
    return [decode(o, dtype) for o in outs]
