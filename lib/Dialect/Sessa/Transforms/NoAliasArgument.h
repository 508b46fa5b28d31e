//===- NoAliasArgument.h - llvm.noalias entry arguments ---------*- C++ -*-===//
//
// Shared by the GPU passes that prove a kernel's output overlaps none of its
// inputs (GEMM epilogue fusion, row kernels).
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_LIB_DIALECT_SESSA_TRANSFORMS_NOALIASARGUMENT_H
#define SESSA_LIB_DIALECT_SESSA_TRANSFORMS_NOALIASARGUMENT_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "sessa/Dialect/Sessa/Transforms/EntryPointABI.h"

namespace mlir::sessa {

/// Whether `v` is an argument of its function's entry block marked
/// `llvm.noalias` (the entry points' outputs: they share no memory with any
/// other argument).
inline bool isNoAliasArgument(Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg)
    return false;
  auto func = dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp());
  return func && arg.getOwner() == &func.getFunctionBody().front() &&
         func.getArgAttr(arg.getArgNumber(),
                         LLVM::LLVMDialect::getNoAliasAttrName());
}

/// Whether `v` is an argument of its function's entry block marked
/// `sessa.output` by sessa-entry-point-abi: it shares no memory with the
/// function's other arguments, except that it may be the very same buffer
/// (same pointer and strides) as an argument of its own type
/// (EntryPointABI.h).
inline bool isEntryOutputArgument(Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg)
    return false;
  auto func = dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp());
  return func && arg.getOwner() == &func.getFunctionBody().front() &&
         func.getArgAttr(arg.getArgNumber(), kOutputArgAttrName);
}

/// Whether `x` and `y`, distinct arguments of one function's entry block,
/// are known to share no memory by the entry-point ABI: one of them is an
/// output (`sessa.output`) and their types differ (so neither can be the
/// other's very buffer).
inline bool disjointByEntryABI(Value x, Value y) {
  auto ax = dyn_cast<BlockArgument>(x), ay = dyn_cast<BlockArgument>(y);
  if (!ax || !ay || ax == ay || ax.getOwner() != ay.getOwner())
    return false;
  return (isEntryOutputArgument(x) || isEntryOutputArgument(y)) &&
         x.getType() != y.getType();
}

/// Whether `x` and `y`, distinct arguments of one function's entry block,
/// share no memory or are the very same buffer by the entry-point ABI: one
/// of them is an output (`sessa.output`).
inline bool disjointOrSameByEntryABI(Value x, Value y) {
  auto ax = dyn_cast<BlockArgument>(x), ay = dyn_cast<BlockArgument>(y);
  if (!ax || !ay || ax == ay || ax.getOwner() != ay.getOwner())
    return false;
  return isEntryOutputArgument(x) || isEntryOutputArgument(y);
}

} // namespace mlir::sessa

#endif // SESSA_LIB_DIALECT_SESSA_TRANSFORMS_NOALIASARGUMENT_H
