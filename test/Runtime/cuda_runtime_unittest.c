/*===- cuda_runtime_unittest.c - libSessaCudaRuntime without a GPU -------===*
 *
 *   sessa-cuda-runtime-unittest unavailable
 *       SESSA_CUDA_DRIVER names a library that does not exist: calls give
 *       SESSA_ERROR_CUDA_UNAVAILABLE with the path and dlerror, write
 *       nothing; argument errors are still reported first.
 *   sessa-cuda-runtime-unittest default
 *       the same with the default libcuda.so.1, when this machine cannot load
 *       it (prints SKIP otherwise).
 *   sessa-cuda-runtime-unittest fake <libsessa-fake-cuda.so>
 *       the whole runtime over a host-only fake driver (fake_cuda_driver.c):
 *       lazy module loading and caching, the ambient stream, shared memory
 *       opt-in, stream-ordered temporaries, host pointers rejected, every
 *       kind of failure reported with the call and the kernel, cleanup after
 *       a failure, SESSA_CUDA_SYNC=1, and the mgpu* functions outside an
 *       invoke.
 * Each mode runs in its own process (the driver is loaded once per process).
 * Prints one line per check; returns non-zero if any check fails.
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200809L

#include "fake_cuda_driver.h"
#include "sessa/Runtime/SessaRuntime.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    printf("%s: ", (cond) ? "PASS" : "FAIL");                                  \
    printf(__VA_ARGS__);                                                       \
    printf("\n");                                                              \
    if (!(cond))                                                               \
      ++g_failures;                                                            \
  } while (0)

/* The mgpu* functions, as the compiled host code declares them. */
void *mgpuModuleLoad(void *data, size_t size);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *f, intptr_t gx, intptr_t gy, intptr_t gz,
                      intptr_t bx, intptr_t by, intptr_t bz, int32_t smem,
                      void *stream, void **params, void **extra, size_t n);
void mgpuLaunchClusterKernel(void *f, intptr_t cx, intptr_t cy, intptr_t cz,
                             intptr_t gx, intptr_t gy, intptr_t gz,
                             intptr_t bx, intptr_t by, intptr_t bz,
                             int32_t smem, void *stream, void **params,
                             void **extra);
void *mgpuStreamCreate(void);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamDestroy(void *stream);
void *mgpuMemAlloc(uint64_t size, void *stream, bool host_shared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t size, void *stream);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void sessa_cuda_launch_stats(int64_t *launches, int64_t *pdl_launches,
                             int32_t *pdl_rejected, int32_t reset);
void *sessa_cuda_tensor_map_2d(const void *base, int64_t rows, int64_t cols,
                               int64_t row_stride, int64_t col_stride,
                               int32_t elem_bytes, int32_t box_rows,
                               int32_t box_cols);

/* ----- The "kernels" and their image ------------------------------------ */

/* add_one(float *t, int64_t n): t[i] += 1. */
static void add_one_run(void **params, int64_t threads) {
  float *t = *(float **)params[0];
  int64_t n = *(int64_t *)params[1];
  for (int64_t i = 0; i < threads && i < n; ++i)
    t[i] += 1.0f;
}
/* twice(const float *t, float *y, int64_t n): y[i] = 2 t[i]. */
static void twice_run(void **params, int64_t threads) {
  const float *t = *(float **)params[0];
  float *y = *(float **)params[1];
  int64_t n = *(int64_t *)params[2];
  for (int64_t i = 0; i < threads && i < n; ++i)
    y[i] = 2.0f * t[i];
}

/* `twice` has 16 bytes of static shared memory: 48 KiB - 16 of dynamic
 * shared memory fit without opting in. */
static fake_kernel g_kernels[] = {{"add_one", add_one_run, 49152, 0},
                                  {"twice", twice_run, 49152 - 16, 16}};
static fake_image g_image = {2, g_kernels, 0};
static void *g_module; /* what the artifact's constructor would hold */
/* An image whose kernels wait for the previous grid (it defines the
 * marker of sessa-gpu-grid-dependency-control). */
static fake_kernel g_pdl_kernels[] = {{"twice", twice_run, 49152, 0}};
static fake_image g_pdl_image = {1, g_pdl_kernels, 1};
static void *g_pdl_module;

/* ----- The "compiled" entry point, as gpu-to-llvm emits it --------------- */

typedef struct desc1 {
  void *allocated, *aligned;
  int64_t offset, size, stride;
} desc1;

/* scale: y = 2 (x + 1) through a temporary, 64 KiB of dynamic shared
 * memory for add_one, like the lit test module. */
