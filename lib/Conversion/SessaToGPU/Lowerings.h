//===- Lowerings.h - One GPU lowering per sessa op ---------------*- C++ -*-===//
//
// Each function replaces nothing itself: it builds the kernels for `op` at
// the rewriter's insertion point and returns the tensors that replace the
// op's results (in order).
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_LIB_CONVERSION_SESSATOGPU_LOWERINGS_H
#define SESSA_LIB_CONVERSION_SESSATOGPU_LOWERINGS_H

#include "sessa/Dialect/Sessa/IR/SessaOps.h"

namespace mlir::sessa::gpulowering {

FailureOr<SmallVector<Value>> lowerRope(RewriterBase &rewriter, RopeOp op);
/// Several ropes in one kernel launch (built at the rewriter's insertion
/// point, which all their operands must dominate); the results of all the
/// ops, in order.
FailureOr<SmallVector<Value>> lowerRopes(RewriterBase &rewriter,
                                         ArrayRef<RopeOp> ops);
/// `wgmma`: bf16/f16 with head dim 64 and more than 64 query rows per kv
/// head (or a dynamic T) use the sm_90a wgmma kernel.
FailureOr<SmallVector<Value>> lowerAttention(RewriterBase &rewriter,
                                             AttentionOp op, bool wgmma);
/// `wgmma`: products on sm_90a's wgmma GEMM kernels where they apply.
FailureOr<SmallVector<Value>>
lowerFeedbackAttention(RewriterBase &rewriter, FeedbackAttentionOp op,
                       bool wgmma = false);
FailureOr<SmallVector<Value>> lowerSelectiveScan(RewriterBase &rewriter,
                                                 SelectiveScanOp op);

} // namespace mlir::sessa::gpulowering

#endif // SESSA_LIB_CONVERSION_SESSATOGPU_LOWERINGS_H
