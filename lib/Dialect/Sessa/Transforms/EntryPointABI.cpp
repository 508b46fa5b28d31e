//===- EntryPointABI.cpp - Destination-passing public functions -----------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAENTRYPOINTABI
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
MemRefType bufferTypeOf(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

LogicalResult rewriteEntryPoint(func::FuncOp func) {
  FunctionType type = func.getFunctionType();
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (!isa<RankedTensorType>(t))
      return func.emitError() << "entry point @" << func.getSymName()
                              << ": argument #" << i << " has type " << t
                              << "; artifact entry points take ranked tensors";
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (!isa<RankedTensorType>(t))
      return func.emitError() << "entry point @" << func.getSymName()
                              << ": result #" << i << " has type " << t
                              << "; artifact entry points return ranked tensors";

  Block &entry = func.getBody().front();
  OpBuilder b(func.getContext());
  b.setInsertionPointToStart(&entry);
  // Inputs: memref arguments read through restrict to_tensor.
  for (BlockArgument arg : entry.getArguments()) {
    Type tensorType = arg.getType();
    arg.setType(bufferTypeOf(tensorType));
    auto toTensor = bufferization::ToTensorOp::create(
        b, arg.getLoc(), tensorType, arg, b.getUnitAttr());
    arg.replaceAllUsesExcept(toTensor.getResult(), toTensor);
  }
  // Outputs: one memref argument per result.
  SmallVector<Value> outs;
  for (Type t : type.getResults())
    outs.push_back(entry.addArgument(bufferTypeOf(t), func.getLoc()));

  WalkResult walk = func.walk([&](func::ReturnOp ret) {
    if (ret->getBlock() != &entry && ret->getParentOp() != func) {
      ret.emitError() << "unsupported return in nested region";
      return WalkResult::interrupt();
    }
    b.setInsertionPoint(ret);
    for (auto [value, out] : llvm::zip(ret.getOperands(), outs))
      bufferization::MaterializeInDestinationOp::create(
          b, ret.getLoc(), Type(), value, out, b.getUnitAttr(),
          b.getUnitAttr());
    func::ReturnOp::create(b, ret.getLoc());
    ret.erase();
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  SmallVector<Type> inputs;
  for (BlockArgument arg : entry.getArguments())
    inputs.push_back(arg.getType());
  // Result attributes (e.g. names) move to the new output arguments.
  SmallVector<DictionaryAttr> argAttrs, resAttrs;
  func.getAllArgAttrs(argAttrs);
  func.getAllResultAttrs(resAttrs);
  argAttrs.append(resAttrs.begin(), resAttrs.end());
  func.setFunctionType(FunctionType::get(func.getContext(), inputs, {}));
  func.setAllArgAttrs(argAttrs);
  func.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                b.getUnitAttr());
  return success();
}

struct SessaEntryPointABIPass
    : mlir::sessa::impl::SessaEntryPointABIBase<SessaEntryPointABIPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      if (failed(rewriteEntryPoint(func)))
        return signalPassFailure();
    }
  }
};
} // namespace
