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
                                           const KernelOptions &options);

/// True if `op` is nested in device code (a gpu.launch, gpu.func or
/// gpu.module).
bool isInDeviceCode(Operation *op);

} // namespace mlir::sessa::gpumap

#endif // SESSA_LIB_DIALECT_SESSA_TRANSFORMS_GPULINALGKERNELS_H
