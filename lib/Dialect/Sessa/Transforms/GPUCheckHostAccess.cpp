//===- GPUCheckHostAccess.cpp - No host loads/stores of device memory -----===//
#include "GPULinalgKernels.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineMemoryOpInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAGPUCHECKHOSTACCESS
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
/// Why host code `op` would touch buffer contents, or null if it does not.
const char *hostAccessReason(Operation *op) {
  if (isa<gpu::GPUDialect>(op->getDialect()))
    return nullptr; // gpu.alloc / memcpy / memset / launch run on the device
  if (isa<memref::AllocOp, memref::AllocaOp>(op))
    return "allocates host memory (run sessa-gpu-device-memory)";
  if (isa<memref::GetGlobalOp>(op) &&
      llvm::any_of(op->getUsers(), [](Operation *user) {
        return !isa<gpu::MemcpyOp>(user);
      }))
    return "uses a host global other than as a gpu.memcpy source (run "
           "sessa-gpu-device-memory)";
  if (isa<bufferization::DeallocOp>(op))
    return "lowers to host code (the GPU path frees buffers with "
           "gpu.dealloc; do not run buffer-deallocation-pipeline)";
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return linalgOp.hasPureTensorSemantics()
               ? nullptr
               : "runs a linalg op on buffers on the host (run "
                 "sessa-gpu-map-linalg)";
  if (isa<memref::CopyOp>(op))
    return "copies buffers on the host (run sessa-gpu-device-memory)";
  if (isa<memref::LoadOp, affine::AffineReadOpInterface,
          vector::TransferReadOp, vector::LoadOp, vector::MaskedLoadOp,
          vector::GatherOp>(op))
    return "reads buffer elements on the host";
  if (isa<memref::StoreOp, affine::AffineWriteOpInterface,
          vector::TransferWriteOp, vector::StoreOp, vector::MaskedStoreOp,
          vector::ScatterOp, memref::AtomicRMWOp, memref::GenericAtomicRMWOp>(
          op))
    return "writes buffer elements on the host";
  // Anything else that declares reads or writes of a buffer.
  if (auto effects = dyn_cast<MemoryEffectOpInterface>(op)) {
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffects(list);
    for (const MemoryEffects::EffectInstance &e : list) {
      Value v = e.getValue();
      if (v && isa<BaseMemRefType>(v.getType()) &&
          isa<MemoryEffects::Read, MemoryEffects::Write>(e.getEffect()))
        return "reads or writes buffer elements on the host";
    }
  }
  return nullptr;
}

struct SessaGPUCheckHostAccessPass
    : mlir::sessa::impl::SessaGPUCheckHostAccessBase<
          SessaGPUCheckHostAccessPass> {
  void runOnOperation() override {
    bool failed = false;
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp, gpu::GPUModuleOp, gpu::GPUFuncOp>(op))
        return WalkResult::skip();
      if (const char *reason = hostAccessReason(op)) {
        op->emitError() << "host code of the GPU path " << reason;
        failed = true;
      }
      return WalkResult::advance();
    });
    if (failed)
      signalPassFailure();
  }
};
} // namespace
