//===- TensorBuilder.cpp - Tensor-level building blocks -------------------===//
#include "sessa/Dialect/Sessa/Utils/TensorBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

#include <limits>

using namespace mlir;
using namespace mlir::sessa::lowering;
using utils::IteratorType;

Value TensorBuilder::f32Const(double v) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(static_cast<float>(v)));
}

Value TensorBuilder::indexConst(int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}

Value TensorBuilder::index(OpFoldResult ofr) {
  return getValueOrCreateConstantIndexOp(b, b.getLoc(), ofr);
}

OpFoldResult TensorBuilder::dim(Value tensor, int64_t i) {
  return tensor::getMixedSize(b, b.getLoc(), tensor, i);
}

SmallVector<OpFoldResult> TensorBuilder::dims(Value tensor) {
  return tensor::getMixedSizes(b, b.getLoc(), tensor);
}

Value TensorBuilder::empty(ArrayRef<OpFoldResult> sizes, Type elementType) {
  return tensor::EmptyOp::create(b, sizes, elementType ? elementType : f32());
}

Value TensorBuilder::full(ArrayRef<OpFoldResult> sizes, double value) {
  Value init = empty(sizes);
  return linalg::FillOp::create(b, ValueRange{f32Const(value)},
                                ValueRange{init})
      .getResult(0);
}

Value TensorBuilder::castTo(Value tensor, Type elementType) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Type from = type.getElementType();
  if (from == elementType)
    return tensor;
  Value init = empty(dims(tensor), elementType);
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = elementType.getIntOrFloatBitWidth();
  return mapIdentity(tensor, init, [&](ImplicitLocOpBuilder &nb, ValueRange a) {
    if (toWidth > fromWidth)
      return arith::ExtFOp::create(nb, elementType, a[0]).getResult();
    return arith::TruncFOp::create(nb, elementType, a[0]).getResult();
  });
}

Value TensorBuilder::toF32(Value tensor) { return castTo(tensor, f32()); }

Value TensorBuilder::generic(ValueRange inputs, Value init,
                             ArrayRef<AffineMap> maps,
                             ArrayRef<IteratorType> iterators,
                             const BodyFn &body) {
  auto op = linalg::GenericOp::create(
      b, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        Value result = body(nb, args);
        linalg::YieldOp::create(nb, result);
      });
  return op.getResult(0);
}

Value TensorBuilder::map(ValueRange inputs, ArrayRef<AffineMap> maps,
                         Value init, const BodyFn &body) {
  int64_t rank = cast<RankedTensorType>(init.getType()).getRank();
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
  return generic(inputs, init, allMaps, iterators, body);
}

Value TensorBuilder::mapIdentity(ValueRange inputs, Value init,
                                 const BodyFn &body) {
  int64_t rank = cast<RankedTensorType>(init.getType()).getRank();
  SmallVector<AffineMap> maps(inputs.size(), b.getMultiDimIdentityMap(rank));
  return map(inputs, maps, init, body);
}

Value TensorBuilder::reduceLast(
    Value input, Value init,
    const std::function<Value(ImplicitLocOpBuilder &, Value, Value)>
        &combine) {
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i + 1 < rank; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, outExprs, ctx)};
  SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
  iterators.back() = IteratorType::reduction;
  return generic(input, init, maps, iterators,
                 [&](ImplicitLocOpBuilder &nb, ValueRange a) {
                   Value r = combine(nb, a[1], a[0]);
                   // Row reductions may be reassociated, so that the loop
                   // over a row vectorizes (a few ulp of difference).
                   if (auto fm = r.getDefiningOp<arith::ArithFastMathInterface>())
                     fm->setAttr(fm.getFastMathAttrName(),
                                 arith::FastMathFlagsAttr::get(
                                     nb.getContext(),
                                     arith::FastMathFlags::reassoc));
                   return r;
                 });
}

static Value contraction(TensorBuilder &tb, Value lhs, Value rhs, Value init,
                         bool transposeRhs) {
  ImplicitLocOpBuilder &b = tb.builder();
  MLIRContext *ctx = b.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  SmallVector<AffineMap> maps = {
      AffineMap::get(3, 0, {m, k}, ctx),
      transposeRhs ? AffineMap::get(3, 0, {n, k}, ctx)
                   : AffineMap::get(3, 0, {k, n}, ctx),
      AffineMap::get(3, 0, {m, n}, ctx)};
  return tb.generic(
      ValueRange{lhs, rhs}, init, maps,
      {IteratorType::parallel, IteratorType::parallel,
       IteratorType::reduction},
      [&](ImplicitLocOpBuilder &nb, ValueRange a) {
        // f16/bf16 operands are extended to the accumulator's type.
        Type acc = a[2].getType();
        auto ext = [&](Value v) {
          return v.getType() == acc
                     ? v
                     : arith::ExtFOp::create(nb, acc, v).getResult();
        };
        Value prod = arith::MulFOp::create(nb, ext(a[0]), ext(a[1]));
        return arith::AddFOp::create(nb, a[2], prod).getResult();
      });
}

