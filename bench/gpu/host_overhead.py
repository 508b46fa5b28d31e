"""Run on the GPU machine: python3 bench/gpu/host_overhead.py ART/step_bf16
(SESSA_PYTHONPATH=python). Where a decode step's time goes on the host: Python argument handling,
the C entry (checks + launches), and the GPU."""
import os, sys, time
import numpy as np
import torch
sys.path.insert(0, os.environ.get("SESSA_PYTHONPATH", "python"))
sys.path.insert(0, "bench/gpu")
import gpu_bench as g
import sessa.runtime as rt
dev = torch.device("cuda")
art = rt.load(sys.argv[1])
D, H, HK = g.D, g.H, g.HK
d = D // H
B, P = g.DECODE_B, g.DECODE_P
rng = np.random.default_rng(1)
p = {k: torch.from_numpy(v).to(dev).bfloat16() for k, v in g.make_params(rng).items()}
ops = [p[k] for k in g.OPERAND_ORDER]
bufs = [torch.randn(B, P + 64, HK, d, device=dev).bfloat16(), torch.randn(B, P + 64, HK, d, device=dev).bfloat16(),
        torch.randn(B, P + 64, 1, D, device=dev).bfloat16(), torch.randn(B, P + 64, 1, D, device=dev).bfloat16()]
x1 = torch.randn(B, 1, D, device=dev).bfloat16()
y1 = torch.empty_like(x1)
ins = [b[:, :P] for b in bufs]
outs = [y1] + [b[:, :P + 1] for b in bufs]
step = art.bind("step_bf16", {i + 1: w for i, w in enumerate(ops)})
fn = lambda: step(x1, *ins, outputs=outs)
for _ in range(10):
    fn()
torch.cuda.synchronize()
N = 300
t0 = time.perf_counter()
for _ in range(N):
    fn()
t_host = (time.perf_counter() - t0) / N
torch.cuda.synchronize()
t_all = (time.perf_counter() - t0) / N
t_ev = g.cuda_time_loop(torch, fn, n=N, warmup=0)
# Python alone: the C entry replaced by a no-op.
entry = step.entry
real = entry._fn
entry._fn = lambda *a: 0
t0 = time.perf_counter()
for _ in range(N):
    fn()
t_py = (time.perf_counter() - t0) / N
entry._fn = real
print("decode step bf16 B=%d P=%d, weights bound, caches in place, %d calls back to back:" % (B, P, N))
print("  host time per call (enqueue only): %.1f us; of it Python argument handling %.1f us" % (1e6 * t_host, 1e6 * t_py))
print("  wall per call incl. the GPU finishing: %.1f us; CUDA events per call: %.1f us" % (1e6 * t_all, 1e3 * t_ev))
print("  cached temporaries: %.1f MB" % (art.cached_bytes() / 1e6))
