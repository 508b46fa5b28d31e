// Test-only mgpu* runtime over the CUDA driver API (primary context of
// device 0) for gpu-pipeline-execution.test; libSessaCudaRuntime is the
// real one. Aborts with a message on any CUDA error.
#include <cuda.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void check(CUresult r, const char *what) {
  if (r != CUDA_SUCCESS) {
    const char *name = 0, *msg = 0;
    cuGetErrorName(r, &name);
    cuGetErrorString(r, &msg);
    fprintf(stderr, "mgpu: %s failed: %s (%s)\n", what, name ? name : "?", msg ? msg : "?");
    abort();
  }
}
static void ctx(void) {
  static CUcontext c = 0;
  if (!c) {
    CUdevice d;
    check(cuInit(0), "cuInit");
    check(cuDeviceGet(&d, 0), "cuDeviceGet");
    check(cuDevicePrimaryCtxRetain(&c, d), "cuDevicePrimaryCtxRetain");
  }
  check(cuCtxSetCurrent(c), "cuCtxSetCurrent");
}
CUmodule mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  ctx();
  CUmodule m;
  check(cuModuleLoadData(&m, data), "cuModuleLoadData");
  return m;
}
CUmodule mgpuModuleLoadJIT(void *data, int opt) {
  (void)opt;
  ctx();
  CUmodule m;
  check(cuModuleLoadData(&m, data), "cuModuleLoadData(PTX)");
  return m;
}
// Runs from a global destructor: at process exit the driver may already be
// shut down, which is not an error here.
void mgpuModuleUnload(CUmodule m) {
  CUresult r = cuModuleUnload(m);
  if (r != CUDA_ERROR_DEINITIALIZED && r != CUDA_ERROR_CONTEXT_IS_DESTROYED)
    check(r, "cuModuleUnload");
}
CUfunction mgpuModuleGetFunction(CUmodule m, const char *name) {
  ctx();
  CUfunction f;
  check(cuModuleGetFunction(&f, m, name), name);
  return f;
}
void mgpuLaunchKernel(CUfunction f, intptr_t gx, intptr_t gy, intptr_t gz, intptr_t bx,
                      intptr_t by, intptr_t bz, int32_t smem, CUstream s, void **params,
                      void **extra, size_t n) {
  (void)n;
  ctx();
  check(cuLaunchKernel(f, gx, gy, gz, bx, by, bz, smem, s, params, extra), "cuLaunchKernel");
}
CUstream mgpuStreamCreate(void) {
  ctx();
  CUstream s;
  check(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  return s;
}
void mgpuStreamDestroy(CUstream s) { check(cuStreamDestroy(s), "cuStreamDestroy"); }
void mgpuStreamSynchronize(CUstream s) { check(cuStreamSynchronize(s), "cuStreamSynchronize"); }
void *mgpuMemAlloc(uint64_t bytes, CUstream s, char hostShared) {
  (void)hostShared;
  ctx();
  CUdeviceptr p = 0;
  if (bytes) check(cuMemAllocAsync(&p, bytes, s), "cuMemAllocAsync");
  return (void *)p;
}
void mgpuMemFree(void *p, CUstream s) {
  if (p) check(cuMemFreeAsync((CUdeviceptr)p, s), "cuMemFreeAsync");
}
void mgpuMemcpy(void *dst, void *src, size_t bytes, CUstream s) {
  check(cuMemcpyAsync((CUdeviceptr)dst, (CUdeviceptr)src, bytes, s), "cuMemcpyAsync");
}
