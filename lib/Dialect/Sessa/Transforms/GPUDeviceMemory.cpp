//===- GPUDeviceMemory.cpp - Host buffers in device memory ----------------===//
#include "GPULinalgKernels.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAGPUDEVICEMEMORY
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
/// True if `buffer` (or a view of it) leaves its block's control: returned,
/// yielded, passed to a branch or a call, or stored as a value.
bool escapes(Value buffer) {
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == v) {
          for (Value r : user->getResults())
            worklist.push_back(r);
          continue;
        }
      }
      if (isa<memref::DeallocOp, gpu::DeallocOp>(user))
        continue;
      if (user->hasTrait<OpTrait::IsTerminator>() ||
          isa<CallOpInterface, BranchOpInterface>(user))
        return true;
      if (auto store = dyn_cast<memref::StoreOp>(user))
        if (store.getValueToStore() == v)
          return true;
    }
  }
  return false;
}

/// The last operation of `block` that uses `buffer` or a view of it
/// (directly, or inside a nested region such as a gpu.launch), or null.
Operation *lastUseInBlock(Value buffer, Block *block) {
  Operation *last = nullptr;
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == v)
          for (Value r : user->getResults())
            worklist.push_back(r);
      Operation *inBlock = block->findAncestorOpInBlock(*user);
      if (inBlock && (!last || last->isBeforeInBlock(inBlock)))
        last = inBlock;
    }
  }
  return last;
}

bool isIdentityLayout(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getLayout().isIdentity();
}

struct SessaGPUDeviceMemoryPass
    : mlir::sessa::impl::SessaGPUDeviceMemoryBase<SessaGPUDeviceMemoryPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    bool failed = false;
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp, gpu::GPUModuleOp, gpu::GPUFuncOp>(op))
        return WalkResult::skip();
      if (isa<bufferization::DeallocOp>(op)) {
        op->emitError() << "bufferization.dealloc in GPU host code: "
                           "sessa-gpu-device-memory frees device buffers "
                           "itself; do not run buffer-deallocation-pipeline";
        failed = true;
      }
      if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
              memref::CopyOp, memref::GetGlobalOp>(op))
        ops.push_back(op);
      return WalkResult::advance();
    });
    if (failed)
      return signalPassFailure();

    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      Location loc = op->getLoc();
      rewriter.setInsertionPoint(op);
      if (isa<memref::AllocOp, memref::AllocaOp>(op)) {
        auto type = cast<MemRefType>(op->getResult(0).getType());
        if (type.getMemorySpace()) {
          op->emitError() << "host allocation in memory space "
                          << type.getMemorySpace()
                          << "; the GPU path allocates global device memory";
          return signalPassFailure();
        }
        ValueRange dynamicSizes = isa<memref::AllocOp>(op)
                                      ? cast<memref::AllocOp>(op).getDynamicSizes()
                                      : cast<memref::AllocaOp>(op).getDynamicSizes();
        ValueRange symbols =
            isa<memref::AllocOp>(op) ? cast<memref::AllocOp>(op).getSymbolOperands()
                                     : cast<memref::AllocaOp>(op).getSymbolOperands();
        auto alloc = gpu::AllocOp::create(rewriter, loc, type, Type(),
                                          ValueRange{}, dynamicSizes, symbols,
                                          /*hostShared=*/false);
        Value buffer = alloc.getMemref();
        bool freed = llvm::any_of(op->getResult(0).getUsers(), [](Operation *u) {
          return isa<memref::DeallocOp>(u);
        });
        rewriter.replaceOp(op, alloc);
        if (!freed && !escapes(buffer)) {
          // Freed right after its last use (stream-ordered, so kernels
          // enqueued before still see it): the peak of device memory is
          // what is live at once, not every temporary of the function.
          Block *block = alloc->getBlock();
          Operation *last = lastUseInBlock(buffer, block);
          if (last && !last->hasTrait<OpTrait::IsTerminator>())
            rewriter.setInsertionPointAfter(last);
          else if (block->mightHaveTerminator())
            rewriter.setInsertionPoint(block->getTerminator());
          else
            rewriter.setInsertionPointToEnd(block);
          gpu::DeallocOp::create(rewriter, loc, Type(), ValueRange{}, buffer);
        }
        continue;
      }
      if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        // A host global (a constant tensor): copied into a device buffer
        // that lives until the end of the block.
        auto type = cast<MemRefType>(global.getType());
        if (global.use_empty() || type.getMemorySpace() ||
            !type.getLayout().isIdentity())
          continue;
        rewriter.setInsertionPointAfter(op);
        auto alloc = gpu::AllocOp::create(rewriter, loc, type, Type(),
                                          ValueRange{}, ValueRange{},
                                          ValueRange{}, /*hostShared=*/false);
        Value buffer = alloc.getMemref();
        rewriter.replaceAllUsesWith(global.getResult(), buffer);
        gpu::MemcpyOp::create(rewriter, loc, Type(), ValueRange{}, buffer,
                              global.getResult());
        if (escapes(buffer)) {
          global->emitError() << "constant buffer escapes its block; "
                                 "cannot place it in device memory";
          return signalPassFailure();
        }
        Block *block = alloc->getBlock();
        rewriter.setInsertionPoint(block->getTerminator());
        gpu::DeallocOp::create(rewriter, loc, Type(), ValueRange{}, buffer);
        continue;
      }
      if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        rewriter.replaceOpWithNewOp<gpu::DeallocOp>(
            op, Type(), ValueRange{}, dealloc.getMemref());
        continue;
      }
      auto copy = cast<memref::CopyOp>(op);
      if (isIdentityLayout(copy.getSource()) &&
          isIdentityLayout(copy.getTarget())) {
        rewriter.replaceOpWithNewOp<gpu::MemcpyOp>(
            op, Type(), ValueRange{}, copy.getTarget(), copy.getSource());
        continue;
      }
      // A strided view: an elementwise copy kernel.
      auto linalgCopy = linalg::CopyOp::create(rewriter, loc, copy.getSource(),
                                               copy.getTarget());
      rewriter.eraseOp(op);
      if (::mlir::failed(sessa::gpumap::buildLinalgKernel(
              rewriter, cast<linalg::LinalgOp>(linalgCopy.getOperation()),
              sessa::gpumap::KernelOptions())))
        return signalPassFailure();
    }
  }
};
} // namespace
