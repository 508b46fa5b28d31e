//===- EntryPointABI.h - Which entry-point buffers are cache views -*- C++ -*-===//
//
// The entry-point ABI (sessa-entry-point-abi) gives every argument and
// result of a public function a dense buffer, except the caches of a
// sessa.layer: those are "batch-strided" (rows dense, batch stride the
// caller's), so that a caller can pass views of the first rows of a larger
// [B, capacity, ...] buffer and extend a cache in place. sessa-compile
// describes the same choice to the runtime (SESSA_ARG_BATCH_STRIDED).
//
// Each output argument carries the unit attribute `sessa.output`
// (kOutputArgAttrName): what the runtime ABI (SessaRuntime.h) states about
// outputs, for passes that must know which buffers may overlap. An output
// shares no memory with the other arguments, except that it may be the very
// same buffer (same data pointer and strides) as an argument of its own
// type: an extended cache passed as the same memory as its cache input
// (decoding in place, promised by the ABI), or an output passed as the
// memory of an input (`y` given as `x`: not promised by the ABI, but kept
// working on the GPU path by passes that read each element of such an
// input only in the thread that then writes that element of the output).
// The attribute does not reach LLVM IR (dropped as a discardable
// attribute): CPU code generation is unaffected.
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_DIALECT_SESSA_TRANSFORMS_ENTRYPOINTABI_H
#define SESSA_DIALECT_SESSA_TRANSFORMS_ENTRYPOINTABI_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::sessa {

/// Unit attribute on the output arguments of an entry point (see above).
inline constexpr llvm::StringLiteral kOutputArgAttrName = "sessa.output";

/// For each argument of `func` (on tensors): whether it is only used as a
/// cache operand of sessa.layer with dense rows (all dimensions after the
/// first two static).
llvm::SmallVector<bool> batchStridedInputs(func::FuncOp func);

/// For each result of `func` (on tensors): whether every return gives an
/// extended cache of sessa.layer with dense rows.
llvm::SmallVector<bool> batchStridedResults(func::FuncOp func);

} // namespace mlir::sessa

#endif // SESSA_DIALECT_SESSA_TRANSFORMS_ENTRYPOINTABI_H
