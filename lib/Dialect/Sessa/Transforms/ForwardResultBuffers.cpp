//===- ForwardResultBuffers.cpp - Write results into output arguments ----===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAFORWARDRESULTBUFFERS
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
/// Whether every use of `buffer` (and of the views made from it) lies in
/// `block` before `copy` (or is `copy`), and none frees or returns it.
bool allUsesBefore(Value buffer, Block *block, Operation *copy) {
  SmallVector<Value> work{buffer};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (user == copy)
        continue;
      if (isa<memref::DeallocOp, func::ReturnOp>(user))
        return false;
      Operation *top = block->findAncestorOpInBlock(*user);
      if (!top || !top->isBeforeInBlock(copy))
        return false;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == v)
          for (Value r : user->getResults())
            work.push_back(r);
    }
  }
  return true;
}

struct SessaForwardResultBuffersPass
    : mlir::sessa::impl::SessaForwardResultBuffersBase<
          SessaForwardResultBuffersPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Public functions are the destination-passing entry points.
    if (func.isDeclaration() || !func.isPublic())
      return;
    Block *entry = &func.getBody().front();
    SmallVector<memref::CopyOp> copies;
    for (auto copy : entry->getOps<memref::CopyOp>())
      copies.push_back(copy);
    for (memref::CopyOp copy : copies) {
      auto out = dyn_cast<BlockArgument>(copy.getTarget());
      // The copied buffer, or a reshape of it (a result computed on
      // [B*T, D] rows and returned as [B, T, D]).
      Operation *reshape = nullptr;
      Value source = copy.getSource();
      if (isa_and_nonnull<memref::ExpandShapeOp, memref::CollapseShapeOp>(
              source.getDefiningOp())) {
        reshape = source.getDefiningOp();
        source = reshape->getOperand(0);
      }
      auto alloc = source.getDefiningOp<memref::AllocOp>();
      if (!out || out.getOwner() != entry || !out.hasOneUse() || !alloc ||
          alloc->getBlock() != entry ||
          alloc.getType() != (reshape ? source.getType() : out.getType()) ||
          !alloc.getType().getLayout().isIdentity() ||
          !cast<MemRefType>(out.getType()).getLayout().isIdentity() ||
          (reshape && copy.getSource().getType() != out.getType()) ||
          !allUsesBefore(alloc.getResult(), entry, copy))
        continue;
      Value replacement = out;
      if (reshape) {
        // The inverse reshape of the output argument, where the buffer was
        // allocated (its sizes are defined there).
        OpBuilder b(alloc);
        if (auto expand = dyn_cast<memref::ExpandShapeOp>(reshape))
          replacement = memref::CollapseShapeOp::create(
              b, alloc.getLoc(), alloc.getType(), out,
              expand.getReassociationIndices());
        else
          replacement = memref::ExpandShapeOp::create(
              b, alloc.getLoc(), alloc.getType(), out,
              cast<memref::CollapseShapeOp>(reshape).getReassociationIndices(),
              alloc.getMixedSizes());
        if (replacement.getType() != alloc.getType()) {
          replacement.getDefiningOp()->erase();
          continue;
        }
      }
      alloc.getResult().replaceAllUsesWith(replacement);
      copy.erase();
      alloc.erase();
      if (reshape && reshape->use_empty())
        reshape->erase();
    }
  }
};
} // namespace
