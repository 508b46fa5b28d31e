/*===- Sgemm.c - f32 matrix-product microkernels for compiled code ------===*
 *
 * The CPU pipeline lowers every f32 matrix product it produces (the layer's
 * projections, the attention and feedback tiles) to a call of
 *
 *   sessa_ukernel_sgemm(M, N, K, A, sam, sak, B, sbk, sbn, C, scm, scn)
 *
 * which accumulates C[m,n] += sum_k A[m*sam + k*sak] * B[k*sbk + n*sbn]
 * (element strides; addresses are passed as integers). It is the classic
 * blocked algorithm: B is packed into K x NR panels, A into MR x K panels,
 * and an MR x NR register tile is computed by a kernel written with vector
 * extensions. Kernels exist for AVX-512, AVX2+FMA and baseline SSE2; the
 * widest one the running CPU supports is chosen once, so an artifact never
 * executes an instruction its machine lacks. Large products are split over
 * OpenMP threads unless the call is already inside a parallel region.
 *
 *===----------------------------------------------------------------------===*/
#include "SessaRuntimeInternal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Rows of the register tile: the widest kernel (AVX-512, 32 registers) keeps
 * 12 x 32 accumulators, the others 6 x 2V. Panels of A are packed for the
 * largest. */
#define SESSA_MR 12
#define SESSA_KC 256
#define SESSA_MC 144
#define SESSA_NC 512

