/*===- runtime_unittest.c - Standalone tests of libSessaRuntime -----------===*
 *
 * Builds artifact-like descriptor tables by hand, with hand-written "compiled"
 * functions that read the packed memref descriptors, and checks sessa_invoke
 * on the success path and on every kind of error. Prints one line per check;
 * returns non-zero if any check fails.
 *
 * Also tests memrefCopy (lib/Runtime/MemRefCopy.c), the support function
 * that MLIR's lowering of memref.copy calls for non-identity layouts.
 *
 *   clang-22 -std=c11 -Wall -Wextra -Werror -Iinclude \
 *       lib/Runtime/SessaRuntime.c lib/Runtime/MemRefCopy.c \
 *       test/Runtime/runtime_unittest.c -o rt && ./rt
 *===----------------------------------------------------------------------===*/

#include "sessa/Runtime/SessaRuntime.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The test reads descriptors as raw 8-byte words, as MLIR code does. */
_Static_assert(sizeof(void *) == 8, "test assumes 64-bit pointers");

static int g_failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    printf("%s: ", (cond) ? "PASS" : "FAIL");                                  \
    printf(__VA_ARGS__);                                                       \
    printf("\n");                                                              \
    if (!(cond))                                                               \
      ++g_failures;                                                            \
  } while (0)

/* ----- What the "compiled" functions saw ------------------------------- */

typedef struct seen_desc {
  void *allocated, *aligned;
  int64_t offset, sizes[SESSA_MAX_RANK], strides[SESSA_MAX_RANK];
} seen_desc;

static int g_calls;
static seen_desc g_seen[4];

/* Decodes args[i] word by word: {allocated, aligned, offset, sizes, strides}. */
static seen_desc decode(void *desc, int rank) {
  const unsigned char *w = desc;
  seen_desc s;
  memset(&s, 0, sizeof s);
  memcpy(&s.allocated, w + 0, 8);
  memcpy(&s.aligned, w + 8, 8);
  memcpy(&s.offset, w + 16, 8);
  for (int d = 0; d < rank; ++d) {
    memcpy(&s.sizes[d], w + 24 + 8 * d, 8);
    memcpy(&s.strides[d], w + 24 + 8 * (rank + d), 8);
  }
  return s;
}

/* add_one: x [B, 3] f32 -> y [B, 3] f32, y = x + 1. */
static void add_one_compute(void **args) {
  ++g_calls;
  g_seen[0] = decode(args[0], 2);
  g_seen[1] = decode(args[1], 2);
  const float *x = g_seen[0].aligned;
  float *y = g_seen[1].aligned;
  for (int64_t i = 0; i < g_seen[0].sizes[0]; ++i)
    for (int64_t j = 0; j < g_seen[0].sizes[1]; ++j)
      y[i * g_seen[1].strides[0] + j * g_seen[1].strides[1]] =
          x[i * g_seen[0].strides[0] + j * g_seen[0].strides[1]] + 1.0f;
}

static const int64_t k_dims_b3[] = {-1, 3};
static const sessa_arg_desc k_add_one_in[] = {
    {"x", SESSA_DTYPE_F32, 2, k_dims_b3, 0}};
static const sessa_arg_desc k_add_one_out[] = {
    {"y", SESSA_DTYPE_F32, 2, k_dims_b3, 0}};
static const char *const k_syms_b[] = {"B"};
static const sessa_entry_desc k_add_one = {
    "add_one", 1, 1, k_add_one_in, k_add_one_out, 1, k_syms_b,
    add_one_compute, 0, NULL};

/* attn: q [B, T, 4] f32, scale [] f32, k [B, T, 4] f32 -> out [B, T] f32,
 * out[b, t] = scale * sum_d q[b, t, d] * k[b, t, d]. */
static void attn_compute(void **args) {
  ++g_calls;
  g_seen[0] = decode(args[0], 3);
  g_seen[1] = decode(args[1], 0);
  g_seen[2] = decode(args[2], 3);
  g_seen[3] = decode(args[3], 2);
  const float *q = g_seen[0].aligned, *k = g_seen[2].aligned;
  float scale = *(const float *)g_seen[1].aligned;
  float *out = g_seen[3].aligned;
  const int64_t *qs = g_seen[0].strides, *ks = g_seen[2].strides;
  for (int64_t b = 0; b < g_seen[3].sizes[0]; ++b)
    for (int64_t t = 0; t < g_seen[3].sizes[1]; ++t) {
      float acc = 0;
      for (int64_t d = 0; d < 4; ++d)
        acc += q[b * qs[0] + t * qs[1] + d * qs[2]] *
               k[b * ks[0] + t * ks[1] + d * ks[2]];
      out[b * g_seen[3].strides[0] + t * g_seen[3].strides[1]] = scale * acc;
    }
}

static const int64_t k_dims_bt4[] = {-1, -2, 4};
static const int64_t k_dims_bt[] = {-1, -2};
static const sessa_arg_desc k_attn_in[] = {
    {"q", SESSA_DTYPE_F32, 3, k_dims_bt4, 0},
    {"scale", SESSA_DTYPE_F32, 0, NULL, 0},
    {"k", SESSA_DTYPE_F32, 3, k_dims_bt4, 0}};
static const sessa_arg_desc k_attn_out[] = {
    {"out", SESSA_DTYPE_F32, 2, k_dims_bt, 0}};
static const char *const k_syms_bt[] = {"B", "T"};
static const sessa_entry_desc k_attn = {
    "attn", 3, 1, k_attn_in, k_attn_out, 2, k_syms_bt, attn_compute, 0, NULL};

/* outsym: x [2] i32 -> y [N] i64, z [N] i64: N appears only in outputs. */
static void outsym_compute(void **args) {
  ++g_calls;
  g_seen[1] = decode(args[1], 1);
  int64_t *y = g_seen[1].aligned;
  for (int64_t i = 0; i < g_seen[1].sizes[0]; ++i)
    y[i] = i;
}

static const int64_t k_dims_2[] = {2};
static const int64_t k_dims_n[] = {-1};
static const sessa_arg_desc k_outsym_in[] = {
    {"x", SESSA_DTYPE_I32, 1, k_dims_2, 0}};
static const sessa_arg_desc k_outsym_out[] = {
    {"y", SESSA_DTYPE_I64, 1, k_dims_n, 0}, {"z", SESSA_DTYPE_I64, 1, k_dims_n, 0}};
static const char *const k_syms_n[] = {"N"};
static const sessa_entry_desc k_outsym = {
    "outsym", 1, 2, k_outsym_in, k_outsym_out, 1, k_syms_n, outsym_compute,
    0, NULL};

/* ----- Helpers --------------------------------------------------------- */

static sessa_tensor tensor(void *data, int32_t dtype, int32_t rank,
                           int64_t d0, int64_t d1, int64_t d2) {
  sessa_tensor t;
  memset(&t, 0, sizeof t);
  t.data = data;
  t.dtype = dtype;
  t.rank = rank;
  t.shape[0] = d0;
  t.shape[1] = d1;
  t.shape[2] = d2;
  return t;
}

/* add_one's output buffer, refilled with a sentinel before each call. */
#define SENTINEL (-12345.0f)
static float g_y[4 * 3];

static void reset_add_one(void) {
  g_calls = 0;
  for (int i = 0; i < 12; ++i)
    g_y[i] = SENTINEL;
}

static int y_untouched(void) {
  for (int i = 0; i < 12; ++i)
    if (g_y[i] != SENTINEL)
      return 0;
  return 1;
}

/* Checks an error: code, message substring, compute not run, y untouched. */
static void expect_error(const char *what, int32_t rc, const sessa_status *st,
                         int32_t code, const char *substring) {
  CHECK(rc == code, "%s: returns code %d (got %d)", what, code, rc);
  CHECK(st->code == code, "%s: status code %d (got %d)", what, code, st->code);
  CHECK(strstr(st->message, substring) != NULL,
        "%s: message contains \"%s\" (got \"%s\")", what, substring,
        st->message);
  CHECK(g_calls == 0, "%s: compute not called", what);
  CHECK(y_untouched(), "%s: output buffer untouched", what);
}

/* ----- Tests ----------------------------------------------------------- */

static float g_x[4 * 3];

