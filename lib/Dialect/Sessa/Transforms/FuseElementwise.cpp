//===- FuseElementwise.cpp - Fuse elementwise producer/consumer chains ----===//
//
// linalg's elementwise fusion on tensors without its reshape propagation:
// a chain such as bias add -> GELU -> rounding to bf16 becomes one generic,
// while `tensor.expand_shape` / `collapse_shape` stay where the producer put
// them (so a product's consumer keeps reading the product's own layout).
//
//===----------------------------------------------------------------------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAFUSEELEMENTWISE
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
struct SessaFuseElementwisePass
    : mlir::sessa::impl::SessaFuseElementwiseBase<SessaFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Fuse a producer only into its single consumer (nothing is computed
    // twice), and only into elementwise consumers: a matrix product or a
    // row reduction keeps reading a materialized operand (the GPU's GEMM
    // and reduction kernels match those generics).
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          Operation *producer = fused->get().getDefiningOp();
          auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
          return producer && producer->hasOneUse() && consumer &&
                 consumer.getNumLoops() == consumer.getNumParallelLoops();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