/* One register tile: C[MR x 2V] += packedA[K x MR] * packedB[K x 2V]. */
#define SESSA_DEFINE_KERNEL(NAME, ATTR, V, MR)                                     \
  typedef float NAME##_vec __attribute__((vector_size(4 * V), aligned(4)));    \
  ATTR static void NAME##_tile(int64_t kc, const float *pa, const float *pb,   \
                               int64_t ldb, float *c, int64_t scm, int64_t mr, \
                               int64_t nr) {                                   \
    NAME##_vec acc[MR][2];                                                     \
    memset(acc, 0, sizeof acc);                                                \
    for (int64_t k = 0; k < kc; ++k) {                                         \
      NAME##_vec b0, b1;                                                       \
      memcpy(&b0, pb + k * ldb, sizeof b0);                                    \
      memcpy(&b1, pb + k * ldb + V, sizeof b1);                                \
      for (int i = 0; i < MR; ++i) {                                           \
        NAME##_vec a = {0};                                                    \
        a += pa[k * MR + i];                                                   \
        acc[i][0] += a * b0;                                                   \
        acc[i][1] += a * b1;                                                   \
      }                                                                        \
    }                                                                          \
    if (mr == MR && nr == 2 * V) {                                             \
      for (int i = 0; i < MR; ++i) {                                           \
        NAME##_vec c0, c1;                                                     \
        memcpy(&c0, c + i * scm, sizeof c0);                                   \
        memcpy(&c1, c + i * scm + V, sizeof c1);                               \
        c0 += acc[i][0];                                                       \
        c1 += acc[i][1];                                                       \
        memcpy(c + i * scm, &c0, sizeof c0);                                   \
        memcpy(c + i * scm + V, &c1, sizeof c1);                               \
      }                                                                        \
      return;                                                                  \
    }                                                                          \
    float tile[MR][2 * V];                                                     \
    memcpy(tile, acc, sizeof tile);                                            \
    for (int64_t i = 0; i < mr; ++i)                                           \
      for (int64_t j = 0; j < nr; ++j)                                         \
        c[i * scm + j] += tile[i][j];                                          \
  }                                                                            \
  /* B panels come packed (pb, kc x 2V each) or, when `bd` is not NULL,   \
   * straight from memory (row stride sbk) for every full-width panel; the \
   * partial last panel is then the only one packed, at pb. */            \
  ATTR static void NAME##_block(int64_t mc, int64_t nc, int64_t kc,            \
                                const float *pa, const float *pb,              \
                                const float *bd, int64_t sbk, float *c,        \
                                int64_t scm, int64_t scn, float *ctmp) {       \
    for (int64_t j = 0; j < nc; j += 2 * V) {                                  \
      int64_t nr = nc - j < 2 * V ? nc - j : 2 * V;                            \
      const float *b = bd ? (nr == 2 * V ? bd + j : pb) : pb + j * kc;         \
      int64_t ldb = bd && nr == 2 * V ? sbk : 2 * V;                           \
      for (int64_t i = 0; i < mc; i += MR) {                                   \
        int64_t mr = mc - i < MR ? mc - i : MR;                                \
        const float *a = pa + i * kc;                                          \
        if (scn == 1) {                                                        \
          NAME##_tile(kc, a, b, ldb, c + i * scm + j, scm, mr, nr);            \
        } else {                                                               \
          /* Strided C: accumulate through a dense tile. */                    \
          for (int64_t ii = 0; ii < mr; ++ii)                                  \
            for (int64_t jj = 0; jj < nr; ++jj)                                \
              ctmp[ii * 2 * V + jj] = 0.0f;                                    \
          NAME##_tile(kc, a, b, ldb, ctmp, 2 * V, mr, nr);                     \
          for (int64_t ii = 0; ii < mr; ++ii)                                  \
            for (int64_t jj = 0; jj < nr; ++jj)                                \
              c[(i + ii) * scm + (j + jj) * scn] += ctmp[ii * 2 * V + jj];     \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  }

SESSA_DEFINE_KERNEL(avx512, __attribute__((target("avx512f"))), 16, 12)
SESSA_DEFINE_KERNEL(avx2, __attribute__((target("avx2,fma"))), 8, 6)
SESSA_DEFINE_KERNEL(sse2, , 4, 6)

/* Products with few rows (decoding one token: M = batch) read every
 * element of B once, so they are bound by memory, not arithmetic: packing B
 * would only add a second pass. Two unpacked kernels, chosen by B's layout:
 *   dots:  B[k, n] contiguous along k (a weight W[n, k] used as W^T):
 *          C[m, n] += A[m, :] . W[n, :], four rows n at a time (eight
 *          independent accumulator chains, one tree reduction per row)
 *   axpys: B[k, n] contiguous along n: C[m, :] += A[m, k] * B[k, :], the
 *          columns in blocks of up to 8 vectors held in registers over all
 *          k (C is loaded and stored once per block, not once per k; the
 *          sums keep the order k = 0, 1, ...)
 * Rows n (or columns) are split over OpenMP threads by the caller. */
#define SESSA_DEFINE_SMALL(NAME, ATTR, V)                                      \
  typedef float NAME##_svec __attribute__((vector_size(4 * V), aligned(4)));   \
  ATTR static inline NAME##_svec NAME##_load(const float *p) {                 \
    NAME##_svec v;                                                             \
    memcpy(&v, p, sizeof v);                                                   \
    return v;                                                                  \
  }                                                                            \
  /* The sum of a vector's lanes, halves added pairwise. */                   \
  ATTR static inline float NAME##_hsum(NAME##_svec v) {                        \
    float t[V];                                                                \
    memcpy(t, &v, sizeof t);                                                   \
    for (int w = V / 2; w >= 1; w /= 2)                                        \
      for (int i = 0; i < w; ++i)                                              \
        t[i] += t[i + w];                                                      \
    return t[0];                                                               \
  }                                                                            \
  ATTR static void NAME##_dots(int64_t M, int64_t n0, int64_t n1, int64_t K,   \
                               const float *A, int64_t sam, const float *B,    \
                               int64_t sbn, float *C, int64_t scm,             \
                               int64_t scn) {                                  \
    for (int64_t m = 0; m < M; ++m) {                                          \
      const float *a = A + m * sam;                                            \
      int64_t n = n0;                                                          \
      for (; n + 4 <= n1; n += 4) {                                            \
        const float *b0 = B + n * sbn, *b1 = b0 + sbn, *b2 = b1 + sbn,         \
                    *b3 = b2 + sbn;                                            \
        NAME##_svec s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};                    \
        NAME##_svec t0 = {0}, t1 = {0}, t2 = {0}, t3 = {0};                    \
        int64_t k = 0;                                                         \
        for (; k + 2 * V <= K; k += 2 * V) {                                   \
          NAME##_svec x = NAME##_load(a + k), y = NAME##_load(a + k + V);      \
          s0 += x * NAME##_load(b0 + k);                                       \
          s1 += x * NAME##_load(b1 + k);                                       \
          s2 += x * NAME##_load(b2 + k);                                       \
          s3 += x * NAME##_load(b3 + k);                                       \
          t0 += y * NAME##_load(b0 + k + V);                                   \
          t1 += y * NAME##_load(b1 + k + V);                                   \
          t2 += y * NAME##_load(b2 + k + V);                                   \
          t3 += y * NAME##_load(b3 + k + V);                                   \
        }                                                                      \
        for (; k + V <= K; k += V) {                                           \
          NAME##_svec x = NAME##_load(a + k);                                  \
          s0 += x * NAME##_load(b0 + k);                                       \
          s1 += x * NAME##_load(b1 + k);                                       \
          s2 += x * NAME##_load(b2 + k);                                       \
          s3 += x * NAME##_load(b3 + k);                                       \
        }                                                                      \
        float r0 = NAME##_hsum(s0 + t0), r1 = NAME##_hsum(s1 + t1);            \
        float r2 = NAME##_hsum(s2 + t2), r3 = NAME##_hsum(s3 + t3);            \
        for (; k < K; ++k) {                                                   \
          r0 += a[k] * b0[k];                                                  \
          r1 += a[k] * b1[k];                                                  \
          r2 += a[k] * b2[k];                                                  \
          r3 += a[k] * b3[k];                                                  \
        }                                                                      \
        float *c = C + m * scm + n * scn;                                      \
        c[0] += r0;                                                            \
        c[scn] += r1;                                                          \
        c[2 * scn] += r2;                                                      \
        c[3 * scn] += r3;                                                      \
      }                                                                        \
      for (; n < n1; ++n) {                                                    \
        const float *b = B + n * sbn;                                          \
        NAME##_svec s = {0};                                                   \
        int64_t k = 0;                                                         \
        for (; k + V <= K; k += V)                                             \
          s += NAME##_load(a + k) * NAME##_load(b + k);                        \
        float r = NAME##_hsum(s);                                              \
        for (; k < K; ++k)                                                     \
          r += a[k] * b[k];                                                    \
        C[m * scm + n * scn] += r;                                             \
      }                                                                        \
    }                                                                          \
  }                                                                            \
  /* C[m, n : n + NV*V] += sum_k A[m, k] B[k, n : ...], NV vectors held in  \
   * registers. */                                                          \
  ATTR static inline void NAME##_axpy_block(int NV, int64_t K,                 \
                                            const float *a, int64_t sak,       \
                                            const float *b, int64_t sbk,       \
                                            float *c) {                        \
    NAME##_svec acc[8];                                                        \
    for (int j = 0; j < NV; ++j)                                               \
      acc[j] = NAME##_load(c + j * V);                                         \
    for (int64_t k = 0; k < K; ++k) {                                          \
      NAME##_svec av = {0};                                                    \
      av += a[k * sak];                                                        \
      const float *row = b + k * sbk;                                          \
      for (int j = 0; j < NV; ++j)                                             \
        acc[j] += av * NAME##_load(row + j * V);                               \
    }                                                                          \
    memcpy(c, acc, sizeof(NAME##_svec) * NV);                                  \
  }                                                                            \
  ATTR static void NAME##_axpys(int64_t M, int64_t n0, int64_t n1, int64_t K,  \
                                const float *A, int64_t sam, int64_t sak,      \
                                const float *B, int64_t sbk, float *C,         \
                                int64_t scm) {                                 \
    for (int64_t m = 0; m < M; ++m) {                                          \
      const float *a = A + m * sam;                                            \
      float *c = C + m * scm;                                                  \
      int64_t n = n0;                                                          \
      /* Constant block widths, so that the accumulators stay in registers. */ \
      for (; n + 8 * V <= n1; n += 8 * V)                                      \
        NAME##_axpy_block(8, K, a, sak, B + n, sbk, c + n);                    \
      if (n + 4 * V <= n1) {                                                   \
        NAME##_axpy_block(4, K, a, sak, B + n, sbk, c + n);                    \
        n += 4 * V;                                                            \
      }                                                                        \
      if (n + 2 * V <= n1) {                                                   \
        NAME##_axpy_block(2, K, a, sak, B + n, sbk, c + n);                    \
        n += 2 * V;                                                            \
      }                                                                        \
      if (n + V <= n1) {                                                       \
        NAME##_axpy_block(1, K, a, sak, B + n, sbk, c + n);                    \
        n += V;                                                                \
      }                                                                        \
      for (; n < n1; ++n) {                                                    \
        float r = c[n];                                                        \
        for (int64_t k = 0; k < K; ++k)                                        \
          r += a[k * sak] * B[k * sbk + n];                                    \
        c[n] = r;                                                              \
      }                                                                        \
    }                                                                          \
  }

SESSA_DEFINE_SMALL(avx512, __attribute__((target("avx512f"))), 16)
SESSA_DEFINE_SMALL(avx2, __attribute__((target("avx2,fma"))), 8)
SESSA_DEFINE_SMALL(sse2, , 4)

typedef void (*block_fn)(int64_t, int64_t, int64_t, const float *,
                         const float *, const float *, int64_t, float *,
                         int64_t, int64_t, float *);

/* The widest kernel the running CPU supports, with its NR and MR. */
static block_fn select_kernel(int64_t *nr, int64_t *mr) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    *nr = 32;
    *mr = 12;
    return avx512_block;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    *nr = 16;
    *mr = 6;
    return avx2_block;
  }
