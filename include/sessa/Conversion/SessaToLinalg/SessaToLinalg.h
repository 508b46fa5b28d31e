//===- SessaToLinalg.h - Lower sessa ops to linalg on tensors ---*- C++ -*-===//
#ifndef SESSA_CONVERSION_SESSATOLINALG_SESSATOLINALG_H
#define SESSA_CONVERSION_SESSATOLINALG_SESSATOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::sessa {

/// Tile sizes of the blocked algorithms. They are shared by every target:
/// the CPU and GPU pipelines map the same scf.forall tiles onto threads or
/// thread blocks.
struct SessaTilingOptions {
  /// Query rows per tile of `sessa.attention`.
  int64_t attentionQueryTile = 128;
  /// Key rows per step of the online softmax (attention and feedback).
  int64_t keyTile = 64;
  /// Rows solved together by one step of `sessa.feedback_attention`.
  int64_t feedbackChunk = 64;
  /// Rows of a feedback chunk whose flash pass runs as one parallel task.
  int64_t feedbackRowBlock = 32;
  /// Channels per tile of `sessa.selective_scan` (shrunk to divide Dm / G).
  int64_t scanChannelTile = 64;
};

/// Patterns rewriting rope, attention, feedback_attention and selective_scan
/// into linalg/tensor/scf/arith/math on tensors.
void populateSessaToLinalgPatterns(RewritePatternSet &patterns,
                                   const SessaTilingOptions &options);

} // namespace mlir::sessa

#endif // SESSA_CONVERSION_SESSATOLINALG_SESSATOLINALG_H
