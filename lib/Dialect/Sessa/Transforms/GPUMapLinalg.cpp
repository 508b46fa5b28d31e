//===- GPUMapLinalg.cpp - Host linalg ops on memrefs as GPU kernels -------===//
#include "GPULinalgKernels.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAGPUMAPLINALG
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
struct SessaGPUMapLinalgPass
    : mlir::sessa::impl::SessaGPUMapLinalgBase<SessaGPUMapLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    if (blockSize < 32 || blockSize > 1024 || blockSize % 32 != 0 ||
        maxBlocks < 1) {
      emitError(getOperation()->getLoc())
          << "sessa-gpu-map-linalg: block-size must be a multiple of 32 in "
             "[32, 1024] and max-blocks positive (got "
          << blockSize.getValue() << ", " << maxBlocks.getValue() << ")";
      return signalPassFailure();
    }
    sessa::gpumap::KernelOptions options;
    options.blockSize = blockSize;
    options.maxBlocks = maxBlocks;
    IRRewriter rewriter(&getContext());
    // Chains of row reductions and elementwise ops over the same rows
    // (LayerNorm, the gate): one kernel a chain, one block a row.
    if (fuseRows &&
        failed(sessa::gpumap::fuseRowChains(rewriter, getOperation(), options)))
      return signalPassFailure();
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!sessa::gpumap::isInDeviceCode(op))
        ops.push_back(op);
    });
    // A fill that the next op overwrites entirely (a reduction's or an
    // elementwise op's output) becomes that kernel's starting value: one
    // launch instead of two.
    DenseMap<Operation *, linalg::FillOp> folded;
    DenseSet<Operation *> foldedFills;
    for (linalg::LinalgOp op : ops)
      if (linalg::FillOp fill = sessa::gpumap::fillOverwrittenBy(op)) {
        folded[op] = fill;
        foldedFills.insert(fill);
      }
    for (linalg::LinalgOp op : ops) {
      if (foldedFills.contains(op))
        continue;
      SmallVector<Value> initValues;
      linalg::FillOp fill = folded.lookup(op);
      if (fill)
        for (Value init : op.getDpsInits())
          initValues.push_back(
              init == fill.getDpsInits()[0] ? fill.getDpsInputs()[0] : Value());
      if (failed(sessa::gpumap::buildLinalgKernel(rewriter, op, options,
                                                  initValues)))
        return signalPassFailure();
      if (fill)
        rewriter.eraseOp(fill);
    }
  }
};
} // namespace