#endif
  *nr = 8;
  *mr = 6;
  return sse2_block;
}

/* Packs B[k0:k0+kc, n0:n0+nc] into kc x NR panels (zero padded). */
static void pack_b(const float *b, int64_t sbk, int64_t sbn, int64_t kc,
                   int64_t nc, int64_t nr, float *out) {
  for (int64_t j = 0; j < nc; j += nr) {
    int64_t w = nc - j < nr ? nc - j : nr;
    float *panel = out + j * kc;
    if (sbn == 1) {
      for (int64_t k = 0; k < kc; ++k) {
        memcpy(panel + k * nr, b + k * sbk + j, (size_t)w * sizeof(float));
        for (int64_t x = w; x < nr; ++x)
          panel[k * nr + x] = 0.0f;
      }
      continue;
    }
    /* B stored by columns (e.g. K^T): read each column along k. */
    for (int64_t x = 0; x < w; ++x) {
      const float *col = b + (j + x) * sbn;
      for (int64_t k = 0; k < kc; ++k)
        panel[k * nr + x] = col[k * sbk];
    }
    for (int64_t x = w; x < nr; ++x)
      for (int64_t k = 0; k < kc; ++k)
        panel[k * nr + x] = 0.0f;
  }
}

/* Packs A[m0:m0+mc, k0:k0+kc] into mr x kc panels (zero padded). */
static void pack_a(const float *a, int64_t sam, int64_t sak, int64_t mc,
                   int64_t kc, int64_t mr, float *out) {
  for (int64_t i = 0; i < mc; i += mr) {
    int64_t h = mc - i < mr ? mc - i : mr;
    float *dst = out + i * kc;
    if (sak == 1) {
      /* Rows of A along contiguous k: a transpose of h x kc into the panel's
       * kc x mr layout, in register blocks (a scalar loop reads each
       * element with a stride). */
      sessa_transpose_rows(0, h, kc, a + i * sam, sam, 1, dst, mr, 1);
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t r = h; r < mr; ++r)
          dst[k * mr + r] = 0.0f;
      continue;
    }
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t r = 0; r < h; ++r)
        dst[k * mr + r] = a[(i + r) * sam + k * sak];
      for (int64_t r = h; r < mr; ++r)
        dst[k * mr + r] = 0.0f;
    }
  }
}

