//===- GPUGridDependencyControl.cpp - griddepcontrol for PDL --------------===//
//
// See the description of sessa-gpu-grid-dependency-control in Passes.td.
//
//===----------------------------------------------------------------------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAGPUGRIDDEPENDENCYCONTROL
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
/// The symbol the runtime looks up (lib/Runtime/SessaCudaRuntime.c).
constexpr llvm::StringLiteral kMarker = "__sessa_grid_dependency_wait";

/// Whether `chip` is an NVVM chip with griddepcontrol: sm_90 or later, and
/// one that the NVPTX backend knows (an unknown processor gets a default
/// subtarget that cannot select the instruction).
bool hasGridDependencyControl(StringRef chip) {
  if (!chip.consume_front("sm_"))
    return false;
  StringRef digits = chip.take_while([](char c) { return isdigit(c); });
  StringRef suffix = chip.drop_front(digits.size());
  unsigned v = 0;
  if (digits.empty() || digits.getAsInteger(10, v))
    return false;
  if (!(suffix.empty() || suffix == "a" || suffix == "f"))
    return false;
  for (unsigned known : {90u, 100u, 101u, 103u, 110u, 120u, 121u})
    if (v == known)
      return true;
  return false;
}

struct GPUGridDependencyControlPass
    : mlir::sessa::impl::SessaGPUGridDependencyControlBase<
          GPUGridDependencyControlPass> {
  using Base::Base;

  void runOnOperation() override {
    gpu::GPUModuleOp module = getOperation();
    ArrayAttr targets = module.getTargetsAttr();
    if (!targets || targets.empty())
      return;
    for (Attribute t : targets) {
      auto nvvm = dyn_cast<NVVM::NVVMTargetAttr>(t);
      if (!nvvm || !hasGridDependencyControl(nvvm.getChip()))
        return;
    }
    if (SymbolTable::lookupSymbolIn(module, kMarker))
      return; // done already (or a symbol of that name we must not touch)

    OpBuilder b(&getContext());
    module.walk([&](gpu::GPUFuncOp func) {
      if (!func.isKernel() || func.getBody().empty())
        return;
      Block &entry = func.getBody().front();
      b.setInsertionPointToStart(&entry);
      Location loc = func.getLoc();
      NVVM::GriddepcontrolOp::create(b, loc, NVVM::GridDepActionKind::wait);
      if (launchDependents)
        NVVM::GriddepcontrolOp::create(
            b, loc, NVVM::GridDepActionKind::launch_dependents);
    });

    // The marker: an external constant in global memory (kept by LLVM and
    // ptxas as a visible symbol of the image).
    b.setInsertionPointToStart(module.getBody());
    auto i32 = b.getI32Type();
    LLVM::GlobalOp::create(b, module.getLoc(), i32, /*isConstant=*/true,
                           LLVM::Linkage::External, kMarker,
                           b.getI32IntegerAttr(1), /*alignment=*/4,
                           /*addrSpace=*/1);
  }
};
} // namespace
