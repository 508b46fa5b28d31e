//===- GPULinalgKernels.h - linalg ops on memrefs as gpu.launch -*- C++ -*-===//
//
// Builds the GPU kernel of one linalg op on memrefs (sessa-gpu-map-linalg;
// sessa-gpu-device-memory uses it for strided copies).
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_LIB_DIALECT_SESSA_TRANSFORMS_GPULINALGKERNELS_H
#define SESSA_LIB_DIALECT_SESSA_TRANSFORMS_GPULINALGKERNELS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::sessa::gpumap {

struct KernelOptions {
  /// Threads per block, a multiple of 32.
  int64_t blockSize = 256;
  /// Most blocks of a grid-stride launch.
  int64_t maxBlocks = 65536;
};

/// The name of the discardable attribute naming the kernel shape chosen
/// for a linalg op ("elementwise", "warp_reduction", "thread_per_output").
inline constexpr llvm::StringLiteral kKernelAttrName = "sessa.gpu_kernel";

/// Replaces `op` (buffer semantics, host code) by a `gpu.launch` that
/// computes it. Emits an error on `op` and fails if it cannot.
FailureOr<gpu::LaunchOp> buildLinalgKernel(RewriterBase &rewriter,
                                           linalg::LinalgOp op,
                                           const KernelOptions &options,
                                           ArrayRef<Value> initValues = {});

/// The linalg.fill right before `op` whose buffer `op` overwrites entirely
/// (one of its outputs, through a projected permutation): a kernel for `op`
/// can start from the fill's value and make the fill's own kernel
/// unnecessary. Null if there is none.
linalg::FillOp fillOverwrittenBy(linalg::LinalgOp op);

/// Builds, at the rewriter's insertion point (host code), a `gpu.launch`
/// that copies memref `src` into `dst` (same shape and element type) as
/// rows of contiguous elements: the longest run of innermost dimensions that
/// is provably contiguous in both (identity layouts, or static strides
/// matching the static sizes) forms a row; the outer dimensions index the
/// rows. Threads move 16 bytes at a time when, at run time, the row length,
/// both offsets and the outer strides are multiples of 16 bytes and both
/// base pointers are 16-byte aligned; otherwise one element at a time.
/// Returns failure, with nothing built, when no innermost dimension is
/// provably contiguous in both or the element type is not an integer or
/// float type of 1, 2, 4, 8 or 16 bytes (marked "row_copy").
FailureOr<gpu::LaunchOp> buildRowCopy(OpBuilder &b, Location loc, Value src,
                                      Value dst, const KernelOptions &options);

/// True if `op` is nested in device code (a gpu.launch, gpu.func or
/// gpu.module).
bool isInDeviceCode(Operation *op);

/// Finds, in host code under `root`, chains of linalg ops on memrefs over the
/// same rows (row reductions over the innermost dimension, elementwise ops
/// on the rows, on per-row values and on per-column vectors, see
/// GPURowKernels.cpp) and replaces each chain by one `gpu.launch` with one
/// block per row ("row_fusion"), the chain's intermediate values held in
/// registers. Ops that are not part of such a chain are left as they are.
LogicalResult fuseRowChains(RewriterBase &rewriter, Operation *root,
                            const KernelOptions &options);

//===----------------------------------------------------------------------===//
// Building blocks shared by the kernels of GPULinalgKernels.cpp and
// GPURowKernels.cpp.
//===----------------------------------------------------------------------===//

inline constexpr int64_t kWarpSize = 32;

Value cIndex(OpBuilder &b, Location loc, int64_t v);

/// The product of `sizes` (1 when empty).
Value product(OpBuilder &b, Location loc, ArrayRef<Value> sizes);

/// Row-major delinearization of `linear` over `sizes` (last fastest).
SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                               ArrayRef<Value> sizes);

/// The results of `map` at the loop indices `ivs`.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ValueRange ivs);

/// Clones the payload of `op` at loop indices `ivs`: inputs are taken from
/// `inValues` where given (non-null), else loaded (or taken by value when
/// scalar); output block arguments are bound to `outValues` (null: unused),
/// `linalg.index` to the ivs. `skip` is not cloned. The results are in `map`.
void emitPayload(OpBuilder &b, Location loc, linalg::LinalgOp op,
                 ValueRange ivs, ArrayRef<Value> outValues, IRMapping &map,
                 Operation *skip = nullptr, ArrayRef<Value> inValues = {});

/// The values `op`'s payload yields, through `map`.
SmallVector<Value> yielded(linalg::LinalgOp op, IRMapping &map);

/// min(max(ceil(work / perBlock), 1), maxBlocks).
Value gridSize(OpBuilder &b, Location loc, Value work, int64_t perBlock,
               int64_t maxBlocks);

enum class Combiner { Add, Maximum, MaxNum };

/// A reduction whose payload ends in `out = combinerOp(out, other)`.
struct WarpReduction {
  Operation *combinerOp;
  Combiner combiner;
  /// The value combined with the output (computed from the inputs).
  Value other;
};

/// `op` as a reduction of its single f32 output over its innermost loop
/// (the contiguous index of every input reading it), combined by addf,
/// maximumf or maxnumf; nullopt otherwise.
std::optional<WarpReduction> matchWarpReduction(linalg::LinalgOp op);

Value combine(OpBuilder &b, Location loc, Combiner c, Value x, Value y);

/// The neutral element of `c` (f32).
Value identity(OpBuilder &b, Location loc, Combiner c);

} // namespace mlir::sessa::gpumap

#endif // SESSA_LIB_DIALECT_SESSA_TRANSFORMS_GPULINALGKERNELS_H
