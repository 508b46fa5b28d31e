/*===- SessaRuntime.c - Argument checking and dispatch for artifacts ------===*
 *
 * Implements sessa_invoke: every exported entry point of an artifact calls it
 * with its static sessa_entry_desc. The call validates the caller's tensors
 * against the descriptor and only when everything matches builds the MLIR
 * memref descriptors on the stack and runs the compiled code.
 *
 * Checks, in order (the first failure is reported):
 *   1. entry is not NULL                               -> INVALID_ARGUMENT
 *   2. the descriptor is well formed and within the
 *      runtime limits (see below)                      -> INTERNAL
 *   3. tensor counts match, arrays are not NULL        -> INVALID_ARGUMENT
 *   4. per tensor, inputs first then outputs, in order:
 *      dtype                                           -> DTYPE_MISMATCH
 *      rank                                            -> RANK_MISMATCH
 *      per dimension: size >= 0                        -> INVALID_ARGUMENT
 *                     static size matches              -> SHAPE_MISMATCH
 *                     dynamic symbol agrees with the
 *                     first tensor that bound it       -> SHAPE_MISMATCH
 *      element count fits in int64                     -> INVALID_ARGUMENT
 *      data != NULL unless the tensor has no elements  -> INVALID_ARGUMENT
 *   5. after the inputs, and again after the outputs: every derived symbol
 *      (symbol = lhs + rhs + constant) whose terms are bound:
 *                     the sum fits in int64            -> INVALID_ARGUMENT
 *                     the sum is not negative          -> SHAPE_MISMATCH
 *                     the sum agrees with a tensor (or
 *                     another derived symbol) that
 *                     bound the symbol already         -> SHAPE_MISMATCH
 *      and an unbound derived symbol is bound to its sum, so that later
 *      tensors are checked against it. Derived symbols may be listed in any
 *      order and may use each other (they are evaluated to a fixed point).
 *      The second pass catches derived symbols whose terms only outputs
 *      bind, e.g. outputs [N] and [N + 1].
 *
 * Runtime limits: at most SESSA_MAX_ARGS tensors (inputs + outputs) per entry
 * point, ranks up to SESSA_MAX_RANK and at most SESSA_MAX_SYMBOLS dynamic
 * symbols per entry point. Descriptors beyond them are rejected (INTERNAL).
 *
 * The checks are shared with sessa_cuda_invoke (SessaCudaRuntime.c) through
 * sessa_runtime_check_call (SessaRuntimeInternal.h).
 *
 * No allocation, no global state: the function is thread-safe and re-entrant.
 * Messages are formatted with snprintf into the fixed-size status buffer, so
 * they are always NUL-terminated and silently truncated when too long.
 *===----------------------------------------------------------------------===*/

#include "sessa/Runtime/SessaRuntime.h"
#include "SessaRuntimeInternal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

/* Maximum number of dynamic symbols of one entry point (every dimension of
 * every tensor could carry a distinct one). */
#define SESSA_MAX_SYMBOLS (SESSA_MAX_ARGS * SESSA_MAX_RANK)

size_t sessa_dtype_size(int32_t dtype) {
  switch (dtype) {
  case SESSA_DTYPE_F32: return 4;
  case SESSA_DTYPE_F16: return 2;
  case SESSA_DTYPE_BF16: return 2;
  case SESSA_DTYPE_F64: return 8;
  case SESSA_DTYPE_I32: return 4;
  case SESSA_DTYPE_I64: return 8;
  default: return 0;
  }
}

const char *sessa_dtype_name(int32_t dtype) {
  switch (dtype) {
  case SESSA_DTYPE_F32: return "f32";
  case SESSA_DTYPE_F16: return "f16";
  case SESSA_DTYPE_BF16: return "bf16";
  case SESSA_DTYPE_F64: return "f64";
  case SESSA_DTYPE_I32: return "i32";
  case SESSA_DTYPE_I64: return "i64";
  default: return "unknown";
  }
}

/* Where a dynamic symbol was first bound. value < 0 means "not bound yet".
 * A symbol bound by a tensor has pos >= 0 (its position in inputs-then-
 * outputs order) and dim its dimension; one bound by a derived-symbol sum
 * has pos == -1 and dim the index of that entry in the derived table. */
typedef struct symbol_binding {
  int64_t value;
  int32_t pos;
  int32_t dim;
} symbol_binding;

