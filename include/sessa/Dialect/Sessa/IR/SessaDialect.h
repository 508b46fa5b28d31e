//===- SessaDialect.h - Sessa dialect ---------------------------*- C++ -*-===//
#ifndef SESSA_DIALECT_SESSA_IR_SESSADIALECT_H
#define SESSA_DIALECT_SESSA_IR_SESSADIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "sessa/Dialect/Sessa/IR/SessaOpsDialect.h.inc"

#endif // SESSA_DIALECT_SESSA_IR_SESSADIALECT_H
