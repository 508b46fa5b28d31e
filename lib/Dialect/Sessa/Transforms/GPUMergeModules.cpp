//===- GPUMergeModules.cpp - One gpu.module for all outlined kernels ------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAGPUMERGEMODULES
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
/// A module that holds kernels only (what gpu-kernel-outlining makes).
bool holdsOnlyKernels(gpu::GPUModuleOp module) {
  for (Operation &op : module.getBody()->getOperations())
    if (!op.hasTrait<OpTrait::IsTerminator>() &&
        !(isa<gpu::GPUFuncOp>(op) && cast<gpu::GPUFuncOp>(op).isKernel()))
      return false;
  return true;
}

/// Equal attributes other than the symbol name (targets, offloading
/// handler, ...).
bool sameAttributes(gpu::GPUModuleOp a, gpu::GPUModuleOp b) {
  auto others = [](gpu::GPUModuleOp m) {
    SmallVector<NamedAttribute> attrs;
    for (NamedAttribute attr : m->getAttrs())
      if (attr.getName() != SymbolTable::getSymbolAttrName())
        attrs.push_back(attr);
    return attrs;
  };
  return others(a) == others(b);
}

struct SessaGPUMergeModulesPass
    : mlir::sessa::impl::SessaGPUMergeModulesBase<SessaGPUMergeModulesPass> {
  void runOnOperation() override {
    ModuleOp top = getOperation();
    SmallVector<gpu::GPUModuleOp> modules;
    for (auto module : top.getOps<gpu::GPUModuleOp>())
      if (holdsOnlyKernels(module) &&
          (modules.empty() || sameAttributes(module, modules.front())))
        modules.push_back(module);
    if (modules.size() < 2)
      return;

    MLIRContext *ctx = &getContext();
    OpBuilder b(modules.front());
    auto merged = gpu::GPUModuleOp::create(b, modules.front().getLoc(),
                                           "sessa_kernels");
    for (NamedAttribute attr : modules.front()->getAttrs())
      if (attr.getName() != SymbolTable::getSymbolAttrName())
        merged->setAttr(attr.getName(), attr.getValue());
    // Uniquify the merged module's name among the top-level symbols.
    SymbolTable topTable(top);
    merged->remove();
    topTable.insert(merged, Block::iterator(modules.front()));

    Block *body = merged.getBody();
    Operation *end = body->mightHaveTerminator() ? body->getTerminator()
                                                 : nullptr;
    DenseMap<SymbolRefAttr, SymbolRefAttr> retarget;
    for (gpu::GPUModuleOp module : modules) {
      StringAttr moduleName = module.getNameAttr();
      SmallVector<gpu::GPUFuncOp> funcs(module.getOps<gpu::GPUFuncOp>());
      for (gpu::GPUFuncOp func : funcs) {
        // Outlined kernels are one per module: the module name is unique.
        StringAttr newName =
            funcs.size() == 1
                ? moduleName
                : StringAttr::get(ctx, moduleName.getValue() + "_" +
                                           func.getName());
        auto oldRef = SymbolRefAttr::get(
            moduleName, {FlatSymbolRefAttr::get(func.getNameAttr())});
        func->moveBefore(body, end ? Block::iterator(end) : body->end());
        func.setName(newName);
        retarget[oldRef] = SymbolRefAttr::get(
            merged.getNameAttr(), {FlatSymbolRefAttr::get(newName)});
      }
    }
    top.walk([&](gpu::LaunchFuncOp launch) {
      auto it = retarget.find(launch.getKernel());
      if (it != retarget.end())
        launch.setKernelAttr(it->second);
    });
    for (gpu::GPUModuleOp module : modules)
      module.erase();
  }
};
} // namespace
