#!/usr/bin/env python3
"""gpu13-cluster: correctness of the TMA GEMM kernel with 2-CTA clusters
(`-sessa-gpu-tma-cluster=2`) against the same product without clusters and
against float64, at row counts that give 1, 2, odd and many row blocks
(M = 17 .. 17029; N = 200: two column blocks, the second partial; K = 1000:
a partial last k tile). The artifact (gemm_cluster.mlir, built by
`sessa-compile --target=cuda --cuda-chip=sm_90a [-sessa-gpu-tma-cluster=2]`)
computes c = bf16(a b^T + bias) and c2 = a b2^T (f32); both products read
a (a grouped launch when the pass groups them). Outputs are poisoned with
NaN first. Checks: rel. L2 vs float64 of the bf16 inputs (c <= 1e-2, c2 <=
1e-5), cluster == no-cluster bit for bit, no NaN. Timing (CUDA events,
median of 50) at the largest M.

usage: gemm_cluster_check.py ART_NO_CLUSTER ART_CLUSTER"""
import os, sys
import numpy as np
import torch
sys.path.insert(0, os.environ["SESSA_PYTHONPATH"])
import sessa.runtime as rt

dev = torch.device("cuda")
arts = [rt.load(os.path.join(p, "gemm_cluster")) for p in sys.argv[1:3]]
K, N = 1000, 200
fails = 0
g = torch.Generator(device=dev).manual_seed(7)
b = torch.randn(N, K, device=dev, generator=g).bfloat16()
b2 = torch.randn(N, K, device=dev, generator=g).bfloat16()
bias = torch.randn(N, device=dev, generator=g).bfloat16()


def rel(x, ref):
    x = x.double()
    return (torch.linalg.norm(x - ref) / torch.linalg.norm(ref)).item()


for M in [17, 100, 128, 129, 256, 300, 383, 640, 1000, 4099, 17029]:
    a = torch.randn(M, K, device=dev, generator=g).bfloat16()
    ref2 = a.double() @ b2.double().T
    ref = a.double() @ b.double().T + bias.double()
    outs = []
    for art in arts:
        c = torch.full((M, N), float("nan"), device=dev).bfloat16()
        c2 = torch.full((M, N), float("nan"), device=dev)
        art.mm(a, b, bias, b2, outputs=[c, c2])
        torch.cuda.synchronize()
        outs.append((c, c2))
    for name, (c, c2) in zip(["no-cluster", "cluster"], outs):
        e1, e2 = rel(c, ref), rel(c2, ref2)
        nan = bool(torch.isnan(c.float()).any() or torch.isnan(c2).any())
        good = e1 <= 1e-2 and e2 <= 1e-5 and not nan
        fails += not good
        print("  check gemm %-10s M=%5d N=%d K=%d: c rel %.2e (tol 1e-2), c2 rel %.2e (tol 1e-5)%s %s"
              % (name, M, N, K, e1, e2, " NaN" if nan else "", "ok" if good else "FAIL"))
    same = torch.equal(outs[0][0], outs[1][0]) and torch.equal(outs[0][1], outs[1][1])
    fails += not same
    print("  check gemm cluster == no-cluster bitwise M=%d: %s" % (M, "ok" if same else "FAIL"))

M = 17029
a = torch.randn(M, K, device=dev, generator=g).bfloat16()
for name, art in zip(["no-cluster", "cluster"], arts):
    c = torch.empty((M, N), device=dev).bfloat16()
    c2 = torch.empty((M, N), device=dev)
    fn = lambda: art.mm(a, b, bias, b2, outputs=[c, c2])
    for _ in range(5):
        fn()
    ts = []
    for _ in range(50):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); e.synchronize()
        ts.append(s.elapsed_time(e))
    print("  time gemm %-10s M=%d N=%d K=%d (both products): median %.1f us, min %.1f us"
          % (name, M, N, K, 1e3 * float(np.median(ts)), 1e3 * min(ts)))
print("gemm_cluster_check: %d failure(s)" % fails)
sys.exit(1 if fails else 0)