static void scale_compute(void **args) {
  desc1 *x = args[0], *y = args[1];
  int64_t n = x->size;
  void *s = mgpuStreamCreate();
  float *tmp = mgpuMemAlloc((uint64_t)n * 4, s, false);
  mgpuMemcpy(tmp, x->aligned, (size_t)n * 4, s);
  void *f = mgpuModuleGetFunction(g_module, "add_one");
  void *p1[] = {&tmp, &n};
  mgpuLaunchKernel(f, (n + 255) / 256, 1, 1, 256, 1, 1, 65536, s, p1, NULL, 2);
  void *g = mgpuModuleGetFunction(g_module, "twice");
  void *p2[] = {&tmp, &y->aligned, &n};
  mgpuLaunchKernel(g, n, 1, 1, 1, 1, 1, 0, s, p2, NULL, 3);
  mgpuMemFree(tmp, s);
  mgpuStreamSynchronize(s);
  mgpuStreamDestroy(s);
}

/* big: one launch of `twice` with a grid of x's size (no temporaries). */
static void big_compute(void **args) {
  desc1 *x = args[0], *y = args[1];
  int64_t n = x->size;
  void *s = mgpuStreamCreate();
  void *g = mgpuModuleGetFunction(g_module, "twice");
  void *p[] = {&x->aligned, &y->aligned, &n};
  mgpuLaunchKernel(g, n, 1, 1, 1, 1, 1, 0, s, p, NULL, 3);
  mgpuStreamSynchronize(s);
  mgpuStreamDestroy(s);
}

static const int64_t k_dims_n[] = {-1};
static const sessa_arg_desc k_x[] = {{"x", SESSA_DTYPE_F32, 1, k_dims_n, 0}};
static const sessa_arg_desc k_y[] = {{"y", SESSA_DTYPE_F32, 1, k_dims_n, 0}};
static const char *const k_syms[] = {"N"};
static const sessa_entry_desc k_scale = {
    "scale", 1, 1, k_x, k_y, 1, k_syms, scale_compute, 0, NULL};
static const sessa_entry_desc k_big = {
    "big", 1, 1, k_x, k_y, 1, k_syms, big_compute, 0, NULL};

/* edge: `twice` with exactly 48 KiB of dynamic shared memory, which does not
 * fit beside its 16 static bytes without opting in. */
static void edge_compute(void **args) {
  desc1 *x = args[0], *y = args[1];
  int64_t n = x->size;
  void *s = mgpuStreamCreate();
  void *g = mgpuModuleGetFunction(g_module, "twice");
  void *p[] = {&x->aligned, &y->aligned, &n};
  mgpuLaunchKernel(g, n, 1, 1, 1, 1, 1, 49152, s, p, NULL, 3);
  mgpuStreamSynchronize(s);
  mgpuStreamDestroy(s);
}
static const sessa_entry_desc k_edge = {
    "edge", 1, 1, k_x, k_y, 1, k_syms, edge_compute, 0, NULL};

/* pdl: `twice` of the marked image, then `add_one` of the unmarked one. */
static void pdl_compute(void **args) {
  desc1 *x = args[0], *y = args[1];
  int64_t n = x->size;
  void *s = mgpuStreamCreate();
  void *g = mgpuModuleGetFunction(g_pdl_module, "twice");
  void *p[] = {&x->aligned, &y->aligned, &n};
  mgpuLaunchKernel(g, n, 1, 1, 1, 1, 1, 0, s, p, NULL, 3);
  void *f = mgpuModuleGetFunction(g_module, "add_one");
  void *q[] = {&y->aligned, &n};
  mgpuLaunchKernel(f, n, 1, 1, 1, 1, 1, 0, s, q, NULL, 2);
}
static const sessa_entry_desc k_pdl = {
    "pdl", 1, 1, k_x, k_y, 1, k_syms, pdl_compute, 0, NULL};

/* cluster: `twice` of the marked image in clusters of g_cluster_x blocks
 * (grid n), then `add_one` of the unmarked one in clusters of 1. */
static intptr_t g_cluster_x = 2;
static void cluster_compute(void **args) {
  desc1 *x = args[0], *y = args[1];
  int64_t n = x->size;
  void *s = mgpuStreamCreate();
  void *g = mgpuModuleGetFunction(g_pdl_module, "twice");
  void *p[] = {&x->aligned, &y->aligned, &n};
  mgpuLaunchClusterKernel(g, g_cluster_x, 1, 1, n, 1, 1, 1, 1, 1, 65536, s, p,
                          NULL);
  void *f = mgpuModuleGetFunction(g_module, "add_one");
  void *q[] = {&y->aligned, &n};
  mgpuLaunchClusterKernel(f, 1, 1, 1, n, 1, 1, 1, 1, 1, 0, s, q, NULL);
}
static const sessa_entry_desc k_cluster = {
    "cluster", 1, 1, k_x, k_y, 1, k_syms, cluster_compute, 0, NULL};

