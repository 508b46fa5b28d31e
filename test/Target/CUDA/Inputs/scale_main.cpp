// A C++ host program linked to the CUDA artifact of scale.mlir: device
// buffers and a stream from the CUDA driver API, the entry points called
// with them, results checked on the host; then the errors: a host pointer,
// a grid the driver rejects, an allocation that cannot succeed. Prints one
// line per check and "OK" at the end; exits non-zero on a failure.
//
//   sessa-compile scale.mlir -o out --target=cuda
//   c++ scale_main.cpp -Iout -I<cuda>/include -Lout -lscale \
//       -L<cuda>/lib64/stubs -lcuda -Wl,-rpath,out -o main
#include "scale.h"

#include <cuda.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

static int failures = 0;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    std::printf("%s: ", (cond) ? "PASS" : "FAIL");                             \
    std::printf(__VA_ARGS__);                                                  \
    std::printf("\n");                                                         \
    if (!(cond))                                                               \
      ++failures;                                                              \
  } while (0)

#define CU(call)                                                               \
  do {                                                                         \
    CUresult r_ = (call);                                                      \
    if (r_ != CUDA_SUCCESS) {                                                  \
      const char *name_ = "?";                                                 \
      cuGetErrorName(r_, &name_);                                              \
      std::printf("FAIL: %s: %s\n", #call, name_);                             \
      return 1;                                                                \
    }                                                                          \
  } while (0)

static sessa_tensor tensor1(void *data, int64_t n) {
  sessa_tensor t;
  std::memset(&t, 0, sizeof t);
  t.data = data;
  t.dtype = SESSA_DTYPE_F32;
  t.rank = 1;
  t.shape[0] = n;
  return t;
}

int main() {
  CU(cuInit(0));
  CUdevice dev;
  CU(cuDeviceGet(&dev, 0));
  CUcontext ctx;
  CU(cuDevicePrimaryCtxRetain(&ctx, dev));
  CU(cuCtxSetCurrent(ctx));
  CUstream stream;
  CU(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));

  const int64_t n = 1000003; // not a multiple of the 256-thread blocks
  std::vector<float> hx(n), hy(n, -1.0f);
  for (int64_t i = 0; i < n; ++i)
    hx[i] = 0.001f * (float)(i % 5000) - 2.0f;
  CUdeviceptr x, y;
  CU(cuMemAlloc(&x, n * 4));
  CU(cuMemAlloc(&y, n * 4));
  CU(cuMemcpyHtoD(x, hx.data(), n * 4));
  CU(cuMemsetD32(y, 0xFFFFFFFFu, n)); // NaN: an unwritten element fails

  sessa_tensor in = tensor1((void *)x, n), out = tensor1((void *)y, n);
  sessa_status st;
  int32_t rc = scale(&in, 1, &out, 1, stream, &st);
  CU(cuStreamSynchronize(stream));
  CU(cuMemcpyDtoH(hy.data(), y, n * 4));
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i)
    if (!(hy[i] == 2.0f * (hx[i] + 1.0f)))
      ++bad;
  CHECK(rc == SESSA_OK && bad == 0,
        "scale: y = 2 (x + 1) exactly on %lld elements (rc %d, %s; %lld wrong)",
        (long long)n, rc, st.message, (long long)bad);

  rc = twice(&in, 1, &out, 1, stream, &st);
  CU(cuStreamSynchronize(stream));
  CU(cuMemcpyDtoH(hy.data(), y, n * 4));
  bad = 0;
  for (int64_t i = 0; i < n; ++i)
    if (!(hy[i] == 2.0f * hx[i]))
      ++bad;
  CHECK(rc == SESSA_OK && bad == 0, "twice: y = 2 x (rc %d, %lld wrong)", rc,
        (long long)bad);

  // Asynchronous: 200 calls enqueued, then one synchronization.
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 200 && rc == SESSA_OK; ++i)
    rc = scale(&in, 1, &out, 1, stream, &st);
  auto t1 = std::chrono::steady_clock::now();
  CU(cuStreamSynchronize(stream));
  auto t2 = std::chrono::steady_clock::now();
  double enqueue = std::chrono::duration<double, std::micro>(t1 - t0).count();
  double total = std::chrono::duration<double, std::micro>(t2 - t0).count();
  CHECK(rc == SESSA_OK, "200 calls of scale: %.1f us/call to enqueue, %.1f "
                        "us/call until the stream finished (n = %lld)",
        enqueue / 200, total / 200, (long long)n);

  // A host pointer.
  sessa_tensor host = tensor1(hy.data(), n);
  rc = scale(&in, 1, &host, 1, stream, &st);
  CHECK(rc == SESSA_ERROR_INVALID_ARGUMENT &&
            std::strstr(st.message, "output 0 ('y')") &&
            std::strstr(st.message, "host memory"),
        "host pointer: %d %s", rc, st.message);

  // A grid of 3e9 blocks (twice launches one block per element): the
  // driver rejects it; nothing is read or written.
  const int64_t huge = 3000000000LL;
  sessa_tensor hin = tensor1((void *)x, huge), hout = tensor1((void *)y, huge);
  rc = twice(&hin, 1, &hout, 1, stream, &st);
  CHECK(rc == SESSA_ERROR_CUDA && std::strstr(st.message, "cuLaunchKernel(") &&
            std::strstr(st.message, "CUDA_ERROR_"),
        "absurd launch: %d %s", rc, st.message);

  // 4 TiB of temporary memory.
  const int64_t tera = (int64_t)1 << 40;
  sessa_tensor tin = tensor1((void *)x, tera), tout = tensor1((void *)y, tera);
  rc = scale(&tin, 1, &tout, 1, stream, &st);
  CHECK(rc == SESSA_ERROR_CUDA && std::strstr(st.message, "cuMemAllocAsync") &&
            std::strstr(st.message, "CUDA_ERROR_OUT_OF_MEMORY"),
        "absurd allocation: %d %s", rc, st.message);

  // The context is still usable.
  rc = scale(&in, 1, &out, 1, stream, &st);
  CUresult sync = cuStreamSynchronize(stream);
  CU(cuMemcpyDtoH(hy.data(), y, n * 4));
  CHECK(rc == SESSA_OK && sync == CUDA_SUCCESS &&
            hy[n - 1] == 2.0f * (hx[n - 1] + 1.0f),
        "after the errors, scale runs again (rc %d)", rc);

  CU(cuMemFree(x));
  CU(cuMemFree(y));
  CU(cuStreamDestroy(stream));
  std::printf(failures ? "FAILED (%d)\n" : "OK\n", failures);
  return failures != 0;
}
