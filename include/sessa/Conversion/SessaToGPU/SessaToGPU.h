//===- SessaToGPU.h - Lower sessa ops to GPU kernels ------------*- C++ -*-===//
#ifndef SESSA_CONVERSION_SESSATOGPU_SESSATOGPU_H
#define SESSA_CONVERSION_SESSATOGPU_SESSATOGPU_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::sessa {

/// Patterns rewriting rope, attention, feedback_attention and selective_scan
/// on tensors into gpu.launch kernels over device buffers. With
/// `wgmmaAttention`, bf16/f16 attention of head dim 64 uses sm_90a's
/// wgmma kernel (the module must then target sm_90a).
void populateSessaToGPUPatterns(RewritePatternSet &patterns,
                                bool wgmmaAttention = false);

} // namespace mlir::sessa

#endif // SESSA_CONVERSION_SESSATOGPU_SESSATOGPU_H