static int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

/* C[m0:m0+mcount, :] += A[m0:.., :] B for one thread's rows. */
static void sgemm_rows(int64_t M, int64_t N, int64_t K, const float *A,
                       int64_t sam, int64_t sak, const float *B, int64_t sbk,
                       int64_t sbn, float *C, int64_t scm, int64_t scn,
                       block_fn block, int64_t nr, int64_t mr, float *work) {
  int64_t ncMax = N < SESSA_NC ? N : SESSA_NC, kcMax = K < SESSA_KC ? K : SESSA_KC;
  int64_t mcMax = M < SESSA_MC ? M : SESSA_MC;
  float *pb = work;
  float *pa = pb + (size_t)round_up(ncMax, nr) * kcMax;
  float *ctmp = pa + (size_t)round_up(mcMax, SESSA_MR) * kcMax;
  for (int64_t n0 = 0; n0 < N; n0 += SESSA_NC) {
    int64_t nc = N - n0 < SESSA_NC ? N - n0 : SESSA_NC;
    for (int64_t k0 = 0; k0 < K; k0 += SESSA_KC) {
      int64_t kc = K - k0 < SESSA_KC ? K - k0 : SESSA_KC;
      /* Rows of B that are contiguous along n are read in place (only the
       * partial last panel is packed); others are packed into panels. */
      const float *bdirect = NULL;
      if (sbn == 1) {
        bdirect = B + k0 * sbk + n0;
        int64_t full = nc / nr * nr;
        if (full < nc)
          pack_b(bdirect + full, sbk, 1, kc, nc - full, nr, pb);
      } else {
        pack_b(B + k0 * sbk + n0 * sbn, sbk, sbn, kc, nc, nr, pb);
      }
      for (int64_t m0 = 0; m0 < M; m0 += SESSA_MC) {
        int64_t mc = M - m0 < SESSA_MC ? M - m0 : SESSA_MC;
        pack_a(A + m0 * sam + k0 * sak, sam, sak, mc, kc, mr, pa);
        block(mc, nc, kc, pa, pb, bdirect, sbk, C + m0 * scm + n0 * scn, scm,
              scn, ctmp);
      }
    }
  }
}

