//===- GPULowerVectorTransfers.cpp - 1-D transfers to loads/stores --------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAGPULOWERVECTORTRANSFERS
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
struct SessaGPULowerVectorTransfersPass
    : mlir::sessa::impl::SessaGPULowerVectorTransfersBase<
          SessaGPULowerVectorTransfersPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    vector::populateVectorMaskMaterializationPatterns(
        patterns, /*force32BitVectorIndices=*/true);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