static void test_add_one_success(void) {
  for (int i = 0; i < 12; ++i)
    g_x[i] = (float)i;
  reset_add_one();
  sessa_tensor x = tensor(g_x, SESSA_DTYPE_F32, 2, 4, 3, 0);
  sessa_tensor y = tensor(g_y, SESSA_DTYPE_F32, 2, 4, 3, 0);
  sessa_status st;
  memset(&st, 0x7f, sizeof st);
  int32_t rc = sessa_invoke(&k_add_one, &x, 1, &y, 1, &st);
  CHECK(rc == SESSA_OK, "add_one: returns OK (got %d)", rc);
  CHECK(st.code == SESSA_OK && strcmp(st.message, "ok") == 0,
        "add_one: status is OK/\"ok\" (got %d/\"%s\")", st.code, st.message);
  CHECK(g_calls == 1, "add_one: compute called once");
  int values_ok = 1;
  for (int i = 0; i < 12; ++i)
    values_ok &= g_y[i] == (float)i + 1.0f;
  CHECK(values_ok, "add_one: y == x + 1");
  for (int a = 0; a < 2; ++a) {
    const seen_desc *s = &g_seen[a];
    void *data = a == 0 ? (void *)g_x : (void *)g_y;
    CHECK(s->allocated == data && s->aligned == data,
          "add_one: arg %d allocated == aligned == data", a);
    CHECK(s->offset == 0, "add_one: arg %d offset 0", a);
    CHECK(s->sizes[0] == 4 && s->sizes[1] == 3, "add_one: arg %d sizes [4, 3]",
          a);
    CHECK(s->strides[0] == 3 && s->strides[1] == 1,
          "add_one: arg %d strides [3, 1] (got [%lld, %lld])", a,
          (long long)s->strides[0], (long long)s->strides[1]);
  }

  /* status NULL on success. */
  reset_add_one();
  rc = sessa_invoke(&k_add_one, &x, 1, &y, 1, NULL);
  CHECK(rc == SESSA_OK && g_calls == 1 && g_y[11] == 12.0f,
        "add_one: status NULL works on success");

  /* B = 0 with NULL data: zero elements, so NULL is allowed. */
  reset_add_one();
  x = tensor(NULL, SESSA_DTYPE_F32, 2, 0, 3, 0);
  y = tensor(NULL, SESSA_DTYPE_F32, 2, 0, 3, 0);
  rc = sessa_invoke(&k_add_one, &x, 1, &y, 1, &st);
  CHECK(rc == SESSA_OK && g_calls == 1,
        "add_one: B = 0 with NULL data is accepted (got %d \"%s\")", rc,
        st.message);
  CHECK(g_seen[0].sizes[0] == 0 && g_seen[0].strides[0] == 3 &&
            g_seen[0].aligned == NULL,
        "add_one: B = 0 descriptor has sizes [0, 3], strides [3, 1]");
}

static void test_add_one_errors(void) {
  sessa_tensor x = tensor(g_x, SESSA_DTYPE_F32, 2, 4, 3, 0);
  sessa_tensor y = tensor(g_y, SESSA_DTYPE_F32, 2, 4, 3, 0);
  sessa_tensor two[2] = {x, x};
  sessa_tensor t;
  sessa_status st;
  int32_t rc;

  reset_add_one();
  rc = sessa_invoke(NULL, &x, 1, &y, 1, &st);
  expect_error("NULL entry", rc, &st, SESSA_ERROR_INVALID_ARGUMENT,
               "entry descriptor is NULL");

  reset_add_one();
  rc = sessa_invoke(&k_add_one, two, 2, &y, 1, &st);
  expect_error("too many inputs", rc, &st, SESSA_ERROR_INVALID_ARGUMENT,
               "expected 1 input, got 2");

  reset_add_one();
  rc = sessa_invoke(&k_add_one, &x, 1, &y, 0, &st);
  expect_error("too few outputs", rc, &st, SESSA_ERROR_INVALID_ARGUMENT,
               "expected 1 output, got 0");

  reset_add_one();
  rc = sessa_invoke(&k_add_one, NULL, 1, &y, 1, &st);
  expect_error("NULL inputs array", rc, &st, SESSA_ERROR_INVALID_ARGUMENT,
               "inputs is NULL");

  reset_add_one();
  rc = sessa_invoke(&k_add_one, &x, 1, NULL, 1, &st);
  expect_error("NULL outputs array", rc, &st, SESSA_ERROR_INVALID_ARGUMENT,
               "outputs is NULL");

  reset_add_one();
  t = tensor(g_y, SESSA_DTYPE_BF16, 2, 4, 3, 0);
  rc = sessa_invoke(&k_add_one, &x, 1, &t, 1, &st);
  expect_error("output dtype", rc, &st, SESSA_ERROR_DTYPE_MISMATCH,
               "output 0 ('y'): expected dtype f32, got bf16");

  reset_add_one();
  t = tensor(g_x, 42, 2, 4, 3, 0);
  rc = sessa_invoke(&k_add_one, &t, 1, &y, 1, &st);
  expect_error("unknown dtype", rc, &st, SESSA_ERROR_DTYPE_MISMATCH,
               "input 0 ('x'): expected dtype f32, got unknown dtype 42");

  reset_add_one();
  t = tensor(g_x, SESSA_DTYPE_F32, 3, 4, 3, 1);
  rc = sessa_invoke(&k_add_one, &t, 1, &y, 1, &st);
  expect_error("rank", rc, &st, SESSA_ERROR_RANK_MISMATCH,
               "input 0 ('x'): expected rank 2, got 3");

  reset_add_one();
  t = tensor(g_x, SESSA_DTYPE_F32, 99, 4, 3, 0);
  rc = sessa_invoke(&k_add_one, &t, 1, &y, 1, &st);
  expect_error("rank out of range", rc, &st, SESSA_ERROR_RANK_MISMATCH,
               "input 0 ('x'): expected rank 2, got 99");

  reset_add_one();
  t = tensor(g_x, SESSA_DTYPE_F32, 2, 3, 4, 0);
  rc = sessa_invoke(&k_add_one, &t, 1, &y, 1, &st);
  expect_error("static dim", rc, &st, SESSA_ERROR_SHAPE_MISMATCH,
               "input 0 ('x'): dimension 1 is 4 but expected 3");

  reset_add_one();
  t = tensor(g_x, SESSA_DTYPE_F32, 2, -1, 3, 0);
  rc = sessa_invoke(&k_add_one, &t, 1, &y, 1, &st);
  expect_error("negative dim", rc, &st, SESSA_ERROR_INVALID_ARGUMENT,
               "input 0 ('x'): dimension 0 is negative (-1)");

  reset_add_one();
  t = tensor(g_y, SESSA_DTYPE_F32, 2, 2, 3, 0);
  rc = sessa_invoke(&k_add_one, &x, 1, &t, 1, &st);
  expect_error("symbol across input/output", rc, &st,
               SESSA_ERROR_SHAPE_MISMATCH,
               "output 0 ('y'): dimension 0 is 2 but symbol 'B' was bound to "
               "4 by input 0 ('x') dimension 0");

  reset_add_one();
  t = tensor(NULL, SESSA_DTYPE_F32, 2, 4, 3, 0);
  rc = sessa_invoke(&k_add_one, &t, 1, &y, 1, &st);
  expect_error("NULL data", rc, &st, SESSA_ERROR_INVALID_ARGUMENT,
               "input 0 ('x'): data is NULL but the tensor has 12 elements");

  reset_add_one();
  t = tensor(g_x, SESSA_DTYPE_F32, 2, INT64_MAX / 2, 3, 0);
  sessa_tensor big_y = tensor(g_y, SESSA_DTYPE_F32, 2, INT64_MAX / 2, 3, 0);
  rc = sessa_invoke(&k_add_one, &t, 1, &big_y, 1, &st);
  expect_error("element count overflow", rc, &st,
               SESSA_ERROR_INVALID_ARGUMENT,
               "input 0 ('x'): too many elements");

  /* status NULL on error: only the return code. */
  reset_add_one();
  t = tensor(g_y, SESSA_DTYPE_F32, 2, 2, 3, 0);
  rc = sessa_invoke(&k_add_one, &x, 1, &t, 1, NULL);
  CHECK(rc == SESSA_ERROR_SHAPE_MISMATCH && g_calls == 0 && y_untouched(),
        "status NULL works on error");
  rc = sessa_invoke(NULL, NULL, 0, NULL, 0, NULL);
  CHECK(rc == SESSA_ERROR_INVALID_ARGUMENT, "status NULL with NULL entry");
}

