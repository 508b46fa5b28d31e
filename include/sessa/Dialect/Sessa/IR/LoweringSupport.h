//===- LoweringSupport.h - Shared by the passes lowering sessa ops -*- C++ -*-===//
//
// What every conversion out of the sessa dialect does the same way:
// replacing an op by values that may know fewer static sizes than its
// results, and failing when a sessa op was left behind.
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_DIALECT_SESSA_IR_LOWERINGSUPPORT_H
#define SESSA_DIALECT_SESSA_IR_LOWERINGSUPPORT_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::sessa {

/// Replaces `op` by `values`, with a `tensor.cast` to the op's exact result
/// type where a value's type differs (a lowering may know fewer static
/// sizes than the op's type states).
void replaceOpWithCasts(RewriterBase &rewriter, Operation *op,
                        ValueRange values);

/// Emits "was not lowered by <passName>" on the first sessa op under `root`
/// (with a hint for sessa.layer) and fails; succeeds when there is none.
LogicalResult checkAllSessaOpsLowered(Operation *root, StringRef passName);

} // namespace mlir::sessa

#endif // SESSA_DIALECT_SESSA_IR_LOWERINGSUPPORT_H
