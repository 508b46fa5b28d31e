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

} // namespace mlir::sessa

#endif // SESSA_LIB_DIALECT_SESSA_TRANSFORMS_NOALIASARGUMENT_H
