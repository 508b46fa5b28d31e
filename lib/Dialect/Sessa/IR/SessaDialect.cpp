//===- SessaDialect.cpp - Sessa dialect registration ----------------------===//
#include "sessa/Dialect/Sessa/IR/SessaDialect.h"
#include "sessa/Dialect/Sessa/IR/SessaOps.h"

using namespace mlir;
using namespace mlir::sessa;

#include "sessa/Dialect/Sessa/IR/SessaOpsDialect.cpp.inc"

void SessaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "sessa/Dialect/Sessa/IR/SessaOps.cpp.inc"
      >();
}
