/*===- SessaRuntime.h - C ABI of ahead-of-time compiled Sessa artifacts ---===*
 *
 * An artifact written by `sessa-compile` is a shared library that exports, for
 * every public function `NAME` of the compiled MLIR module:
 *
 *   int32_t NAME(const sessa_tensor *inputs, int32_t num_inputs,
 *                sessa_tensor *outputs, int32_t num_outputs,
 *                sessa_status *status);
 *
 * Inputs are read, outputs are written in place (the caller owns every
 * buffer). Buffers are dense, row-major and contiguous, except the caches
 * of a sessa.layer (SESSA_ARG_BATCH_STRIDED), whose batch stride is free.
 * Outputs must not overlap inputs or each other, with one exception that
 * makes decoding in place possible: an extended cache output ([B, P + T,
 * ...]) may be the same memory as its cache input ([B, P, ...]): the same
 * data pointer and strides, i.e. both views of one [B, capacity, ...]
 * buffer with capacity >= P + T. The call then leaves the first P rows
 * where they are and writes only the T new ones. Before anything is
 * written, the call checks the number of tensors, their element types, ranks
 * and every dimension against what was compiled: static dimensions must match
 * exactly and dynamic dimensions that the program ties together must agree
 * (e.g. the batch of `x` and of `y`). On a mismatch nothing is written, the
 * function returns a non-zero `sessa_error_code` and, when `status` is not
 * NULL, fills it with a message that names the tensor and the dimension.
 *
 * CUDA artifacts (`sessa-compile --target=cuda`, target "cuda") export
 * instead
 *
 *   int32_t NAME(const sessa_tensor *inputs, int32_t num_inputs,
 *                sessa_tensor *outputs, int32_t num_outputs,
 *                void *stream, sessa_status *status);
 *
 * where every `data` is device memory (or memory the device can address:
 * managed, mapped pinned host memory) of the current CUDA context and
 * `stream` a CUstream (NULL: the legacy default stream). The entry point is
 * asynchronous, like a cuBLAS call: it checks the arguments, enqueues its
 * kernels, copies and stream-ordered allocations on `stream` and returns;
 * the outputs are ready once the stream has reached that point (the caller
 * synchronizes or orders later work on the same stream). With the
 * environment variable SESSA_CUDA_SYNC=1 it synchronizes the stream before
 * returning and also reports asynchronous errors (debugging). Only the
 * CUDA driver (libcuda.so.1, loaded with dlopen on the first call) is
 * needed at run time: no CUDA toolkit. See sessa_cuda_invoke below.
 *
 * Every artifact also exports `sessa_artifact_module()` that describes its
 * entry points (names, dtypes, shapes, symbolic dimensions) for loaders such
 * as the Python runtime, which need no MLIR installation.
 *
 * This header is C99 and C++ compatible and has no dependencies.
 *===----------------------------------------------------------------------===*/
#ifndef SESSA_RUNTIME_SESSARUNTIME_H
#define SESSA_RUNTIME_SESSARUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SESSA_MAX_RANK 8
#define SESSA_STATUS_MESSAGE_SIZE 512

/* Element types. The numeric values are part of the ABI. */
typedef enum sessa_dtype {
  SESSA_DTYPE_F32 = 0,
  SESSA_DTYPE_F16 = 1,
  SESSA_DTYPE_BF16 = 2,
  SESSA_DTYPE_F64 = 3,
  SESSA_DTYPE_I32 = 4,
  SESSA_DTYPE_I64 = 5,
} sessa_dtype;