static sessa_tensor tensor1(void *data, int64_t n) {
  sessa_tensor t;
  memset(&t, 0, sizeof t);
  t.data = data;
  t.dtype = SESSA_DTYPE_F32;
  t.rank = 1;
  t.shape[0] = n;
  return t;
}

static void *const k_stream = (void *)(uintptr_t)0x5EA;
/* The stream `call` passes (k_stream unless a test switches it). */
static void *k_stream_in_use = (void *)(uintptr_t)0x5EA;

static int32_t call(const sessa_entry_desc *e, void *x, int64_t nx, void *y,
                    int64_t ny, sessa_status *st) {
  sessa_tensor in = tensor1(x, nx), out = tensor1(y, ny);
  memset(st, 0, sizeof *st);
  return sessa_cuda_invoke(e, &in, 1, &out, 1, k_stream_in_use, st);
}

/* ----- Without a driver ------------------------------------------------- */

static void test_unavailable(const char *expect_path) {
  float x[4] = {1, 2, 3, 4}, y[4] = {-7, -7, -7, -7};
  sessa_status st;
  /* Argument errors come first, without touching the driver. */
  sessa_tensor in = tensor1(x, 4), out = tensor1(y, 4);
  in.dtype = SESSA_DTYPE_F16;
  int32_t rc = sessa_cuda_invoke(&k_scale, &in, 1, &out, 1, NULL, &st);
  CHECK(rc == SESSA_ERROR_DTYPE_MISMATCH &&
            strstr(st.message, "input 0 ('x'): expected dtype f32, got f16"),
        "argument checks before the driver: %d %s", rc, st.message);

  rc = call(&k_scale, x, 4, y, 4, &st);
  CHECK(rc == SESSA_ERROR_CUDA_UNAVAILABLE && st.code == rc,
        "no driver: SESSA_ERROR_CUDA_UNAVAILABLE (got %d)", rc);
  CHECK(strstr(st.message, "entry 'scale': CUDA driver ") &&
            strstr(st.message, expect_path) && strstr(st.message, "not found"),
        "the message names the driver: %s", st.message);
  CHECK(y[0] == -7 && y[3] == -7, "nothing written");
  rc = call(&k_scale, x, 4, y, 4, &st);
  CHECK(rc == SESSA_ERROR_CUDA_UNAVAILABLE, "again on the next call");
  /* mgpu calls outside an invoke do nothing and do not crash. */
  CHECK(mgpuStreamCreate() == NULL && mgpuMemAlloc(16, NULL, false) == NULL,
        "mgpu calls without a driver return NULL");
  void *m = mgpuModuleLoad(&g_image, sizeof g_image);
  CHECK(m && mgpuModuleGetFunction(m, "twice") == NULL,
        "module functions without a driver: NULL");
  mgpuModuleUnload(m);
}

/* ----- Over the fake driver --------------------------------------------- */

