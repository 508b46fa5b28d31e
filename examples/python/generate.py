#!/usr/bin/env python3
"""Compile a small Sessa language model ahead of time and generate text with it.

    scripts/run-example.sh                 # sets everything up, then runs this
    python examples/python/generate.py [--tokens 32] [--prompt TEXT] [--target cpu|cuda]

1. builds a Sessa language model with deterministic weights (byte vocabulary
   of 256, d_model 64, 2 layers, 4 heads over 2 key/value heads),
2. compiles it ahead of time for this CPU (a shared library with a C ABI:
   @prefill for chunks of tokens, @decode for one token, both over caches),
3. prefills a prompt and decodes tokens greedily with the compiled decode
   step, showing progress and tokens/s,
4. checks the prompt and a few decode steps against an independent float64
   numpy reference (exit status 1 if they disagree),
5. saves the model (artifact + weights.npz), loads it back with the
   ctypes-only runtime, and prints how to call it from C++ and Python.

The weights are random: the text it writes is not meant to make sense.
"""

import argparse
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SESSA_BUILD_DIR") or os.path.join(REPO, "build")

try:
    import sessa  # noqa: F401  (installed with pip, or on PYTHONPATH)
except ImportError:
    sys.path.insert(0, os.path.join(BUILD, "python_packages"))
import numpy as np  # noqa: E402

import sessa.compiler  # noqa: E402
import sessa.runtime  # noqa: E402
from sessa.model import LanguageModel, LMConfig  # noqa: E402

REL_TOL = 1e-4  # relative L2 error of f32 logits against the float64 reference


def reference_modules():
    """The float64 reference (test/Integration/lib/sessa_reference.py) and
    the language model composed from it (test/Python/lm_reference.py)."""
    for sub in (("test", "Integration", "lib"), ("test", "Python")):
        path = os.path.join(REPO, *sub)
        if path not in sys.path:
            sys.path.append(path)
    import sessa_reference
    import lm_reference
    return sessa_reference, lm_reference


def printable(tokens):
    """Bytes as text, with anything that is not printable ASCII escaped."""
    out = []
    for t in tokens:
        c = chr(int(t))
        out.append(c if 32 <= int(t) < 127 else "\\x%02x" % int(t))
    return "".join(out)


class Progress:
    """A progress bar on a terminal; a line every few tokens otherwise."""

    def __init__(self, total):
        self.total = total
        self.tty = sys.stdout.isatty()
        self.t0 = time.perf_counter()
        self.text = ""

    def update(self, done, token):
        """Token number `done` (1-based) arrived; the first comes from the
        prefill, the rate counts the decode steps after it."""
        now = time.perf_counter()
        if done == 1:
            self.t0 = now
        self.text += printable([token])
        rate = (done - 1) / (now - self.t0) if done > 1 and now > self.t0 else float("nan")
        width = 30
        fill = int(width * done / self.total)
        line = "  [%s%s] %3d/%d tokens  %7.1f tokens/s  %s" % (
            "#" * fill, "." * (width - fill), done, self.total, rate, self.text[-24:])
        if self.tty:
            sys.stdout.write("\r" + line)
            if done == self.total:
                sys.stdout.write("\n")
        elif done % 8 == 0 or done == self.total:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()


