//===- RuntimeHeader.cpp - The runtime ABI header, embedded ---------------===//
#include "ArtifactGlue.h"

llvm::StringRef mlir::sessa::runtimeHeaderText() {
  static const char text[] =
#include "sessa/Compiler/SessaRuntimeHeader.inc"
      ;
  return llvm::StringRef(text, sizeof(text) - 1);
}
