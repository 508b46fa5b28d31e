//===- FeedbackAttentionKernel.cpp - GPU kernels for sessa ops -------------------------===//
#include "KernelBuilder.h"
#include "Lowerings.h"

using namespace mlir;
using namespace mlir::sessa;

FailureOr<SmallVector<Value>>
mlir::sessa::gpulowering::lowerFeedbackAttention(RewriterBase &rewriter, FeedbackAttentionOp op) {
  return rewriter.notifyMatchFailure(op, "no GPU lowering yet");
}