/* Error codes returned by entry points. The numeric values are ABI. */
typedef enum sessa_error_code {
  SESSA_OK = 0,
  SESSA_ERROR_INVALID_ARGUMENT = 1, /* NULL pointer, bad count, bad rank > max */
  SESSA_ERROR_DTYPE_MISMATCH = 2,
  SESSA_ERROR_RANK_MISMATCH = 3,
  SESSA_ERROR_SHAPE_MISMATCH = 4,
  SESSA_ERROR_INTERNAL = 5,
  /* CUDA artifacts only: */
  SESSA_ERROR_CUDA_UNAVAILABLE = 6, /* libcuda.so.1 missing, cuInit failed */
  SESSA_ERROR_CUDA = 7, /* a CUDA driver call failed: the message names the
                           call (and kernel), e.g. "cuLaunchKernel(k):
                           CUDA_ERROR_INVALID_VALUE: invalid argument" */
} sessa_error_code;

/* A tensor owned by the caller. `strides` are in elements; all zero (what
 * a `{0}` or designated initializer leaves) means dense row-major, which
 * is what every argument must be except where its descriptor says
 * otherwise (SESSA_ARG_BATCH_STRIDED). */
typedef struct sessa_tensor {
  void *data;
  int32_t dtype; /* a sessa_dtype */
  int32_t rank;  /* 0 .. SESSA_MAX_RANK */
  int64_t shape[SESSA_MAX_RANK];
  int64_t strides[SESSA_MAX_RANK];
} sessa_tensor;

typedef struct sessa_status {
  int32_t code; /* a sessa_error_code */
  char message[SESSA_STATUS_MESSAGE_SIZE];
} sessa_status;

/* ----- Artifact self-description (written by sessa-compile). ----------- */

/* One tensor of an entry point's signature. `dims[i] >= 0` is a static
 * size; `dims[i] < 0` is the dynamic symbol number `-dims[i] - 1`, whose
 * name is `symbol_names[-dims[i] - 1]` of the entry point. Dimensions that
 * carry the same symbol must be equal at run time. */
typedef struct sessa_arg_desc {
  const char *name;
  int32_t dtype;
  int32_t rank;
  const int64_t *dims;
  int32_t flags; /* SESSA_ARG_* bits */
} sessa_arg_desc;

/* The argument is a cache of sessa.layer ([B, P, ...] rows): its rows must
 * be dense, but dimension 0 (the batch) may have any stride at least the
 * size of one batch's rows. Such a tensor can be a view of the first P rows
 * of a larger [B, capacity, ...] buffer. */
#define SESSA_ARG_BATCH_STRIDED 1

/* The compiled code of an entry point takes a packed argument array:
 * `args[i]` points to the MLIR memref descriptor of inputs then outputs
 * ({allocated, aligned, offset, sizes[rank], strides[rank]}). */
typedef void (*sessa_packed_fn)(void **args);

/* A dynamic symbol that is a sum, `symbol = lhs + rhs + constant` (`rhs`
 * is -1 when there is no second term), e.g. the P + T rows of an extended
 * cache, or P + 1 when decoding one token. It is computed once the inputs
 * have bound its terms, and must agree with any tensor that uses it. */
typedef struct sessa_derived_symbol {
  int32_t symbol;
  int32_t lhs;
  int32_t rhs;
  int64_t constant;
} sessa_derived_symbol;

typedef struct sessa_entry_desc {
  const char *name;
  int32_t num_inputs;
  int32_t num_outputs;
  const sessa_arg_desc *inputs;
  const sessa_arg_desc *outputs;
  int32_t num_symbols;
  const char *const *symbol_names;
  sessa_packed_fn compute;
  int32_t num_derived;
  const sessa_derived_symbol *derived;
} sessa_entry_desc;

typedef struct sessa_module_desc {
  int32_t abi_version; /* SESSA_ABI_VERSION */
  const char *target;  /* "cpu" or "cuda" */
  int32_t num_entries;
  const sessa_entry_desc *entries;
} sessa_module_desc;

#define SESSA_ABI_VERSION 2

/* ----- Runtime support (libSessaRuntime, linked into every artifact). --- */

/* Checks `inputs`/`outputs` against `entry`, then runs it. Returns a
 * sessa_error_code and fills `status` (may be NULL). Writes nothing into the
 * outputs when a check fails. */