/* Floats of scratch one thread needs for an M x N x K product. */
static size_t work_floats(int64_t M, int64_t N, int64_t K, int64_t nr) {
  int64_t nc = N < SESSA_NC ? N : SESSA_NC, kc = K < SESSA_KC ? K : SESSA_KC;
  int64_t mc = M < SESSA_MC ? M : SESSA_MC;
  return (size_t)round_up(nc, nr) * kc + (size_t)round_up(mc, SESSA_MR) * kc +
         (size_t)SESSA_MR * 64;
}

/* Columns [n0, n1) of a product with few rows (M <= 4) by the unpacked
 * kernels: dot products along contiguous k (`dots`) or row updates along
 * contiguous n. */
static void few_rows(block_fn block, int dots, int64_t M, int64_t n0,
                     int64_t n1, int64_t K, const float *A, int64_t sam,
                     int64_t sak, const float *B, int64_t sbk, int64_t sbn,
                     float *C, int64_t scm, int64_t scn) {
  if (dots) {
    if (block == avx512_block)
      avx512_dots(M, n0, n1, K, A, sam, B, sbn, C, scm, scn);
    else if (block == avx2_block)
      avx2_dots(M, n0, n1, K, A, sam, B, sbn, C, scm, scn);
    else
      sse2_dots(M, n0, n1, K, A, sam, B, sbn, C, scm, scn);
  } else if (block == avx512_block) {
    avx512_axpys(M, n0, n1, K, A, sam, sak, B, sbk, C, scm);
  } else if (block == avx2_block) {
    avx2_axpys(M, n0, n1, K, A, sam, sak, B, sbk, C, scm);
  } else {
    sse2_axpys(M, n0, n1, K, A, sam, sak, B, sbk, C, scm);
  }
}