Value TensorBuilder::matmulTransposeB(Value a, Value w, Value init) {
  return contraction(*this, a, w, init, /*transposeRhs=*/true);
}

Value TensorBuilder::matmul(Value a, Value v, Value init) {
  return contraction(*this, a, v, init, /*transposeRhs=*/false);
}

Value TensorBuilder::extract(Value source, ArrayRef<OpFoldResult> offsets,
                             ArrayRef<OpFoldResult> sizes,
                             int64_t resultRank) {
  auto sourceType = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  RankedTensorType resultType =
      tensor::ExtractSliceOp::inferCanonicalRankReducedResultType(
          resultRank, sourceType, sizes);
  return tensor::ExtractSliceOp::create(b, resultType, source, offsets, sizes,
                                        strides);
}

Value TensorBuilder::insert(Value source, Value dest,
                            ArrayRef<OpFoldResult> offsets,
                            ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, source, dest, offsets, sizes,
                                       strides);
}

Value TensorBuilder::minIndex(Value a, Value bv) {
  return arith::MinSIOp::create(b, a, bv);
}

Value TensorBuilder::transpose(Value matrix) {
  Value init = empty({dim(matrix, 1), dim(matrix, 0)});
  return linalg::TransposeOp::create(b, matrix, init,
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

//===----------------------------------------------------------------------===//
// Online softmax
//===----------------------------------------------------------------------===//

static constexpr double kNegInf = -std::numeric_limits<double>::infinity();

SoftmaxState mlir::sessa::lowering::initSoftmaxState(TensorBuilder &tb,
                                                     OpFoldResult rows,
                                                     OpFoldResult dv) {
  return {tb.full({rows}, kNegInf), tb.full({rows}, 0.0),
          tb.full({rows, dv}, 0.0)};
}

Value mlir::sessa::lowering::safeMax(ImplicitLocOpBuilder &b, Value m) {
  Value negInf = arith::ConstantOp::create(
      b, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
  Value isNegInf =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, m, negInf);
  return arith::SelectOp::create(b, isNegInf, zero, m);
}

SoftmaxState mlir::sessa::lowering::updateSoftmaxState(
    TensorBuilder &tb, const SoftmaxState &state, Value logits, Value values) {
  // Every tensor of `state` is updated in place (its generic's destination
  // is the old value), so loops carrying the state bufferize without copies.
  ImplicitLocOpBuilder &b = tb.builder();
  MLIRContext *ctx = b.getContext();
  OpFoldResult rows = tb.dim(logits, 0);
  auto maxF = [](ImplicitLocOpBuilder &nb, Value acc, Value x) {
    return arith::MaximumFOp::create(nb, acc, x).getResult();
  };
  auto addF = [](ImplicitLocOpBuilder &nb, Value acc, Value x) {
    return arith::AddFOp::create(nb, acc, x).getResult();
  };
  AffineExpr i, j;
  bindDims(ctx, i, j);
  AffineMap rowMap = AffineMap::get(2, 0, {i}, ctx);
  AffineMap idMap = b.getMultiDimIdentityMap(2);
  AffineMap id1 = b.getMultiDimIdentityMap(1);

  // Tile row maximum, then the correction exp(m - safe(max(m, tileMax))).
  Value tileMax = tb.reduceLast(logits, tb.full({rows}, kNegInf), maxF);
  Value corr = tb.mapIdentity(
      ValueRange{state.m, tileMax}, tb.empty({rows}),
      [](ImplicitLocOpBuilder &nb, ValueRange a) {
        Value mNew = arith::MaximumFOp::create(nb, a[0], a[1]);
        Value shifted = arith::SubFOp::create(nb, a[0], safeMax(nb, mNew));
        return math::ExpOp::create(nb, shifted).getResult();
      });
  // m = max(m, tileMax).
  Value mNew = tb.map(ValueRange{tileMax}, {id1}, state.m,
                      [](ImplicitLocOpBuilder &nb, ValueRange a) {
                        return arith::MaximumFOp::create(nb, a[1], a[0])
                            .getResult();
                      });
  // p = exp(logits - safe(m)), in place of the logits.
  Value p = tb.map(ValueRange{mNew}, {rowMap}, logits,
                   [](ImplicitLocOpBuilder &nb, ValueRange a) {
                     Value shifted =
                         arith::SubFOp::create(nb, a[1], safeMax(nb, a[0]));
                     return math::ExpOp::create(nb, shifted).getResult();
                   });
  auto scaleOut = [](ImplicitLocOpBuilder &nb, ValueRange a) {
    return arith::MulFOp::create(nb, a[1], a[0]).getResult();
  };
  // l = l * corr + rowsum(p).
  Value lScaled = tb.map(ValueRange{corr}, {id1}, state.l, scaleOut);
  Value lNew = tb.reduceLast(p, lScaled, addF);
  // acc = acc * corr + p @ values.
  Value accScaled = tb.map(ValueRange{corr}, {rowMap}, state.acc, scaleOut);
  Value accNew = tb.matmul(p, values, accScaled);
  return {mNew, lNew, accNew};
}

Value mlir::sessa::lowering::maskedLogits(
    TensorBuilder &tb, Value q, Value keys, KeyLayout layout, double scale,
    const std::function<Value(ImplicitLocOpBuilder &, Value, Value)>
        &visible) {
  ImplicitLocOpBuilder &b = tb.builder();
  bool transposed = layout == KeyLayout::Transposed;
  OpFoldResult rows = tb.dim(q, 0), cols = tb.dim(keys, transposed ? 1 : 0);
  Value zeros = tb.full({rows, cols}, 0.0);
  Value dots = transposed ? tb.matmul(q, keys, zeros)
                          : tb.matmulTransposeB(q, keys, zeros);
  Value scaleV = tb.f32Const(scale);
  Value negInf = tb.f32Const(kNegInf);
  return tb.mapIdentity(
      dots, tb.empty({rows, cols}), [&](ImplicitLocOpBuilder &nb, ValueRange a) {
        Value scaled = arith::MulFOp::create(nb, a[0], scaleV);
        if (!visible)
          return scaled;
        Value i = linalg::IndexOp::create(nb, 0);
        Value j = linalg::IndexOp::create(nb, 1);
        Value ok = visible(nb, i, j);
        return arith::SelectOp::create(nb, ok, scaled, negInf).getResult();
      });
  (void)b;
}

SoftmaxState mlir::sessa::lowering::flashLoop(
    TensorBuilder &tb, Value q, Value keys, KeyLayout layout, Value values,
    Value keyEnd, int64_t keyTile, double scale,
    const std::function<Value(ImplicitLocOpBuilder &, Value, Value)>
        &visible,
    const SoftmaxState *initState) {
  ImplicitLocOpBuilder &b = tb.builder();
  bool transposed = layout == KeyLayout::Transposed;
  OpFoldResult rows = tb.dim(q, 0);
  OpFoldResult dk = tb.dim(keys, transposed ? 0 : 1), dv = tb.dim(values, 1);
  SoftmaxState init =
      initState ? *initState : initSoftmaxState(tb, rows, dv);
  Value zero = tb.indexConst(0), step = tb.indexConst(keyTile);
  auto loop = scf::ForOp::create(
      b, zero, keyEnd, step, ValueRange{init.m, init.l, init.acc},
      [&](OpBuilder &nested, Location loc, Value j0, ValueRange iter) {
        TensorBuilder inner(nested, loc);
        ImplicitLocOpBuilder &nb = inner.builder();
        Value remaining = arith::SubIOp::create(nb, keyEnd, j0);
        Value kn = inner.minIndex(remaining, step);
        OpFoldResult zero = nb.getIndexAttr(0);
        Value kTile = transposed
                          ? inner.extract(keys, {zero, j0}, {dk, kn}, 2)
                          : inner.extract(keys, {j0, zero}, {kn, dk}, 2);
        Value vTile =
            inner.extract(values, {j0, nb.getIndexAttr(0)}, {kn, dv}, 2);
        std::function<Value(ImplicitLocOpBuilder &, Value, Value)> tileVisible;
        if (visible)
          tileVisible = [&](ImplicitLocOpBuilder &bb, Value i, Value j) {
            return visible(bb, i, arith::AddIOp::create(bb, j0, j));
          };
        Value logits =
            maskedLogits(inner, q, kTile, layout, scale, tileVisible);
        SoftmaxState next = updateSoftmaxState(
            inner, SoftmaxState{iter[0], iter[1], iter[2]}, logits, vTile);
        scf::YieldOp::create(nb, ValueRange{next.m, next.l, next.acc});
      });
  return {loop.getResult(0), loop.getResult(1), loop.getResult(2)};
}
