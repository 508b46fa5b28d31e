"""Run on the GPU machine: python3 bench/gpu/launch_overhead.py ART [ART_WAIT]
(SESSA_PYTHONPATH=python; ART: gpu_bench build output with layer_bf16 and
step_bf16). Where the time of a bf16 layer call (B, T) = (4, 2048) and
(1, 8192) that is not kernel time goes:

  * Python: the host time of one call with the C entry replaced by a no-op,
    the first time a set of tensors is seen (arguments checked and
    described) and again (the description reused, runtime.py _fast_key);
  * the C entry: host time of a prepared call (BoundEntry.prepare: no
    Python argument handling): checks, pointer queries, 56 launches, TMA map
    lookups, temporaries, with programmatic dependent launch on and off;
  * CUDA events around one call (each call timed alone, as gpu_bench): the
    plain call with its arguments described every time (before this work),
    the plain call (description reused), the prepared call, each with
    SESSA_CUDA_PDL=1 and 0; and 20 calls back to back per event pair;
  * the launch counts of the runtime (how many used PDL);
  * ART_WAIT (optional): the same layer built with --cuda-grid-dependency=wait
    (griddepcontrol.wait only, no launch_dependents), timed the same way.
"""
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.environ.get("SESSA_PYTHONPATH", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_bench as g  # noqa: E402
import sessa.runtime as rt  # noqa: E402

dev = torch.device("cuda")
rng = np.random.default_rng(1)
p = {k: torch.from_numpy(v).to(dev).bfloat16() for k, v in g.make_params(rng).items()}
ops = [p[k] for k in g.OPERAND_ORDER]


def med(xs):
    return float(np.median(xs))


def host_us(fn, n=50):
    """Median host time of fn() (enqueue only), with the GPU drained before
    each call so that a full queue never blocks the host."""
    ts = []
    for _ in range(n):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    torch.cuda.synchronize()
    return 1e6 * med(ts)


def ev_ms(fn, reps=30):
    return g.cuda_time(torch, fn, warmup=3, reps=reps)[0]


def set_pdl(on):
    os.environ["SESSA_CUDA_PDL"] = "1" if on else "0"


def launches_per_call(art, fn):
    torch.cuda.synchronize()
    art.launch_stats(reset=True)
    fn()
    torch.cuda.synchronize()
    n, pdl, rejected = art.launch_stats(reset=True)
    return n, pdl, rejected


def layer_case(path, B, T, label):
    art = rt.load(os.path.join(path, "layer_bf16"))
    x = torch.randn(B, T, g.D, device=dev).bfloat16()
    y = torch.empty_like(x)
    plain = lambda: art.layer_bf16(x, *ops, outputs=[y])  # noqa: E731

    def described_every_time():
        art._described.clear()
        art.layer_bf16(x, *ops, outputs=[y])
    bound = art.bind("layer_bf16", {i + 1: w for i, w in enumerate(ops)})
    prepared = bound.prepare(x, outputs=[y])
    for _ in range(5):
        plain()
        prepared()
    torch.cuda.synchronize()
    print("\n== %s layer_bf16 (%d,%d,%d,%d)" % (label, B, T, g.D, g.H))
    n, pdl, rejected = launches_per_call(art, plain)
    print("  launches per call: %d, with programmatic dependent launch: %d%s"
          % (n, pdl, "" if not rejected else " (driver rejected the attribute: %d)" % rejected))
    # Python alone: the C entry replaced by a no-op.
    entry = art.entries["layer_bf16"]
    real = entry._fn
    entry._fn = lambda *a: 0
    try:
        py_first = host_us(described_every_time)
        art._described.clear()
        plain()  # described once, with the no-op
        py_again = host_us(plain)
    finally:
        entry._fn = real
        art._described.clear()
    print("  Python per call (C entry a no-op): %.1f us describing the arguments, %.1f us "
          "reusing the description" % (py_first, py_again))
    out = {}
    for on in (True, False):
        set_pdl(on)
        c_host = host_us(prepared)
        full_host = host_us(plain)
        t_desc = ev_ms(described_every_time)
        t_plain = ev_ms(plain)
        t_prep = ev_ms(prepared)
        b2b = g.cuda_time_loop(torch, plain, n=20, warmup=3)
        out[on] = (t_desc, t_plain, t_prep, b2b)
        print("  PDL %-3s: host: C entry (prepared call) %.1f us, plain call %.1f us; "
              "CUDA events, one call alone: described every call %.3f ms, plain %.3f ms, "
              "prepared %.3f ms; 20 back to back %.3f ms/call"
              % ("on" if on else "off", c_host, full_host, t_desc, t_plain, t_prep, b2b))
    set_pdl(True)
    graph_case(bound, x, y)
    return art, out


def graph_case(bound, x, y):
    """Experiment (step 3): the prepared call captured into a CUDA graph on a
    side stream (temporaries come from the runtime's cache, so the graph
    holds no allocation of its own; TMA maps are cached before capture) and
    replayed, each replay timed alone."""
    try:
        s = torch.cuda.Stream()
        call = bound.prepare(x, outputs=[y], stream=s)
        with torch.cuda.stream(s):
            for _ in range(3):
                call()
        torch.cuda.synchronize()
        free0 = torch.cuda.mem_get_info()[0]
        gr = torch.cuda.CUDAGraph()
        with torch.cuda.graph(gr, stream=s, capture_error_mode="thread_local"):
            call()
        torch.cuda.synchronize()
        held = (free0 - torch.cuda.mem_get_info()[0]) / 2**20
        y_ref = y.clone()
        y.zero_()
        gr.replay()
        torch.cuda.synchronize()
        same = bool(torch.equal(y, y_ref))
        t = ev_ms(gr.replay)
        print("  CUDA graph of the prepared call (experiment): replay %.3f ms (one alone), "
              "output equal to the direct call: %s, device memory taken by capture %.1f MB"
              % (t, same, held))
    except Exception as e:  # noqa: BLE001
        print("  CUDA graph capture failed: %s" % str(e).splitlines()[0][:300])


def decode_case(path):
    S = rt.load(os.path.join(path, "step_bf16"))
    D, HK = g.D, g.HK
    d = D // g.H
    B, P = g.DECODE_B, g.DECODE_P
    bufs = [torch.randn(B, P + 64, HK, d, device=dev).bfloat16(),
            torch.randn(B, P + 64, HK, d, device=dev).bfloat16(),
            torch.randn(B, P + 64, 1, D, device=dev).bfloat16(),
            torch.randn(B, P + 64, 1, D, device=dev).bfloat16()]
    x1 = torch.randn(B, 1, D, device=dev).bfloat16()
    y1 = torch.empty_like(x1)
    ins = [b[:, :P] for b in bufs]
    outs = [y1] + [b[:, :P + 1] for b in bufs]
    step = S.bind("step_bf16", {i + 1: w for i, w in enumerate(ops)})
    bound = lambda: step(x1, *ins, outputs=outs)  # noqa: E731
    prepared = step.prepare(x1, *ins, outputs=outs)
    print("\n== decode step_bf16 B=%d P=%d (caches in place)" % (B, P))
    n, pdl, rejected = launches_per_call(S, bound)
    print("  launches per call: %d, with PDL: %d" % (n, pdl))
    for on in (True, False):
        set_pdl(on)
        print("  PDL %-3s: bound call %.3f ms, prepared %.3f ms (each alone); loop of 200 "
              "prepared: %.3f ms/step; host: bound call %.1f us, prepared %.1f us"
              % ("on" if on else "off", ev_ms(bound, 50), ev_ms(prepared, 50),
                 g.cuda_time_loop(torch, prepared), host_us(bound), host_us(prepared)))
    set_pdl(True)


print("machine: %s; torch %s" % (torch.cuda.get_device_name(0), torch.__version__))
art = sys.argv[1]
layer_case(art, 4, 2048, "launch")
layer_case(art, 1, 8192, "launch")
decode_case(art)
if len(sys.argv) > 2:
    layer_case(sys.argv[2], 4, 2048, "wait-only")
    layer_case(sys.argv[2], 1, 8192, "wait-only")