static void test_attn(void) {
  enum { B = 2, T = 5 };
  float q[B * T * 4], k[B * 7 * 4], scale = 0.5f, out[B * T];
  for (int i = 0; i < B * T * 4; ++i)
    q[i] = (float)(i % 7);
  for (int i = 0; i < B * 7 * 4; ++i)
    k[i] = (float)(i % 3);
  for (int i = 0; i < B * T; ++i)
    out[i] = SENTINEL;
  sessa_tensor in[3] = {tensor(q, SESSA_DTYPE_F32, 3, B, T, 4),
                        tensor(&scale, SESSA_DTYPE_F32, 0, 0, 0, 0),
                        tensor(k, SESSA_DTYPE_F32, 3, B, T, 4)};
  sessa_tensor o = tensor(out, SESSA_DTYPE_F32, 2, B, T, 0);
  sessa_status st;

  g_calls = 0;
  int32_t rc = sessa_invoke(&k_attn, in, 3, &o, 1, &st);
  CHECK(rc == SESSA_OK && g_calls == 1, "attn: returns OK (got %d \"%s\")", rc,
        st.message);
  int values_ok = 1;
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      float acc = 0;
      for (int d = 0; d < 4; ++d)
        acc += q[(b * T + t) * 4 + d] * k[(b * T + t) * 4 + d];
      values_ok &= out[b * T + t] == scale * acc;
    }
  CHECK(values_ok, "attn: out == scale * sum(q * k)");
  CHECK(g_seen[0].sizes[0] == B && g_seen[0].sizes[1] == T &&
            g_seen[0].sizes[2] == 4 && g_seen[0].strides[0] == T * 4 &&
            g_seen[0].strides[1] == 4 && g_seen[0].strides[2] == 1,
        "attn: q descriptor sizes [2, 5, 4] strides [20, 4, 1]");
  CHECK(g_seen[1].allocated == &scale && g_seen[1].aligned == &scale &&
            g_seen[1].offset == 0,
        "attn: rank-0 scale descriptor {data, data, 0}");
  CHECK(g_seen[3].aligned == out && g_seen[3].sizes[1] == T &&
            g_seen[3].strides[0] == T && g_seen[3].strides[1] == 1,
        "attn: out descriptor sizes [2, 5] strides [5, 1]");

  /* Symbol disagreement between inputs; nothing written to out. */
  for (int i = 0; i < B * T; ++i)
    out[i] = SENTINEL;
  g_calls = 0;
  in[2] = tensor(k, SESSA_DTYPE_F32, 3, B, 7, 4);
  rc = sessa_invoke(&k_attn, in, 3, &o, 1, &st);
  CHECK(rc == SESSA_ERROR_SHAPE_MISMATCH && st.code == rc && g_calls == 0,
        "attn: symbol mismatch returns SHAPE_MISMATCH (got %d)", rc);
  CHECK(strcmp(st.message, "input 2 ('k'): dimension 1 is 7 but symbol 'T' "
                           "was bound to 5 by input 0 ('q') dimension 1") == 0,
        "attn: exact message (got \"%s\")", st.message);
  int untouched = 1;
  for (int i = 0; i < B * T; ++i)
    untouched &= out[i] == SENTINEL;
  CHECK(untouched, "attn: out untouched on error");

  /* Input count. */
  g_calls = 0;
  rc = sessa_invoke(&k_attn, in, 2, &o, 1, &st);
  CHECK(rc == SESSA_ERROR_INVALID_ARGUMENT &&
            strcmp(st.message, "expected 3 inputs, got 2") == 0 && g_calls == 0,
        "attn: \"expected 3 inputs, got 2\" (got \"%s\")", st.message);

  /* Rank-0 tensor with NULL data has one element. */
  in[2] = tensor(k, SESSA_DTYPE_F32, 3, B, T, 4);
  in[1] = tensor(NULL, SESSA_DTYPE_F32, 0, 0, 0, 0);
  rc = sessa_invoke(&k_attn, in, 3, &o, 1, &st);
  CHECK(rc == SESSA_ERROR_INVALID_ARGUMENT &&
            strstr(st.message, "input 1 ('scale'): data is NULL but the "
                               "tensor has 1 elements") != NULL,
        "attn: NULL rank-0 data rejected (got \"%s\")", st.message);
}

static void test_output_symbols(void) {
  int32_t x[2] = {0, 0};
  int64_t y[3] = {-1, -1, -1}, z[4] = {-1, -1, -1, -1};
  sessa_tensor in = tensor(x, SESSA_DTYPE_I32, 1, 2, 0, 0);
  sessa_tensor out[2] = {tensor(y, SESSA_DTYPE_I64, 1, 3, 0, 0),
                         tensor(z, SESSA_DTYPE_I64, 1, 3, 0, 0)};
  sessa_status st;
  g_calls = 0;
  int32_t rc = sessa_invoke(&k_outsym, &in, 1, out, 2, &st);
  CHECK(rc == SESSA_OK && g_calls == 1 && y[2] == 2,
        "outsym: symbol bound by an output (got %d \"%s\")", rc, st.message);

  g_calls = 0;
  y[0] = y[1] = y[2] = -1;
  out[1] = tensor(z, SESSA_DTYPE_I64, 1, 4, 0, 0);
  rc = sessa_invoke(&k_outsym, &in, 1, out, 2, &st);
  CHECK(rc == SESSA_ERROR_SHAPE_MISMATCH && g_calls == 0 && y[0] == -1 &&
            strcmp(st.message, "output 1 ('z'): dimension 0 is 4 but symbol "
                               "'N' was bound to 3 by output 0 ('y') "
                               "dimension 0") == 0,
        "outsym: output/output mismatch (got \"%s\")", st.message);
}

static void test_bad_descriptors(void) {
  float x[12] = {0}, y[12] = {0};
  sessa_tensor tx = tensor(x, SESSA_DTYPE_F32, 2, 4, 3, 0);
  sessa_tensor ty = tensor(y, SESSA_DTYPE_F32, 2, 4, 3, 0);
  sessa_status st;

  sessa_entry_desc e = k_add_one;
  e.compute = NULL;
  int32_t rc = sessa_invoke(&e, &tx, 1, &ty, 1, &st);
  CHECK(rc == SESSA_ERROR_INTERNAL && strstr(st.message, "no compiled"),
        "descriptor without compute -> INTERNAL (got \"%s\")", st.message);

  e = k_add_one;
  e.num_symbols = 0; /* dims refer to symbol 0, which no longer exists */
  rc = sessa_invoke(&e, &tx, 1, &ty, 1, &st);
  CHECK(rc == SESSA_ERROR_INTERNAL && strstr(st.message, "unknown symbol"),
        "descriptor with bad symbol -> INTERNAL (got \"%s\")", st.message);

  /* More tensors than the runtime supports (64). */
  static sessa_arg_desc many[65];
  for (int i = 0; i < 65; ++i)
    many[i] = k_add_one_in[0];
  e = k_add_one;
  e.num_inputs = 65;
  e.inputs = many;
  rc = sessa_invoke(&e, &tx, 65, &ty, 1, &st);
  CHECK(rc == SESSA_ERROR_INTERNAL && strstr(st.message, "at most 64"),
        "more than 64 tensors -> INTERNAL (got \"%s\")", st.message);

  /* Exactly 64 tensors works. */
  static sessa_tensor ins[63];
  for (int i = 0; i < 63; ++i)
    ins[i] = tx;
  e.num_inputs = 63;
  g_calls = 0;
  e.compute = add_one_compute;
  rc = sessa_invoke(&e, ins, 63, &ty, 1, &st);
  CHECK(rc == SESSA_OK && g_calls == 1, "64 tensors accepted (got \"%s\")",
        st.message);
}

static void test_truncation(void) {
  static char long_name[2000];
  memset(long_name, 'n', sizeof long_name - 1);
  sessa_arg_desc in = {long_name, SESSA_DTYPE_F32, 2, k_dims_b3, 0};
  sessa_entry_desc e = k_add_one;
  e.inputs = &in;
  float x[12] = {0};
  sessa_tensor tx = tensor(x, SESSA_DTYPE_I32, 2, 4, 3, 0);
  sessa_tensor ty = tensor(g_y, SESSA_DTYPE_F32, 2, 4, 3, 0);
  sessa_status st;
  memset(&st, 'z', sizeof st);
  int32_t rc = sessa_invoke(&e, &tx, 1, &ty, 1, &st);
  const char *nul = memchr(st.message, '\0', sizeof st.message);
  size_t len = nul ? (size_t)(nul - st.message) : sizeof st.message;
  CHECK(rc == SESSA_ERROR_DTYPE_MISMATCH &&
            len == SESSA_STATUS_MESSAGE_SIZE - 1 &&
            strncmp(st.message, "input 0 ('nnn", 13) == 0,
        "long message truncated and NUL-terminated (length %zu)", len);
}

static void test_dtypes(void) {
  CHECK(sessa_dtype_size(SESSA_DTYPE_F32) == 4 &&
            sessa_dtype_size(SESSA_DTYPE_F16) == 2 &&
            sessa_dtype_size(SESSA_DTYPE_BF16) == 2 &&
            sessa_dtype_size(SESSA_DTYPE_F64) == 8 &&
            sessa_dtype_size(SESSA_DTYPE_I32) == 4 &&
            sessa_dtype_size(SESSA_DTYPE_I64) == 8 &&
            sessa_dtype_size(-1) == 0 && sessa_dtype_size(6) == 0,
        "sessa_dtype_size");
  CHECK(strcmp(sessa_dtype_name(SESSA_DTYPE_F32), "f32") == 0 &&
            strcmp(sessa_dtype_name(SESSA_DTYPE_F16), "f16") == 0 &&
            strcmp(sessa_dtype_name(SESSA_DTYPE_BF16), "bf16") == 0 &&
            strcmp(sessa_dtype_name(SESSA_DTYPE_F64), "f64") == 0 &&
            strcmp(sessa_dtype_name(SESSA_DTYPE_I32), "i32") == 0 &&
            strcmp(sessa_dtype_name(SESSA_DTYPE_I64), "i64") == 0 &&
            strcmp(sessa_dtype_name(99), "unknown") == 0,
        "sessa_dtype_name");
}

