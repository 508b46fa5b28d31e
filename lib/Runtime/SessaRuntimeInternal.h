/*===- SessaRuntimeInternal.h - Shared by the CPU and CUDA runtimes -------===*
 *
 * Not installed: the argument checking of SessaRuntime.c that
 * sessa_invoke (CPU) and sessa_cuda_invoke (SessaCudaRuntime.c) share.
 *===----------------------------------------------------------------------===*/
#ifndef SESSA_LIB_RUNTIME_SESSARUNTIMEINTERNAL_H
#define SESSA_LIB_RUNTIME_SESSARUNTIMEINTERNAL_H

#include "sessa/Runtime/SessaRuntime.h"

/* Maximum number of tensors (inputs + outputs) of one entry point. */
#define SESSA_MAX_ARGS 64

#if defined(__GNUC__)
#define SESSA_INTERNAL __attribute__((visibility("hidden")))
#else
#define SESSA_INTERNAL
#endif

/* The MLIR memref descriptor of a ranked memref, as the compiled code reads
 * it: {allocated, aligned, offset, sizes[rank], strides[rank]}. For rank r,
 * sizes live in shape[0 .. r) and strides in shape[r .. 2r), so the layout
 * is exactly MLIR's for every rank up to SESSA_MAX_RANK. */
typedef struct memref_desc {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t shape[2 * SESSA_MAX_RANK];
} memref_desc;

/* The packed arguments of one call: args[i] points to descs[i]. */
typedef struct sessa_call_frame {
  memref_desc descs[SESSA_MAX_ARGS];
  void *args[SESSA_MAX_ARGS];
} sessa_call_frame;

/* Every check of sessa_invoke (see SessaRuntime.c), in the same order and
 * with the same messages; on success fills `frame` for entry->compute. */
SESSA_INTERNAL int32_t sessa_runtime_check_call(
    const sessa_entry_desc *entry, const sessa_tensor *inputs,
    int32_t num_inputs, sessa_tensor *outputs, int32_t num_outputs,
    sessa_call_frame *frame, sessa_status *status);

/* Fills `status` (if any) with the printf-style message and returns `code`. */
SESSA_INTERNAL int32_t sessa_runtime_report(sessa_status *status, int32_t code,
                                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Writes e.g. "input 2 ('k')" for the tensor at position `pos` (inputs
 * then outputs). */
SESSA_INTERNAL void sessa_runtime_describe(char *buf, size_t size,
                                           const sessa_entry_desc *e,
                                           int32_t pos);

/* dst[c*sdc + r*sdr] = src[r*ssr + c*ssc] for source rows r in [r0, r1)
 * and columns c in [0, C), in the calling thread (Transpose.c; register
 * transposes of 8 x 8 and 4 x 8 blocks where both inner strides are 1). */
SESSA_INTERNAL void sessa_transpose_rows(int64_t r0, int64_t r1, int64_t C,
                                         const float *src, int64_t ssr,
                                         int64_t ssc, float *dst, int64_t sdc,
                                         int64_t sdr);

#endif /* SESSA_LIB_RUNTIME_SESSARUNTIMEINTERNAL_H */