/* Fills `status` (if any) and returns `code`. */
int32_t sessa_runtime_report(sessa_status *status, int32_t code,
                             const char *fmt, ...) {
  if (status) {
    va_list ap;
    va_start(ap, fmt);
    status->code = code;
    if (vsnprintf(status->message, sizeof status->message, fmt, ap) < 0)
      status->message[0] = '\0';
    va_end(ap);
  }
  return code;
}

static const char *safe_name(const char *name) { return name ? name : "?"; }

/* The descriptor of the tensor at position `pos` (inputs then outputs). */
static const sessa_arg_desc *arg_at(const sessa_entry_desc *e, int32_t pos) {
  return pos < e->num_inputs ? &e->inputs[pos]
                             : &e->outputs[pos - e->num_inputs];
}

/* Writes e.g. "input 2 ('k')" for the tensor at position `pos`. */
void sessa_runtime_describe(char *buf, size_t size, const sessa_entry_desc *e,
                            int32_t pos) {
  int is_output = pos >= e->num_inputs;
  snprintf(buf, size, "%s %" PRId32 " ('%s')", is_output ? "output" : "input",
           is_output ? pos - e->num_inputs : pos, safe_name(arg_at(e, pos)->name));
}

/* The description of the tensor at `pos` in the local buffer `who`,
 * formatted only where a message needs it (not on every call). */
#define WHO(pos) (sessa_runtime_describe(who, sizeof who, e, (pos)), who)

/* Writes e.g. "'P' + 'T' + 1 (3 + 5 + 1)" for the sum of derived symbol `d`;
 * the values are those the terms are bound to (every term must be bound). */
static void describe_sum(char *buf, size_t size, const sessa_entry_desc *e,
                         const symbol_binding *symbols,
                         const sessa_derived_symbol *d) {
  char rhs_name[SESSA_STATUS_MESSAGE_SIZE] = "", rhs_value[32] = "";
  char const_name[32] = "";
  if (d->rhs >= 0) {
    snprintf(rhs_name, sizeof rhs_name, " + '%s'",
             safe_name(e->symbol_names[d->rhs]));
    snprintf(rhs_value, sizeof rhs_value, " + %" PRId64,
             symbols[d->rhs].value);
  }
  if (d->constant != 0) /* the magnitude in uint64: no overflow for INT64_MIN */
    snprintf(const_name, sizeof const_name, " %c %" PRIu64,
             d->constant < 0 ? '-' : '+',
             d->constant < 0 ? (uint64_t)0 - (uint64_t)d->constant
                             : (uint64_t)d->constant);
  snprintf(buf, size, "'%s'%s%s (%" PRId64 "%s%s)",
           safe_name(e->symbol_names[d->lhs]), rhs_name, const_name,
           symbols[d->lhs].value, rhs_value, const_name);
}

/* a + b without overflow: returns 0 (and leaves *out alone) on overflow. */
static int add_i64(int64_t a, int64_t b, int64_t *out) {
  if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
    return 0;
  *out = a + b;
  return 1;
}