/* ----- Derived symbols ------------------------------------------------- */

/* cache_append: cache [B, P, 4] f32, x [B, T, 4] f32 -> out [B, S, 4] f32
 * with S = P + T: out[b] = concat(cache[b], x[b]) along the rows. */
static void cache_append_compute(void **args) {
  ++g_calls;
  g_seen[0] = decode(args[0], 3);
  g_seen[1] = decode(args[1], 3);
  g_seen[2] = decode(args[2], 3);
  const seen_desc *c = &g_seen[0], *x = &g_seen[1], *o = &g_seen[2];
  const float *cd = c->aligned, *xd = x->aligned;
  float *od = o->aligned;
  for (int64_t b = 0; b < o->sizes[0]; ++b)
    for (int64_t r = 0; r < o->sizes[1]; ++r)
      for (int64_t d = 0; d < 4; ++d)
        od[b * o->strides[0] + r * o->strides[1] + d * o->strides[2]] =
            r < c->sizes[1]
                ? cd[b * c->strides[0] + r * c->strides[1] + d * c->strides[2]]
                : xd[b * x->strides[0] + (r - c->sizes[1]) * x->strides[1] +
                     d * x->strides[2]];
}

static const int64_t k_dims_bp4[] = {-1, -2, 4};
static const int64_t k_dims_bt4_3[] = {-1, -3, 4};
static const int64_t k_dims_bs4[] = {-1, -4, 4};
static const int64_t k_dims_s[] = {-4};
static const sessa_arg_desc k_append_in[] = {
    {"cache", SESSA_DTYPE_F32, 3, k_dims_bp4, 0},
    {"x", SESSA_DTYPE_F32, 3, k_dims_bt4_3, 0},
    {"mask", SESSA_DTYPE_F32, 1, k_dims_s, 0}};
static const sessa_arg_desc k_append_out[] = {
    {"out", SESSA_DTYPE_F32, 3, k_dims_bs4, 0}};
static const char *const k_syms_bpts[] = {"B", "P", "T", "S"};
static const sessa_derived_symbol k_s_is_p_plus_t[] = {{3, 1, 2, 0}};
static const sessa_entry_desc k_append = {
    "cache_append", 2, 1, k_append_in, k_append_out, 4, k_syms_bpts,
    cache_append_compute, 1, k_s_is_p_plus_t};
/* A compiled function that only counts its calls. */
static void count_compute(void **args) {
  (void)args;
  ++g_calls;
}

/* The same with a third input mask [S] that uses the derived symbol. */
static const sessa_entry_desc k_append_masked = {
    "cache_append_masked", 3, 1, k_append_in, k_append_out, 4, k_syms_bpts,
    count_compute, 1, k_s_is_p_plus_t};

/* decode_one: cache [B, P, 4] -> out [B, S, 4] with S = P + 1 (no rhs). */
static const int64_t k_dims_bs4_2[] = {-1, -3, 4};
static const sessa_arg_desc k_decode_out[] = {
    {"out", SESSA_DTYPE_F32, 3, k_dims_bs4_2, 0}};
static const char *const k_syms_bps[] = {"B", "P", "S"};
static const sessa_derived_symbol k_s_is_p_plus_1[] = {{2, 1, -1, 1}};
static const sessa_entry_desc k_decode = {
    "decode_one", 1, 1, k_append_in, k_decode_out, 3, k_syms_bps,
    count_compute, 1, k_s_is_p_plus_1};

/* A float buffer for the derived-symbol tests, sentinel-filled. */
static float g_out[2 * 16 * 4];

static void reset_out(void) {
  g_calls = 0;
  for (int i = 0; i < 2 * 16 * 4; ++i)
    g_out[i] = SENTINEL;
}

static int out_untouched(void) {
  for (int i = 0; i < 2 * 16 * 4; ++i)
    if (g_out[i] != SENTINEL)
      return 0;
  return 1;
}

/* Like expect_error, for the derived-symbol tests (checks g_out). */
static void expect_derived_error(const char *what, int32_t rc,
                                 const sessa_status *st, int32_t code,
                                 const char *substring) {
  CHECK(rc == code && st->code == code, "%s: code %d (got %d/%d)", what, code,
        rc, st->code);
  CHECK(strstr(st->message, substring) != NULL,
        "%s: message contains \"%s\" (got \"%s\")", what, substring,
        st->message);
  CHECK(g_calls == 0 && out_untouched(), "%s: nothing run or written", what);
}

static void test_derived_success(void) {
  enum { B = 2, P = 3, T = 2 };
  float cache[B * P * 4], x[B * T * 4], mask[P + T];
  for (int i = 0; i < B * P * 4; ++i)
    cache[i] = (float)i;
  for (int i = 0; i < B * T * 4; ++i)
    x[i] = 1000.0f + (float)i;
  sessa_tensor in[3] = {tensor(cache, SESSA_DTYPE_F32, 3, B, P, 4),
                        tensor(x, SESSA_DTYPE_F32, 3, B, T, 4),
                        tensor(mask, SESSA_DTYPE_F32, 1, P + T, 0, 0)};
  sessa_tensor out = tensor(g_out, SESSA_DTYPE_F32, 3, B, P + T, 4);
  sessa_status st;

  reset_out();
  int32_t rc = sessa_invoke(&k_append, in, 2, &out, 1, &st);
  CHECK(rc == SESSA_OK && g_calls == 1,
        "cache_append: P + T rows accepted (got %d \"%s\")", rc, st.message);
  const seen_desc *o = &g_seen[2];
  CHECK(o->aligned == g_out && o->sizes[0] == B && o->sizes[1] == P + T &&
            o->sizes[2] == 4 && o->strides[0] == (P + T) * 4 &&
            o->strides[1] == 4 && o->strides[2] == 1,
        "cache_append: out descriptor sizes [2, 5, 4] strides [20, 4, 1] "
        "(got [%lld, %lld, %lld] [%lld, %lld, %lld])",
        (long long)o->sizes[0], (long long)o->sizes[1], (long long)o->sizes[2],
        (long long)o->strides[0], (long long)o->strides[1],
        (long long)o->strides[2]);
  int values_ok = 1;
  for (int b = 0; b < B; ++b)
    for (int r = 0; r < P + T; ++r)
      for (int d = 0; d < 4; ++d)
        values_ok &= g_out[(b * (P + T) + r) * 4 + d] ==
                     (r < P ? cache[(b * P + r) * 4 + d]
                            : x[(b * T + r - P) * 4 + d]);
  CHECK(values_ok, "cache_append: out == concat(cache, x)");

  /* An input that uses the derived symbol and agrees. */
  reset_out();
  rc = sessa_invoke(&k_append_masked, in, 3, &out, 1, &st);
  CHECK(rc == SESSA_OK && g_calls == 1,
        "cache_append_masked: mask [P + T] accepted (got %d \"%s\")", rc,
        st.message);

  /* P = 0 and T = 0: empty tensors, S = 0. */
  reset_out();
  sessa_tensor empty[2] = {tensor(NULL, SESSA_DTYPE_F32, 3, B, 0, 4),
                           tensor(NULL, SESSA_DTYPE_F32, 3, B, 0, 4)};
  sessa_tensor empty_out = tensor(NULL, SESSA_DTYPE_F32, 3, B, 0, 4);
  rc = sessa_invoke(&k_append, empty, 2, &empty_out, 1, &st);
  CHECK(rc == SESSA_OK && g_calls == 1 && g_seen[2].sizes[1] == 0,
        "cache_append: P = T = 0 gives S = 0 (got %d \"%s\")", rc, st.message);

  /* decode_one: S = P + 1. */
  reset_out();
  out = tensor(g_out, SESSA_DTYPE_F32, 3, B, P + 1, 4);
  rc = sessa_invoke(&k_decode, in, 1, &out, 1, &st);
  CHECK(rc == SESSA_OK && g_calls == 1,
        "decode_one: P + 1 rows accepted (got %d \"%s\")", rc, st.message);
}

