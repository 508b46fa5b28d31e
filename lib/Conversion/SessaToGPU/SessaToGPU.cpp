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
template <typename OpTy> struct LowerToGPU : OpRewritePattern<OpTy> {
  LowerToGPU(MLIRContext *ctx, const SessaToGPUKernelOptions &options)
      : OpRewritePattern<OpTy>(ctx), options(options) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    FailureOr<SmallVector<Value>> replacement = lower(rewriter, op);
    if (failed(replacement))
      return failure();
    replaceOpWithCasts(rewriter, op, *replacement);
    return success();
  }

  FailureOr<SmallVector<Value>> lower(PatternRewriter &rewriter,
                                      OpTy op) const;

  SessaToGPUKernelOptions options;
};

template <>
FailureOr<SmallVector<Value>>
LowerToGPU<RopeOp>::lower(PatternRewriter &rewriter, RopeOp op) const {
  return gpulowering::lowerRope(rewriter, op);
}
template <>
FailureOr<SmallVector<Value>>
LowerToGPU<AttentionOp>::lower(PatternRewriter &rewriter,
                               AttentionOp op) const {
  return gpulowering::lowerAttention(rewriter, op, options.wgmmaAttention);
}
template <>
FailureOr<SmallVector<Value>>
LowerToGPU<FeedbackAttentionOp>::lower(PatternRewriter &rewriter,
                                       FeedbackAttentionOp op) const {
  return gpulowering::lowerFeedbackAttention(rewriter, op,
                                             options.wgmmaFeedback);
}
template <>
FailureOr<SmallVector<Value>>
LowerToGPU<SelectiveScanOp>::lower(PatternRewriter &rewriter,
                                   SelectiveScanOp op) const {
  return gpulowering::lowerSelectiveScan(rewriter, op);
}

/// Whether `rope` can join `group` (ropes earlier in its block) in one
/// launch built at `rope`: same storage type, and no result of the group is
/// used before `rope` (or by it).
bool canJoinRopes(ArrayRef<RopeOp> group, RopeOp rope) {
  Type elem = rope.getInput().getType().getElementType();
  Block *block = rope->getBlock();
  for (RopeOp member : group) {
    if (member.getInput().getType().getElementType() != elem)
      return false;
    for (Operation *user : member->getUsers()) {
      Operation *top = block->findAncestorOpInBlock(*user);
      if (!top || top == rope || top->isBeforeInBlock(rope))
        return false;
    }
  }
  return true;
}

/// Runs of ropes in a block that can share a launch (e.g. the rope of q
/// and the rope of k of a layer).
SmallVector<SmallVector<RopeOp>> ropeGroups(Operation *root) {
  SmallVector<SmallVector<RopeOp>> groups;
  root->walk([&](Block *block) {
    SmallVector<RopeOp> group;
    auto flush = [&] {
      if (group.size() > 1)
        groups.push_back(group);
      group.clear();
    };
    for (Operation &op : *block) {
      auto rope = dyn_cast<RopeOp>(op);
      if (!rope)
        continue;
      if (group.empty() || !canJoinRopes(group, rope))
        flush();
      group.push_back(rope);
    }
    flush();
  });
  return groups;
}

struct ConvertSessaToGPUPass
    : mlir::sessa::impl::ConvertSessaToGPUBase<ConvertSessaToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    // Ropes that can share a launch first (share-rope-launches); every
    // other op by its pattern.
    IRRewriter rewriter(&getContext());
    SmallVector<SmallVector<RopeOp>> groups;
    if (shareRopeLaunches)
      groups = ropeGroups(getOperation());
    for (SmallVector<RopeOp> &group : groups) {
      rewriter.setInsertionPoint(group.back());
      FailureOr<SmallVector<Value>> results =
          gpulowering::lowerRopes(rewriter, group);
      if (failed(results))
        return signalPassFailure();
      for (auto [i, rope] : llvm::enumerate(group))
        replaceOpWithCasts(rewriter, rope, ValueRange{(*results)[i]});
    }
    RewritePatternSet patterns(&getContext());
    populateSessaToGPUPatterns(patterns, {wgmmaAttention, wgmmaFeedback});
    walkAndApplyPatterns(getOperation(), std::move(patterns));
    if (failed(checkAllSessaOpsLowered(getOperation(), "convert-sessa-to-gpu")))
      signalPassFailure();
  }
};
} // namespace

void mlir::sessa::populateSessaToGPUPatterns(
    RewritePatternSet &patterns, const SessaToGPUKernelOptions &options) {
  patterns.add<LowerToGPU<RopeOp>, LowerToGPU<AttentionOp>,
               LowerToGPU<FeedbackAttentionOp>, LowerToGPU<SelectiveScanOp>>(
      patterns.getContext(), options);
}