int32_t sessa_invoke(const sessa_entry_desc *entry, const sessa_tensor *inputs,
                     int32_t num_inputs, sessa_tensor *outputs,
                     int32_t num_outputs, sessa_status *status);

/* ----- CUDA runtime (libSessaCudaRuntime, linked into CUDA artifacts). -- */

/* What every exported entry point of a CUDA artifact calls. Performs the
 * checks of sessa_invoke (same codes and messages), then:
 *   - loads the CUDA driver libcuda.so.1 (or $SESSA_CUDA_DRIVER) and runs
 *     cuInit once per process; failure: SESSA_ERROR_CUDA_UNAVAILABLE;
 *   - uses the calling thread's current CUDA context; when there is none,
 *     retains device 0's primary context (the one the CUDA runtime API,
 *     PyTorch and CuPy use) and makes it current for the thread; it is
 *     never released;
 *   - checks that every non-empty tensor's data is memory the device can
 *     address (device, managed or mapped pinned memory of this device):
 *     a host pointer gives SESSA_ERROR_INVALID_ARGUMENT naming the tensor;
 *   - runs the compiled code with `stream` as the stream of every kernel
 *     launch, copy and temporary allocation (cuMemAllocAsync /
 *     cuMemFreeAsync, so temporaries are stream-ordered), without
 *     synchronizing. Kernel images are loaded into the current context on
 *     first use (and cached per context).
 * The first failing driver call stops the work (nothing more is enqueued)
 * and gives SESSA_ERROR_CUDA with "call(kernel): CUDA_ERROR_NAME: text".
 * Errors that only surface later on the stream (a fault inside a kernel)
 * are seen by the caller's next synchronization, or here with
 * SESSA_CUDA_SYNC=1, which synchronizes `stream` before returning. Nothing
 * is printed and the process is never aborted. */
int32_t sessa_cuda_invoke(const sessa_entry_desc *entry,
                          const sessa_tensor *inputs, int32_t num_inputs,
                          sessa_tensor *outputs, int32_t num_outputs,
                          void *stream, sessa_status *status);

/* Device memory of the temporaries that CUDA artifacts allocate while they
 * run (process-wide, all artifacts of the process): the bytes held now and
 * the most held at once since the last reset (`reset_peak` != 0 resets the
 * peak to the current value after reading). Every CUDA artifact exports it.
 * Allocation is stream-ordered: on one stream the peak is the extra device
 * memory a call needs beyond its inputs and outputs. */
void sessa_cuda_memory_stats(int64_t *live_bytes, int64_t *peak_bytes,
                             int32_t reset_peak);

/* Freed temporaries are kept for reuse by later allocations of the same
 * size (within 1/8) in the same context and on the same stream (no driver
 * call; stream order makes the reuse safe), up to SESSA_CUDA_CACHE_MB
 * megabytes in all (default 256; 0 turns the cache off). They are not counted by
 * sessa_cuda_memory_stats; this returns their bytes. Every CUDA artifact
 * exports it. */
int64_t sessa_cuda_cached_bytes(void);

/* Kernel launches of CUDA artifacts (process-wide, per artifact library):
 * all of them, and those made with programmatic dependent launch
 * (cuLaunchKernelEx with PROGRAMMATIC_STREAM_SERIALIZATION: kernels of
 * images built for sm_90+ with sessa-gpu-grid-dependency-control, unless
 * SESSA_CUDA_PDL=0). `pdl_rejected`: the driver's CUresult when it
 * rejected that attribute (launches are plain from then on), else 0.
 * `reset` != 0 zeroes the counts after reading. Every CUDA artifact
 * exports it. */
void sessa_cuda_launch_stats(int64_t *launches, int64_t *pdl_launches,
                             int32_t *pdl_rejected, int32_t reset);

/* Size in bytes of one element of `dtype`, 0 for an unknown dtype. */
size_t sessa_dtype_size(int32_t dtype);

/* "f32", "f16", "bf16", ... or "unknown". */
const char *sessa_dtype_name(int32_t dtype);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SESSA_RUNTIME_SESSARUNTIME_H */