static void test_derived_errors(void) {
  enum { B = 2, P = 3, T = 2 };
  float cache[B * P * 4] = {0}, x[B * T * 4] = {0}, mask[8] = {0};
  sessa_tensor in[3] = {tensor(cache, SESSA_DTYPE_F32, 3, B, P, 4),
                        tensor(x, SESSA_DTYPE_F32, 3, B, T, 4),
                        tensor(mask, SESSA_DTYPE_F32, 1, P + T, 0, 0)};
  sessa_tensor out = tensor(g_out, SESSA_DTYPE_F32, 3, B, P + T + 1, 4);
  sessa_status st;
  int32_t rc;

  /* Output with the wrong number of rows: exact message. */
  reset_out();
  rc = sessa_invoke(&k_append, in, 2, &out, 1, &st);
  expect_derived_error("cache_append: wrong output rows", rc, &st,
                       SESSA_ERROR_SHAPE_MISMATCH, "symbol 'S'");
  CHECK(strcmp(st.message, "output 0 ('out'): dimension 1 is 6 but symbol "
                           "'S' is 5, the sum 'P' + 'T' (3 + 2)") == 0,
        "cache_append: exact message (got \"%s\")", st.message);
  CHECK(strstr(st.message, "sum") != NULL, "cache_append: message says 'sum'");

  reset_out();
  out = tensor(g_out, SESSA_DTYPE_F32, 3, B, P, 4);
  rc = sessa_invoke(&k_decode, in, 1, &out, 1, &st);
  expect_derived_error("decode_one: wrong output rows", rc, &st,
                       SESSA_ERROR_SHAPE_MISMATCH,
                       "output 0 ('out'): dimension 1 is 3 but symbol 'S' is "
                       "4, the sum 'P' + 1 (3 + 1)");

  /* An input that uses the derived symbol and disagrees. */
  reset_out();
  out = tensor(g_out, SESSA_DTYPE_F32, 3, B, P + T, 4);
  in[2] = tensor(mask, SESSA_DTYPE_F32, 1, P + T + 2, 0, 0);
  rc = sessa_invoke(&k_append_masked, in, 3, &out, 1, &st);
  expect_derived_error("cache_append_masked: mask disagrees", rc, &st,
                       SESSA_ERROR_SHAPE_MISMATCH,
                       "symbol 'S' is the sum 'P' + 'T' (3 + 2) = 5, but "
                       "input 2 ('mask') dimension 0 is 7");

  /* The same when the mask comes first (it binds S before P and T). */
  static const sessa_arg_desc mask_first[] = {
      {"mask", SESSA_DTYPE_F32, 1, k_dims_s, 0},
      {"cache", SESSA_DTYPE_F32, 3, k_dims_bp4, 0},
      {"x", SESSA_DTYPE_F32, 3, k_dims_bt4_3, 0}};
  sessa_entry_desc e = k_append_masked;
  e.inputs = mask_first;
  sessa_tensor in2[3] = {in[2], in[0], in[1]};
  reset_out();
  rc = sessa_invoke(&e, in2, 3, &out, 1, &st);
  expect_derived_error("mask first disagrees", rc, &st,
                       SESSA_ERROR_SHAPE_MISMATCH,
                       "but input 0 ('mask') dimension 0 is 7");

  /* A negative sum: S = P - 4 with P = 3. */
  static const sessa_derived_symbol p_minus_4[] = {{2, 1, -1, -4}};
  e = k_decode;
  e.derived = p_minus_4;
  reset_out();
  rc = sessa_invoke(&e, in, 1, &out, 1, &st);
  expect_derived_error("negative sum", rc, &st, SESSA_ERROR_SHAPE_MISMATCH,
                       "symbol 'S', the sum 'P' - 4 (3 - 4), is negative (-1)");

  /* An overflowing sum: p [P] with P = INT64_MAX, S = P + 1 (never read). */
  static const int64_t dims_p[] = {-2}, dims_s3[] = {-3};
  static const sessa_arg_desc p_in[] = {{"p", SESSA_DTYPE_F32, 1, dims_p, 0}};
  static const sessa_arg_desc s_out[] = {{"s", SESSA_DTYPE_F32, 1, dims_s3, 0}};
  e = k_decode;
  e.inputs = p_in;
  e.outputs = s_out;
  sessa_tensor huge = tensor(cache, SESSA_DTYPE_F32, 1, INT64_MAX, 0, 0);
  sessa_tensor s1 = tensor(g_out, SESSA_DTYPE_F32, 1, 1, 0, 0);
  reset_out();
  rc = sessa_invoke(&e, &huge, 1, &s1, 1, &st);
  expect_derived_error("overflowing sum", rc, &st,
                       SESSA_ERROR_INVALID_ARGUMENT, "overflows int64");

  /* Two sums for one symbol that disagree: S = P + T and S = P + 1. */
  static const sessa_derived_symbol two_sums[] = {{3, 1, 2, 0}, {3, 1, -1, 1}};
  e = k_append;
  e.num_derived = 2;
  e.derived = two_sums;
  reset_out();
  rc = sessa_invoke(&e, in, 2, &out, 1, &st);
  expect_derived_error("two sums disagree", rc, &st,
                       SESSA_ERROR_SHAPE_MISMATCH,
                       "symbol 'S' is the sum 'P' + 1 (3 + 1) = 4, but also "
                       "the sum 'P' + 'T' (3 + 2) = 5");
}

/* Derived symbols whose terms only outputs bind, chains listed out of order,
 * and entry points without outputs. */
static void test_derived_more(void) {
  static const int64_t dims_n[] = {-1}, dims_m[] = {-2}, dims_k[] = {-3};
  static const sessa_arg_desc in_x[] = {{"x", SESSA_DTYPE_I32, 1, k_dims_2, 0}};
  static const sessa_arg_desc outs[] = {{"y", SESSA_DTYPE_F32, 1, dims_n, 0},
                                        {"z", SESSA_DTYPE_F32, 1, dims_m, 0},
                                        {"w", SESSA_DTYPE_F32, 1, dims_k, 0}};
  static const char *const names[] = {"N", "M", "K"};
  /* K = M + 1 is listed before M = N + 1. */
  static const sessa_derived_symbol chain[] = {{2, 1, -1, 1}, {1, 0, -1, 1}};
  const sessa_entry_desc e = {"chain", 1, 3, in_x, outs, 3, names,
                              count_compute, 2, chain};
  int32_t x[2] = {0};
  float buf[16];
  sessa_tensor tx = tensor(x, SESSA_DTYPE_I32, 1, 2, 0, 0);
  sessa_tensor o[3] = {tensor(buf, SESSA_DTYPE_F32, 1, 3, 0, 0),
                       tensor(buf, SESSA_DTYPE_F32, 1, 4, 0, 0),
                       tensor(buf, SESSA_DTYPE_F32, 1, 5, 0, 0)};
  sessa_status st;
  g_calls = 0;
  int32_t rc = sessa_invoke(&e, &tx, 1, o, 3, &st);
  CHECK(rc == SESSA_OK && g_calls == 1,
        "chain: outputs [3], [4], [5] accepted (got %d \"%s\")", rc,
        st.message);

  /* Terms bound only by outputs: caught after the outputs. */
  o[2] = tensor(buf, SESSA_DTYPE_F32, 1, 6, 0, 0);
  g_calls = 0;
  rc = sessa_invoke(&e, &tx, 1, o, 3, &st);
  CHECK(rc == SESSA_ERROR_SHAPE_MISMATCH && g_calls == 0 &&
            strcmp(st.message, "symbol 'K' is the sum 'M' + 1 (4 + 1) = 5, "
                               "but output 2 ('w') dimension 0 is 6") == 0,
        "chain: output-only terms checked (got %d \"%s\")", rc, st.message);
  o[1] = tensor(buf, SESSA_DTYPE_F32, 1, 7, 0, 0);
  o[2] = tensor(buf, SESSA_DTYPE_F32, 1, 8, 0, 0);
  g_calls = 0;
  rc = sessa_invoke(&e, &tx, 1, o, 3, &st);
  CHECK(rc == SESSA_ERROR_SHAPE_MISMATCH && g_calls == 0 &&
            strstr(st.message, "symbol 'M' is the sum 'N' + 1 (3 + 1) = 4, "
                               "but output 1 ('z') dimension 0 is 7"),
        "chain: output-only mismatch on M (got %d \"%s\")", rc, st.message);

  /* Inputs bind N only: M = N + 1, then K = M + 1 (listed first) are
   * computed before the outputs are checked. */
  static const sessa_arg_desc in_n[] = {{"n", SESSA_DTYPE_F32, 1, dims_n, 0}};
  static const sessa_arg_desc outs_kw[] = {{"w", SESSA_DTYPE_F32, 1, dims_k, 0},
                                           {"z", SESSA_DTYPE_F32, 1, dims_m, 0}};
  const sessa_entry_desc e3 = {"chain_in", 1, 2, in_n, outs_kw, 3, names,
                               count_compute, 2, chain};
  sessa_tensor tn = tensor(buf, SESSA_DTYPE_F32, 1, 3, 0, 0);
  sessa_tensor wz[2] = {tensor(buf, SESSA_DTYPE_F32, 1, 5, 0, 0),
                        tensor(buf, SESSA_DTYPE_F32, 1, 4, 0, 0)};
  g_calls = 0;
  rc = sessa_invoke(&e3, &tn, 1, wz, 2, &st);
  CHECK(rc == SESSA_OK && g_calls == 1,
        "chain_in: [3] -> [5], [4] accepted (got %d \"%s\")", rc, st.message);
  wz[0] = tensor(buf, SESSA_DTYPE_F32, 1, 6, 0, 0);
  g_calls = 0;
  rc = sessa_invoke(&e3, &tn, 1, wz, 2, &st);
  CHECK(rc == SESSA_ERROR_SHAPE_MISMATCH && g_calls == 0 &&
            strcmp(st.message, "output 0 ('w'): dimension 0 is 6 but symbol "
                               "'K' is 5, the sum 'M' + 1 (4 + 1)") == 0,
        "chain_in: chained sum computed from the inputs (got %d \"%s\")", rc,
        st.message);

  /* No outputs: the derived symbols are still checked. */
  static const sessa_arg_desc ins[] = {{"a", SESSA_DTYPE_F32, 1, dims_n, 0},
                                       {"b", SESSA_DTYPE_F32, 1, dims_m, 0}};
  const sessa_entry_desc e2 = {"no_outputs", 2, 0, ins, NULL, 3, names,
                               count_compute, 2, chain};
  sessa_tensor ab[2] = {tensor(buf, SESSA_DTYPE_F32, 1, 3, 0, 0),
                        tensor(buf, SESSA_DTYPE_F32, 1, 4, 0, 0)};
  g_calls = 0;
  rc = sessa_invoke(&e2, ab, 2, NULL, 0, &st);
  CHECK(rc == SESSA_OK && g_calls == 1,
        "no_outputs: agreeing inputs accepted (got %d \"%s\")", rc,
        st.message);
  ab[1] = tensor(buf, SESSA_DTYPE_F32, 1, 5, 0, 0);
  g_calls = 0;
  rc = sessa_invoke(&e2, ab, 2, NULL, 0, &st);
  CHECK(rc == SESSA_ERROR_SHAPE_MISMATCH && g_calls == 0 &&
            strstr(st.message, "symbol 'M' is the sum"),
        "no_outputs: disagreeing input rejected (got %d \"%s\")", rc,
        st.message);
}

