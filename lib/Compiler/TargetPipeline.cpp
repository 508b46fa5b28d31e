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
/// TEMPORARY stand-in for mlir::sessa::buildGPUPipeline (lib/Pipelines/
/// GPUPipeline.cpp, branch gpu-pipeline), so that the cuda target, its
/// runtime and its tests can be built before that pipeline lands. It is
/// upstream passes only: it lowers modules whose GPU work is already
/// written as gpu.launch on memrefs (test/Compiler/CUDA/Inputs) plus
/// elementwise linalg (mapped one iteration per block), not sessa ops.
/// It is upstream's gpu-lower-to-nvvm-pipeline spelled out, to pass the
/// toolkit to gpu-module-to-binary.
/// TODO(gpu-pipeline): delete and call buildGPUPipeline in
/// buildCUDAPipeline below.
LogicalResult buildCUDAStandInPipeline(OpPassManager &pm,
                                       StringRef chip, StringRef features,
                                       StringRef toolkit) {
  registerAllPasses();
  std::string pipeline = llvm::formatv(
      // Tensors -> buffers, writing into the entry points' destinations.
      "eliminate-empty-tensors,empty-tensor-to-alloc-tensor,"
      "one-shot-bufferize{{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},canonicalize,"
      // linalg on (device) memrefs -> gpu.launch.
      "func.func(convert-linalg-to-parallel-loops,gpu-map-parallel-loops,"
      "convert-parallel-loops-to-gpu),"
      "gpu-kernel-outlining,func.func(gpu-async-region),"
      // gpu-lower-to-nvvm-pipeline.
      "convert-nvgpu-to-nvvm,convert-vector-to-scf,convert-scf-to-cf,"
      "convert-nvvm-to-llvm,convert-func-to-llvm,expand-strided-metadata,"
      "nvvm-attach-target{{chip={0} features={1} O=3},lower-affine,"
      "convert-arith-to-llvm,convert-index-to-llvm,canonicalize,cse,"
      "gpu.module(convert-gpu-to-nvvm,canonicalize,cse,"
      "reconcile-unrealized-casts),"
      "gpu-to-llvm,gpu-module-to-binary{{format=fatbin toolkit={2}},"
      "convert-math-to-llvm,canonicalize,cse,reconcile-unrealized-casts",
      chip, features, toolkit);
  return parsePassPipeline(pipeline, pm);
}

LogicalResult buildCUDAPipeline(OpPassManager &pm,
                                const sessa::CompileOptions &options) {
  std::string toolkit = options.cudaToolkit.empty() ? SESSA_CUDA_TOOLKIT_DIR
                                                    : options.cudaToolkit;
  return buildCUDAStandInPipeline(pm, options.cudaChip, options.cudaFeatures,
                                  toolkit);
}
} // namespace

LogicalResult
mlir::sessa::buildTargetPipeline(OpPassManager &pm,
                                 const CompileOptions &options) {
  if (options.target == "cuda")
    return buildCUDAPipeline(pm, options);
  return buildCPUPipeline(pm, options.pipeline);
}
