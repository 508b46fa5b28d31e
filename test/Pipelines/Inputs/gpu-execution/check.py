# Runs the kernels sessa-gpu-pipeline compiled from kernels.mlir (the shared
# library given as argv[1]) on the GPU against float64 torch references:
# fp32 within 1e-5 of the largest reference magnitude, bf16 storage within
# 1e-2 of the fp32 result, copies and maxima exact; every output starts as
# NaN or zeros and NaN never passes. Prints one line per check and
# "FAILURES: none", or "SKIPPED: ..." without a GPU or torch. --bench adds
# timings of the whole entry points.
import ctypes, math, os, sys, time

try:
    import torch
    have_gpu = torch.cuda.is_available()
except ImportError:
    have_gpu = False
if not have_gpu:
    print("SKIPPED: no CUDA GPU or no torch; the kernels were compiled but not run")
    sys.exit(0)

lib = ctypes.CDLL(os.path.abspath(sys.argv[1]))
bench = "--bench" in sys.argv
dev = torch.device("cuda")
failures = []


def desc(t):
    r = t.dim()
    class D(ctypes.Structure):
        _fields_ = [("alloc", ctypes.c_void_p), ("aligned", ctypes.c_void_p), ("offset", ctypes.c_int64),
                    ("sizes", ctypes.c_int64 * r), ("strides", ctypes.c_int64 * r)]
    d = D()
    d.alloc = d.aligned = t.data_ptr()
    d.offset = 0
    for i in range(r):
        d.sizes[i] = t.shape[i]
        d.strides[i] = t.stride(i)
    return d


def call(name, *tensors):
    ds = [desc(t) for t in tensors]
    torch.cuda.synchronize()
    getattr(lib, "_mlir_ciface_" + name)(*[ctypes.byref(d) for d in ds])
    torch.cuda.synchronize()


def compare(name, got, ref, tol):
    got64 = got.double()
    finite = bool(torch.isfinite(got64).all())
    err = float((got64 - ref).abs().max() / max(ref.abs().max().item(), 1e-30))
    ok = finite and err <= tol
    print(f"{'PASS' if ok else 'FAIL'} {name}: rel. max error {err:.3e} (tol {tol:g}){'' if finite else ' NON-FINITE'}", flush=True)
    if not ok:
        failures.append(name)


def timeit(fn, reps=10):
    fn()
    best = 1e9
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); best = min(best, time.perf_counter() - t0)
    return best


torch.manual_seed(0)
# block_f32: LayerNorm-ish, projection x W^T (warp reductions), GELU, residual.
x = torch.randn(0, 64, device=dev); y = torch.empty(0, 64, device=dev)
call("block_f32", x, torch.randn(64, 64, device=dev), torch.randn(64, device=dev), y)
print("PASS block_f32 N=0 (empty batch) ran", flush=True)
for n in (1, 37, 1000, 4096):
    x = torch.randn(n, 64, device=dev); w = torch.randn(64, 64, device=dev) / 8; lnw = torch.randn(64, device=dev)
    y = torch.full((n, 64), float("nan"), device=dev)
    call("block_f32", x, w, lnw, y)
    xd, wd = x.double(), w.double()
    u = (xd - xd.sum(1, keepdim=True) * 0.015625) * lnw.double()
    p = u @ wd.T
    ref = 0.5 * p * (1 + torch.erf(p / math.sqrt(2))) + xd
    compare(f"block_f32 N={n}", y, ref, 1e-5)

# Projections (warp per output element), f32 and bf16 storage.
for (n, m, k) in ((33, 17, 100), (512, 256, 1024)):
    x = torch.randn(n, k, device=dev); w = torch.randn(m, k, device=dev)
    c = torch.full((n, m), float("nan"), device=dev)
    call("proj_f32", x, w, c)
    compare(f"proj_f32 {n}x{m}x{k}", c, x.double() @ w.double().T, 1e-5)
    xb, wb = x.bfloat16(), w.bfloat16()
    cb = torch.zeros(n, m, device=dev, dtype=torch.bfloat16)
    call("proj_bf16", xb, wb, cb)
    compare(f"proj_bf16 {n}x{m}x{k} (vs fp32 result)", cb, x.double() @ w.double().T, 1e-2)

