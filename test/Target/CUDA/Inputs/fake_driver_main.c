/* The compiled CUDA artifact of scale.mlir over the host-only fake driver
 * (test/Runtime/fake_cuda_driver.c, named by $SESSA_CUDA_DRIVER): the host
 * code that MLIR generated runs against libSessaCudaRuntime without a GPU.
 * The kernels do nothing there (no results are checked); what is checked is
 * the sequence of driver calls: the images registered by the library's
 * constructors and loaded on first use, the caller's stream, the 64 KiB
 * launch, the stream-ordered temporary, errors. */
#define _POSIX_C_SOURCE 200809L
#include "fake_cuda_driver.h"
#include "scale.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    printf("%s: ", (cond) ? "PASS" : "FAIL");                                  \
    printf(__VA_ARGS__);                                                       \
    printf("\n");                                                              \
    if (!(cond))                                                               \
      ++failures;                                                              \
  } while (0)

static sessa_tensor tensor1(void *data, int64_t n) {
  sessa_tensor t;
  memset(&t, 0, sizeof t);
  t.data = data;
  t.dtype = SESSA_DTYPE_F32;
  t.rank = 1;
  t.shape[0] = n;
  return t;
}

int main(void) {
  const char *path = getenv("SESSA_CUDA_DRIVER");
  void *lib = path ? dlopen(path, RTLD_NOW) : NULL;
  if (!lib) {
    printf("FAIL: cannot open $SESSA_CUDA_DRIVER\n");
    return 1;
  }
  fake_cuda_get_state_fn get_state;
  fake_cuda_device_alloc_fn dev_alloc;
  *(void **)&get_state = dlsym(lib, "fake_cuda_get_state");
  *(void **)&dev_alloc = dlsym(lib, "fake_cuda_device_alloc");
  fake_cuda_state *fs = get_state();
  CHECK(fs->init_calls == 0 && fs->module_loads == 0,
        "loading the artifact made no driver call");

  const int64_t n = 1000;
  void *x = dev_alloc(n * 4), *y = dev_alloc(n * 4);
  void *stream = (void *)(uintptr_t)0x5EA;
  sessa_tensor in = tensor1(x, n), out = tensor1(y, n);
  sessa_status st;
  int32_t rc = scale(&in, 1, &out, 1, stream, &st);
  CHECK(rc == SESSA_OK, "scale: %d %s", rc, st.message);
  int64_t live = -1, peak = -1;
  sessa_cuda_memory_stats(&live, &peak, 1);
  /* Temporaries are rounded to 512 bytes, and kept for the next call on
   * the stream once freed (not counted as in use). */
  CHECK(live == 0 && peak == 4096 && sessa_cuda_cached_bytes() == 4096,
        "memory stats: the %d-byte temporary (4096 bytes) was the peak, "
        "was released and is cached (live %lld, peak %lld, cached %lld)",
        (int)(n * 4), (long long)live, (long long)peak,
        (long long)sessa_cuda_cached_bytes());
  CHECK(fs->real_image_loads == 2 && fs->launches == 2,
        "two kernel images loaded on first use, two launches (%d, %d)",
        fs->real_image_loads, fs->launches);
  CHECK(fs->set_attribute_calls == 1,
        "the 64 KiB launch raised the shared-memory limit");
  CHECK(fs->last_stream == stream && fs->stream_creates == 0 &&
            fs->stream_syncs == 0 && fs->stream_destroys == 0,
        "everything on the caller's stream, no synchronization");
  CHECK(fs->allocs == 1 && fs->frees == 0 && fs->copies == 1,
        "one stream-ordered temporary (kept for reuse), one copy");
  rc = scale(&in, 1, &out, 1, stream, &st);
  CHECK(rc == SESSA_OK && fs->allocs == 1 && fs->frees == 0,
        "a second call reuses the cached temporary (allocs %d)", fs->allocs);
  CHECK(fs->last_kernel && fs->last_grid[0] == (unsigned)((n + 255) / 256) &&
            fs->last_block[0] == 256,
        "last launch: %s, grid %u, block %u",
        fs->last_kernel ? fs->last_kernel : "?", fs->last_grid[0],
        fs->last_block[0]);

  rc = twice(&in, 1, &out, 1, stream, &st);
  CHECK(rc == SESSA_OK && fs->real_image_loads == 3 && fs->launches == 5,
        "twice: its own image, one launch (%d, %d)", fs->real_image_loads,
        fs->launches);
  rc = scale(&in, 1, &out, 1, stream, &st);
  CHECK(rc == SESSA_OK && fs->real_image_loads == 3 && fs->launches == 7,
        "scale again: images cached");

  fs->fail_kernel = fs->last_kernel;
  fs->fail_kernel_code = 1;
  int launches = fs->launches, frees = fs->frees;
  rc = scale(&in, 1, &out, 1, stream, &st);
  CHECK(rc == SESSA_ERROR_CUDA &&
            strstr(st.message,
                   "entry 'scale': cuLaunchKernel(__sessa_compute_scale_kernel): ") &&
            fs->launches == launches + 1 && fs->frees == frees &&
            strstr(st.message, "CUDA_ERROR_INVALID_VALUE: invalid argument"),
        "launch failure: %s (later launches skipped, temporary released)",
        st.message);
  sessa_cuda_memory_stats(&live, &peak, 0);
  CHECK(live == 0 && sessa_cuda_cached_bytes() == 4096,
        "after the failure no temporary is in use, one is cached (%lld, "
        "%lld)",
        (long long)live, (long long)sessa_cuda_cached_bytes());

  float host[4];
  sessa_tensor h = tensor1(host, 4), hy = tensor1(y, 4);
  rc = scale(&h, 1, &hy, 1, stream, &st);
  CHECK(rc == SESSA_ERROR_INVALID_ARGUMENT && strstr(st.message, "host memory"),
        "host pointer: %s", st.message);
  printf(failures ? "FAILED\n" : "OK\n");
  return failures != 0;
}
