//===- Lowerings.h - One function per lowered sessa op ----------*- C++ -*-===//
#ifndef SESSA_LIB_CONVERSION_SESSATOLINALG_LOWERINGS_H
#define SESSA_LIB_CONVERSION_SESSATOLINALG_LOWERINGS_H

#include "sessa/Conversion/SessaToLinalg/SessaToLinalg.h"
#include "sessa/Dialect/Sessa/IR/SessaOps.h"

namespace mlir::sessa::lowering {

FailureOr<Value> lowerRope(RewriterBase &rewriter, RopeOp op);
FailureOr<Value> lowerAttention(RewriterBase &rewriter, AttentionOp op,
                                const SessaTilingOptions &options);
FailureOr<Value> lowerFeedbackAttention(RewriterBase &rewriter,
                                        FeedbackAttentionOp op,
                                        const SessaTilingOptions &options);
FailureOr<SmallVector<Value>>
lowerSelectiveScan(RewriterBase &rewriter, SelectiveScanOp op,
                   const SessaTilingOptions &options);

} // namespace mlir::sessa::lowering

#endif // SESSA_LIB_CONVERSION_SESSATOLINALG_LOWERINGS_H