/* Per-thread scratch, grown on demand and kept: compiled attention calls
 * the kernel once per tile, and allocating (and faulting in) fresh buffers
 * each time would cost more than the product. */
static float *thread_scratch(size_t floats) {
  static _Thread_local float *buffer;
  static _Thread_local size_t capacity;
  if (floats > capacity) {
    free(buffer);
    buffer = malloc(floats * sizeof(float));
    capacity = buffer ? floats : 0;
  }
  return buffer;
}

void sessa_ukernel_sgemm(int64_t M, int64_t N, int64_t K, int64_t a,
                         int64_t sam, int64_t sak, int64_t b, int64_t sbk,
                         int64_t sbn, int64_t c, int64_t scm, int64_t scn) {
  static block_fn block;
  static int64_t nr, mr;
  if (!block)
    block = select_kernel(&nr, &mr);
  if (M <= 0 || N <= 0 || K <= 0)
    return;
  const float *A = (const float *)(intptr_t)a;
  const float *B = (const float *)(intptr_t)b;
  float *C = (float *)(intptr_t)c;

  /* Few rows: unpacked, memory-bound kernels, split over n. */
  int dots = sak == 1 && sbk == 1;
  int axpys = !dots && sbn == 1 && scn == 1;
  if (M <= 4 && (dots || axpys)) {
    int parts = 1;
#ifdef _OPENMP
    if (!omp_in_parallel() && (double)M * N * K > 1.5e5)
      parts = omp_get_max_threads();
#endif
    /* One part runs here: even a serialized OpenMP region costs more than
     * a decoding step's small products (its bookkeeping formats strings). */
    if (parts <= 1) {
      few_rows(block, dots, M, 0, N, K, A, sam, sak, B, sbk, sbn, C, scm, scn);
      return;
    }
#ifdef _OPENMP
#pragma omp parallel for num_threads(parts)
    for (int p = 0; p < parts; ++p)
      few_rows(block, dots, M, N * p / parts, N * (p + 1) / parts, K, A, sam,
               sak, B, sbk, sbn, C, scm, scn);
#endif
    return;
  }

  int threads = 1;
#ifdef _OPENMP
  /* Split rows over threads for large products outside parallel regions. */
  if (!omp_in_parallel() && (double)M * N * K > 4.0e6 && M >= 2 * SESSA_MR)
    threads = omp_get_max_threads();
#endif
  if (threads <= 1) {
    float *work = thread_scratch(work_floats(M, N, K, nr));
    if (!work)
      return;
    sgemm_rows(M, N, K, A, sam, sak, B, sbk, sbn, C, scm, scn, block, nr, mr,
               work);
    return;
  }
#ifdef _OPENMP
  int64_t chunk = round_up((M + threads - 1) / threads, mr);
#pragma omp parallel num_threads(threads)
  {
    int t = omp_get_thread_num();
    int64_t m0 = (int64_t)t * chunk;
    if (m0 < M) {
      int64_t mcount = M - m0 < chunk ? M - m0 : chunk;
      float *work = thread_scratch(work_floats(mcount, N, K, nr));
      if (work)
        sgemm_rows(mcount, N, K, A + m0 * sam, sam, sak, B, sbk, sbn,
                   C + m0 * scm, scm, scn, block, nr, mr, work);
    }
  }
#endif
}
