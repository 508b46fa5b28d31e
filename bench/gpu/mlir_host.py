"""Run the host function of a bundle made by mlir_to_cuda.py on the GPU.

A tiny interpreter of the host IR (generic form) that convert-sessa-to-gpu +
bufferization + gpu-kernel-outlining leave: func arguments (torch CUDA
tensors), arith index/int/float constants and arithmetic, memref.dim/alloc/
cast/dealloc, scf.for, gpu.launch_func (CuPy RawModule from the cubins, each
memref passed as its expanded descriptor: allocated ptr, aligned ptr, offset,
sizes, strides; index as int64) and func.return. It stands in for the
compiled host code until the --sessa-gpu-pipeline / runtime path lands.
Launches go on CuPy's current stream, in program order.
"""
import os
import re

import numpy as np

try:  # absent on the build machine, where only the dry run (below) works
    import cupy as cp
    import torch
    _DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16,
               "f64": torch.float64, "i32": torch.int32, "i64": torch.int64}
except ImportError:
    cp = torch = None

_OP = re.compile(r'^\s*(?:(%[\w]+)(?::(\d+))? = )?"([\w.]+)"\((.*?)\)'
                 r'(?:\[[^\]]*\])?(?: <\{(.*)\}>)?(?: \(\{)?(?: : (.*))?$')


class Op:
    def __init__(self, name, results, operands, attrs, types):
        self.name, self.results, self.operands = name, results, operands
        self.attrs, self.types = attrs, types
        self.regions = []  # list of (block args, ops)


def _parse_block(lines, i):
    """Parses ops until a line closing the region; returns (ops, i)."""
    ops = []
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if not s:
            i += 1
            continue
        if s.startswith("})") or s.startswith("},"):
            return ops, i
        m = _OP.match(line)
        if not m:
            raise ValueError("cannot parse host line: " + s)
        res, nres, name, operands, attrs, types = m.groups()
        results = []
        if res:
            results = [res] if not nres else ["%s#%d" % (res, k) for k in range(int(nres))]
        op = Op(name, results, [o.strip() for o in operands.split(",") if o.strip()],
                attrs or "", types or "")
        i += 1
        if s.endswith("({"):
            while True:
                bb = lines[i].strip()
                args = []
                if bb.startswith("^bb"):
                    args = re.findall(r"(%[\w]+):", bb)
                    i += 1
                body, i = _parse_block(lines, i)
                op.regions.append((args, body))
                close = lines[i].strip()
                i += 1
                if close.startswith("}, {"):
                    continue
                op.types = close.split(" : ", 1)[1] if " : " in close else ""
                break
        ops.append(op)
    return ops, i


def parse_host(text):
    funcs = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if s.startswith('"func.func"'):
            name = re.search(r'sym_name = "(\w+)"', s).group(1)
            bb = lines[i + 1].strip()
            args = re.findall(r"(%[\w]+):", bb)
            body, j = _parse_block(lines, i + 2)
            funcs[name] = (args, body)
            i = j + 1
        else:
            i += 1
    return funcs


def _memref_type(t):
    m = re.match(r"memref<([^>]*)>", t.strip())
    parts = m.group(1).split(",")[0].split("x")
    return [None if p == "?" else int(p) for p in parts[:-1]], parts[-1]


def _result_type(types):
    return types.rsplit("->", 1)[1].strip()