# Plain matmul: thread per output, reduction loop inside.
for (m, n, k) in ((5, 7, 3), (300, 200, 129)):
    a = torch.randn(m, k, device=dev); b = torch.randn(k, n, device=dev)
    c = torch.full((m, n), float("nan"), device=dev)
    call("matmul", a, b, c)
    compare(f"matmul {m}x{n}x{k}", c, a.double() @ b.double(), 1e-5)

# Cache concatenation (strided copy kernels), bf16.
for (b_, p, t) in ((2, 15, 1), (3, 0, 5), (1, 40, 24)):
    pre = torch.randn(b_, p, 2, 16, device=dev).bfloat16(); rows = torch.randn(b_, t, 2, 16, device=dev).bfloat16()
    out = torch.zeros(b_, p + t, 2, 16, device=dev, dtype=torch.bfloat16)
    call("concat", pre, rows, out)
    compare(f"concat B={b_} P={p} T={t}", out, torch.cat([pre, rows], 1).double(), 0.0)

# Row max (warp reduction from -inf), gate with gamma_bias through a constant map.
x = torch.randn(777, 333, device=dev); r = torch.zeros(777, device=dev)
call("rowmax", x, r); compare("rowmax 777x333", r, x.double().max(1).values, 0.0)
d = torch.randn(5000, device=dev); gb = torch.tensor([0.3], device=dev); g = torch.zeros(5000, device=dev)
call("gate", d, gb, g); compare("gate N=5000", g, 0.999 * torch.tanh(d.double() + 0.3), 1e-5)

n = 1 << 20
a = torch.randn(n, device=dev); b = torch.randn(n, device=dev); c = torch.full((n,), float("nan"), device=dev)
call("add", a, b, c); compare("add N=2^20", c, a.double() + b.double(), 1e-7)
print("FAILURES:", failures if failures else "none")
if failures or not bench:
    sys.exit(1 if failures else 0)

# Timings (whole entry point: stream, allocations, launches, sync).
n = 1 << 26
a = torch.randn(n, device=dev); b = torch.randn(n, device=dev); c = torch.empty(n, device=dev)
t = timeit(lambda: call("add", a, b, c))
tt = timeit(lambda: (torch.add(a, b, out=c), torch.cuda.synchronize()))
print(f"TIME add 2^26 f32: {t*1e3:.3f} ms ({3*4*n/t/1e9:.0f} GB/s); torch.add {tt*1e3:.3f} ms ({3*4*n/tt/1e9:.0f} GB/s)")
x = torch.randn(8192, 1024, device=dev); w = torch.randn(1024, 1024, device=dev) / 32; c = torch.empty(8192, 1024, device=dev)
t = timeit(lambda: call("proj_f32", x, w, c), 5)
print(f"TIME proj_f32 8192x1024x1024 (warp per output): {t*1e3:.2f} ms ({2*8192*1024*1024/t/1e12:.2f} TFLOP/s)")
xb, wb, cb = x.bfloat16(), w.bfloat16(), torch.empty(8192, 1024, device=dev, dtype=torch.bfloat16)
t = timeit(lambda: call("proj_bf16", xb, wb, cb), 5)
print(f"TIME proj_bf16 8192x1024x1024 (warp per output): {t*1e3:.2f} ms ({2*8192*1024*1024/t/1e12:.2f} TFLOP/s)")
a = torch.randn(2048, 2048, device=dev); b = torch.randn(2048, 2048, device=dev); c = torch.empty(2048, 2048, device=dev)
t = timeit(lambda: call("matmul", a, b, c), 3)
print(f"TIME matmul 2048^3 (thread per output): {t*1e3:.2f} ms ({2*2048**3/t/1e12:.2f} TFLOP/s)")
