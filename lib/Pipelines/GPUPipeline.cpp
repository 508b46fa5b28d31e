//===- GPUPipeline.cpp - sessa-gpu-pipeline -------------------------------===//
#include "sessa/Pipelines/Pipelines.h"
#include "sessa/Conversion/Passes.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

#ifndef SESSA_CUDA_ROOT
#define SESSA_CUDA_ROOT "" // no toolkit found at configure time
#endif

const char *mlir::sessa::defaultCudaToolkitPath() { return SESSA_CUDA_ROOT; }

LogicalResult
mlir::sessa::buildGPUPipeline(OpPassManager &pm,
                              const GPUPipelineOptions &options) {
  registerSessaPipelines();
  // An explicit toolkit must exist (MLIR says so if not); the default is
  // the one found at configure time, if it is still there. Without one,
  // MLIR looks at CUDA_ROOT / CUDA_HOME / CUDA_PATH, and PTX (`format=isa`)
  // is still emitted, with libdevice functions left as externs.
  std::string toolkit = options.toolkit.getValue();
  if (toolkit.empty()) {
    toolkit = defaultCudaToolkitPath();
    if (!toolkit.empty() && !llvm::sys::fs::is_directory(toolkit))
      toolkit.clear();
  }
  StringRef gridDependency = options.gridDependency.getValue();
  if (gridDependency != "launch" && gridDependency != "wait" &&
      gridDependency != "off") {
    llvm::errs() << "sessa-gpu-pipeline: grid-dependency must be launch, "
                    "wait or off, got '"
                 << gridDependency << "'\n";
    return failure();
  }
  std::string pipeline =
      // sessa -> gpu.launch kernels and linalg on tensors.
      "func.func(llvm-request-c-wrappers),"
      "sessa-decompose-layer{mixed-precision}," +
      // On sm_90a, bf16/f16 attention (head dim 64) and the feedback
      // attention's products use wgmma.
      std::string(StringRef(options.chip.getValue()).starts_with("sm_90a")
                      ? "convert-sessa-to-gpu{wgmma-attention=true wgmma-feedback=true},"
                      : "convert-sessa-to-gpu,") +
      // Chains of elementwise generics (bias add, GELU, rounding to bf16)
      // become one kernel each. canonicalize first: it resolves the
      // tensor.dim uses of the generics' results, which would otherwise
      // count as second uses and keep a producer from fusing.
      "canonicalize,sessa-fuse-elementwise,canonicalize,"
      // Tensors -> buffers, as on the CPU. No buffer-deallocation-pipeline:
      // its bufferization.dealloc lowers to host code on host memory;
      // sessa-gpu-device-memory frees the device buffers instead.
      "eliminate-empty-tensors,empty-tensor-to-alloc-tensor,"
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},"
      "canonicalize,cse,sessa-erase-self-copies,"
      // Kernels that wrote a result into their own buffer write into the
      // output argument instead (no copy at the end).
      "func.func(sessa-forward-result-buffers),"
      // A cache output passed as the same memory as its input (decoding in
      // place) skips the copy of its P rows.
      "func.func(sessa-guard-in-place-copies),"
      // Matrix products -> tiled GEMM kernels (tensor cores for bf16/f16);
      // every other linalg op on buffers -> a GPU kernel.
      // On sm_90a, bf16/f16 products use wgmma (otherwise mma.sync).
      + std::string(StringRef(options.chip.getValue()).starts_with("sm_90a")
                      ? "sessa-gpu-matmul{wgmma=true},"
                      : "sessa-gpu-matmul,")
      + llvm::formatv("sessa-gpu-map-linalg{{block-size={0} max-blocks={1}},",
                      options.blockSize.getValue(),
                      options.maxBlocks.getValue())
            .str() +
      "sessa-gpu-device-memory,canonicalize,sessa-gpu-check-host-access,"
      // The entry outputs' marks (aliasing facts for the passes above) end
      // here.
      "sessa-drop-output-marks,"
      // Kernels -> gpu.module / gpu.func, launches on one stream.
      "gpu-launch-sink-index-computations,gpu-kernel-outlining,"
      // Occupancy requests of kernel bodies -> nvvm.minctasm.
      "sessa-gpu-kernel-occupancy,"
      // Optionally one gpu.module (one image) per function.
      + std::string(options.mergeKernelModules ? "sessa-gpu-merge-modules,"
                                               : "") +
      "func.func(gpu-async-region),"
      "sessa-expand-shape-to-reinterpret-cast,"
      // nvgpu (mma.sync, ldmatrix, cp.async) and vector -> NVVM / scf.
      "convert-nvgpu-to-nvvm,convert-vector-to-scf,"
      "convert-scf-to-cf,convert-nvvm-to-llvm,expand-strided-metadata,"
      "lower-affine," +
      llvm::formatv("nvvm-attach-target{{chip={0} features={1} O={2}},",
                    options.chip.getValue(), options.features.getValue(),
                    options.optLevel.getValue())
          .str() +
      // Device code -> NVVM -> binary (ptxas; fatbinary for fatbin).
      // Kernels of sm_90+ modules wait for the previous grid on entry
      // (programmatic dependent launch; the runtime launches them with the
      // attribute only from images that carry the pass's marker).
      "gpu.module(" +
      (gridDependency == "off"
           ? std::string()
           : llvm::formatv("sessa-gpu-grid-dependency-control{{"
                           "launch-dependents={0}},",
                           gridDependency == "launch" ? "true" : "false")
                 .str()) +
      "sessa-gpu-lower-vector-transfers,convert-gpu-to-nvvm,"
      "canonicalize,cse,"
      "reconcile-unrealized-casts)," +
      llvm::formatv("gpu-module-to-binary{{format={0}{1}},",
                    options.format.getValue(),
                    toolkit.empty() ? std::string() : " toolkit=" + toolkit)
          .str() +
      // Host -> LLVM: launches and memory as mgpu* runtime calls.
      "convert-math-to-llvm,convert-arith-to-llvm,convert-index-to-llvm,"
      "gpu-to-llvm,finalize-memref-to-llvm,convert-func-to-llvm,"
      "convert-cf-to-llvm,reconcile-unrealized-casts,canonicalize";
  return parsePassPipeline(pipeline, pm);
}