def errors(got, want):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    diff = np.abs(got - want)
    max_abs = float(diff.max())
    max_rel = max_abs / max(float(np.abs(want).max()), 1e-30)
    rel_l2 = float(np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-30))
    if not np.all(np.isfinite(got)):
        rel_l2 = max_abs = max_rel = float("inf")
    return max_abs, max_rel, rel_l2


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--prompt", default="Sessa puts attention inside a feedback loop. ")
    ap.add_argument("--tokens", type=int, default=32, help="tokens to decode (default 32)")
    ap.add_argument("--seed", type=int, default=3, help="seed of the random weights (default 3)")
    ap.add_argument("--out", default=os.path.join(BUILD, "examples", "sessa_lm"),
                    help="artifact directory (default: build/examples/sessa_lm)")
    ap.add_argument("--check-steps", type=int, default=4,
                    help="decode steps checked against the float64 reference (and the last)")
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=16, help="tokens per @prefill call")
    ap.add_argument("--opt-level", type=int, default=2, choices=(0, 1, 2, 3))
    ap.add_argument("--threads", type=int, default=1,
                    help="OpenMP threads of the compiled code (default 1: decoding a model this "
                         "small is latency-bound, threads only add synchronization; 0: all cores)")
    ap.add_argument("--no-check", action="store_true", help="skip the reference check")
    args = ap.parse_args(argv)
    if args.threads > 0:
        # Read by libomp when the artifact first runs (it is loaded below).
        os.environ["OMP_NUM_THREADS"] = str(args.threads)

    cfg = LMConfig(vocab_size=256, d_model=args.d_model, n_layers=args.layers,
                   n_heads=args.heads, n_kv_heads=args.kv_heads)
    model = LanguageModel.random(cfg, seed=args.seed)
    n_params = sum(v.size for v in model.params.values())
    print("== Sessa language model: byte vocabulary %d, d_model %d, %d layers, %d heads over %d "
          "kv heads, %d parameters (deterministic random weights, seed %d)"
          % (cfg.vocab_size, cfg.d_model, cfg.n_layers, cfg.n_heads, cfg.n_kv_heads, n_params,
             args.seed))

    # -- compile ---------------------------------------------------------------------
    print("== Compiling ahead of time for %s (%s, opt level %d) ..."
          % ("the CPU of this machine" if args.target == "cpu" else "CUDA",
             sessa.compiler.mlir_version(), args.opt_level))
    sys.stdout.flush()
    t0 = time.perf_counter()
    try:
        lm = model.compile(target=args.target, out_dir=args.out, name="sessa_lm",
                           prefill_chunk=args.chunk, opt_level=args.opt_level)
    except sessa.compiler.TargetNotAvailableError as e:
        print("error: --target %s is not available: %s" % (args.target, e))
        print("       (run without --target, or with --target cpu, to compile for the CPU)")
        return 2
    print("   compiled in %.1f s -> %s" % (time.perf_counter() - t0, lm.path))
    for e in lm.artifact.entries.values():
        (tn, tdt, tdims), (ln, ldt, ldims) = e.inputs[0], e.outputs[0]
        print("   @%-8s %s: %s[%s] + %d weights + %d caches [..., P, ...] -> %s: %s[%s] + caches "
              "[..., %s, ...]" % (e.name, tn, tdt, ", ".join(map(str, tdims)), len(e.inputs) - 1
                                  - 4 * cfg.n_layers, 4 * cfg.n_layers, ln, ldt,
                                  ", ".join(map(str, ldims)), e.outputs[1][2][1]))

    # -- prefill + decode ------------------------------------------------------------
    prompt = np.frombuffer(args.prompt.encode("utf-8"), np.uint8).astype(np.int64)[None]
    L = prompt.shape[1]
    print("== Prompt: %d tokens: %s" % (L, printable(prompt[0])))
    cache = lm.new_cache()
    progress = Progress(args.tokens)
    step_logits = []

    def on_token(step, token, logits):
        step_logits.append(np.array(logits[0], copy=True))
        progress.update(step + 1, int(token[0]))

    print("== Generating %d tokens greedily (prefill, then the compiled decode step; %s):"
          % (args.tokens, "%d thread%s" % (args.threads, "s" if args.threads > 1 else "")
             if args.threads > 0 else "all cores"))
    tokens, stats = lm.generate(prompt, args.tokens, cache=cache, on_token=on_token)
    print("   prefill: %d tokens in %.1f ms; decode: %d steps in %.1f ms = %.1f tokens/s"
          % (L, 1e3 * stats["prefill_s"], stats["decode_steps"], 1e3 * stats["decode_s"],
             stats["tokens_per_s"]))
    print("   text: %s|%s" % (printable(tokens[0, :L]), printable(tokens[0, L:])))
    print("   (the weights are random, so the continuation is not meant to make sense)")

    # -- check against the float64 reference ---------------------------------------
    failed = False
    if not args.no_check:
        ref, lm_ref = reference_modules()
        print("== Checking against the float64 numpy reference (rel. L2 tolerance %.0e)"
              % REL_TOL)
        t0 = time.perf_counter()
        # One forward pass over prompt + generated tokens (the last one was
        # never fed back): position L-1+i predicts generated token i.
        seq = tokens[:, :-1]
        want, _ = lm_ref.lm_forward(seq, model.params, cfg)
        check_cache = lm.new_cache()
        got_prompt = lm.prefill(prompt, check_cache)
        rows = [("prefill, all %d positions" % L, got_prompt[0], want[0, :L])]
        steps = sorted(set(list(range(min(args.check_steps, args.tokens)))
                           + [args.tokens - 1]))
        for i in steps:
            rows.append(("decode step %d" % i, step_logits[i], want[0, L - 1 + i]))
        agree = int(np.sum(np.argmax(want[0, L - 1:], axis=-1) == tokens[0, L:]))
        for what, got, w in rows:
            max_abs, max_rel, rel_l2 = errors(got, w)
            ok = rel_l2 <= REL_TOL
            failed |= not ok
            print("   %-4s %-28s max abs err %.2e  max rel err %.2e  rel L2 %.2e"
                  % ("ok" if ok else "FAIL", what, max_abs, max_rel, rel_l2))
        print("   greedy tokens equal to the reference's argmax: %d of %d" % (agree, args.tokens))
        print("   (reference: %.1f s)" % (time.perf_counter() - t0))

    # -- save, reload, how to use ------------------------------------------------------
    out = lm.save(args.out)
    again = sessa.runtime.load(out)
    same = np.array_equal(again.prefill(tokens, again.new_cache()),
                          lm.prefill(tokens, lm.new_cache()))
    failed |= not same
    print("== Saved: %s (lib%s.so, %s.h, SessaRuntime.h, manifest.json, weights.npz, "
          "sessa_model.json); reloaded with sessa.runtime.load: %s"
          % (out, lm.artifact.name, lm.artifact.name,
             "same logits" if same else "DIFFERENT logits"))
    name = lm.artifact.name
    n_in = len(lm.artifact.entries["decode"].inputs)
    n_out = len(lm.artifact.entries["decode"].outputs)
    print("""
== Calling it from Python (numpy only, no MLIR needed):
     import sessa.runtime
     lm = sessa.runtime.load("{out}")
     cache = lm.new_cache()
     logits = lm.prefill(prompt_ids, cache)          # [1, L, 256]
     logits = lm.decode_step(next_id, cache)         # [1, 256]; the cache grows by one row
     tokens, stats = lm.generate(prompt_ids, max_new_tokens=32)
     # The raw entry points: art.decode(tokens, *weights, *caches), art.prefill(...)
     art = sessa.runtime.Artifact("{out}")
     print(art.describe())

== Calling it from C or C++ ({out}/{name}.h):
     #include "{name}.h"
     // int32_t decode(const sessa_tensor *inputs, int32_t num_inputs,   /* {n_in}: tokens, weights, caches */
     //                sessa_tensor *outputs, int32_t num_outputs,       /* {n_out}: logits, caches + 1 row */
     //                sessa_status *status);
     // Weights: {out}/weights.npz, one array per input name, in the header's order.
     c++ -std=c++17 main.cpp -I{out} -L{out} -l{name} -Wl,-rpath,{out}
   examples/cpp/main.cpp is a complete program over the same C ABI (one layer,
   prefill and decode with its caches).
""".format(out=out, name=name, n_in=n_in, n_out=n_out))
    if failed:
        print("FAILED: the compiled model disagrees with the reference")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
