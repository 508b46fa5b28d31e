//===- SelectiveScanKernel.cpp - GPU kernels for sessa ops -------------------------===//
#include "KernelBuilder.h"
#include "Lowerings.h"

using namespace mlir;
using namespace mlir::sessa;

FailureOr<SmallVector<Value>>
mlir::sessa::gpulowering::lowerSelectiveScan(RewriterBase &rewriter, SelectiveScanOp op) {
  return rewriter.notifyMatchFailure(op, "no GPU lowering yet");
}
