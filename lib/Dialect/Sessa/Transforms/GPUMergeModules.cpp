//===- GPUMergeModules.cpp - One gpu.module for all outlined kernels ------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"

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

/// Moves the kernels of `modules` (at least two) into one new gpu.module
/// named `name` (uniquified), placed where the first one was, and
/// retargets every launch of them in `top`.
void mergeModules(ModuleOp top, ArrayRef<gpu::GPUModuleOp> modules,
                  StringRef name) {
  MLIRContext *ctx = top.getContext();
  gpu::GPUModuleOp first = modules.front();
  OpBuilder b(first);
  auto merged = gpu::GPUModuleOp::create(b, first.getLoc(), name);
  for (NamedAttribute attr : first->getAttrs())
    if (attr.getName() != SymbolTable::getSymbolAttrName())
      merged->setAttr(attr.getName(), attr.getValue());
  SymbolTable topTable(top);
  merged->remove();
  topTable.insert(merged, Block::iterator(first));

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

struct SessaGPUMergeModulesPass
    : mlir::sessa::impl::SessaGPUMergeModulesBase<SessaGPUMergeModulesPass> {
  void runOnOperation() override {
    ModuleOp top = getOperation();
    // The top-level op (function) that launches each module's kernels;
    // null when several do.
    DenseMap<StringAttr, Operation *> owner;
    top.walk([&](gpu::LaunchFuncOp launch) {
      Operation *fn = top.getBody()->findAncestorOpInBlock(*launch);
      auto [it, inserted] =
          owner.try_emplace(launch.getKernelModuleName(), fn);
      if (!inserted && it->second != fn)
        it->second = nullptr;
    });
    llvm::MapVector<Operation *, SmallVector<gpu::GPUModuleOp>> groups;
    for (auto module : top.getOps<gpu::GPUModuleOp>()) {
      Operation *fn = owner.lookup(module.getNameAttr());
      if (!fn || !holdsOnlyKernels(module))
        continue;
      SmallVector<gpu::GPUModuleOp> &group = groups[fn];
      if (group.empty() || sameAttributes(module, group.front()))
        group.push_back(module);
    }
    for (auto &[fn, modules] : groups) {
      if (modules.size() < 2)
        continue;
      auto symbol = fn->getAttrOfType<StringAttr>(
          SymbolTable::getSymbolAttrName());
      mergeModules(top, modules,
                   symbol ? (symbol.getValue() + "_kernels").str()
                          : std::string("sessa_kernels"));
    }
  }
};
} // namespace