/* Checks that the descriptor emitted by the compiler is usable. */
static int32_t check_entry(const sessa_entry_desc *e, sessa_status *status) {
  const char *name = safe_name(e->name);
  if (e->num_inputs < 0 || e->num_outputs < 0 ||
      e->num_inputs > SESSA_MAX_ARGS - e->num_outputs)
    return sessa_runtime_report(status, SESSA_ERROR_INTERNAL,
                  "entry '%s': %" PRId32 " inputs and %" PRId32
                  " outputs (at most %d tensors are supported)",
                  name, e->num_inputs, e->num_outputs, SESSA_MAX_ARGS);
  if ((e->num_inputs > 0 && !e->inputs) || (e->num_outputs > 0 && !e->outputs))
    return sessa_runtime_report(status, SESSA_ERROR_INTERNAL,
                  "entry '%s': missing argument descriptors", name);
  if (!e->compute)
    return sessa_runtime_report(status, SESSA_ERROR_INTERNAL,
                  "entry '%s': no compiled function", name);
  if (e->num_symbols < 0 || e->num_symbols > SESSA_MAX_SYMBOLS ||
      (e->num_symbols > 0 && !e->symbol_names))
    return sessa_runtime_report(status, SESSA_ERROR_INTERNAL,
                  "entry '%s': bad symbol table (%" PRId32
                  " symbols, at most %d supported)",
                  name, e->num_symbols, SESSA_MAX_SYMBOLS);
  if (e->num_derived < 0 || (e->num_derived > 0 && !e->derived))
    return sessa_runtime_report(status, SESSA_ERROR_INTERNAL,
                  "entry '%s': bad derived-symbol table (%" PRId32
                  " derived symbols, table %s)",
                  name, e->num_derived, e->derived ? "present" : "NULL");
  for (int32_t i = 0; i < e->num_derived; ++i) {
    const sessa_derived_symbol *d = &e->derived[i];
    if (d->symbol < 0 || d->symbol >= e->num_symbols || d->lhs < 0 ||
        d->lhs >= e->num_symbols || d->rhs < -1 || d->rhs >= e->num_symbols)
      return sessa_runtime_report(status, SESSA_ERROR_INTERNAL,
                    "entry '%s': derived symbol %" PRId32 " (symbol %" PRId32
                    " = symbol %" PRId32 " + symbol %" PRId32 " + %" PRId64
                    ") refers to a symbol out of range (%" PRId32
                    " symbols; rhs may be -1)",
                    name, i, d->symbol, d->lhs, d->rhs, d->constant,
                    e->num_symbols);
  }
  int32_t total = e->num_inputs + e->num_outputs;
  for (int32_t pos = 0; pos < total; ++pos) {
    const sessa_arg_desc *a = arg_at(e, pos);
    char who[SESSA_STATUS_MESSAGE_SIZE];
    if (a->rank < 0 || a->rank > SESSA_MAX_RANK || (a->rank > 0 && !a->dims))
      return sessa_runtime_report(status, SESSA_ERROR_INTERNAL,
                    "entry '%s': %s: bad descriptor rank %" PRId32, name,
                    WHO(pos), a->rank);
    for (int32_t d = 0; d < a->rank; ++d)
      if (a->dims[d] < 0 && -(a->dims[d] + 1) >= e->num_symbols)
        return sessa_runtime_report(status, SESSA_ERROR_INTERNAL,
                      "entry '%s': %s: dimension %" PRId32
                      " uses unknown symbol %" PRId64,
                      name, WHO(pos), d, -(a->dims[d] + 1));
  }
  return SESSA_OK;
}

/* Checks one caller tensor against its descriptor, binding dynamic symbols,
 * and fills its memref descriptor (used only if every check passes). */
