//===- Compiler.h - Ahead-of-time compilation to artifacts ------*- C++ -*-===//
//
// Turns an MLIR module of sessa ops on tensors into an artifact directory:
//   lib<name>.so   entry points with the C ABI of SessaRuntime.h (target
//                  "cpu": host buffers; "cuda": device buffers and a stream)
//   <name>.h       their declarations (includes SessaRuntime.h)
//   SessaRuntime.h the runtime ABI header
//   manifest.json  entry points, dtypes, shapes and symbols
// Nothing is written unless everything succeeds.
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_COMPILER_COMPILER_H
#define SESSA_COMPILER_COMPILER_H

#include "sessa/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::sessa {

struct CompileOptions {
  /// "cpu" or "cuda" (see isTargetAvailable).
  std::string target = "cpu";
  /// Artifact name: lib<name>.so and <name>.h.
  std::string name;
  /// Output directory (created if missing).
  std::string outputDir;
  /// LLVM CPU name and feature string; empty: the host's.
  std::string cpu;
  std::string features;
  /// LLVM optimization level 0-3.
  unsigned optLevel = 3;
  /// libSessaRuntime.a; empty: next to the running executable
  /// (<bin>/../lib/libSessaRuntime.a).
  std::string runtimeLibrary;
  /// libSessaCudaRuntime.a (target "cuda"); empty: next to runtimeLibrary.
  std::string cudaRuntimeLibrary;
  /// Target "cuda": the GPU architecture, its PTX features, and the CUDA
  /// toolkit directory whose bin/ptxas builds the cubin (empty: the one
  /// found when Sessa was configured, then CUDA_ROOT/CUDA_HOME/CUDA_PATH,
  /// then PATH).
  std::string cudaChip = "sm_90";
  std::string cudaFeatures = "+ptx80";
  std::string cudaToolkit;
  /// Target "cuda", sm_90+: griddepcontrol in every kernel for programmatic
  /// dependent launch ("wait", "launch": wait + launch_dependents, "off";
  /// see GPUPipelineOptions::gridDependency).
  std::string cudaGridDependency = "wait";
  /// C compiler driver used to link; empty: $SESSA_CC, clang-22, clang, cc.
  std::string linker;
  /// Keep the LLVM IR next to the artifact (<name>.ll), for inspection.
  bool keepLLVMIR = false;
  CPUPipelineOptions pipeline;
};

/// Whether this build can compile for `target`: "cpu" always, "cuda" when
/// the CUDA toolkit (ptxas) was found at configure time (SESSA_ENABLE_CUDA).
bool isTargetAvailable(llvm::StringRef target);

/// The pass pipeline that lowers a module, after sessa-entry-point-abi, to
/// the LLVM dialect for `options.target` (lib/Compiler/TargetPipeline.cpp).
LogicalResult buildTargetPipeline(OpPassManager &pm,
                                  const CompileOptions &options);

/// Registers what compileArtifact needs in `registry`.
void registerCompilerDialects(DialectRegistry &registry);

/// Compiles `module` (consumed: it is lowered in place) into an artifact.
/// Errors are emitted as diagnostics on the module's context.
LogicalResult compileArtifact(ModuleOp module, const CompileOptions &options);

} // namespace mlir::sessa

#endif // SESSA_COMPILER_COMPILER_H