static void test_fake(const char *path) {
  setenv("SESSA_CUDA_DRIVER", path, 1);
  /* The constructor's mgpuModuleLoad makes no driver call: the driver is
   * not even opened yet. */
  g_module = mgpuModuleLoad(&g_image, sizeof g_image);
  CHECK(g_module != NULL, "mgpuModuleLoad records the image");
  CHECK(dlopen(path, RTLD_NOW | RTLD_NOLOAD) == NULL,
        "no driver loaded by mgpuModuleLoad");
  void *lib = dlopen(path, RTLD_NOW);
  if (!lib) {
    CHECK(false, "cannot open the fake driver %s: %s", path, dlerror());
    return;
  }
  fake_cuda_get_state_fn get_state;
  fake_cuda_device_alloc_fn dev_alloc;
  *(void **)&get_state = dlsym(lib, "fake_cuda_get_state");
  *(void **)&dev_alloc = dlsym(lib, "fake_cuda_device_alloc");
  fake_cuda_state *fs = get_state();

  const int64_t n = 300;
  float *x = dev_alloc(n * 4), *y = dev_alloc(n * 4);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = (float)i;
    y[i] = -7;
  }
  sessa_status st;
  int32_t rc = call(&k_scale, x, n, y, n, &st);
  bool right = true;
  for (int64_t i = 0; i < n; ++i)
    right = right && y[i] == 2.0f * ((float)i + 1.0f);
  CHECK(rc == SESSA_OK && right, "scale runs: %d %s, y[299] = %g", rc,
        st.message, (double)y[n - 1]);
  CHECK(fs->init_calls == 1 && fs->retain_calls == 1,
        "cuInit once; no current context: the primary context retained (%d, "
        "%d)",
        fs->init_calls, fs->retain_calls);
  CHECK(fs->last_stream == k_stream && fs->stream_creates == 0 &&
            fs->stream_syncs == 0 && fs->stream_destroys == 0,
        "the caller's stream is used, never created, synchronized or "
        "destroyed (%p, %d, %d, %d)",
        fs->last_stream, fs->stream_creates, fs->stream_syncs,
        fs->stream_destroys);
  CHECK(fs->set_attribute_calls == 1 && g_kernels[0].max_dynamic_shared == 65536,
        "64 KiB of dynamic shared memory: the attribute raised once");
  /* SESSA_CUDA_CACHE_MB=0 (run by the lit test too): every temporary goes
   * back to the driver; by default it is kept for the next call. */
  const char *cache_env = getenv("SESSA_CUDA_CACHE_MB");
  bool caching = !cache_env || atoi(cache_env) > 0;
  int64_t tmp_bytes = (n * 4 + 511) / 512 * 512;
  CHECK(fs->allocs == 1 && fs->frees == (caching ? 0 : 1) &&
            fs->copies == 1 &&
            sessa_cuda_cached_bytes() == (caching ? tmp_bytes : 0),
        "the temporary: allocated on the stream, then %s (frees %d, cached "
        "%lld bytes)",
        caching ? "kept for reuse" : "freed", fs->frees,
        (long long)sessa_cuda_cached_bytes());
  int64_t live = -1, peak = -1;
  sessa_cuda_memory_stats(&live, &peak, 1);
  CHECK(live == 0 && peak == tmp_bytes,
        "no temporary in use after the call; the peak is the temporary "
        "(%lld, %lld)",
        (long long)live, (long long)peak);

  rc = call(&k_scale, x, n, y, n, &st);
  CHECK(rc == SESSA_OK && fs->allocs == (caching ? 1 : 2),
        "second call on the stream: allocs %d (the cached temporary reused "
        "unless SESSA_CUDA_CACHE_MB=0)",
        fs->allocs);
  if (caching) {
    /* Another stream never gets a block freed on this one. */
    void *saved = k_stream_in_use;
    k_stream_in_use = (void *)0x5678;
    rc = call(&k_scale, x, n, y, n, &st);
    k_stream_in_use = saved;
    CHECK(rc == SESSA_OK && fs->allocs == 2 &&
              sessa_cuda_cached_bytes() == 2 * tmp_bytes,
          "another stream: a new temporary, both then cached (allocs %d)",
          fs->allocs);
    /* A request more than 1/8 larger than a cached block: a new one. */
    float *xl = dev_alloc(3 * n * 4), *yl = dev_alloc(3 * n * 4);
    rc = call(&k_scale, xl, 3 * n, yl, 3 * n, &st);
    CHECK(rc == SESSA_OK && fs->allocs == 3,
          "a temporary over 1/8 larger than the cached one: allocated (allocs "
          "%d)",
          fs->allocs);
  }

  int queries = fs->pointer_queries;
  rc = call(&k_scale, x, n, y, n, &st);
  CHECK(rc == SESSA_OK && fs->pointer_queries == queries + 2,
        "one pointer query a tensor (cuPointerGetAttributes: %d for 2)",
        fs->pointer_queries - queries);
  CHECK(rc == SESSA_OK && fs->module_loads == 1 &&
            fs->get_function_calls == 2 && fs->set_attribute_calls == 1 &&
            fs->retain_calls == 1,
        "second call: image loaded once, functions and attribute cached "
        "(loads %d, lookups %d)",
        fs->module_loads, fs->get_function_calls);

  /* 48 KiB of dynamic shared memory beside 16 static bytes: opted in (the
   * static size counts), and only once. */
  for (int k = 0; k < 2; ++k) {
    rc = call(&k_edge, x, n, y, n, &st);
    CHECK(rc == SESSA_OK && fs->set_attribute_calls == 2 &&
              g_kernels[1].max_dynamic_shared == 49152,
          "48 KiB dynamic + 16 static bytes: the attribute raised once (%d "
          "%s, calls %d, attribute %d)",
          rc, st.message, fs->set_attribute_calls,
          g_kernels[1].max_dynamic_shared);
  }

  /* Host memory. */
  float host[4] = {0};
  int launches = fs->launches;
  rc = call(&k_scale, x, 4, host, 4, &st);
  CHECK(rc == SESSA_ERROR_INVALID_ARGUMENT &&
            strstr(st.message, "output 0 ('y')") &&
            strstr(st.message, "is host memory, not device memory") &&
            fs->launches == launches,
        "host pointer rejected before any launch: %s", st.message);

  /* A failing launch: named with its kernel, later work skipped, the
   * temporary still freed, nothing more launched. */
  for (int64_t i = 0; i < n; ++i)
    y[i] = -7;
  fs->fail_kernel = "twice";
  fs->fail_kernel_code = 700;
  int frees = fs->frees, allocs = fs->allocs;
  rc = call(&k_scale, x, n, y, n, &st);
  CHECK(rc == SESSA_ERROR_CUDA && st.code == SESSA_ERROR_CUDA &&
            strcmp(st.message,
                   "entry 'scale': cuLaunchKernel(twice): "
                   "CUDA_ERROR_ILLEGAL_ADDRESS: an illegal memory access was "
                   "encountered") == 0,
        "launch failure: %s", st.message);
  sessa_cuda_memory_stats(&live, &peak, 0);
  CHECK(fs->allocs == allocs + (caching ? 0 : 1) &&
            fs->frees == frees + (caching ? 0 : 1) && live == 0 && y[0] == -7,
        "after the failure the temporary is released (to the cache or the "
        "driver), y untouched");
  fs->fail_kernel = NULL;
  rc = call(&k_scale, x, n, y, n, &st);
  CHECK(rc == SESSA_OK && y[1] == 4.0f,
        "the error state is cleared by the next call: %d %s", rc, st.message);

  /* A failing allocation: nothing after it runs. */
  fs->fail_alloc_over = 1 << 20;
  launches = fs->launches;
  int copies = fs->copies;
  float *xs = dev_alloc(16), *ys = dev_alloc(16);
  rc = call(&k_scale, xs, (int64_t)1 << 30, ys, (int64_t)1 << 30, &st);
  CHECK(rc == SESSA_ERROR_CUDA &&
            strcmp(st.message, "entry 'scale': cuMemAllocAsync: "
                               "CUDA_ERROR_OUT_OF_MEMORY: out of memory") == 0 &&
            fs->launches == launches && fs->copies == copies,
        "allocation failure stops the work: %s", st.message);
  fs->fail_alloc_over = 0;

  /* A grid beyond the driver's unsigned int. */
  rc = call(&k_big, xs, (int64_t)1 << 33, ys, (int64_t)1 << 33, &st);
  CHECK(rc == SESSA_ERROR_CUDA && strstr(st.message, "cuLaunchKernel(twice)") &&
            strstr(st.message, "out of range") && fs->launches == launches,
        "grid out of range: %s", st.message);

  /* Empty tensors: NULL data is fine, an empty grid launches nothing. */
  rc = call(&k_big, NULL, 0, NULL, 0, &st);
  CHECK(rc == SESSA_OK && fs->launches == launches,
        "empty tensors: %d %s", rc, st.message);

  /* SESSA_CUDA_SYNC=1: the stream is synchronized, asynchronous errors are
   * reported. */
  fs->fail_sync = 700;
  rc = call(&k_scale, x, n, y, n, &st);
  CHECK(rc == SESSA_OK && fs->stream_syncs == 0,
        "without SESSA_CUDA_SYNC: no synchronization");
  setenv("SESSA_CUDA_SYNC", "1", 1);
  rc = call(&k_scale, x, n, y, n, &st);
  CHECK(rc == SESSA_ERROR_CUDA && fs->stream_syncs == 1 &&
            strstr(st.message, "cuStreamSynchronize (SESSA_CUDA_SYNC=1): "
                               "CUDA_ERROR_ILLEGAL_ADDRESS"),
        "SESSA_CUDA_SYNC=1: %s", st.message);
  unsetenv("SESSA_CUDA_SYNC");
  fs->fail_sync = 0;

  /* Outside an invoke: real streams, as upstream. */
  void *s = mgpuStreamCreate();
  mgpuStreamSynchronize(s);
  mgpuStreamDestroy(s);
  CHECK(s != NULL && fs->stream_creates == 1 && fs->stream_syncs == 2 &&
            fs->stream_destroys == 1,
        "outside an invoke streams are created, synchronized, destroyed");
  void *e = mgpuEventCreate();
  mgpuEventDestroy(e);
  CHECK(fs->event_creates == 1 && fs->event_destroys == 1, "events");

  /* TMA tensor maps: encoded once per (buffer, sizes, stride, box), copied
   * to a device slot; NULL (the cp.async kernel) for what TMA cannot
   * describe, when the encoding fails, and with SESSA_CUDA_TMA=0. */
  {
    char *buf = dev_alloc(4096);
    void *m1 = sessa_cuda_tensor_map_2d(buf, 300, 1000, 1024, 1, 2, 128, 64);
    const unsigned long long *w = m1;
    CHECK(m1 != NULL && fs->tensor_map_encodes == 1 && fs->sync_copies == 1 &&
              fs->last_map_type == 1 && fs->last_map_rank == 2 &&
              fs->last_map_swizzle == 3 && fs->last_map_oob == 0 &&
              fs->last_map_dims[0] == 1000 && fs->last_map_dims[1] == 300 &&
              fs->last_map_stride == 2048 && fs->last_map_box[0] == 64 &&
              fs->last_map_box[1] == 128 && ((uintptr_t)m1 % 128) == 0 &&
              w[0] == (unsigned long long)(uintptr_t)buf && w[1] == 1000,
          "tensor map: k innermost (1000 x 300, pitch 2048 bytes, box 64 x "
          "128, 128-byte swizzle, zero fill) copied to a 128-byte aligned "
          "device slot (%d encodes, %d copies)",
          fs->tensor_map_encodes, fs->sync_copies);
    void *again = sessa_cuda_tensor_map_2d(buf, 300, 1000, 1024, 1, 2, 128, 64);
    void *other = sessa_cuda_tensor_map_2d(buf + 16, 300, 1000, 1024, 1, 2,
                                           256, 64);
    CHECK(again == m1 && other != NULL && other != m1 &&
              fs->tensor_map_encodes == 2 && fs->sync_copies == 2 &&
              fs->sync_allocs == 1,
          "the same map again: cached (no driver call); another one: a new "
          "slot of the same page (%d encodes, %d allocations)",
          fs->tensor_map_encodes, fs->sync_allocs);
    int before = fs->tensor_map_encodes;
    bool none =
        !sessa_cuda_tensor_map_2d(buf + 2, 300, 1000, 1024, 1, 2, 128, 64) &&
        !sessa_cuda_tensor_map_2d(buf, 300, 1000, 1003, 1, 2, 128, 64) &&
        !sessa_cuda_tensor_map_2d(buf, 300, 1000, 1024, 2, 2, 128, 64) &&
        !sessa_cuda_tensor_map_2d(buf, 300, 1000, 1024, 1, 4, 128, 32) &&
        !sessa_cuda_tensor_map_2d(buf, 300, 0, 1024, 1, 2, 128, 64) &&
        !sessa_cuda_tensor_map_2d(buf, 0, 1000, 1024, 1, 2, 128, 64) &&
        !sessa_cuda_tensor_map_2d(buf, 300, 1000, 1024, 1, 2, 512, 64);
    CHECK(none && fs->tensor_map_encodes == before,
          "no map (and no driver call) for a misaligned base or pitch, a "
          "column stride, 4-byte elements, an empty matrix or a box of 512 "
          "rows");
    fs->fail_tensor_map = 1;
    void *rejected = sessa_cuda_tensor_map_2d(buf, 7, 64, 64, 1, 2, 128, 64);
    fs->fail_tensor_map = 0;
    CHECK(!rejected && fs->tensor_map_encodes == before + 1,
          "the driver rejects the encoding: NULL, no error");
    setenv("SESSA_CUDA_TMA", "0", 1);
    void *off = sessa_cuda_tensor_map_2d(buf, 8, 64, 64, 1, 2, 128, 64);
    unsetenv("SESSA_CUDA_TMA");
    CHECK(!off && fs->tensor_map_encodes == before + 1,
          "SESSA_CUDA_TMA=0: NULL");
    void *later = sessa_cuda_tensor_map_2d(buf, 8, 64, 64, 1, 2, 128, 64);
    CHECK(later != NULL && later != m1 && later != other,
          "a new map after those: its own slot");
  }

  /* Clusters (mgpuLaunchClusterKernel): cuLaunchKernelEx with
   * CLUSTER_DIMENSION, plus PDL for the marked image's kernel; shared
   * memory above 48 KiB opted in as for plain launches; a cluster that does
   * not divide the grid is an error before any driver call. */
  {
    g_pdl_module = mgpuModuleLoad(&g_pdl_image, sizeof g_pdl_image);
    float *px = dev_alloc(8 * 4), *py = dev_alloc(8 * 4);
    for (int i = 0; i < 8; ++i)
      px[i] = (float)i;
    int ex0 = fs->launches_ex, pdl0 = fs->pdl_launches,
        c0 = fs->cluster_launches, l0 = fs->launches;
    rc = call(&k_cluster, px, 8, py, 8, &st);
    CHECK(rc == SESSA_OK && py[7] == 15.0f && fs->launches - l0 == 2 &&
              fs->launches_ex - ex0 == 2 && fs->cluster_launches - c0 == 2 &&
              fs->pdl_launches - pdl0 == 1 && fs->last_launch_pdl == 0 &&
              fs->last_cluster[0] == 1 && fs->last_cluster[1] == 1 &&
              fs->last_cluster[2] == 1,
          "clusters: both kernels through cuLaunchKernelEx with the cluster "
          "dimension, PDL only for the marked image (rc %d, y[7] %g, ex %d, "
          "clusters %d, pdl %d) %s",
          rc, (double)py[7], fs->launches_ex - ex0,
          fs->cluster_launches - c0, fs->pdl_launches - pdl0, st.message);
    setenv("SESSA_CUDA_PDL", "0", 1);
    rc = call(&k_cluster, px, 8, py, 8, &st);
    unsetenv("SESSA_CUDA_PDL");
    CHECK(rc == SESSA_OK && fs->cluster_launches - c0 == 4 &&
              fs->pdl_launches - pdl0 == 1,
          "clusters: SESSA_CUDA_PDL=0 keeps the cluster, drops PDL");
    g_cluster_x = 3;
    int before = fs->launches;
    rc = call(&k_cluster, px, 8, py, 8, &st);
    g_cluster_x = 2;
    CHECK(rc == SESSA_ERROR_CUDA && fs->launches == before &&
              strstr(st.message, "cuLaunchKernelEx(twice)") &&
              strstr(st.message, "does not divide grid (8, 1, 1)"),
          "clusters: a cluster of 3 in a grid of 8 is refused (%s)",
          st.message);
    fs->fail_launch_ex = 801;
    rc = call(&k_cluster, px, 8, py, 8, &st);
    fs->fail_launch_ex = 0;
    CHECK(rc == SESSA_ERROR_CUDA &&
              strstr(st.message, "cuLaunchKernelEx(twice)"),
          "clusters: a refused cluster launch is an error, never a plain "
          "launch (%s)",
          st.message);
    mgpuModuleUnload(g_pdl_module);
  }

  /* Programmatic dependent launch: kernels of the marked image go through
   * cuLaunchKernelEx with PROGRAMMATIC_STREAM_SERIALIZATION, the others
   * through cuLaunchKernel; SESSA_CUDA_PDL=0 turns it off (read once a
   * call); a driver that rejects the attribute gets plain launches from
   * then on, with the call still succeeding. */
  {
    g_pdl_module = mgpuModuleLoad(&g_pdl_image, sizeof g_pdl_image);
    float *px = dev_alloc(8 * 4), *py = dev_alloc(8 * 4);
    for (int i = 0; i < 8; ++i)
      px[i] = (float)i;
    int64_t launches = 0, pdl = 0;
    int32_t rejected = -1;
    sessa_cuda_launch_stats(NULL, NULL, NULL, 1);
    int ex0 = fs->launches_ex, pdl0 = fs->pdl_launches, l0 = fs->launches;
    rc = call(&k_pdl, px, 8, py, 8, &st);
    sessa_cuda_launch_stats(&launches, &pdl, &rejected, 0);
    CHECK(rc == SESSA_OK && py[7] == 15.0f && fs->launches - l0 == 2 &&
              fs->launches_ex - ex0 == 1 && fs->pdl_launches - pdl0 == 1 &&
              fs->last_launch_pdl == 0 && launches == 2 && pdl == 1 &&
              rejected == 0,
          "PDL: the marked image's kernel launched with programmatic stream "
          "serialization, the unmarked one plainly (rc %d, y[7] %g, ex %d, "
          "stats %lld/%lld, rejected %d)",
          rc, (double)py[7], fs->launches_ex - ex0, (long long)pdl,
          (long long)launches, rejected);
    setenv("SESSA_CUDA_PDL", "0", 1);
    rc = call(&k_pdl, px, 8, py, 8, &st);
    unsetenv("SESSA_CUDA_PDL");
    CHECK(rc == SESSA_OK && fs->launches_ex - ex0 == 1 &&
              fs->launches - l0 == 4,
          "PDL: SESSA_CUDA_PDL=0: plain launches only (ex %d)",
          fs->launches_ex - ex0);
    /* Both launches fail: the plain launch's error is reported (the
     * attribute is not blamed) and the kernel is not launched twice. */
    fs->fail_launch_ex = 801; /* CUDA_ERROR_NOT_SUPPORTED */
    fs->fail_kernel = "twice";
    fs->fail_kernel_code = 700;
    rc = call(&k_pdl, px, 8, py, 8, &st);
    fs->fail_kernel = NULL;
    sessa_cuda_launch_stats(NULL, NULL, &rejected, 0);
    CHECK(rc == SESSA_ERROR_CUDA && fs->launches - l0 == 5 && rejected == 0 &&
              strstr(st.message, "cuLaunchKernel(twice): "
                                 "CUDA_ERROR_ILLEGAL_ADDRESS"),
          "PDL: a launch that fails with and without the attribute: the "
          "plain launch's error, once (%s)",
          st.message);
    rc = call(&k_pdl, px, 8, py, 8, &st);
    int after_reject = fs->launches;
    fs->fail_launch_ex = 0;
    rc += call(&k_pdl, px, 8, py, 8, &st);
    sessa_cuda_launch_stats(&launches, &pdl, &rejected, 1);
    CHECK(rc == SESSA_OK && py[7] == 15.0f && after_reject - l0 == 7 &&
              fs->launches - l0 == 9 && fs->launches_ex - ex0 == 1 &&
              launches == 8 && pdl == 1 && rejected == 801,
          "PDL: the driver rejects the attribute: the kernel is launched "
          "plainly, the call succeeds, and no later launch asks again "
          "(launches %lld, pdl %lld, rejected %d)",
          (long long)launches, (long long)pdl, rejected);
    sessa_cuda_launch_stats(&launches, &pdl, NULL, 0);
    CHECK(launches == 0 && pdl == 0, "launch stats reset");
    mgpuModuleUnload(g_pdl_module);
  }

  /* Cached temporaries of equal size are handed out lowest address first,
   * whatever order they were freed in: the same sequence of allocations
   * gets the same buffers on every call (the TMA maps of those buffers are
   * then found, not encoded again). */
  if (getenv("SESSA_CUDA_CACHE_MB") == NULL) {
    void *s = (void *)(uintptr_t)0x5EB;
    void *a[3], *b[3], *c[3];
    for (int i = 0; i < 3; ++i)
      a[i] = mgpuMemAlloc(4000, s, false);
    mgpuMemFree(a[2], s);
    mgpuMemFree(a[0], s);
    mgpuMemFree(a[1], s);
    for (int i = 0; i < 3; ++i)
      b[i] = mgpuMemAlloc(4000, s, false);
    mgpuMemFree(b[1], s);
    mgpuMemFree(b[2], s);
    mgpuMemFree(b[0], s);
    for (int i = 0; i < 3; ++i)
      c[i] = mgpuMemAlloc(4000, s, false);
    bool same = true, ascending = true;
    for (int i = 0; i < 3; ++i) {
      same = same && b[i] == c[i] && b[i] != NULL;
      if (i > 0)
        ascending = ascending && (uintptr_t)b[i - 1] < (uintptr_t)b[i];
    }
    CHECK(same && ascending,
          "cached temporaries: lowest address first, the same buffers for "
          "the same sequence whatever the order of the frees");
    for (int i = 0; i < 3; ++i)
      mgpuMemFree(c[i], s);
  }

  /* The destructor unloads what was loaded. */
  int unloads = fs->module_unloads;
  mgpuModuleUnload(g_module);
  CHECK(fs->module_unloads == unloads + 1,
        "mgpuModuleUnload unloads the image (%d)", fs->module_unloads);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "unavailable") == 0) {
    setenv("SESSA_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
    test_unavailable("/nonexistent/libcuda.so.1");
  } else if (strcmp(mode, "default") == 0) {
    unsetenv("SESSA_CUDA_DRIVER");
    void *lib = dlopen("libcuda.so.1", RTLD_NOW);
    if (lib) {
      printf("SKIP: this machine has libcuda.so.1\n");
      return 0;
    }
    test_unavailable("libcuda.so.1");
  } else if (strcmp(mode, "fake") == 0 && argc > 2) {
    test_fake(argv[2]);
  } else {
    fprintf(stderr, "usage: %s unavailable | default | fake <fake driver>\n",
            argv[0]);
    return 2;
  }
  printf("%d failure(s)\n", g_failures);
  return g_failures != 0;
}
