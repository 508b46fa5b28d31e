//===- Passes.h - Sessa conversion passes -----------------------*- C++ -*-===//
#ifndef SESSA_CONVERSION_PASSES_H
#define SESSA_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "sessa/Conversion/SessaToGPU/SessaToGPU.h"
#include "sessa/Conversion/SessaToLinalg/SessaToLinalg.h"

namespace mlir::sessa {

#define GEN_PASS_DECL
#include "sessa/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sessa/Conversion/Passes.h.inc"

} // namespace mlir::sessa

#endif // SESSA_CONVERSION_PASSES_H
