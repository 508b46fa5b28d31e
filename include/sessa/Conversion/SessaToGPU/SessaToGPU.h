//===- SessaToGPU.h - Lower sessa ops to GPU kernels ------------*- C++ -*-===//
#ifndef SESSA_CONVERSION_SESSATOGPU_SESSATOGPU_H
#define SESSA_CONVERSION_SESSATOGPU_SESSATOGPU_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::sessa {

/// The sm_90a wgmma kernels the GPU lowering may use (the module must then
/// target sm_90a; the GPU pipeline sets both for that chip).
struct SessaToGPUKernelOptions {
  /// bf16/f16 attention with head dim 64: a FlashAttention-3 style kernel.
  bool wgmmaAttention = false;
  /// bf16/f16 feedback attention: the strips' logits and cross-strip
  /// products as wgmma GEMM kernels.
  bool wgmmaFeedback = false;
};

/// Patterns rewriting rope, attention, feedback_attention and selective_scan
/// on tensors into gpu.launch kernels over device buffers; `options` says
/// which sm_90a wgmma kernels they may use.
void populateSessaToGPUPatterns(RewritePatternSet &patterns,
                                const SessaToGPUKernelOptions &options = {});

} // namespace mlir::sessa

#endif // SESSA_CONVERSION_SESSATOGPU_SESSATOGPU_H