static void test_derived_bad_tables(void) {
  float cache[2 * 3 * 4] = {0}, x[2 * 2 * 4] = {0};
  sessa_tensor in[2] = {tensor(cache, SESSA_DTYPE_F32, 3, 2, 3, 4),
                        tensor(x, SESSA_DTYPE_F32, 3, 2, 2, 4)};
  sessa_tensor out = tensor(g_out, SESSA_DTYPE_F32, 3, 2, 5, 4);
  static const struct {
    const char *what;
    sessa_derived_symbol d;
  } bad[] = {
      {"symbol out of range", {4, 1, 2, 0}},
      {"negative symbol", {-1, 1, 2, 0}},
      {"lhs out of range", {3, 4, 2, 0}},
      {"negative lhs", {3, -1, 2, 0}},
      {"rhs out of range", {3, 1, 4, 0}},
      {"rhs below -1", {3, 1, -2, 0}},
  };
  sessa_status st;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    sessa_entry_desc e = k_append;
    e.derived = &bad[i].d;
    reset_out();
    int32_t rc = sessa_invoke(&e, in, 2, &out, 1, &st);
    CHECK(rc == SESSA_ERROR_INTERNAL && st.code == rc && g_calls == 0 &&
              out_untouched() &&
              strstr(st.message, "entry 'cache_append': derived symbol 0") &&
              strstr(st.message, "out of range"),
          "derived table, %s -> INTERNAL (got %d \"%s\")", bad[i].what, rc,
          st.message);
  }

  sessa_entry_desc e = k_append;
  e.derived = NULL;
  reset_out();
  int32_t rc = sessa_invoke(&e, in, 2, &out, 1, &st);
  CHECK(rc == SESSA_ERROR_INTERNAL && g_calls == 0 &&
            strstr(st.message, "bad derived-symbol table"),
        "derived table NULL with num_derived 1 -> INTERNAL (got \"%s\")",
        st.message);

  e = k_append;
  e.num_derived = -1;
  reset_out();
  rc = sessa_invoke(&e, in, 2, &out, 1, &st);
  CHECK(rc == SESSA_ERROR_INTERNAL && g_calls == 0 &&
            strstr(st.message, "bad derived-symbol table"),
        "num_derived -1 -> INTERNAL (got \"%s\")", st.message);

  /* num_derived 0 with a NULL table is the plain case (already covered);
   * a table with num_derived 0 is ignored. */
  e = k_append;
  e.num_derived = 0;
  e.compute = count_compute;
  out = tensor(g_out, SESSA_DTYPE_F32, 3, 2, 9, 4);
  reset_out();
  rc = sessa_invoke(&e, in, 2, &out, 1, &st);
  CHECK(rc == SESSA_OK && g_calls == 1,
        "num_derived 0: S unconstrained (got %d \"%s\")", rc, st.message);
}

/* ----- memrefCopy ------------------------------------------------------ */

/* The C view of MLIR's UnrankedMemRefType<char>. */
typedef struct unranked_memref {
  int64_t rank;
  void *descriptor;
} unranked_memref;

void memrefCopy(int64_t elemSize, unranked_memref *src, unranked_memref *dst);

#define MC_MAX_RANK 20

/* A ranked descriptor with room for MC_MAX_RANK dimensions; the words are
 * laid out as MLIR's for the actual rank (sizes then strides). */
typedef struct ranked_memref {
  void *allocated, *aligned;
  int64_t offset;
  int64_t words[2 * MC_MAX_RANK];
} ranked_memref;

static ranked_memref make_memref(void *data, int64_t offset, int rank,
                                 const int64_t *sizes, const int64_t *strides) {
  ranked_memref m;
  memset(&m, 0, sizeof m);
  m.allocated = m.aligned = data;
  m.offset = offset;
  for (int d = 0; d < rank; ++d) {
    m.words[d] = sizes[d];
    m.words[rank + d] = strides[d];
  }
  return m;
}

/* Copies src to dst as memrefCopy does: unranked descriptors on the stack. */
static void do_copy(int64_t es, int rank, ranked_memref *src,
                    ranked_memref *dst) {
  unranked_memref us = {rank, src}, ud = {rank, dst};
  memrefCopy(es, &us, &ud);
}

/* Reference copy: element by element through linear indices. */
static void reference_copy(int64_t es, int rank, const int64_t *sizes,
                           const char *src, int64_t soff,
                           const int64_t *sstr, char *dst, int64_t doff,
                           const int64_t *dstr) {
  int64_t count = 1;
  for (int d = 0; d < rank; ++d)
    count *= sizes[d];
  for (int64_t n = 0; n < count; ++n) {
    int64_t rest = n, s = soff, t = doff;
    for (int d = rank - 1; d >= 0; --d) {
      s += (rest % sizes[d]) * sstr[d];
      t += (rest % sizes[d]) * dstr[d];
      rest /= sizes[d];
    }
    memcpy(dst + t * es, src + s * es, (size_t)es);
  }
}