static int32_t check_tensor(const sessa_entry_desc *e, int32_t pos,
                            const sessa_tensor *t, symbol_binding *symbols,
                            memref_desc *m, sessa_status *status) {
  const sessa_arg_desc *a = arg_at(e, pos);
  char who[SESSA_STATUS_MESSAGE_SIZE];

  if (t->dtype != a->dtype) {
    if (sessa_dtype_size(t->dtype) == 0) /* not a known dtype: show value */
      return sessa_runtime_report(status, SESSA_ERROR_DTYPE_MISMATCH,
                    "%s: expected dtype %s, got unknown dtype %" PRId32, WHO(pos),
                    sessa_dtype_name(a->dtype), t->dtype);
    return sessa_runtime_report(status, SESSA_ERROR_DTYPE_MISMATCH,
                  "%s: expected dtype %s, got %s", WHO(pos),
                  sessa_dtype_name(a->dtype), sessa_dtype_name(t->dtype));
  }
  if (t->rank != a->rank)
    return sessa_runtime_report(status, SESSA_ERROR_RANK_MISMATCH,
                  "%s: expected rank %" PRId32 ", got %" PRId32, WHO(pos), a->rank,
                  t->rank);

  for (int32_t d = 0; d < a->rank; ++d) {
    int64_t size = t->shape[d];
    if (size < 0)
      return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT,
                    "%s: dimension %" PRId32 " is negative (%" PRId64 ")", WHO(pos),
                    d, size);
    if (a->dims[d] >= 0) {
      if (size != a->dims[d])
        return sessa_runtime_report(status, SESSA_ERROR_SHAPE_MISMATCH,
                      "%s: dimension %" PRId32 " is %" PRId64
                      " but expected %" PRId64,
                      WHO(pos), d, size, a->dims[d]);
      continue;
    }
    int64_t sym = -(a->dims[d] + 1);
    symbol_binding *b = &symbols[sym];
    if (b->value < 0) { /* first occurrence: bind */
      b->value = size;
      b->pos = pos;
      b->dim = d;
    } else if (b->value != size && b->pos < 0) {
      char sum[SESSA_STATUS_MESSAGE_SIZE];
      describe_sum(sum, sizeof sum, e, symbols, &e->derived[b->dim]);
      return sessa_runtime_report(status, SESSA_ERROR_SHAPE_MISMATCH,
                    "%s: dimension %" PRId32 " is %" PRId64 " but symbol '%s'"
                    " is %" PRId64 ", the sum %s",
                    WHO(pos), d, size, safe_name(e->symbol_names[sym]), b->value,
                    sum);
    } else if (b->value != size) {
      char by[SESSA_STATUS_MESSAGE_SIZE];
      sessa_runtime_describe(by, sizeof by, e, b->pos);
      return sessa_runtime_report(status, SESSA_ERROR_SHAPE_MISMATCH,
                    "%s: dimension %" PRId32 " is %" PRId64 " but symbol '%s'"
                    " was bound to %" PRId64 " by %s dimension %" PRId32,
                    WHO(pos), d, size, safe_name(e->symbol_names[sym]), b->value,
                    by, b->dim);
    }
  }

  /* Row-major contiguous strides; also guards the element count against
   * int64 overflow (which the compiled code could not index anyway). */
  int64_t count = 1;
  for (int32_t d = a->rank - 1; d >= 0; --d) {
    int64_t size = t->shape[d];
    m->shape[d] = size;
    m->shape[a->rank + d] = count;
    if (size > 0 && count > INT64_MAX / size)
      return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT,
                    "%s: too many elements (int64 overflow)", WHO(pos));
    count *= size;
  }

  /* Caller strides (all zero: dense). Only the batch stride of a
   * SESSA_ARG_BATCH_STRIDED argument may differ from the dense one, and it
   * must keep the batches apart; a dimension of size 1 has no stride that
   * matters. */
  int dense = 1;
  for (int32_t d = 0; d < a->rank; ++d)
    dense = dense && t->strides[d] == 0;
  if (!dense && count != 0) {
    for (int32_t d = 0; d < a->rank; ++d) {
      int64_t want = m->shape[a->rank + d], got = t->strides[d];
      if (t->shape[d] == 1 || got == want)
        continue;
      if (d == 0 && (a->flags & SESSA_ARG_BATCH_STRIDED)) {
        if (got < want)
          return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT,
                        "%s: batch stride %" PRId64 " is smaller than one "
                        "batch's %" PRId64 " elements (the batches would "
                        "overlap)", WHO(pos), got, want);
        /* The last element must be addressable too. */
        if (t->shape[0] > 1 && got > INT64_MAX / (t->shape[0] - 1))
          return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT,
                        "%s: batch stride %" PRId64 " overflows int64", WHO(pos),
                        got);
        m->shape[a->rank] = got;
        continue;
      }
      return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT,
                    "%s: dimension %" PRId32 " has stride %" PRId64
                    " but must be dense (stride %" PRId64 ")%s", WHO(pos), d, got,
                    want,
                    (a->flags & SESSA_ARG_BATCH_STRIDED)
                        ? ": only the batch stride of a cache may differ"
                        : "");
    }
  }

  if (!t->data && count != 0)
    return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT,
                  "%s: data is NULL but the tensor has %" PRId64 " elements",
                  WHO(pos), count);
  m->allocated = t->data;
  m->aligned = t->data;
  m->offset = 0;
  return SESSA_OK;
}

/* Binds every derived symbol whose terms are bound to the sum of their
 * values, to a fixed point (derived symbols may use each other, in any
 * order); a derived symbol that a tensor or another derived symbol already
 * bound must agree. Each pass that changes anything binds one more symbol,
 * so at most num_symbols + 1 passes run. */
