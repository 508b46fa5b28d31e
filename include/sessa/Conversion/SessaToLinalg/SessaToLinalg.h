//===- SessaToLinalg.h - Lower sessa ops to linalg on tensors ---*- C++ -*-===//
#ifndef SESSA_CONVERSION_SESSATOLINALG_SESSATOLINALG_H
#define SESSA_CONVERSION_SESSATOLINALG_SESSATOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::sessa {

/// Tile sizes of the blocked algorithms of the linalg lowering (the CPU
/// pipeline), whose scf.forall tiles become OpenMP tasks. These member
/// initializers are the defaults of every option that sets them
/// (convert-sessa-to-linalg, sessa-cpu-pipeline, sessa-compile). Rows of
/// the products are best a multiple of the sgemm kernel's 12-row register
/// tile: feedback rows blocks of 48 instead of 32 made the feedback 15%
/// faster on one Zen 4 core (bench/RESULTS.md, CPU).
struct SessaTilingOptions {
  /// Query rows per tile of `sessa.attention`.
  int64_t attentionQueryTile = 128;
  /// Key rows per step of the online softmax (attention and feedback).
  int64_t keyTile = 256;
  /// Rows solved together by one step of `sessa.feedback_attention`.
  int64_t feedbackChunk = 96;
  /// Rows of a feedback chunk whose flash pass runs as one parallel task.
  int64_t feedbackRowBlock = 48;
  /// Channels per tile of `sessa.selective_scan` (shrunk to divide Dm / G).
  int64_t scanChannelTile = 64;
};

/// Patterns rewriting rope, attention, feedback_attention and selective_scan
/// into linalg/tensor/scf/arith/math on tensors.
void populateSessaToLinalgPatterns(RewritePatternSet &patterns,
                                   const SessaTilingOptions &options);

} // namespace mlir::sessa

#endif // SESSA_CONVERSION_SESSATOLINALG_SESSATOLINALG_H
