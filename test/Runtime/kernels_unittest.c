/* Checks the runtime's transpose kernel against a naive copy (shapes around
 * the 8 x 8 block and 32 x 32 tile edges, strided rows on both sides, a
 * non-unit inner stride, and sizes that split over threads), and the heap
 * functions compiled code allocates its temporaries with: alignment, reuse
 * of a freed large block by the next allocation it fits (unless
 * SESSA_KEEP_TEMPORARIES=0: pass `nocache` then), no reuse across sizes it
 * does not fit, and blocks freed on another thread. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sessa_ukernel_transpose(int64_t R, int64_t C, int64_t src, int64_t ssr,
                             int64_t ssc, int64_t dst, int64_t sdc,
                             int64_t sdr);
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);

static int check_transpose(int64_t R, int64_t C, int64_t ssc, int64_t sdr) {
  int64_t ssr = C * ssc + 3, sdc = R * sdr + 5;
  size_t ns = (size_t)(R * ssr + 1), nd = (size_t)(C * sdc + 1);
  float *src = malloc(ns * sizeof(float)), *dst = malloc(nd * sizeof(float));
  for (size_t i = 0; i < ns; ++i)
    src[i] = (float)i * 0.5f - 3.0f;
  for (size_t i = 0; i < nd; ++i)
    dst[i] = -1.0f;
  sessa_ukernel_transpose(R, C, (int64_t)(intptr_t)src, ssr, ssc,
                          (int64_t)(intptr_t)dst, sdc, sdr);
  int64_t bad = 0, touched = 0;
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c)
      bad += dst[c * sdc + r * sdr] != src[r * ssr + c * ssc];
  /* Nothing outside the destination elements is written. */
  for (size_t i = 0; i < nd; ++i)
    touched += dst[i] != -1.0f;
  int ok = bad == 0 && touched <= R * C;
  printf("%s transpose R=%lld C=%lld ssc=%lld sdr=%lld wrong=%lld\n",
         ok ? "ok  " : "FAIL", (long long)R, (long long)C, (long long)ssc,
         (long long)sdr, (long long)bad);
  free(src);
  free(dst);
  return ok;
}

static void *free_block(void *p) {
  _mlir_memref_to_llvm_free(p);
  return NULL;
}

static int check_alloc(int cache) {
  int ok = 1;
  /* Alignment, small and large. */
  size_t sizes[] = {1, 100, 4096, 200000, 5u << 20};
  for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    char *p = _mlir_memref_to_llvm_alloc(sizes[i]);
    char *q = _mlir_memref_to_llvm_aligned_alloc(256, sizes[i]);
    ok &= p && q && (uintptr_t)p % 64 == 0 && (uintptr_t)q % 256 == 0;
    memset(p, 1, sizes[i]);
    memset(q, 2, sizes[i]);
    _mlir_memref_to_llvm_free(p);
    _mlir_memref_to_llvm_free(q);
  }
  _mlir_memref_to_llvm_free(NULL);
  printf("%s alignment\n", ok ? "ok  " : "FAIL");
  /* A freed 12 MiB block (larger than any freed above) serves the next
   * 11 MiB request, not a 25 MiB one. */
  char *a = _mlir_memref_to_llvm_alloc(12u << 20);
  memset(a, 3, 12u << 20);
  _mlir_memref_to_llvm_free(a);
  char *b = _mlir_memref_to_llvm_alloc(11u << 20);
  int reused = b == a;
  char *big = _mlir_memref_to_llvm_alloc(25u << 20);
  memset(big, 4, 25u << 20);
  int reuse_ok = cache ? reused && big != a : 1;
  printf("%s reuse (cache %s, reused %d)\n", reuse_ok ? "ok  " : "FAIL",
         cache ? "on" : "off", reused);
  ok &= reuse_ok;
  _mlir_memref_to_llvm_free(big);
  _mlir_memref_to_llvm_free(b);
  /* A block freed on another thread (goes to that thread's cache, which is
   * freed when it exits). */
  char *c = _mlir_memref_to_llvm_alloc(1u << 20);
  memset(c, 5, 1u << 20);
  pthread_t t;
  ok &= pthread_create(&t, NULL, free_block, c) == 0 && pthread_join(t, NULL) == 0;
  /* Many blocks: more than a cache keeps. */
  void *many[40];
  for (int i = 0; i < 40; ++i) {
    many[i] = _mlir_memref_to_llvm_alloc((size_t)(i + 1) << 17);
    ok &= many[i] != NULL;
  }
  for (int i = 0; i < 40; ++i)
    _mlir_memref_to_llvm_free(many[i]);
  printf("%s cross-thread and many blocks\n", ok ? "ok  " : "FAIL");
  return ok;
}

int main(int argc, char **argv) {
  int cache = !(argc > 1 && strcmp(argv[1], "nocache") == 0);
  int ok = 1;
  const int64_t shapes[][2] = {{1, 1},   {1, 9},     {9, 1},    {8, 8},
                               {7, 13},  {33, 65},   {64, 64},  {100, 37},
                               {2048, 64}, {64, 2048}, {513, 300}};
  for (unsigned i = 0; i < sizeof shapes / sizeof shapes[0]; ++i) {
    ok &= check_transpose(shapes[i][0], shapes[i][1], 1, 1);
    ok &= check_transpose(shapes[i][0], shapes[i][1], 2, 1);
    ok &= check_transpose(shapes[i][0], shapes[i][1], 1, 3);
  }
  ok &= check_alloc(cache);
  printf(ok ? "all kernel checks passed\n" : "kernel checks FAILED\n");
  return ok ? 0 : 1;
}
