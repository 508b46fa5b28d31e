//===- SessaToGPU.cpp - The convert-sessa-to-gpu pass ---------------------===//
#include "sessa/Conversion/SessaToGPU/SessaToGPU.h"
#include "Lowerings.h"
#include "sessa/Conversion/Passes.h"
#include "sessa/Dialect/Sessa/IR/LoweringSupport.h"
#include "sessa/Dialect/Sessa/IR/SessaDialect.h"

#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_CONVERTSESSATOGPU
#include "sessa/Conversion/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;
using namespace mlir::sessa;

namespace {
template <typename OpTy>
struct LowerToGPU : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    FailureOr<SmallVector<Value>> replacement = lower(rewriter, op);
    if (failed(replacement))
      return failure();
    replaceOpWithCasts(rewriter, op, *replacement);
    return success();
  }

  static FailureOr<SmallVector<Value>> lower(PatternRewriter &rewriter,
                                             OpTy op);
};

template <>
FailureOr<SmallVector<Value>>
LowerToGPU<RopeOp>::lower(PatternRewriter &rewriter, RopeOp op) {
  return gpulowering::lowerRope(rewriter, op);
}
template <>
FailureOr<SmallVector<Value>>
LowerToGPU<AttentionOp>::lower(PatternRewriter &rewriter, AttentionOp op) {
  return gpulowering::lowerAttention(rewriter, op);
}
template <>
FailureOr<SmallVector<Value>>
LowerToGPU<FeedbackAttentionOp>::lower(PatternRewriter &rewriter,
                                       FeedbackAttentionOp op) {
  return gpulowering::lowerFeedbackAttention(rewriter, op);
}
template <>
FailureOr<SmallVector<Value>>
LowerToGPU<SelectiveScanOp>::lower(PatternRewriter &rewriter,
                                   SelectiveScanOp op) {
  return gpulowering::lowerSelectiveScan(rewriter, op);
}

struct ConvertSessaToGPUPass
    : mlir::sessa::impl::ConvertSessaToGPUBase<ConvertSessaToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateSessaToGPUPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
    if (failed(
            checkAllSessaOpsLowered(getOperation(), "convert-sessa-to-gpu")))
      signalPassFailure();
  }
};
} // namespace

void mlir::sessa::populateSessaToGPUPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerToGPU<RopeOp>, LowerToGPU<AttentionOp>,
               LowerToGPU<FeedbackAttentionOp>, LowerToGPU<SelectiveScanOp>>(
      patterns.getContext());
}
