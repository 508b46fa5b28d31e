//===- SessaToGPU.h - Lower sessa ops to GPU kernels ------------*- C++ -*-===//
#ifndef SESSA_CONVERSION_SESSATOGPU_SESSATOGPU_H
#define SESSA_CONVERSION_SESSATOGPU_SESSATOGPU_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::sessa {

/// Patterns rewriting rope, attention, feedback_attention and selective_scan
/// on tensors into gpu.launch kernels over device buffers. `wgmma`: the
/// feedback attention's products may use sm_90a's wgmma kernels.
void populateSessaToGPUPatterns(RewritePatternSet &patterns,
                                bool wgmma = false);

} // namespace mlir::sessa

#endif // SESSA_CONVERSION_SESSATOGPU_SESSATOGPU_H
