/* Checks sessa_ukernel_sgemm against a naive product: shapes around the
 * register and cache block edges, transposed and strided operands, strided
 * C, and accumulation into existing values. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void sessa_ukernel_sgemm(int64_t M, int64_t N, int64_t K, int64_t a,
                         int64_t sam, int64_t sak, int64_t b, int64_t sbk,
                         int64_t sbn, int64_t c, int64_t scm, int64_t scn);

static float frand(unsigned *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)(*s >> 8) / 8388608.0f - 1.0f;
}

static int check(int64_t M, int64_t N, int64_t K, int transB, int stridedC) {
  unsigned seed = (unsigned)(M * 131 + N * 17 + K + transB * 7 + stridedC);
  int64_t lda = K + 3, ldb = transB ? K + 1 : N + 2, scn = stridedC ? 2 : 1;
  int64_t scm = N * scn + 5;
  float *A = malloc(sizeof(float) * (size_t)(M * lda + 1));
  float *B = malloc(sizeof(float) * (size_t)((transB ? N : K) * ldb + 1));
  float *C = malloc(sizeof(float) * (size_t)(M * scm + 1));
  double *R = malloc(sizeof(double) * (size_t)(M * N + 1));
  for (int64_t i = 0; i < M * lda; ++i) A[i] = frand(&seed);
  for (int64_t i = 0; i < (transB ? N : K) * ldb; ++i) B[i] = frand(&seed);
  for (int64_t i = 0; i < M * scm; ++i) C[i] = frand(&seed);
  int64_t sbk = transB ? 1 : ldb, sbn = transB ? ldb : 1;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double acc = C[m * scm + n * scn];
      for (int64_t k = 0; k < K; ++k)
        acc += (double)A[m * lda + k] * B[k * sbk + n * sbn];
      R[m * N + n] = acc;
    }
  sessa_ukernel_sgemm(M, N, K, (int64_t)(intptr_t)A, lda, 1,
                      (int64_t)(intptr_t)B, sbk, sbn, (int64_t)(intptr_t)C,
                      scm, scn);
  double err = 0, ref = 0;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double d = C[m * scm + n * scn] - R[m * N + n];
      err += d * d;
      ref += R[m * N + n] * R[m * N + n];
    }
  double rel = sqrt(err / (ref > 0 ? ref : 1));
  int ok = rel < 1e-6 && !isnan(rel);
  printf("%s M=%lld N=%lld K=%lld transB=%d stridedC=%d rel=%.2e\n",
         ok ? "ok  " : "FAIL", (long long)M, (long long)N, (long long)K,
         transB, stridedC, rel);
  free(A); free(B); free(C); free(R);
  return ok;
}

int main(void) {
  int ok = 1;
  const int64_t sizes[][3] = {{1, 1, 1},   {5, 7, 3},     {6, 32, 16},
                              {7, 33, 17}, {64, 64, 64},  {97, 130, 257},
                              {1, 300, 64}, {300, 1, 64}, {200, 520, 300},
                              {2, 4096, 512}, {3, 1000, 700}, {4, 37, 129},
                              {4, 17, 3},   {1, 150, 70}, {2, 7, 50}};
  for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; ++i)
    for (int t = 0; t < 2; ++t)
      for (int s = 0; s < 2; ++s)
        ok &= check(sizes[i][0], sizes[i][1], sizes[i][2], t, s);
  printf(ok ? "all sgemm checks passed\n" : "sgemm checks FAILED\n");
  return ok ? 0 : 1;
}
