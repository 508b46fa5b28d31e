//===- GuardInPlaceCopies.cpp - Skip copies of a buffer onto itself -------===//
//
// memref.copy %in_view, %out_view  (both views of entry-point arguments)
//   ->
// scf.if (base, offset or strides of the two views differ) {
//   memref.copy %in_view, %out_view
// }
//
//===----------------------------------------------------------------------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAGUARDINPLACECOPIES
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
/// The function argument that `v` is a view of, if any.
BlockArgument rootArgument(Value v, func::FuncOp func) {
  while (true) {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return arg.getOwner() == &func.getBody().front() ? arg : BlockArgument();
    Operation *def = v.getDefiningOp();
    if (auto sub = dyn_cast_or_null<memref::SubViewOp>(def))
      v = sub.getSource();
    else if (auto cast = dyn_cast_or_null<memref::CastOp>(def))
      v = cast.getSource();
    else
      return BlockArgument();
  }
}

/// i1: whether the views `a` and `c` (same sizes) are different memory.
/// The stride of a dimension of size 1 does not matter: a one-batch cache
/// passed densely has batch stride P rows as the input and P + T rows as
/// the extended output, and is still the same memory.
Value viewsDiffer(ImplicitLocOpBuilder &b, Value a, Value c) {
  auto ma = memref::ExtractStridedMetadataOp::create(b, a);
  auto mc = memref::ExtractStridedMetadataOp::create(b, c);
  auto ne = [&](Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::ne, x, y)
        .getResult();
  };
  Value differ =
      ne(memref::ExtractAlignedPointerAsIndexOp::create(b, a),
         memref::ExtractAlignedPointerAsIndexOp::create(b, c));
  differ = arith::OrIOp::create(b, differ,
                                ne(ma.getOffset(), mc.getOffset()));
  auto type = cast<MemRefType>(a.getType());
  Value one;
  for (auto [dim, x, y] :
       llvm::enumerate(ma.getStrides(), mc.getStrides())) {
    int64_t size = type.getDimSize(dim);
    if (size == 1)
      continue;
    Value strideDiffers = ne(x, y);
    if (ShapedType::isDynamic(size)) {
      if (!one)
        one = arith::ConstantIndexOp::create(b, 1);
      strideDiffers = arith::AndIOp::create(
          b, strideDiffers, ne(ma.getSizes()[dim], one));
    }
    differ = arith::OrIOp::create(b, differ, strideDiffers);
  }
  return differ;
}

struct SessaGuardInPlaceCopiesPass
    : mlir::sessa::impl::SessaGuardInPlaceCopiesBase<
          SessaGuardInPlaceCopiesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp copy) {
      BlockArgument src = rootArgument(copy.getSource(), func);
      BlockArgument dst = rootArgument(copy.getTarget(), func);
      if (src && dst && src != dst)
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      ImplicitLocOpBuilder b(copy.getLoc(), copy);
      Value differ = viewsDiffer(b, copy.getSource(), copy.getTarget());
      auto guard = scf::IfOp::create(b, differ, /*withElseRegion=*/false);
      copy->moveBefore(guard.thenBlock()->getTerminator());
    }
  }
};
} // namespace
