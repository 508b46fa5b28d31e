//===- Compiler.h - Ahead-of-time compilation to artifacts ------*- C++ -*-===//
//
// Turns an MLIR module of sessa ops on tensors into an artifact directory:
//   lib<name>.so   entry points with the C ABI of SessaRuntime.h
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
  /// "cpu" (the only target implemented so far).
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
  /// C compiler driver used to link; empty: $SESSA_CC, clang-22, clang, cc.
  std::string linker;
  /// Keep the LLVM IR next to the artifact (<name>.ll), for inspection.
  bool keepLLVMIR = false;
  CPUPipelineOptions pipeline;
};

/// Registers what compileArtifact needs in `registry`.
void registerCompilerDialects(DialectRegistry &registry);

/// Compiles `module` (consumed: it is lowered in place) into an artifact.
/// Errors are emitted as diagnostics on the module's context.
LogicalResult compileArtifact(ModuleOp module, const CompileOptions &options);

} // namespace mlir::sessa

#endif // SESSA_COMPILER_COMPILER_H
