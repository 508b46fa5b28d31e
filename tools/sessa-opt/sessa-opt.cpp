//===- sessa-opt.cpp - The Sessa optimizer driver -------------------------===//
//
// An mlir-opt-style driver: every upstream dialect, pass and pipeline, plus
// the sessa dialect and its passes and pipelines.
//
//===----------------------------------------------------------------------===//
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "sessa/Conversion/Passes.h"
#include "sessa/Dialect/Sessa/IR/SessaDialect.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"
#include "sessa/Pipelines/Pipelines.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::sessa::registerSessaConversionPasses();
  mlir::sessa::registerSessaTransformsPasses();
  mlir::sessa::registerSessaPipelines();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates gpu.module bodies to LLVM IR.
  mlir::registerAllGPUToLLVMIRTranslations(registry);
  registry.insert<mlir::sessa::SessaDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Sessa optimizer driver\n", registry));
}