static void test_memref_copy_2d(void) {
  /* A 3x4 row-major matrix, read through its transpose [4, 3] strides
   * [1, 4] into a contiguous [4, 3]. */
  float a[12], t[12];
  for (int i = 0; i < 12; ++i) {
    a[i] = (float)i;
    t[i] = SENTINEL;
  }
  ranked_memref src = make_memref(a, 0, 2, (int64_t[]){4, 3},
                                  (int64_t[]){1, 4});
  ranked_memref dst = make_memref(t, 0, 2, (int64_t[]){4, 3},
                                  (int64_t[]){3, 1});
  do_copy(4, 2, &src, &dst);
  int ok = 1;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      ok &= t[i * 3 + j] == a[j * 4 + i];
  CHECK(ok, "memrefCopy: transposed view -> contiguous");

  /* And back: contiguous [4, 3] into the transposed view of a 3x4. */
  float back[12];
  for (int i = 0; i < 12; ++i)
    back[i] = SENTINEL;
  src = make_memref(t, 0, 2, (int64_t[]){4, 3}, (int64_t[]){3, 1});
  dst = make_memref(back, 0, 2, (int64_t[]){4, 3}, (int64_t[]){1, 4});
  do_copy(4, 2, &src, &dst);
  ok = 1;
  for (int i = 0; i < 12; ++i)
    ok &= back[i] == a[i];
  CHECK(ok, "memrefCopy: contiguous -> transposed view round-trips");

  /* Strided subviews with offsets: every other row and column of a 6x8
   * (offset 1 * 8 + 1 = 9, strides [16, 2]) into rows 1..3, columns 1..4
   * of a 5x6 (offset 7, strides [6, 1]); the rest of dst is untouched. */
  double big[6 * 8], small[5 * 6], expect[5 * 6];
  for (int i = 0; i < 48; ++i)
    big[i] = 100.0 + i;
  for (int i = 0; i < 30; ++i)
    small[i] = expect[i] = -1.0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      expect[7 + i * 6 + j] = big[9 + i * 16 + j * 2];
  src = make_memref(big, 9, 2, (int64_t[]){3, 4}, (int64_t[]){16, 2});
  dst = make_memref(small, 7, 2, (int64_t[]){3, 4}, (int64_t[]){6, 1});
  do_copy(8, 2, &src, &dst);
  CHECK(memcmp(small, expect, sizeof small) == 0,
        "memrefCopy: strided subview with offsets (element path)");

  /* Rows of a subview, unit inner strides in both: one memcpy per row. */
  for (int i = 0; i < 30; ++i)
    small[i] = expect[i] = -1.0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      expect[3 + i * 6 + j] = big[10 + i * 8 + j];
  src = make_memref(big, 10, 2, (int64_t[]){3, 4}, (int64_t[]){8, 1});
  dst = make_memref(small, 3, 2, (int64_t[]){3, 4}, (int64_t[]){6, 1});
  do_copy(8, 2, &src, &dst);
  CHECK(memcmp(small, expect, sizeof small) == 0,
        "memrefCopy: row subview with offsets (memcpy per row)");

  /* A negative source stride: a reversed column. */
  int32_t col[5] = {1, 2, 3, 4, 5}, rev[5] = {0};
  src = make_memref(col, 4, 1, (int64_t[]){5}, (int64_t[]){-1});
  dst = make_memref(rev, 0, 1, (int64_t[]){5}, (int64_t[]){1});
  do_copy(4, 1, &src, &dst);
  CHECK(rev[0] == 5 && rev[1] == 4 && rev[2] == 3 && rev[3] == 2 &&
            rev[4] == 1,
        "memrefCopy: negative source stride reverses");

  /* A zero (broadcast) source stride. */
  int16_t one[1] = {7}, many[4] = {0};
  src = make_memref(one, 0, 1, (int64_t[]){4}, (int64_t[]){0});
  dst = make_memref(many, 0, 1, (int64_t[]){4}, (int64_t[]){1});
  do_copy(2, 1, &src, &dst);
  CHECK(many[0] == 7 && many[1] == 7 && many[2] == 7 && many[3] == 7,
        "memrefCopy: zero source stride broadcasts");
}

static void test_memref_copy_rank0_and_empty(void) {
  float a[4] = {1, 2, 3, 4}, b[4] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL};
  ranked_memref src = make_memref(a, 2, 0, NULL, NULL);
  ranked_memref dst = make_memref(b, 1, 0, NULL, NULL);
  do_copy(4, 0, &src, &dst);
  CHECK(b[0] == SENTINEL && b[1] == 3.0f && b[2] == SENTINEL &&
            b[3] == SENTINEL,
        "memrefCopy: rank 0 with offsets copies one element");

  /* Rank 3 with a zero dimension: nothing copied, NULL data allowed. */
  for (int i = 0; i < 4; ++i)
    b[i] = SENTINEL;
  src = make_memref(a, 0, 3, (int64_t[]){2, 0, 3}, (int64_t[]){0, 3, 1});
  dst = make_memref(b, 1, 3, (int64_t[]){2, 0, 3}, (int64_t[]){1, 7, 2});
  do_copy(4, 3, &src, &dst);
  CHECK(b[0] == SENTINEL && b[1] == SENTINEL && b[2] == SENTINEL &&
            b[3] == SENTINEL,
        "memrefCopy: rank 3 with a zero dimension copies nothing");
  src = make_memref(NULL, 5, 3, (int64_t[]){2, 3, 0}, (int64_t[]){3, 1, 1});
  dst = make_memref(NULL, 9, 3, (int64_t[]){2, 3, 0}, (int64_t[]){1, 2, 6});
  do_copy(4, 3, &src, &dst);
  CHECK(1, "memrefCopy: empty memrefs with NULL data and offsets");

  /* Nothing happens for mismatched ranks, elemSize 0 or NULL arguments. */
  src = make_memref(a, 0, 1, (int64_t[]){4}, (int64_t[]){1});
  dst = make_memref(b, 0, 1, (int64_t[]){4}, (int64_t[]){1});
  unranked_memref us = {1, &src}, ud = {2, &dst};
  memrefCopy(4, &us, &ud);
  ud.rank = 1;
  memrefCopy(0, &us, &ud);
  memrefCopy(4, NULL, &ud);
  memrefCopy(4, &us, NULL);
  CHECK(b[0] == SENTINEL && b[3] == SENTINEL,
        "memrefCopy: bad arguments copy nothing");

  /* Copying a view onto itself is a no-op (no overlapping memcpy). */
  memrefCopy(4, &us, &us);
  CHECK(a[0] == 1.0f && a[3] == 4.0f, "memrefCopy: self copy is a no-op");
}

/* Compares memrefCopy with the reference over permutations, element sizes
 * and padded strides, for rank 3 and 4, and a rank-17 case (slow path). */
