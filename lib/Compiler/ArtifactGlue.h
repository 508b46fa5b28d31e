//===- ArtifactGlue.h - LLVM IR, object and files of an artifact -*- C++ -*-===//
#ifndef SESSA_LIB_COMPILER_ARTIFACTGLUE_H
#define SESSA_LIB_COMPILER_ARTIFACTGLUE_H

#include "sessa/Compiler/EntrySignature.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

namespace mlir::sessa {

/// Prefix of the renamed MLIR functions that compute an entry point.
inline constexpr llvm::StringLiteral kComputePrefix = "__sessa_compute_";

/// Adds, for every entry point, the packed-argument wrapper around
/// `_mlir_ciface___sessa_compute_<name>`, its descriptor tables and the
/// exported `<name>` that calls `sessa_invoke` (target "cpu") or
/// `sessa_cuda_invoke` (target "cuda": one more argument, the stream), plus
/// `sessa_artifact_module`.
llvm::Error emitEntryPointGlue(llvm::Module &module,
                               llvm::ArrayRef<EntrySignature> entries,
                               llvm::StringRef target);

/// The C header declaring the entry points (with the stream argument for
/// target "cuda").
std::string renderHeader(llvm::StringRef name,
                         llvm::ArrayRef<EntrySignature> entries,
                         llvm::StringRef source, llvm::StringRef target);

/// manifest.json.
std::string renderManifest(llvm::StringRef name, llvm::StringRef target,
                           llvm::ArrayRef<EntrySignature> entries);

/// The text of include/sessa/Runtime/SessaRuntime.h, embedded at build time.
llvm::StringRef runtimeHeaderText();

} // namespace mlir::sessa

#endif // SESSA_LIB_COMPILER_ARTIFACTGLUE_H