static int32_t bind_derived(const sessa_entry_desc *e, symbol_binding *symbols,
                            sessa_status *status) {
  int changed = 1;
  while (changed) {
    changed = 0;
    for (int32_t i = 0; i < e->num_derived; ++i) {
      const sessa_derived_symbol *d = &e->derived[i];
      const symbol_binding *l = &symbols[d->lhs];
      const symbol_binding *r = d->rhs >= 0 ? &symbols[d->rhs] : NULL;
      if (l->value < 0 || (r && r->value < 0))
        continue;
      int64_t sum = 0;
      int overflow = !add_i64(l->value, r ? r->value : 0, &sum) ||
                     !add_i64(sum, d->constant, &sum);
      symbol_binding *b = &symbols[d->symbol];
      if (!overflow && sum >= 0 && b->value < 0) {
        b->value = sum;
        b->pos = -1;
        b->dim = i;
        changed = 1;
        continue;
      }
      if (!overflow && sum == b->value)
        continue;
      /* An error: the messages spell the sum out. */
      const char *name = safe_name(e->symbol_names[d->symbol]);
      char sum_text[SESSA_STATUS_MESSAGE_SIZE];
      describe_sum(sum_text, sizeof sum_text, e, symbols, d);
      if (overflow)
        return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT,
                      "symbol '%s', the sum %s, overflows int64", name,
                      sum_text);
      if (sum < 0)
        return sessa_runtime_report(status, SESSA_ERROR_SHAPE_MISMATCH,
                      "symbol '%s', the sum %s, is negative (%" PRId64 ")",
                      name, sum_text, sum);
      if (b->pos >= 0) {
        char by[SESSA_STATUS_MESSAGE_SIZE];
        sessa_runtime_describe(by, sizeof by, e, b->pos);
        return sessa_runtime_report(status, SESSA_ERROR_SHAPE_MISMATCH,
                      "symbol '%s' is the sum %s = %" PRId64
                      ", but %s dimension %" PRId32 " is %" PRId64,
                      name, sum_text, sum, by, b->dim, b->value);
      }
      /* Bound by another sum for the same symbol, which disagrees. */
      char other[SESSA_STATUS_MESSAGE_SIZE];
      describe_sum(other, sizeof other, e, symbols, &e->derived[b->dim]);
      return sessa_runtime_report(status, SESSA_ERROR_SHAPE_MISMATCH,
                    "symbol '%s' is the sum %s = %" PRId64
                    ", but also the sum %s = %" PRId64,
                    name, sum_text, sum, other, b->value);
    }
  }
  return SESSA_OK;
}

int32_t sessa_runtime_check_call(const sessa_entry_desc *entry,
                                 const sessa_tensor *inputs, int32_t num_inputs,
                                 sessa_tensor *outputs, int32_t num_outputs,
                                 sessa_call_frame *frame, sessa_status *status) {
  if (!entry)
    return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT,
                  "entry descriptor is NULL");
  int32_t rc = check_entry(entry, status);
  if (rc != SESSA_OK)
    return rc;

  if (num_inputs != entry->num_inputs)
    return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT,
                  "expected %" PRId32 " input%s, got %" PRId32,
                  entry->num_inputs, entry->num_inputs == 1 ? "" : "s",
                  num_inputs);
  if (num_outputs != entry->num_outputs)
    return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT,
                  "expected %" PRId32 " output%s, got %" PRId32,
                  entry->num_outputs, entry->num_outputs == 1 ? "" : "s",
                  num_outputs);
  if (num_inputs > 0 && !inputs)
    return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT, "inputs is NULL");
  if (num_outputs > 0 && !outputs)
    return sessa_runtime_report(status, SESSA_ERROR_INVALID_ARGUMENT, "outputs is NULL");

  symbol_binding symbols[SESSA_MAX_SYMBOLS];
  for (int32_t s = 0; s < entry->num_symbols; ++s)
    symbols[s].value = -1;

  int32_t total = num_inputs + num_outputs;
  for (int32_t pos = 0; pos < total; ++pos) {
    /* Derived symbols are computed once the inputs are checked (also when
     * there are no outputs), then re-checked at the end for sums whose
     * terms only the outputs bind. */
    if (pos == num_inputs) {
      rc = bind_derived(entry, symbols, status);
      if (rc != SESSA_OK)
        return rc;
    }
    const sessa_tensor *t =
        pos < num_inputs ? &inputs[pos] : &outputs[pos - num_inputs];
    rc = check_tensor(entry, pos, t, symbols, &frame->descs[pos], status);
    if (rc != SESSA_OK)
      return rc;
    frame->args[pos] = &frame->descs[pos];
  }
  return bind_derived(entry, symbols, status);
}

int32_t sessa_invoke(const sessa_entry_desc *entry, const sessa_tensor *inputs,
                     int32_t num_inputs, sessa_tensor *outputs,
                     int32_t num_outputs, sessa_status *status) {
  sessa_call_frame frame;
  int32_t rc = sessa_runtime_check_call(entry, inputs, num_inputs, outputs,
                                        num_outputs, &frame, status);
  if (rc != SESSA_OK)
    return rc;
  entry->compute(frame.args);
  return sessa_runtime_report(status, SESSA_OK, "ok");
}