class Bundle:
    def __init__(self, path, name):
        self.dir = path
        with open(os.path.join(path, name + ".host.mlir")) as fh:
            self.funcs = parse_host(fh.read())
        self.modules = {}
        self.keep = []  # buffers that must outlive a captured graph
        self.poison = True
        self.launches = 0
        self.profile = None  # a list: per-launch CUDA events are recorded

    def function(self, mod, fn):
        if mod not in self.modules:
            self.modules[mod] = cp.RawModule(path=os.path.join(self.dir, mod + ".cubin"))
        return self.modules[mod].get_function(fn)

    def alloc(self, shape, et):
        if self.poison:
            out = torch.full(shape, float("nan"), dtype=_DTYPES[et], device="cuda")
            torch.cuda.synchronize()
            return out
        return torch.empty(shape, dtype=_DTYPES[et], device="cuda")

    def descriptor(self, t):
        assert t.is_contiguous()
        return t.data_ptr(), tuple(t.shape), tuple(t.stride())

    def launch(self, mod, fn, grid, block, args, smem=0):
        f = self.function(mod, fn)
        # Above 48 KB (less the kernel's static shared memory) the launch
        # needs the opt-in attribute, as libSessaCudaRuntime sets it (the
        # f32 N = 16 scan takes 56 KB).
        if smem > 47 * 1024 and f.max_dynamic_shared_size_bytes < smem:
            f.max_dynamic_shared_size_bytes = smem
        if self.profile is None:
            f(grid, block, args, shared_mem=smem)
            return
        start, end = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        f(grid, block, args, shared_mem=smem)
        end.record()
        self.profile.append((mod, start, end))

    def kernel_times(self):
        """Total GPU milliseconds per kernel module of the profiled calls."""
        cp.cuda.Device().synchronize()
        out = {}
        for mod, start, end in self.profile or []:
            out[mod] = out.get(mod, 0.0) + cp.cuda.get_elapsed_time(start, end)
        return out

    def __call__(self, fname, *args):
        fargs, body = self.funcs[fname]
        env = dict(zip(fargs, args))
        return self._run(body, env)

    def _run(self, ops, env):
        for op in ops:
            r = self._exec(op, env)
            if op.name == "func.return":
                return r

    def _exec(self, op, env):
        n = op.name
        v = [env[o] for o in op.operands]
        out = None
        if n == "arith.constant":
            m = re.match(r"value = (.*) : (\w+)", op.attrs)
            val, ty = m.group(1), m.group(2)
            if ty == "i1":
                out = val == "true"
            elif ty.startswith("f") or ty == "bf16":
                out = float.fromhex(val) if val.startswith("0x") else float(val)
                if val.startswith("0x") and ty == "f32":
                    out = np.frombuffer(int(val, 16).to_bytes(4, "little"), np.float32)[0]
            else:
                out = int(val)
        elif n in ("arith.addi", "arith.subi", "arith.muli", "arith.divui", "arith.remui",
                   "arith.ceildivui", "arith.minui", "arith.maxui", "arith.andi",
                   "arith.ori", "arith.divsi", "arith.remsi", "arith.minsi", "arith.maxsi",
                   "arith.ceildivsi", "arith.floordivsi"):
            a, b = v
            out = {"arith.addi": lambda: a + b, "arith.subi": lambda: a - b,
                   "arith.muli": lambda: a * b, "arith.divui": lambda: a // b,
                   "arith.divsi": lambda: int(a / b), "arith.remui": lambda: a % b,
                   "arith.remsi": lambda: a - int(a / b) * b,
                   "arith.ceildivui": lambda: -(-a // b), "arith.ceildivsi": lambda: -(-a // b),
                   "arith.floordivsi": lambda: a // b,
                   "arith.minui": lambda: min(a, b), "arith.maxui": lambda: max(a, b),
                   "arith.minsi": lambda: min(a, b), "arith.maxsi": lambda: max(a, b),
                   "arith.andi": lambda: a & b if not isinstance(a, bool) else (a and b),
                   "arith.ori": lambda: a | b if not isinstance(a, bool) else (a or b)}[n]()
        elif n == "arith.cmpi":
            p = int(re.search(r"predicate = (\d+)", op.attrs).group(1))
            a, b = v
            out = [a == b, a != b, a < b, a <= b, a > b, a >= b,
                   a < b, a <= b, a > b, a >= b][p]
        elif n == "arith.select":
            out = v[1] if v[0] else v[2]
        elif n == "arith.index_cast" or n == "arith.index_castui":
            out = v[0]
        elif n == "memref.dim":
            out = v[0].shape[v[1]]
        elif n in ("memref.cast", "bufferization.to_buffer", "bufferization.to_tensor"):
            out = v[0]
        elif n == "memref.alloc":
            shape, et = _memref_type(_result_type(op.types))
            dyn = iter(v)
            shape = [next(dyn) if s is None else s for s in shape]
            out = self.alloc(shape, et)
            self.keep.append(out)
        elif n == "memref.dealloc":
            pass
        elif n == "scf.for":
            lb, ub, step = v[:3]
            (bargs, body), = op.regions
            for iv in range(lb, ub, step):
                env[bargs[0]] = iv
                self._run(body, env)
        elif n == "scf.yield":
            pass
        elif n == "gpu.launch_func":
            m = re.search(r"kernel = @(\w+)::@(\w+)", op.attrs)
            seg = [int(x) for x in re.search(r"operandSegmentSizes = array<i32: ([^>]*)>",
                                             op.attrs).group(1).split(",")]
            assert seg[0] == 0 and seg[-1] == 0 and seg[7:10] == [0, 0, 0]
            smem = int(v[sum(seg[:10])]) if seg[10] else 0
            grid = tuple(int(x) for x in v[seg[0]:seg[0] + 3])
            block = tuple(int(x) for x in v[seg[0] + 3:seg[0] + 6])
            kargs = v[sum(seg[:11]):sum(seg[:12])]
            tys = [t.strip() for t in re.split(r",\s*(?![^<]*>)",
                                               op.types.split("->")[0].strip()[1:-1])]
            ktys = tys[sum(seg[:11]):sum(seg[:12])]
            flat = []
            for a, t in zip(kargs, ktys):
                if t.startswith("memref"):
                    ptr, shape, strides = self.descriptor(a)
                    flat += [np.uint64(ptr), np.uint64(ptr), np.int64(0)]
                    flat += [np.int64(s) for s in shape]
                    flat += [np.int64(s) for s in strides]
                elif t == "index" or t == "i64":
                    flat.append(np.int64(a))
                elif t == "i32":
                    flat.append(np.int32(a))
                elif t == "f32":
                    flat.append(np.float32(a))
                elif t == "i1":
                    flat.append(np.int8(1 if a else 0))
                else:
                    raise ValueError("kernel argument type " + t)
            if min(grid) > 0:
                self.launch(m.group(1), m.group(2), grid, block, tuple(flat), smem)
                self.launches += 1
        elif n == "func.return":
            out = v[0] if len(v) == 1 else tuple(v)
            return out
        else:
            raise ValueError("host op not supported: " + n)
        for r in op.results:
            env[r] = out
        if len(op.results) > 1:
            for k, r in enumerate(op.results):
                env[r] = out[k]
        return None


class DryRun(Bundle):
    """Runs the host code with numpy arrays and records the launches (no GPU)."""

    def __init__(self, path, name):
        super().__init__(path, name)
        self.log = []

    def alloc(self, shape, et):
        return np.zeros(shape, np.float32)

    def descriptor(self, t):
        return id(t), t.shape, tuple(s // t.itemsize for s in t.strides)

    def launch(self, mod, fn, grid, block, args, smem=0):
        self.log.append((mod, grid, block, len(args), smem))
