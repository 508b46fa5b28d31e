//===- LoweringSupport.cpp - Shared by the passes lowering sessa ops ------===//
#include "sessa/Dialect/Sessa/IR/LoweringSupport.h"
#include "sessa/Dialect/Sessa/IR/SessaOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

void mlir::sessa::replaceOpWithCasts(RewriterBase &rewriter, Operation *op,
                                     ValueRange values) {
  SmallVector<Value> results;
  for (auto [value, type] : llvm::zip(values, op->getResultTypes()))
    results.push_back(value.getType() == type
                          ? value
                          : tensor::CastOp::create(rewriter, op->getLoc(),
                                                   type, value)
                                .getResult());
  rewriter.replaceOp(op, results);
}

LogicalResult mlir::sessa::checkAllSessaOpsLowered(Operation *root,
                                                   StringRef passName) {
  WalkResult remaining = root->walk([&](Operation *op) {
    if (isa<SessaDialect>(op->getDialect())) {
      op->emitOpError() << "was not lowered by " << passName
                        << (isa<LayerOp>(op)
                                ? " (run --sessa-decompose-layer first)"
                                : "");
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(remaining.wasInterrupted());
}
