//===- Pipelines.h - Named Sessa compilation pipelines ----------*- C++ -*-===//
#ifndef SESSA_PIPELINES_PIPELINES_H
#define SESSA_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::sessa {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<bool> openmp{
      *this, "openmp",
      llvm::cl::desc("Run independent tiles on all cores with OpenMP"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> attentionQueryTile{
      *this, "attention-query-tile",
      llvm::cl::desc("Query rows per attention tile"), llvm::cl::init(128)};
  PassOptions::Option<int64_t> keyTile{
      *this, "key-tile", llvm::cl::desc("Key rows per online-softmax step"),
      llvm::cl::init(64)};
  PassOptions::Option<int64_t> feedbackChunk{
      *this, "feedback-chunk",
      llvm::cl::desc("Rows per chunk of the feedback solve"),
      llvm::cl::init(64)};
  PassOptions::Option<int64_t> feedbackRowBlock{
      *this, "feedback-row-block",
      llvm::cl::desc("Rows of a feedback chunk per parallel flash task"),
      llvm::cl::init(32)};
  PassOptions::Option<int64_t> scanChannelTile{
      *this, "scan-channel-tile",
      llvm::cl::desc("Channels per selective-scan tile"), llvm::cl::init(64)};
};

/// sessa on tensors -> LLVM dialect for the host CPU: layer decomposition,
/// sessa-to-linalg, one-shot bufferization, loops, OpenMP, LLVM; every
/// public function gets a C interface (`_mlir_ciface_<name>`).
LogicalResult buildCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options);

/// Registers `sessa-cpu-pipeline` (and every pass it uses).
void registerSessaPipelines();

} // namespace mlir::sessa

#endif // SESSA_PIPELINES_PIPELINES_H
