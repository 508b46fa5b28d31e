//===- EntryPointABI.cpp - Destination-passing public functions -----------===//
#include "sessa/Dialect/Sessa/Transforms/EntryPointABI.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "sessa/Dialect/Sessa/IR/SessaOps.h"

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

/// A cache buffer whose rows are dense but whose batch stride is the
/// caller's (dimension 0 free): a view of the first rows of a larger
/// [B, capacity, ...] buffer, so that a decoding step can extend the cache
/// in place.
MemRefType batchStridedTypeOf(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  SmallVector<int64_t> strides(tensor.getRank(), 1);
  for (int64_t d = tensor.getRank() - 2; d >= 1; --d)
    strides[d] = strides[d + 1] * tensor.getDimSize(d + 1);
  strides[0] = ShapedType::kDynamic;
  return MemRefType::get(
      tensor.getShape(), tensor.getElementType(),
      StridedLayoutAttr::get(tensor.getContext(), /*offset=*/0, strides));
}

/// Rows dense: every dimension after the batch and row ones static.
bool hasDenseRows(Type type) {
  auto t = cast<RankedTensorType>(type);
  for (int64_t d = 2; d < t.getRank(); ++d)
    if (t.isDynamicDim(d))
      return false;
  return t.getRank() >= 2;
}

/// Whether `v` is only ever used as a cache operand of sessa.layer.
bool isLayerCacheInput(Value v) {
  if (v.use_empty())
    return false;
  for (OpOperand &use : v.getUses()) {
    auto layer = dyn_cast<sessa::LayerOp>(use.getOwner());
    if (!layer || !layer.hasCache())
      return false;
    Value o = use.get();
    if (o != layer.getKCache() && o != layer.getVCache() &&
        o != layer.getKbCache() && o != layer.getSCache())
      return false;
  }
  return hasDenseRows(v.getType());
}

/// Whether `v` is an extended cache produced by sessa.layer.
bool isLayerCacheOutput(Value v) {
  auto r = dyn_cast<OpResult>(v);
  auto layer = r ? dyn_cast<sessa::LayerOp>(r.getOwner()) : nullptr;
  return layer && llvm::is_contained(layer.getCacheOut(), v) &&
         hasDenseRows(v.getType());
}

LogicalResult rewriteEntryPoint(func::FuncOp func) {
  SmallVector<bool> stridedIn = sessa::batchStridedInputs(func);
  SmallVector<bool> stridedOut = sessa::batchStridedResults(func);
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
    arg.setType(stridedIn[arg.getArgNumber()] ? batchStridedTypeOf(tensorType)
                                              : bufferTypeOf(tensorType));
    auto toTensor = bufferization::ToTensorOp::create(
        b, arg.getLoc(), tensorType, arg, b.getUnitAttr());
    arg.replaceAllUsesExcept(toTensor.getResult(), toTensor);
  }
  // Outputs: one memref argument per result.
  SmallVector<Value> outs;
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    outs.push_back(entry.addArgument(
        stridedOut[i] ? batchStridedTypeOf(t) : bufferTypeOf(t),
        func.getLoc()));

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
  // Outputs: what the ABI says about their memory (EntryPointABI.h).
  for (unsigned i = type.getNumInputs(); i < inputs.size(); ++i)
    func.setArgAttr(i, sessa::kOutputArgAttrName, b.getUnitAttr());
  func.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                b.getUnitAttr());
  return success();
}

} // namespace

SmallVector<bool> mlir::sessa::batchStridedInputs(func::FuncOp func) {
  SmallVector<bool> out;
  for (BlockArgument arg : func.getArguments())
    out.push_back(isa<RankedTensorType>(arg.getType()) &&
                  isLayerCacheInput(arg));
  return out;
}

SmallVector<bool> mlir::sessa::batchStridedResults(func::FuncOp func) {
  SmallVector<bool> out(func.getNumResults(), true);
  func.walk([&](func::ReturnOp ret) {
    for (auto [i, v] : llvm::enumerate(ret.getOperands()))
      out[i] = out[i] && isa<RankedTensorType>(v.getType()) &&
               isLayerCacheOutput(v);
  });
  return out;
}

namespace {
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
