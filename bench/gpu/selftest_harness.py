#!/usr/bin/env python3
"""Checks run_kernels.py's launch builders without a GPU (no torch/cupy).

Fake `torch` and `cupy` modules stand in for the real ones; for every kernel
of the manifest, the builders' argument lists must match the kernel's .param
list in its PTX (count and 8-byte size), and the grid/block must be >= 1.
Usage: python3 bench/gpu/selftest_harness.py [.gpu-carry/attention]
"""
import os
import re
import sys
import types

import numpy as np

DIR = sys.argv[1] if len(sys.argv) > 1 else ".gpu-carry/attention"
CALLS = []


class FakeTensor:
    def __init__(self, shape, esize=2):
        self.shape = tuple(shape)
        self._esize = esize

    def stride(self):
        st, acc = [], 1
        for s in reversed(self.shape):
            st.append(acc)
            acc *= s
        return tuple(reversed(st))

    def data_ptr(self):
        return 0x7f0000000000

    def element_size(self):
        return self._esize


torch = types.ModuleType("torch")
torch.float32, torch.bfloat16, torch.float16 = "f32", "bf16", "f16"
torch.empty = lambda shape, device=None, dtype=None: FakeTensor(shape, 4)
torch.cuda = types.SimpleNamespace()
cupy = types.ModuleType("cupy")


class FakeFunction:
    def __init__(self, name, nparams):
        self.name, self.nparams = name, nparams

    def __call__(self, grid, block, params):
        assert len(params) == self.nparams, (self.name, len(params), self.nparams)
        assert all(isinstance(p, (np.int64, np.uint64)) for p in params), self.name
        assert all(g >= 1 for g in grid) and all(b >= 1 for b in block), (grid, block)
        CALLS.append((self.name, grid, block))


class FakeModule:
    def __init__(self, path):
        self.ptx = open(path[:-len(".cubin")] + ".ptx").read()

    def get_function(self, name):
        m = re.search(r"\.entry %s\((.*?)\)" % re.escape(name), self.ptx, re.S)
        params = re.findall(r"\.param \.(\w+)", m.group(1))
        assert all(p in ("u64", "b64", "s64") for p in params), params
        return FakeFunction(name, len(params))


cupy.RawModule = lambda path: FakeModule(path)
cupy.__version__ = "fake"
sys.modules["torch"], sys.modules["cupy"] = torch, cupy
sys.argv = [sys.argv[0], DIR]
sys.path.insert(0, DIR)
import run_kernels as rk  # noqa: E402

n = 0
for name, cfg in rk.manifest.items():
    if cfg["op"] == "rope":
        for B, T in [(2, 33), (1, 1)]:
            x = FakeTensor((B, T, cfg["H"], cfg["d"]), 4 if cfg["dtype"] == "f32" else 2)
            rk.rope_launch(cfg, x, 7, x)()
            n += 1
    else:
        for B, T, P in [(2, 67, 0), (8, 1, 2048), (2, 17, 900), (1, 1, 0)]:
            q = FakeTensor((B, T, cfg["H"], cfg["d"]))
            k = FakeTensor((B, P + T, cfg["Hk"], cfg["d"]))
            rk.attention_launch(cfg, q, k, k, q)()
            n += 1
print(f"harness self-test: {n} launches, {len(CALLS)} kernel calls, arguments match the PTX")
