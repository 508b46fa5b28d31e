//===- EntrySignature.h - What an artifact entry point accepts --*- C++ -*-===//
//
// The signature of an entry point as the runtime checks it (see
// include/sessa/Runtime/SessaRuntime.h): element types, ranks, static sizes
// and named dynamic symbols. Dynamic dimensions that the program ties
// together (through the shape relations of sessa ops, casts and returns)
// share a symbol; an output dimension that is a sum (the P + T rows of an
// extended cache) gets a derived symbol.
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_COMPILER_ENTRYSIGNATURE_H
#define SESSA_COMPILER_ENTRYSIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir::sessa {

struct TensorSignature {
  std::string name;
  /// A sessa_dtype value.
  int32_t dtype = 0;
  /// >= 0: a static size; < 0: symbol `-dim - 1`.
  llvm::SmallVector<int64_t> dims;
  /// SESSA_ARG_* bits (SESSA_ARG_BATCH_STRIDED for sessa.layer caches).
  int32_t flags = 0;
};

struct DerivedSymbol {
  int32_t symbol;
  int32_t lhs;
  int32_t rhs; // -1: none
  int64_t constant;
};

struct EntrySignature {
  std::string name;
  llvm::SmallVector<TensorSignature> inputs, outputs;
  llvm::SmallVector<std::string> symbols;
  llvm::SmallVector<DerivedSymbol> derived;
};

/// The sessa_dtype of an element type, or -1 if the ABI has none.
int32_t dtypeOf(Type elementType);
/// "f32", "bf16", ...
llvm::StringRef dtypeName(int32_t dtype);

/// Infers the signature of the public function `func` (tensors in, tensors
/// out). Fails with a located error if an argument is not a ranked tensor of
/// a supported element type or an output dimension cannot be determined from
/// the inputs.
FailureOr<EntrySignature> inferEntrySignature(func::FuncOp func);

} // namespace mlir::sessa

#endif // SESSA_COMPILER_ENTRYSIGNATURE_H
