//===- RopeLowering.cpp - sessa.rope to linalg ----------------------------===//
//
// The angles depend only on (t, i): cos/sin tables [T, d/2] are computed once
// in f64 (phi = (P + t) * w_i can exceed 1e4 rad, where f32 would lose
// digits), rounded to f32, then applied to every (b, h) pair by one generic
// over x viewed as [B, T, H, d/2, 2].
//
//===----------------------------------------------------------------------===//
#include "Lowerings.h"
#include "sessa/Dialect/Sessa/Utils/TensorBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::lowering;

FailureOr<Value> mlir::sessa::lowering::lowerRope(RewriterBase &rewriter,
                                                  RopeOp op) {
  TensorBuilder tb(rewriter, op.getLoc());
  ImplicitLocOpBuilder &b = tb.builder();
  MLIRContext *ctx = b.getContext();
  Type elementType = op.getInput().getType().getElementType();
  Value x = tb.toF32(op.getInput());
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t headDim = xType.getDimSize(3), half = headDim / 2;

  // w_i = base^(-2i/d), exactly in double at compile time.
  double base = op.getBase().convertToDouble();
  SmallVector<double> freqs;
  for (int64_t i = 0; i < half; ++i)
    freqs.push_back(std::pow(base, -2.0 * static_cast<double>(i) /
                                       static_cast<double>(headDim)));
  auto freqType = RankedTensorType::get({half}, b.getF64Type());
  Value freq = arith::ConstantOp::create(
      b, DenseElementsAttr::get(freqType, ArrayRef<double>(freqs)));

  Value offset = op.getOffset()
                     ? op.getOffset()
                     : tb.indexConst(op.getStaticOffset());
  OpFoldResult rows = tb.dim(x, 1);
  AffineExpr t, i;
  bindDims(ctx, t, i);
  AffineMap freqMap = AffineMap::get(2, 0, {i}, ctx);
  auto table = [&](bool isCos) {
    return tb.map(ValueRange{freq}, {freqMap},
                  tb.empty({rows, b.getIndexAttr(half)}),
                  [&](ImplicitLocOpBuilder &nb, ValueRange a) {
                    Value row = linalg::IndexOp::create(nb, 0);
                    Value pos = arith::AddIOp::create(nb, row, offset);
                    Value posI64 = arith::IndexCastOp::create(
                        nb, nb.getI64Type(), pos);
                    Value posF64 =
                        arith::SIToFPOp::create(nb, nb.getF64Type(), posI64);
                    Value phi = arith::MulFOp::create(nb, posF64, a[0]);
                    Value r = isCos ? math::CosOp::create(nb, phi).getResult()
                                    : math::SinOp::create(nb, phi).getResult();
                    return arith::TruncFOp::create(nb, nb.getF32Type(), r)
                        .getResult();
                  });
  };
  Value cosT = table(true), sinT = table(false);

  // View x as [B, T, H, d/2, 2].
  SmallVector<OpFoldResult> xDims = tb.dims(x);
  SmallVector<int64_t> pairShape(xType.getShape());
  pairShape.back() = half;
  pairShape.push_back(2);
  auto pairType = RankedTensorType::get(pairShape, b.getF32Type());
  SmallVector<ReassociationIndices> reassoc = {{0}, {1}, {2}, {3, 4}};
  Value pairs = tensor::ExpandShapeOp::create(
      b, pairType, x, reassoc,
      ArrayRef<OpFoldResult>{xDims[0], xDims[1], xDims[2],
                             b.getIndexAttr(half), b.getIndexAttr(2)});
  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  AffineExpr oneE = getAffineConstantExpr(1, ctx);
  SmallVector<AffineMap> maps = {
      AffineMap::get(5, 0, {d0, d1, d2, d3, zero}, ctx),
      AffineMap::get(5, 0, {d0, d1, d2, d3, oneE}, ctx),
      AffineMap::get(5, 0, {d1, d3}, ctx), AffineMap::get(5, 0, {d1, d3}, ctx)};
  Value rotated = tb.map(
      ValueRange{pairs, pairs, cosT, sinT}, maps,
      tb.empty(tensor::getMixedSizes(b, b.getLoc(), pairs)),
      [](ImplicitLocOpBuilder &nb, ValueRange a) {
        Value even = a[0], odd = a[1], c = a[2], s = a[3];
        Value p = linalg::IndexOp::create(nb, 4);
        Value isEven = arith::CmpIOp::create(
            nb, arith::CmpIPredicate::eq, p,
            arith::ConstantIndexOp::create(nb, 0));
        // even: x0 c - x1 s ; odd: x0 s + x1 c
        Value evenOut = arith::SubFOp::create(
            nb, arith::MulFOp::create(nb, even, c),
            arith::MulFOp::create(nb, odd, s));
        Value oddOut = arith::AddFOp::create(
            nb, arith::MulFOp::create(nb, even, s),
            arith::MulFOp::create(nb, odd, c));
        return arith::SelectOp::create(nb, isEven, evenOut, oddOut)
            .getResult();
      });
  Value out = tensor::CollapseShapeOp::create(b, xType, rotated, reassoc);
  return tb.castTo(out, elementType);
}
