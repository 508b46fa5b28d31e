//===- GPUKernelOccupancy.cpp - Occupancy markers to nvvm.minctasm --------===//
//
// See the description of sessa-gpu-kernel-occupancy in Passes.td.
//
//===----------------------------------------------------------------------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAGPUKERNELOCCUPANCY
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kMarker = "sessa.min_blocks_per_sm";

struct GPUKernelOccupancyPass
    : mlir::sessa::impl::SessaGPUKernelOccupancyBase<GPUKernelOccupancyPass> {
  void runOnOperation() override {
    getOperation().walk([&](gpu::GPUFuncOp func) {
      if (!func.isKernel())
        return;
      int64_t blocks = 0;
      func.walk([&](Operation *op) {
        if (auto n = op->getAttrOfType<IntegerAttr>(kMarker)) {
          blocks = std::max<int64_t>(blocks, n.getInt());
          op->removeAttr(kMarker);
        }
      });
      if (blocks <= 0)
        return;
      StringRef name = NVVM::NVVMDialect::getMinctasmAttrName();
      if (auto have = func->getAttrOfType<IntegerAttr>(name))
        blocks = std::max<int64_t>(blocks, have.getInt());
      func->setAttr(name, IntegerAttr::get(IntegerType::get(&getContext(), 32),
                                           blocks));
    });
  }
};
} // namespace
