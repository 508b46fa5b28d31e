//===- CPUPipeline.cpp - sessa-cpu-pipeline -------------------------------===//
#include "sessa/Pipelines/Pipelines.h"
#include "sessa/Conversion/Passes.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

/// The pipeline is parsed from text: every pass it names must be registered.
static void registerPipelinePasses() {
  static bool once = [] {
    registerAllPasses();
    mlir::sessa::registerSessaConversionPasses();
    mlir::sessa::registerSessaTransformsPasses();
    return true;
  }();
  (void)once;
}

LogicalResult
mlir::sessa::buildCPUPipeline(OpPassManager &pm,
                              const CPUPipelineOptions &options) {
  registerPipelinePasses();
  std::string tiles = llvm::formatv(
      "attention-query-tile={0} key-tile={1} feedback-chunk={2} "
      "feedback-row-block={3} scan-channel-tile={4}",
      options.attentionQueryTile.getValue(), options.keyTile.getValue(),
      options.feedbackChunk.getValue(), options.feedbackRowBlock.getValue(),
      options.scanChannelTile.getValue());
  std::string parallel = options.openmp
                             ? "scf-forall-to-parallel,convert-scf-to-openmp,"
                             : "scf-forall-to-parallel,";
  std::string pipeline =
      // sessa -> linalg on tensors.
      // C interfaces for the public functions (before any helper exists).
      "func.func(llvm-request-c-wrappers),"
      // The entry outputs' marks are for the GPU passes.
      "sessa-drop-output-marks,"
      "sessa-decompose-layer,convert-sessa-to-linalg{" + tiles +
      // No cse here: merging identical fills would make the in-place
      // softmax updates share buffers with loop inits (and copy).
      "},canonicalize,"
      // Tensors -> buffers, writing into destinations where possible.
      "eliminate-empty-tensors,empty-tensor-to-alloc-tensor,"
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},"
      "canonicalize,cse,sessa-erase-self-copies,"
      "func.func(sessa-guard-in-place-copies),buffer-deallocation-pipeline,"
      // Matrix products run in the runtime's packed sgemm kernels.
      "sessa-cpu-ukernels,"
      // Loops, threads, then LLVM.
      "convert-linalg-to-loops," +
      parallel +
      "sessa-expand-shape-to-reinterpret-cast,"
      "expand-strided-metadata,lower-affine,"
      // Heap memory through libSessaRuntime's allocation functions, which
      // keep freed temporaries for the next call (lib/Runtime/Alloc.c).
      "finalize-memref-to-llvm{use-generic-functions},"
      "convert-scf-to-cf," +
      (options.openmp ? std::string("convert-openmp-to-llvm,") : "") +
      "sessa-cpu-math-approximation,"
      "convert-math-to-llvm,convert-math-to-libm,convert-arith-to-llvm,"
      "convert-index-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,"
      "reconcile-unrealized-casts,canonicalize";
  return parsePassPipeline(pipeline, pm);
}

void mlir::sessa::registerSessaPipelines() {
  registerPipelinePasses();
  static bool once = [] {
    PassPipelineRegistration<CPUPipelineOptions>(
        "sessa-cpu-pipeline",
        "Compile sessa on tensors to the LLVM dialect for the host CPU "
        "(bufferized, multi-threaded, C interface per public function)",
        [](OpPassManager &pm, const CPUPipelineOptions &options) {
          if (failed(buildCPUPipeline(pm, options)))
            llvm::report_fatal_error("sessa-cpu-pipeline: invalid pipeline");
        });
    PassPipelineRegistration<GPUPipelineOptions>(
        "sessa-gpu-pipeline",
        "Compile sessa on tensors to the LLVM dialect with the GPU kernels "
        "in an embedded NVVM binary (gpu.binary); host code calls the mgpu* "
        "runtime on one stream",
        [](OpPassManager &pm, const GPUPipelineOptions &options) {
          if (failed(buildGPUPipeline(pm, options)))
            llvm::report_fatal_error("sessa-gpu-pipeline: invalid pipeline");
        });
    return true;
  }();
  (void)once;
}
