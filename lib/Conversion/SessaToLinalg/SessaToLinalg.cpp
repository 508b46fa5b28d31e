//===- SessaToLinalg.cpp - The convert-sessa-to-linalg pass ---------------===//
#include "sessa/Conversion/SessaToLinalg/SessaToLinalg.h"
#include "Lowerings.h"
#include "sessa/Conversion/Passes.h"
#include "sessa/Dialect/Sessa/IR/LoweringSupport.h"
#include "sessa/Dialect/Sessa/IR/SessaDialect.h"

#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_CONVERTSESSATOLINALG
#include "sessa/Conversion/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;
using namespace mlir::sessa;

namespace {
template <typename OpTy>
struct LowerOp : OpRewritePattern<OpTy> {
  LowerOp(MLIRContext *ctx, const SessaTilingOptions &options)
      : OpRewritePattern<OpTy>(ctx), options(options) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto replacement = lower(rewriter, op);
    if (failed(replacement))
      return failure();
    replaceOpWithCasts(rewriter, op, *replacement);
    return success();
  }

  FailureOr<SmallVector<Value>> lower(PatternRewriter &rewriter,
                                      OpTy op) const;

  SessaTilingOptions options;
};

template <>
FailureOr<SmallVector<Value>>
LowerOp<RopeOp>::lower(PatternRewriter &rewriter, RopeOp op) const {
  FailureOr<Value> v = lowering::lowerRope(rewriter, op);
  if (failed(v))
    return failure();
  return SmallVector<Value>{*v};
}

template <>
FailureOr<SmallVector<Value>>
LowerOp<AttentionOp>::lower(PatternRewriter &rewriter, AttentionOp op) const {
  FailureOr<Value> v = lowering::lowerAttention(rewriter, op, options);
  if (failed(v))
    return failure();
  return SmallVector<Value>{*v};
}

template <>
FailureOr<SmallVector<Value>>
LowerOp<FeedbackAttentionOp>::lower(PatternRewriter &rewriter,
                                    FeedbackAttentionOp op) const {
  FailureOr<Value> v = lowering::lowerFeedbackAttention(rewriter, op, options);
  if (failed(v))
    return failure();
  return SmallVector<Value>{*v};
}

template <>
FailureOr<SmallVector<Value>>
LowerOp<SelectiveScanOp>::lower(PatternRewriter &rewriter,
                                SelectiveScanOp op) const {
  return lowering::lowerSelectiveScan(rewriter, op, options);
}

struct ConvertSessaToLinalgPass
    : mlir::sessa::impl::ConvertSessaToLinalgBase<ConvertSessaToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    SessaTilingOptions options;
    options.attentionQueryTile = attentionQueryTile;
    options.keyTile = keyTile;
    options.feedbackChunk = feedbackChunk;
    options.scanChannelTile = scanChannelTile;
    options.feedbackRowBlock = feedbackRowBlock;
    for (int64_t size : {attentionQueryTile.getValue(), keyTile.getValue(),
                         feedbackChunk.getValue(), scanChannelTile.getValue(),
                         feedbackRowBlock.getValue()})
      if (size <= 0) {
        getOperation()->emitError()
            << "convert-sessa-to-linalg: tile sizes must be positive";
        return signalPassFailure();
      }
    RewritePatternSet patterns(&getContext());
    populateSessaToLinalgPatterns(patterns, options);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
    if (failed(
            checkAllSessaOpsLowered(getOperation(), "convert-sessa-to-linalg")))
      signalPassFailure();
  }
};
} // namespace

void mlir::sessa::populateSessaToLinalgPatterns(
    RewritePatternSet &patterns, const SessaTilingOptions &options) {
  patterns.add<LowerOp<RopeOp>, LowerOp<AttentionOp>,
               LowerOp<FeedbackAttentionOp>, LowerOp<SelectiveScanOp>>(
      patterns.getContext(), options);
}
