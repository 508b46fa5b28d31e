//===- CPUMathApproximation.cpp - Vectorizable f32 transcendental ops -----===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSACPUMATHAPPROXIMATION
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
struct SessaCPUMathApproximationPass
    : mlir::sessa::impl::SessaCPUMathApproximationBase<
          SessaCPUMathApproximationPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) {
          // Called with full op names.
          return name == "math.exp" || name == "math.log1p" ||
                 name == "math.tanh" || name == "math.erf";
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
