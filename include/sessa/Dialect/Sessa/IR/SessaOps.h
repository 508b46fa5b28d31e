//===- SessaOps.h - Sessa dialect ops ---------------------------*- C++ -*-===//
#ifndef SESSA_DIALECT_SESSA_IR_SESSAOPS_H
#define SESSA_DIALECT_SESSA_IR_SESSAOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "sessa/Dialect/Sessa/IR/SessaDialect.h"

#define GET_OP_CLASSES
#include "sessa/Dialect/Sessa/IR/SessaOps.h.inc"

#endif // SESSA_DIALECT_SESSA_IR_SESSAOPS_H
