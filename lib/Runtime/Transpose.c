/*===- Transpose.c - f32 matrix transpose microkernel for compiled code --===*
 *
 * The CPU pipeline lowers the f32 transposes it produces that move the
 * innermost dimension (the keys of attention and feedback attention, laid
 * out [d, keys] once for the logits products) to calls of
 *
 *   sessa_ukernel_transpose(R, C, src, ssr, ssc, dst, sdc, sdr)
 *
 * which sets dst[c*sdc + r*sdr] = src[r*ssr + c*ssc] for r < R, c < C
 * (element strides; addresses passed as integers). A loop nest over such a
 * copy reads or writes with a stride on every element (LLVM vectorizes it as
 * gathers, ~4 ns an element); here 8 x 8 blocks are loaded along contiguous
 * rows, transposed in registers and stored along contiguous rows when both
 * inner strides are 1. Large transposes are split over OpenMP threads unless
 * the call is already inside a parallel region.
 *
 *===----------------------------------------------------------------------===*/
#include "SessaRuntimeInternal.h"

#include <stdint.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__x86_64__)
#include <immintrin.h>

/* dst[c][r] = src[r][c] for an 8 x 8 block, rows of src and dst contiguous. */
__attribute__((target("avx2"))) static void block8_avx2(const float *src,
                                                          int64_t ssr,
                                                          float *dst,
                                                          int64_t sdc) {
  __m256 r0 = _mm256_loadu_ps(src + 0 * ssr), r1 = _mm256_loadu_ps(src + 1 * ssr);
  __m256 r2 = _mm256_loadu_ps(src + 2 * ssr), r3 = _mm256_loadu_ps(src + 3 * ssr);
  __m256 r4 = _mm256_loadu_ps(src + 4 * ssr), r5 = _mm256_loadu_ps(src + 5 * ssr);
  __m256 r6 = _mm256_loadu_ps(src + 6 * ssr), r7 = _mm256_loadu_ps(src + 7 * ssr);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst + 0 * sdc, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(dst + 1 * sdc, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(dst + 2 * sdc, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(dst + 3 * sdc, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(dst + 4 * sdc, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(dst + 5 * sdc, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(dst + 6 * sdc, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(dst + 7 * sdc, _mm256_permute2f128_ps(u3, u7, 0x31));
}

/* dst[c][r] = src[r][c] for a 4 x 8 block (rows of src: 8 elements, of
 * dst: 4). */
__attribute__((target("avx2"))) static void block4_avx2(const float *src,
                                                          int64_t ssr,
                                                          float *dst,
                                                          int64_t sdc) {
  __m256 r0 = _mm256_loadu_ps(src + 0 * ssr), r1 = _mm256_loadu_ps(src + 1 * ssr);
  __m256 r2 = _mm256_loadu_ps(src + 2 * ssr), r3 = _mm256_loadu_ps(src + 3 * ssr);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  _mm_storeu_ps(dst + 0 * sdc, _mm256_castps256_ps128(u0));
  _mm_storeu_ps(dst + 1 * sdc, _mm256_castps256_ps128(u1));
  _mm_storeu_ps(dst + 2 * sdc, _mm256_castps256_ps128(u2));
  _mm_storeu_ps(dst + 3 * sdc, _mm256_castps256_ps128(u3));
  _mm_storeu_ps(dst + 4 * sdc, _mm256_extractf128_ps(u0, 1));
  _mm_storeu_ps(dst + 5 * sdc, _mm256_extractf128_ps(u1, 1));
  _mm_storeu_ps(dst + 6 * sdc, _mm256_extractf128_ps(u2, 1));
  _mm_storeu_ps(dst + 7 * sdc, _mm256_extractf128_ps(u3, 1));
}

static int have_avx2(void) {
  static int known, avx2;
  if (!known) {
    __builtin_cpu_init();
    avx2 = __builtin_cpu_supports("avx2");
    known = 1;
  }
  return avx2;
}
#endif

/* Source rows [r0, r1) of the transpose (also sgemm's packing of A). */
void sessa_transpose_rows(int64_t r0, int64_t r1, int64_t C, const float *src,
                           int64_t ssr, int64_t ssc, float *dst, int64_t sdc,
                           int64_t sdr) {
  /* Tiles of 32 x 32 elements stay in L1 while they are read and written. */
  enum { kTile = 32 };
#if defined(__x86_64__)
  int fast = ssc == 1 && sdr == 1 && have_avx2();
#else
  int fast = 0;
#endif
  for (int64_t rt = r0; rt < r1; rt += kTile) {
    int64_t re = rt + kTile < r1 ? rt + kTile : r1;
    for (int64_t ct = 0; ct < C; ct += kTile) {
      int64_t ce = ct + kTile < C ? ct + kTile : C;
      int64_t r = rt;
#if defined(__x86_64__)
      if (fast) {
        for (; r + 8 <= re; r += 8) {
          int64_t c = ct;
          for (; c + 8 <= ce; c += 8)
            block8_avx2(src + r * ssr + c, ssr, dst + c * sdc + r, sdc);
          for (; c < ce; ++c)
            for (int64_t i = r; i < r + 8; ++i)
              dst[c * sdc + i] = src[i * ssr + c];
        }
        if (r + 4 <= re) {
          int64_t c = ct;
          for (; c + 8 <= ce; c += 8)
            block4_avx2(src + r * ssr + c, ssr, dst + c * sdc + r, sdc);
          for (; c < ce; ++c)
            for (int64_t i = r; i < r + 4; ++i)
              dst[c * sdc + i] = src[i * ssr + c];
          r += 4;
        }
      }
#endif
      for (; r < re; ++r)
        for (int64_t c = ct; c < ce; ++c)
          dst[c * sdc + r * sdr] = src[r * ssr + c * ssc];
    }
  }
}

void sessa_ukernel_transpose(int64_t R, int64_t C, int64_t src, int64_t ssr,
                             int64_t ssc, int64_t dst, int64_t sdc,
                             int64_t sdr) {
  if (R <= 0 || C <= 0)
    return;
  const float *S = (const float *)(intptr_t)src;
  float *D = (float *)(intptr_t)dst;
  int threads = 1;
#ifdef _OPENMP
  if (!omp_in_parallel() && (double)R * C >= 65536.0)
    threads = omp_get_max_threads();
#endif
  if (threads <= 1) {
    sessa_transpose_rows(0, R, C, S, ssr, ssc, D, sdc, sdr);
    return;
  }
#ifdef _OPENMP
  /* Row ranges in multiples of 8, one per thread. */
  int64_t chunk = ((R + threads - 1) / threads + 7) / 8 * 8;
#pragma omp parallel num_threads(threads)
  {
    int64_t r0 = (int64_t)omp_get_thread_num() * chunk;
    int64_t r1 = r0 + chunk < R ? r0 + chunk : R;
    if (r0 < R)
      sessa_transpose_rows(r0, r1, C, S, ssr, ssc, D, sdc, sdr);
  }
#endif
}
