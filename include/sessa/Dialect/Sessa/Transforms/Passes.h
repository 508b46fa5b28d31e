//===- Passes.h - Sessa dialect transforms ----------------------*- C++ -*-===//
#ifndef SESSA_DIALECT_SESSA_TRANSFORMS_PASSES_H
#define SESSA_DIALECT_SESSA_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::sessa {

#define GEN_PASS_DECL
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"

} // namespace mlir::sessa

#endif // SESSA_DIALECT_SESSA_TRANSFORMS_PASSES_H
