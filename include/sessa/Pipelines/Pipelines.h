//===- Pipelines.h - Named Sessa compilation pipelines ----------*- C++ -*-===//
#ifndef SESSA_PIPELINES_PIPELINES_H
#define SESSA_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "sessa/Conversion/SessaToLinalg/SessaToLinalg.h"

namespace mlir::sessa {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<bool> openmp{
      *this, "openmp",
      llvm::cl::desc("Run independent tiles on all cores with OpenMP"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> attentionQueryTile{
      *this, "attention-query-tile",
      llvm::cl::desc("Query rows per attention tile"), llvm::cl::init(SessaTilingOptions().attentionQueryTile)};
  PassOptions::Option<int64_t> keyTile{
      *this, "key-tile", llvm::cl::desc("Key rows per online-softmax step"),
      llvm::cl::init(SessaTilingOptions().keyTile)};
  PassOptions::Option<int64_t> feedbackChunk{
      *this, "feedback-chunk",
      llvm::cl::desc("Rows per chunk of the feedback solve"),
      llvm::cl::init(SessaTilingOptions().feedbackChunk)};
  PassOptions::Option<int64_t> feedbackRowBlock{
      *this, "feedback-row-block",
      llvm::cl::desc("Rows of a feedback chunk per parallel flash task"),
      llvm::cl::init(SessaTilingOptions().feedbackRowBlock)};
  PassOptions::Option<int64_t> scanChannelTile{
      *this, "scan-channel-tile",
      llvm::cl::desc("Channels per selective-scan tile"), llvm::cl::init(SessaTilingOptions().scanChannelTile)};
};

/// sessa on tensors -> LLVM dialect for the host CPU: layer decomposition,
/// sessa-to-linalg, one-shot bufferization, loops, OpenMP, LLVM; every
/// public function gets a C interface (`_mlir_ciface_<name>`).
LogicalResult buildCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options);

struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("GPU architecture (#nvvm.target chip), default sm_90 "
                     "(portable PTX, mma.sync products); sm_90a (H100/H200 "
                     "only) uses wgmma for bf16/f16 products"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features (#nvvm.target features); sm_90 needs "
                     "+ptx80 or later"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("gpu-module-to-binary format: fatbin (cubin from "
                     "ptxas plus the PTX, which the driver JITs where the "
                     "cubin does not fit), bin (cubin only), isa (PTX "
                     "text), llvm (LLVM bitcode)"),
      llvm::cl::init("fatbin")};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit root holding bin/ptxas and "
                     "bin/fatbinary (default: the one found at configure "
                     "time, else /usr/local/cuda)"),
      llvm::cl::init("")};
  PassOptions::Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimization level of the NVPTX backend and ptxas"),
      llvm::cl::init(3)};
  PassOptions::Option<int64_t> blockSize{
      *this, "block-size",
      llvm::cl::desc("Threads per block of the generic linalg kernels"),
      llvm::cl::init(256)};
  PassOptions::Option<bool> mergeKernelModules{
      *this, "merge-kernel-modules",
      llvm::cl::desc("Put the kernels of each function into one gpu.module "
                     "(one image, one ptxas run per function) instead of "
                     "one per kernel"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> gridDependency{
      *this, "grid-dependency",
      llvm::cl::desc("Programmatic dependent launch for sm_90+ chips: "
                     "wait (griddepcontrol.wait at every kernel's entry, "
                     "and the module marker the runtime needs to launch "
                     "them with PROGRAMMATIC_STREAM_SERIALIZATION; the "
                     "default, measured fastest on an H100, see "
                     "bench/gpu/NOTES-launch.md), launch (also "
                     "launch_dependents right after the wait), off "
                     "(neither: plain launches)"),
      llvm::cl::init("wait")};
  PassOptions::Option<int64_t> maxBlocks{
      *this, "max-blocks",
      llvm::cl::desc("Most blocks of a grid-stride generic kernel"),
      llvm::cl::init(65536)};
};

/// sessa on tensors -> LLVM dialect with embedded GPU kernels: layer
/// decomposition, convert-sessa-to-gpu, one-shot bufferization, GPU kernels
/// for every linalg op, device memory, outlining, async launches on one
/// stream, NVVM, gpu-module-to-binary (ptxas), host to LLVM (mgpu* calls).
/// Run `sessa-entry-point-abi` before it for the artifact ABI (as for the
/// CPU pipeline).
LogicalResult buildGPUPipeline(OpPassManager &pm,
                               const GPUPipelineOptions &options);

/// The CUDA toolkit root found when Sessa was configured, else
/// /usr/local/cuda.
const char *defaultCudaToolkitPath();

/// Registers `sessa-cpu-pipeline`, `sessa-gpu-pipeline` (and every pass
/// they use). Idempotent.
void registerSessaPipelines();

} // namespace mlir::sessa

#endif // SESSA_PIPELINES_PIPELINES_H
