//===- EraseSelfCopies.cpp - Drop memref.copy of a view onto itself -------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/OperationSupport.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAERASESELFCOPIES
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
/// Whether `a` and `b` are the same view: one value, or the same subview
/// (same source, offsets, sizes and strides, all as the same SSA values).
bool sameView(Value a, Value b) {
  if (a == b)
    return true;
  auto sa = a.getDefiningOp<memref::SubViewOp>();
  auto sb = b.getDefiningOp<memref::SubViewOp>();
  return sa && sb &&
         OperationEquivalence::isEquivalentTo(
             sa, sb, OperationEquivalence::ignoreValueEquivalence, nullptr,
             OperationEquivalence::IgnoreLocations) &&
         sameView(sa.getSource(), sb.getSource()) &&
         llvm::equal(sa->getOperands(), sb->getOperands());
}

struct SessaEraseSelfCopiesPass
    : mlir::sessa::impl::SessaEraseSelfCopiesBase<SessaEraseSelfCopiesPass> {
  void runOnOperation() override {
    getOperation()->walk([](memref::CopyOp copy) {
      if (sameView(copy.getSource(), copy.getTarget()))
        copy.erase();
    });
  }
};
} // namespace
