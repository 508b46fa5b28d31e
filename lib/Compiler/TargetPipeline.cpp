//===- TargetPipeline.cpp - The lowering pipeline of each target ----------===//
//
// compileArtifact runs sessa-entry-point-abi, then buildTargetPipeline: the
// one place that chooses the pipeline of a target.
//
//===----------------------------------------------------------------------===//
#include "sessa/Compiler/Compiler.h"
#include "sessa/Pipelines/Pipelines.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

#ifndef SESSA_ENABLE_CUDA
#define SESSA_ENABLE_CUDA 0
#endif
#ifndef SESSA_CUDA_TOOLKIT_DIR
#define SESSA_CUDA_TOOLKIT_DIR ""
#endif

bool mlir::sessa::isTargetAvailable(StringRef target) {
  return target == "cpu" || (target == "cuda" && SESSA_ENABLE_CUDA);
}

namespace {
LogicalResult buildCUDAPipeline(OpPassManager &pm,
                                const sessa::CompileOptions &options) {
  std::string toolkit = options.cudaToolkit.empty() ? SESSA_CUDA_TOOLKIT_DIR
                                                    : options.cudaToolkit;
  sessa::GPUPipelineOptions gpu;
  gpu.chip = options.cudaChip;
  gpu.features = options.cudaFeatures;
  gpu.gridDependency = options.cudaGridDependency;
  gpu.toolkit = toolkit;
  return buildGPUPipeline(pm, gpu);
}
} // namespace

LogicalResult
mlir::sessa::buildTargetPipeline(OpPassManager &pm,
                                 const CompileOptions &options) {
  if (options.target == "cuda")
    return buildCUDAPipeline(pm, options);
  return buildCPUPipeline(pm, options.pipeline);
}