static void test_memref_copy_generic(void) {
  static unsigned char src_buf[4096], dst_buf[4096], ref_buf[4096];
  for (size_t i = 0; i < sizeof src_buf; ++i)
    src_buf[i] = (unsigned char)(i * 7 + 3);
  static const int perms3[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                   {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  static const int64_t es_list[] = {1, 2, 4, 8, 12};
  int ok = 1, cases = 0;
  for (size_t ei = 0; ei < sizeof es_list / sizeof es_list[0]; ++ei)
    for (int sp = 0; sp < 6; ++sp)
      for (int dp = 0; dp < 6; ++dp)
        for (int pad = 0; pad < 2; ++pad) {
          int64_t es = es_list[ei];
          const int64_t sizes[3] = {2, 3, 4};
          int64_t sstr[3], dstr[3];
          /* Row-major strides in the permuted order, inner dim padded. */
          int64_t acc = 1;
          for (int k = 2; k >= 0; --k) {
            sstr[perms3[sp][k]] = acc;
            acc *= sizes[perms3[sp][k]] + (k == 2 ? pad : 0);
          }
          acc = 1;
          for (int k = 2; k >= 0; --k) {
            dstr[perms3[dp][k]] = acc;
            acc *= sizes[perms3[dp][k]] + (k == 1 ? pad : 0);
          }
          memset(dst_buf, 0xAB, sizeof dst_buf);
          memset(ref_buf, 0xAB, sizeof ref_buf);
          ranked_memref src = make_memref(src_buf, 3, 3, sizes, sstr);
          ranked_memref dst = make_memref(dst_buf, 5, 3, sizes, dstr);
          do_copy(es, 3, &src, &dst);
          reference_copy(es, 3, sizes, (const char *)src_buf, 3, sstr,
                         (char *)ref_buf, 5, dstr);
          ok &= memcmp(dst_buf, ref_buf, sizeof dst_buf) == 0;
          ++cases;
        }
  CHECK(ok, "memrefCopy: %d rank-3 permutation/stride/elemSize cases match "
            "the reference", cases);

  /* Rank 4 with size-1 dimensions carrying odd strides (merged runs). */
  {
    const int64_t sizes[4] = {3, 1, 2, 5};
    const int64_t sstr[4] = {10, 999, 5, 1}, dstr[4] = {12, -3, 6, 1};
    memset(dst_buf, 0, sizeof dst_buf);
    memset(ref_buf, 0, sizeof ref_buf);
    ranked_memref src = make_memref(src_buf, 1, 4, sizes, sstr);
    ranked_memref dst = make_memref(dst_buf, 2, 4, sizes, dstr);
    do_copy(4, 4, &src, &dst);
    reference_copy(4, 4, sizes, (const char *)src_buf, 1, sstr,
                   (char *)ref_buf, 2, dstr);
    CHECK(memcmp(dst_buf, ref_buf, sizeof dst_buf) == 0,
          "memrefCopy: rank 4 with size-1 dims and partial contiguity");
  }

  /* Rank 17 whose innermost dimension has size 1: 16 outer dimensions, the
   * most the fast path walks. Sizes 2 in a few dimensions, 1 elsewhere. */
  {
    enum { R = 17 };
    int64_t sizes[R], sstr[R], dstr[R];
    for (int d = 0; d < R; ++d) {
      sizes[d] = (d % 5 == 0) ? 2 : 1;
      sstr[d] = 1;
      dstr[d] = 1;
    }
    /* src: row-major over the size-2 dims (0, 5, 10, 15), reversed in dst,
     * innermost stride 3 in src. */
    sstr[15] = 3, sstr[10] = 6, sstr[5] = 12, sstr[0] = 24;
    dstr[0] = 1, dstr[5] = 2, dstr[10] = 4, dstr[15] = 8;
    sstr[16] = 2; /* size 1: any stride */
    dstr[16] = 5;
    memset(dst_buf, 0, sizeof dst_buf);
    memset(ref_buf, 0, sizeof ref_buf);
    ranked_memref src = make_memref(src_buf, 7, R, sizes, sstr);
    ranked_memref dst = make_memref(dst_buf, 1, R, sizes, dstr);
    do_copy(8, R, &src, &dst);
    reference_copy(8, R, sizes, (const char *)src_buf, 7, sstr,
                   (char *)ref_buf, 1, dstr);
    CHECK(memcmp(dst_buf, ref_buf, sizeof dst_buf) == 0,
          "memrefCopy: rank 17 matches the reference");
  }
  /* Rank 19 with a strided innermost dimension: 18 outer dimensions, more
   * than the fast path walks (the slow path recomputes each position). */
  {
    enum { R = 19 };
    int64_t sizes[R], sstr[R], dstr[R];
    int64_t sacc = 2, dacc = 1;
    for (int d = R - 1; d >= 0; --d) {
      sizes[d] = (d % 6 == 0) ? 2 : 1;
      sstr[d] = sacc; /* every src stride doubled: nothing merges */
      dstr[d] = dacc;
      sacc *= sizes[d];
      dacc *= sizes[d];
    }
    memset(dst_buf, 0, sizeof dst_buf);
    memset(ref_buf, 0, sizeof ref_buf);
    ranked_memref src = make_memref(src_buf, 0, R, sizes, sstr);
    ranked_memref dst = make_memref(dst_buf, 0, R, sizes, dstr);
    do_copy(4, R, &src, &dst);
    reference_copy(4, R, sizes, (const char *)src_buf, 0, sstr,
                   (char *)ref_buf, 0, dstr);
    CHECK(memcmp(dst_buf, ref_buf, sizeof dst_buf) == 0,
          "memrefCopy: rank 19 (18 outer dimensions) matches the reference");
  }
}

/* ----- Batch-strided caches (views of a larger [B, capacity, ...] buffer) */

/* extend: x [B, 2] dense, kc [B, P, 2] batch-strided ->
 * kc1 [B, P + 1, 2] batch-strided: rows of kc, then x. */
static void extend_compute(void **args) {
  ++g_calls;
  for (int a = 0; a < 3; ++a)
    g_seen[a] = decode(args[a], a == 0 ? 2 : 3);
}

static const int64_t k_dims_b2[] = {-1, 2};
static const int64_t k_dims_bp2[] = {-1, -2, 2};
static const int64_t k_dims_bp1_2[] = {-1, -3, 2};
static const sessa_arg_desc k_extend_in[] = {
    {"x", SESSA_DTYPE_F32, 2, k_dims_b2, 0},
    {"kc", SESSA_DTYPE_F32, 3, k_dims_bp2, SESSA_ARG_BATCH_STRIDED}};
static const sessa_arg_desc k_extend_out[] = {
    {"kc1", SESSA_DTYPE_F32, 3, k_dims_bp1_2, SESSA_ARG_BATCH_STRIDED}};
static const char *const k_syms_bpq[] = {"B", "P", "P+1"};
static const sessa_derived_symbol k_extend_derived[] = {{2, 1, -1, 1}};
static const sessa_entry_desc k_extend = {
    "extend", 2, 1, k_extend_in, k_extend_out, 3, k_syms_bpq, extend_compute,
    1, k_extend_derived};

static void test_batch_strided(void) {
  static float buf[2 * 5 * 2], x[2 * 2];
  sessa_status st;
  /* Views of the first 3 and 4 rows of a [2, 5, 2] buffer: the same memory
   * (decoding in place); the batch stride is the buffer's 10. */
  sessa_tensor xt = tensor(x, SESSA_DTYPE_F32, 2, 2, 2, 0);
  sessa_tensor kc = tensor(buf, SESSA_DTYPE_F32, 3, 2, 3, 2);
  sessa_tensor kc1 = tensor(buf, SESSA_DTYPE_F32, 3, 2, 4, 2);
  kc.strides[0] = kc1.strides[0] = 10;
  kc.strides[1] = kc1.strides[1] = 2;
  kc.strides[2] = kc1.strides[2] = 1;
  sessa_tensor ins[2] = {xt, kc};
  g_calls = 0;
  int32_t rc = sessa_invoke(&k_extend, ins, 2, &kc1, 1, &st);
  CHECK(rc == SESSA_OK && g_calls == 1,
        "batch-strided: views of one buffer accepted (got %d \"%s\")", rc,
        st.message);
  CHECK(g_seen[1].aligned == buf && g_seen[2].aligned == buf &&
            g_seen[1].strides[0] == 10 && g_seen[1].strides[1] == 2 &&
            g_seen[1].strides[2] == 1 && g_seen[2].strides[0] == 10 &&
            g_seen[2].sizes[1] == 4,
        "batch-strided: the compiled code sees batch stride 10 (got %lld, "
        "%lld) and rows [3, 4]",
        (long long)g_seen[1].strides[0], (long long)g_seen[2].strides[0]);
  CHECK(g_seen[0].strides[0] == 2 && g_seen[0].strides[1] == 1,
        "batch-strided: the dense input keeps dense strides");

  /* All-zero strides: dense. */
  kc.strides[0] = kc.strides[1] = kc.strides[2] = 0;
  ins[1] = kc;
  g_calls = 0;
  rc = sessa_invoke(&k_extend, ins, 2, &kc1, 1, &st);
  CHECK(rc == SESSA_OK && g_seen[1].strides[0] == 6 &&
            g_seen[1].strides[1] == 2,
        "batch-strided: zero strides mean dense (batch stride 6, got %lld)",
        (long long)g_seen[1].strides[0]);

  /* A batch stride smaller than one batch: the batches would overlap. */
  kc.strides[0] = 4;
  kc.strides[1] = 2;
  kc.strides[2] = 1;
  ins[1] = kc;
  g_calls = 0;
  rc = sessa_invoke(&k_extend, ins, 2, &kc1, 1, &st);
  expect_error("batch stride too small", rc, &st, SESSA_ERROR_INVALID_ARGUMENT,
               "input 1 ('kc'): batch stride 4 is smaller than one batch's 6 "
               "elements");
  CHECK(g_calls == 0, "batch stride too small: compute not called");

  /* Rows must stay dense. */
  kc.strides[0] = 10;
  kc.strides[1] = 3;
  ins[1] = kc;
  g_calls = 0;
  rc = sessa_invoke(&k_extend, ins, 2, &kc1, 1, &st);
  expect_error("row stride", rc, &st, SESSA_ERROR_INVALID_ARGUMENT,
               "input 1 ('kc'): dimension 1 has stride 3 but must be dense "
               "(stride 2): only the batch stride of a cache may differ");

  /* A dense argument takes no strides but its own. */
  kc.strides[1] = 2;
  ins[1] = kc;
  xt.strides[0] = 5;
  xt.strides[1] = 1;
  ins[0] = xt;
  g_calls = 0;
  rc = sessa_invoke(&k_extend, ins, 2, &kc1, 1, &st);
  expect_error("dense argument with strides", rc, &st,
               SESSA_ERROR_INVALID_ARGUMENT,
               "input 0 ('x'): dimension 0 has stride 5 but must be dense "
               "(stride 2)");
  CHECK(strstr(st.message, "only the batch") == NULL,
        "dense argument with strides: no word of caches");

  /* Its dense strides given explicitly are fine, and a dimension of size 1
   * has no stride that matters. */
  xt = tensor(x, SESSA_DTYPE_F32, 2, 1, 2, 0);
  xt.strides[0] = 12345;
  xt.strides[1] = 1;
  kc = tensor(buf, SESSA_DTYPE_F32, 3, 1, 3, 2);
  kc.strides[0] = 0;
  kc.strides[1] = 2;
  kc.strides[2] = 1;
  kc1 = tensor(buf, SESSA_DTYPE_F32, 3, 1, 4, 2);
  ins[0] = xt;
  ins[1] = kc;
  g_calls = 0;
  rc = sessa_invoke(&k_extend, ins, 2, &kc1, 1, &st);
  CHECK(rc == SESSA_OK && g_calls == 1,
        "batch-strided: B = 1 with any batch stride (got %d \"%s\")", rc,
        st.message);
}

int main(void) {
  test_dtypes();
  test_add_one_success();
  test_add_one_errors();
  test_attn();
  test_output_symbols();
  test_bad_descriptors();
  test_truncation();
  test_derived_success();
  test_derived_errors();
  test_derived_more();
  test_derived_bad_tables();
  test_memref_copy_2d();
  test_memref_copy_rank0_and_empty();
  test_memref_copy_generic();
  test_batch_strided();
  if (g_failures) {
    printf("%d check(s) FAILED\n", g_failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
