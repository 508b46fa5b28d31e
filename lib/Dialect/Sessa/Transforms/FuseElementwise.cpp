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
/// Whether elementwise `producer` rounds a full-size operand to a narrower
/// type (e.g. a product's f32 result plus bias, rounded to bf16): it stays
/// a tensor of its own, so that the narrow tensor is what is kept until the
/// consumer runs. Fusing it into its consumer would keep the wide operand
/// alive instead (twice the memory for bf16), and a matrix product's
/// epilogue can absorb it where it is.
bool roundsFullOperand(Operation *producer) {
  auto generic = dyn_cast<linalg::GenericOp>(producer);
  if (!generic || generic.getNumDpsInits() != 1)
    return false;
  auto resultType =
      dyn_cast<ShapedType>(generic.getDpsInits()[0].getType());
  if (!resultType || !resultType.getElementType().isIntOrFloat())
    return false;
  unsigned resultBits = resultType.getElementType().getIntOrFloatBitWidth();
  for (OpOperand *in : generic.getDpsInputOperands()) {
    auto type = dyn_cast<ShapedType>(in->get().getType());
    if (!type || type.getRank() != resultType.getRank() ||
        !type.getElementType().isIntOrFloat() ||
        !generic.getMatchingIndexingMap(in).isPermutation())
      continue;
    if (type.getElementType().getIntOrFloatBitWidth() > resultBits)
      return true;
  }
  return false;
}

struct SessaFuseElementwisePass
    : mlir::sessa::impl::SessaFuseElementwiseBase<SessaFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Fuse a producer only into its single consumer (nothing is computed
    // twice), and only into elementwise consumers: a matrix product or a
    // row reduction keeps reading a materialized operand (the GPU's GEMM
    // and reduction kernels match those generics). A producer that rounds
    // a full-size operand to a narrower type is kept (see above).
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          Operation *producer = fused->get().getDefiningOp();
          auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
          return producer && producer->hasOneUse() && consumer &&
                 consumer.getNumLoops() == consumer.getNumParallelLoops() &&
                 !roundsFullOperand(producer);
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
