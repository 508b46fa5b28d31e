"""Checks the CUDA artifact of scale.mlir on a GPU through sessa.runtime
(ctypes) with torch and CuPy arrays: results, streams, threads, host
pointers rejected, CUDA errors reported. Needs no MLIR: compile elsewhere,

    sessa-compile test/Target/CUDA/Inputs/scale.mlir -o DIR/scale --target=cuda
    cp -r python/sessa DIR/py/
    python3 check_cuda_torch.py DIR     # on the GPU machine (torch, cupy)

(what ran on the H100 for the CUDA runtime's first delivery)."""
import ctypes, os, sys, threading, time
HERE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "py"))
import numpy as np
import torch
import sessa.runtime as rt

fails = 0
def check(cond, what):
    global fails
    print("%s: %s" % ("PASS" if cond else "FAIL", what), flush=True)
    if not cond:
        fails += 1

art = rt.load(os.path.join(HERE, "scale"))
print(art.describe())
dev = torch.device("cuda")

# Correct results, several sizes (0, 1, a partial block, 1M+3), default stream.
for n in (0, 1, 255, 257, 1000003):
    x = torch.randn(n, device=dev)
    y, = art.scale(x)
    torch.cuda.synchronize()
    check(torch.equal(y, 2 * (x + 1)), "scale n=%d (outputs allocated by torch, stream 0)" % n)
    y2, = art.twice(x)
    torch.cuda.synchronize()
    check(torch.equal(y2, 2 * x), "twice n=%d" % n)

# A side stream: the call is ordered after the producer on that stream and
# before the consumer; no synchronization inside.
s = torch.cuda.Stream()
with torch.cuda.stream(s):
    x = torch.randn(1 << 22, device=dev)
    x.mul_(3.0)
    out = torch.full_like(x, float("nan"))
    art.scale(x, outputs=[out], stream=s)
    z = out.sum()
s.synchronize()
check(torch.equal(out, 2 * (x + 1)) and torch.isfinite(z).item(), "scale on a torch side stream (stream=torch.cuda.Stream)")
art.scale(x, outputs=[out], stream=s.cuda_stream)
s.synchronize()
check(torch.equal(out, 2 * (x + 1)), "stream as an int handle")

# bf16? (not in the module) -> dtype error from the checks
try:
    art.scale(torch.zeros(4, device=dev, dtype=torch.bfloat16))
    check(False, "bf16 input rejected")
except rt.ArgumentError as e:
    check("expected dtype f32, got bf16" in str(e), "wrong dtype rejected: %s" % e)

# Host memory: a CPU tensor (Python check) and a host pointer behind
# __cuda_array_interface__ (the C runtime's check).
try:
    art.scale(torch.zeros(4))
    check(False, "CPU tensor rejected")
except TypeError as e:
    check("host Tensor" in str(e), "CPU torch tensor rejected: %s" % e)
h = np.zeros(4, np.float32)
class Cai:
    def __init__(self, ptr, n):
        self.__cuda_array_interface__ = {"shape": (n,), "typestr": "<f4", "data": (ptr, False), "version": 3}
try:
    art.scale(Cai(h.ctypes.data, 4), outputs=[torch.zeros(4, device=dev)])
    check(False, "host pointer rejected")
except rt.SessaError as e:
    check(e.code == rt.INVALID_ARGUMENT and "input 0 ('x')" in e.message and "host memory" in e.message,
          "host pointer rejected by the runtime: %s" % e)

# CUDA errors: an absurd grid (twice: one block per element), an absurd
# temporary (scale allocates 4 n bytes).
small = torch.zeros(16, device=dev)
try:
    art.twice(Cai(small.data_ptr(), 3000000000), outputs=[Cai(small.data_ptr(), 3000000000)])
    check(False, "absurd launch fails")
except rt.SessaError as e:
    check(e.code == rt.CUDA and "cuLaunchKernel(" in e.message, "absurd launch: %s" % e)
x = torch.randn(1000, device=dev)
y, = art.scale(x)
torch.cuda.synchronize()
check(torch.equal(y, 2 * (x + 1)), "works again after the launch error")

# SESSA_CUDA_SYNC=1
os.environ["SESSA_CUDA_SYNC"] = "1"
y, = art.scale(x)
check(torch.equal(y, 2 * (x + 1)), "SESSA_CUDA_SYNC=1 run (synchronizes inside)")
del os.environ["SESSA_CUDA_SYNC"]

# Another thread (no current context there until the runtime makes one).
res = {}
def worker():
    try:
        yy, = art.twice(x)
        torch.cuda.synchronize()
        res["ok"] = torch.equal(yy, 2 * x)
    except Exception as e:
        res["err"] = repr(e)
t = threading.Thread(target=worker); t.start(); t.join()
check(res.get("ok") is True, "call from a second thread: %s" % res)

# CuPy
try:
    import cupy
    cx = cupy.arange(1000, dtype=cupy.float32)
    cy = cupy.empty_like(cx)
    art.scale(cx, outputs=[cy], stream=cupy.cuda.get_current_stream())
    cupy.cuda.get_current_stream().synchronize()
    check(bool((cy == 2 * (cx + 1)).all()), "CuPy arrays (__cuda_array_interface__) and a CuPy stream")
except ImportError:
    print("SKIP: cupy not installed")

# Per-call cost from Python (asynchronous enqueue) vs. the kernels' time.
x = torch.randn(1 << 20, device=dev); out = torch.empty_like(x)
for _ in range(10):
    art.scale(x, outputs=[out])
torch.cuda.synchronize()
N = 500
t0 = time.perf_counter()
for _ in range(N):
    art.scale(x, outputs=[out])
t1 = time.perf_counter()
torch.cuda.synchronize()
t2 = time.perf_counter()
print("timing: scale n=2^20 via sessa.runtime: %.1f us/call to enqueue, %.1f us/call end to end" % ((t1 - t0) / N * 1e6, (t2 - t0) / N * 1e6))
ref = torch.empty_like(x)
torch.cuda.synchronize(); t0 = time.perf_counter()
for _ in range(N):
    torch.add(x, 1, out=ref); ref.mul_(2)
torch.cuda.synchronize(); t1 = time.perf_counter()
print("timing: torch (x+1)*2 eager: %.1f us/call" % ((t1 - t0) / N * 1e6))
try:
    art.scale(Cai(small.data_ptr(), 1 << 40), outputs=[Cai(small.data_ptr(), 1 << 40)])
    check(False, "absurd allocation fails")
except rt.SessaError as e:
    check(e.code == rt.CUDA and "cuMemAllocAsync" in e.message, "absurd allocation: %s" % e)
y, = art.scale(x)
torch.cuda.synchronize()
check(torch.equal(y, 2 * (x + 1)), "works again after the errors")
print("FAILED %d" % fails if fails else "ALL OK")
sys.exit(1 if fails else 0)
