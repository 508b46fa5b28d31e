/*===- MemRefCopy.c - memrefCopy for the LLVM lowering of memref.copy -----===*
 *
 * MLIR lowers `memref.copy` to an `llvm.memcpy` when both memrefs have the
 * identity layout, and otherwise to a call of
 *
 *   void memrefCopy(int64_t elemSize, UnrankedMemRefType<char> *src,
 *                   UnrankedMemRefType<char> *dst);
 *
 * that upstream ships in libmlir_c_runner_utils. Artifacts do not link that
 * library, so libSessaRuntime provides the function (C linkage, same name and
 * signature). Each argument points at an unranked descriptor
 * {int64_t rank; void *descriptor}, whose `descriptor` points at the ranked
 * memref descriptor
 *
 *   {void *allocated; void *aligned; int64_t offset;
 *    int64_t sizes[rank]; int64_t strides[rank]}
 *
 * Offsets and strides count elements of `elemSize` bytes; element (i0, ...)
 * lives at aligned + (offset + sum_d i_d * strides[d]) * elemSize.
 *
 * Semantics and limits:
 *   - The shape is taken from `src`; `dst` must have the same rank and
 *     sizes (as memref.copy requires). A rank mismatch, a NULL argument or
 *     elemSize <= 0 copies nothing (there is no way to report an error).
 *   - Rank 0 copies one element; any zero-sized dimension copies nothing.
 *   - Any strides are allowed, including 0 and negative ones for `src`.
 *     The trailing dimensions that are contiguous in both memrefs (innermost
 *     stride 1 in both, each outer stride the product of the inner sizes) are
 *     copied as one memcpy per run; otherwise the innermost dimension is
 *     copied element by element.
 *   - `src` and `dst` must not overlap, except for being the very same view
 *     (then nothing is copied).
 *   - No allocation and bounded stack: the remaining outer dimensions are
 *     walked with an index array of MEMREF_COPY_FAST_RANK entries; a memref
 *     with more outer dimensions (MLIR allows any rank, our ABI stops at
 *     SESSA_MAX_RANK = 8) is still copied correctly, by recomputing every
 *     run's position from its linear number (slower, divisions per run).
 *===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <string.h>

/* The C layout of MLIR's UnrankedMemRefType<char>. */
typedef struct sessa_unranked_memref {
  int64_t rank;
  void *descriptor;
} sessa_unranked_memref;

/* The fixed head of a ranked descriptor; sizes[rank] and strides[rank]
 * follow it directly (all 8-byte words, so there is no padding). */
typedef struct ranked_head {
  void *allocated;
  void *aligned;
  int64_t offset;
} ranked_head;

/* Outer dimensions walked with an index array; more use the slow path. */
#define MEMREF_COPY_FAST_RANK 16

void memrefCopy(int64_t elemSize, sessa_unranked_memref *src,
                sessa_unranked_memref *dst);

/* sizes[] and strides[] of a ranked descriptor. */
static const int64_t *sizes_of(const void *desc) {
  return (const int64_t *)((const char *)desc + sizeof(ranked_head));
}

static const int64_t *strides_of(const void *desc, int64_t rank) {
  return sizes_of(desc) + rank;
}

/* Copies `count` elements, `sstride`/`dstride` elements apart. */
static void copy_run(char *d, const char *s, int64_t count, int64_t dstride,
                     int64_t sstride, int64_t es, int contiguous) {
  if (contiguous) {
    memcpy(d, s, (size_t)(count * es));
    return;
  }
  for (int64_t i = 0; i < count; ++i)
    memcpy(d + i * dstride * es, s + i * sstride * es, (size_t)es);
}

void memrefCopy(int64_t elemSize, sessa_unranked_memref *src,
                sessa_unranked_memref *dst) {
  if (!src || !dst || !src->descriptor || !dst->descriptor || elemSize <= 0 ||
      src->rank < 0 || src->rank != dst->rank)
    return;
  const int64_t rank = src->rank, es = elemSize;
  const ranked_head *sh = src->descriptor, *dh = dst->descriptor;
  /* Byte offsets are kept in int64 and only added to the base pointers for
   * an actual access (the base may be NULL when nothing is copied). */
  const char *sbase = sh->aligned;
  char *dbase = dh->aligned;
  const int64_t sstart = sh->offset * es, dstart = dh->offset * es;
  int same_view = (const char *)dbase == sbase && sstart == dstart;

  if (rank == 0) {
    if (!same_view)
      memcpy(dbase + dstart, sbase + sstart, (size_t)es);
    return;
  }

  const int64_t *sizes = sizes_of(sh);
  const int64_t *sstr = strides_of(sh, rank), *dstr = strides_of(dh, rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (sizes[d] <= 0)
      return; /* nothing to copy */
    if (sizes[d] > 1 && sstr[d] != dstr[d])
      same_view = 0;
  }
  if (same_view)
    return; /* memcpy onto itself: nothing to do */

  /* The innermost run: trailing dimensions [outer, rank) merged when they
   * are contiguous in both memrefs (a size-1 dimension's stride does not
   * matter), else just the innermost dimension, strided. */
  int64_t outer = rank - 1;
  int64_t run = sizes[rank - 1];
  int contiguous = run == 1 || (sstr[rank - 1] == 1 && dstr[rank - 1] == 1);
  if (contiguous) {
    while (outer > 0 && (sizes[outer - 1] == 1 ||
                         (sstr[outer - 1] == run && dstr[outer - 1] == run))) {
      --outer;
      run *= sizes[outer];
    }
  }
  const int64_t run_sstride = contiguous ? 1 : sstr[rank - 1];
  const int64_t run_dstride = contiguous ? 1 : dstr[rank - 1];

  if (outer <= MEMREF_COPY_FAST_RANK) {
    /* Odometer over dims [0, outer), offsets in bytes kept incrementally. */
    int64_t index[MEMREF_COPY_FAST_RANK];
    for (int64_t d = 0; d < outer; ++d)
      index[d] = 0;
    int64_t soff = sstart, doff = dstart;
    for (;;) {
      copy_run(dbase + doff, sbase + soff, run, run_dstride, run_sstride, es,
               contiguous);
      int64_t d = outer - 1;
      for (; d >= 0; --d) {
        if (++index[d] < sizes[d]) {
          soff += sstr[d] * es;
          doff += dstr[d] * es;
          break;
        }
        soff -= (sizes[d] - 1) * sstr[d] * es;
        doff -= (sizes[d] - 1) * dstr[d] * es;
        index[d] = 0;
      }
      if (d < 0)
        return;
    }
  }

  /* Many outer dimensions: recompute each run's offsets from its number. */
  int64_t runs = 1;
  for (int64_t d = 0; d < outer; ++d)
    runs *= sizes[d];
  for (int64_t n = 0; n < runs; ++n) {
    int64_t rest = n, soff = 0, doff = 0; /* in elements */
    for (int64_t d = outer - 1; d >= 0; --d) {
      int64_t i = rest % sizes[d];
      rest /= sizes[d];
      soff += i * sstr[d];
      doff += i * dstr[d];
    }
    copy_run(dbase + dstart + doff * es, sbase + sstart + soff * es, run,
             run_dstride, run_sstride, es, contiguous);
  }
}
