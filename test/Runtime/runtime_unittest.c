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
    {"x", SESSA_DTYPE_F32, 2, k_dims_b3}};
static const sessa_arg_desc k_add_one_out[] = {
    {"y", SESSA_DTYPE_F32, 2, k_dims_b3}};
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
    {"q", SESSA_DTYPE_F32, 3, k_dims_bt4},
    {"scale", SESSA_DTYPE_F32, 0, NULL},
    {"k", SESSA_DTYPE_F32, 3, k_dims_bt4}};
static const sessa_arg_desc k_attn_out[] = {
    {"out", SESSA_DTYPE_F32, 2, k_dims_bt}};
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
    {"x", SESSA_DTYPE_I32, 1, k_dims_2}};
static const sessa_arg_desc k_outsym_out[] = {
    {"y", SESSA_DTYPE_I64, 1, k_dims_n}, {"z", SESSA_DTYPE_I64, 1, k_dims_n}};
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
  sessa_arg_desc in = {long_name, SESSA_DTYPE_F32, 2, k_dims_b3};
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

int main(void) {
  test_dtypes();
  test_add_one_success();
  test_add_one_errors();
  test_attn();
  test_output_symbols();
  test_bad_descriptors();
  test_truncation();
  if (g_failures) {
    printf("%d check(s) FAILED\n", g_failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
