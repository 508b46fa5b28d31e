//===- EntryPointABI.h - Which entry-point buffers are cache views -*- C++ -*-===//
//
// The entry-point ABI (sessa-entry-point-abi) gives every argument and
// result of a public function a dense buffer, except the caches of a
// sessa.layer: those are "batch-strided" (rows dense, batch stride the
// caller's), so that a caller can pass views of the first rows of a larger
// [B, capacity, ...] buffer and extend a cache in place. sessa-compile
// describes the same choice to the runtime (SESSA_ARG_BATCH_STRIDED).
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_DIALECT_SESSA_TRANSFORMS_ENTRYPOINTABI_H
#define SESSA_DIALECT_SESSA_TRANSFORMS_ENTRYPOINTABI_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::sessa {

/// For each argument of `func` (on tensors): whether it is only used as a
/// cache operand of sessa.layer with dense rows (all dimensions after the
/// first two static).
llvm::SmallVector<bool> batchStridedInputs(func::FuncOp func);

/// For each result of `func` (on tensors): whether every return gives an
/// extended cache of sessa.layer with dense rows.
llvm::SmallVector<bool> batchStridedResults(func::FuncOp func);

} // namespace mlir::sessa

#endif // SESSA_DIALECT_SESSA_TRANSFORMS_ENTRYPOINTABI_H
