#!/usr/bin/env python3
"""gpu13-cluster: how many 2-CTA (and 1-CTA) clusters of the TMA GEMM kernel's
shape (384 threads, SMEM bytes of dynamic shared memory, so one block an SM)
the device runs at once (cuOccupancyMaxActiveClusters on a stand-in kernel
with the same block and shared memory), i.e. whether the persistent grid of
2 x 66 blocks is resident in one wave. usage: cluster_occupancy.py [SMEM]"""
import ctypes, sys

smem = int(sys.argv[1]) if len(sys.argv) > 1 else 197744
cu = ctypes.CDLL("libcuda.so.1")
def ok(r, what):
    if r != 0:
        raise SystemExit("%s failed: %d" % (what, r))
ok(cu.cuInit(0), "cuInit")
dev = ctypes.c_int(0)
ok(cu.cuDeviceGet(ctypes.byref(dev), 0), "cuDeviceGet")
ctx = ctypes.c_void_p()
ok(cu.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev), "cuDevicePrimaryCtxRetain")
ok(cu.cuCtxSetCurrent(ctx), "cuCtxSetCurrent")
ptx = b""".version 8.0
.target sm_90a
.address_size 64
.extern .shared .align 1024 .b8 smem[];
.visible .entry k() { ret; }
"""
mod = ctypes.c_void_p()
ok(cu.cuModuleLoadData(ctypes.byref(mod), ctypes.c_char_p(ptx)), "cuModuleLoadData")
fn = ctypes.c_void_p()
ok(cu.cuModuleGetFunction(ctypes.byref(fn), mod, b"k"), "cuModuleGetFunction")
ok(cu.cuFuncSetAttribute(fn, 8, smem), "cuFuncSetAttribute")  # MAX_DYNAMIC_SHARED_SIZE_BYTES

class Attr(ctypes.Structure):
    _fields_ = [("id", ctypes.c_int), ("pad", ctypes.c_char * 4), ("value", ctypes.c_uint * 16)]
class Config(ctypes.Structure):
    _fields_ = [("g", ctypes.c_uint * 3), ("b", ctypes.c_uint * 3), ("smem", ctypes.c_uint),
                ("stream", ctypes.c_void_p), ("attrs", ctypes.POINTER(Attr)), ("n", ctypes.c_uint)]
sms = ctypes.c_int()
ok(cu.cuDeviceGetAttribute(ctypes.byref(sms), 16, dev), "cuDeviceGetAttribute")  # MULTIPROCESSOR_COUNT
for cl in (1, 2):
    a = Attr(); a.id = 4; a.value[0] = cl; a.value[1] = 1; a.value[2] = 1
    c = Config(); c.g[:] = [2 * 66, 1, 1]; c.b[:] = [384, 1, 1]; c.smem = smem
    c.attrs = ctypes.pointer(a); c.n = 1
    n = ctypes.c_int(-1)
    r = cu.cuOccupancyMaxActiveClusters(ctypes.byref(n), fn, ctypes.byref(c))
    print("cluster occupancy: %d SMs; clusters of %d x (384 threads, %d B dynamic shared): "
          "%d active at once (rc %d)" % (sms.value, cl, smem, n.value, r))
