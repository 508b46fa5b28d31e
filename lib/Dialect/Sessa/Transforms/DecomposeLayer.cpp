//===- DecomposeLayer.cpp - sessa.layer to primitive ops and linalg -------===//
//
// SPEC section 5, token-major and flattened to [N = B*T, D] rows for the
// projections. Arithmetic is f32. By default f16/bf16 layers convert their
// operands once and round the results at the end; with `mixed-precision`
// the activations that feed products, RoPE, attention and the feedback stay
// in the storage type between ops (f32 accumulation inside each op).
//
//===----------------------------------------------------------------------===//
#include "sessa/Dialect/Sessa/IR/SessaOps.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"
#include "sessa/Dialect/Sessa/Utils/TensorBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSADECOMPOSELAYER
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::lowering;
using utils::IteratorType;

namespace {

/// `v` widened to f32 (unchanged if it is f32).
Value toF32Scalar(ImplicitLocOpBuilder &b, Value v) {
  return v.getType().isF32() ? v
                             : arith::ExtFOp::create(b, b.getF32Type(), v)
                                   .getResult();
}

class LayerDecomposer {
public:
  LayerDecomposer(RewriterBase &rewriter, LayerOp op, bool mixedPrecision)
      : op(op), tb(rewriter, op.getLoc()), b(tb.builder()),
        mixedPrecision(mixedPrecision) {}

  SmallVector<Value> run();

private:
  Value f32(Value v) { return v ? tb.toF32(v) : Value(); }
  /// A weight or cache: kept in its storage type with mixed precision.
  Value stored(Value v) { return mixed ? v : f32(v); }
  /// An activation between ops: rounded to the storage type with mixed
  /// precision.
  Value act(Value v) { return mixed ? tb.castTo(v, actType) : v; }
  /// x [N, K] times w [M, K] transposed, plus bias [M] if given.
  Value linear(Value x, Value w, Value bias);
  /// Rows [begin, begin + count) of a weight [M, K] (or of a bias [M]).
  Value rows(Value w, int64_t begin, int64_t count);
  Value layerNorm(Value x, Value weight, Value bias, double eps);
  Value gelu(Value a);
  /// [N, C] -> [B, T, shape...].
  Value unflatten(Value x, ArrayRef<int64_t> shape);
  /// [B, T, ...] -> [N, prod(...)].
  Value flatten(Value x);
  /// concat(prefix, rows) along dimension 1.
  Value concatRows(Value prefix, Value rows);

  LayerOp op;
  TensorBuilder tb;
  ImplicitLocOpBuilder &b;
  bool mixedPrecision;
  /// Whether activations stay f16/bf16 (mixed precision on a f16/bf16 layer).
  bool mixed = false;
  Type actType;
  OpFoldResult batch, time;
};

Value LayerDecomposer::linear(Value x, Value w, Value bias) {
  OpFoldResult n = tb.dim(x, 0), m = tb.dim(w, 0);
  MLIRContext *ctx = b.getContext();
  if (mixed) {
    // A zero-initialised product (the GPU's GEMM writes it without reading
    // it) and the bias added by an elementwise generic that fuses with the
    // consumer's rounding to the storage type.
    Value prod = tb.matmulTransposeB(x, w, tb.full({n, m}, 0.0));
    if (!bias)
      return prod;
    AffineExpr i, j;
    bindDims(ctx, i, j);
    return tb.map(ValueRange{prod, bias},
                  {b.getMultiDimIdentityMap(2), AffineMap::get(2, 0, {j}, ctx)},
                  tb.empty({n, m}),
                  [](ImplicitLocOpBuilder &nb, ValueRange a) {
                    return arith::AddFOp::create(nb, a[0], a[1]).getResult();
                  });
  }
  Value init;
  if (bias) {
    AffineExpr i, j;
    bindDims(ctx, i, j);
    init = tb.map(ValueRange{bias}, {AffineMap::get(2, 0, {j}, ctx)},
                  tb.empty({n, m}),
                  [](ImplicitLocOpBuilder &, ValueRange a) { return a[0]; });
  } else {
    init = tb.full({n, m}, 0.0);
  }
  return tb.matmulTransposeB(x, w, init);
}

Value LayerDecomposer::rows(Value w, int64_t begin, int64_t count) {
  if (!w)
    return w;
  auto type = cast<RankedTensorType>(w.getType());
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(begin)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(count)};
  if (type.getRank() == 2) {
    offsets.push_back(b.getIndexAttr(0));
    sizes.push_back(tb.dim(w, 1));
  }
  return tb.extract(w, offsets, sizes, type.getRank());
}

Value LayerDecomposer::layerNorm(Value x, Value weight, Value bias,
                                 double eps) {
  MLIRContext *ctx = b.getContext();
  OpFoldResult n = tb.dim(x, 0), dm = tb.dim(x, 1);
  int64_t width = cast<RankedTensorType>(x.getType()).getDimSize(1);
  Value invWidth = tb.f32Const(1.0 / static_cast<double>(width));
  // x may be f16/bf16: each generic widens its elements as it reads them
  // (no f32 copy of x is materialized).
  auto add = [](ImplicitLocOpBuilder &nb, Value acc, Value v) {
    return arith::AddFOp::create(nb, acc, toF32Scalar(nb, v)).getResult();
  };
  Value sum = tb.reduceLast(x, tb.full({n}, 0.0), add);
  Value mean = tb.mapIdentity(sum, tb.empty({n}),
                              [&](ImplicitLocOpBuilder &nb, ValueRange a) {
                                return arith::MulFOp::create(nb, a[0], invWidth)
                                    .getResult();
                              });
  AffineExpr i, j;
  bindDims(ctx, i, j);
  AffineMap id2 = b.getMultiDimIdentityMap(2);
  AffineMap row = AffineMap::get(2, 0, {i}, ctx);
  AffineMap col = AffineMap::get(2, 0, {j}, ctx);
  Value sq = tb.generic(
      ValueRange{x, mean}, tb.full({n}, 0.0), {id2, row, row},
      {IteratorType::parallel, IteratorType::reduction},
      [](ImplicitLocOpBuilder &nb, ValueRange a) {
        Value c = arith::SubFOp::create(nb, toF32Scalar(nb, a[0]), a[1]);
        return arith::AddFOp::create(nb, a[2], arith::MulFOp::create(nb, c, c))
            .getResult();
      });
  Value epsV = tb.f32Const(eps);
  Value rstd = tb.mapIdentity(
      sq, tb.empty({n}), [&](ImplicitLocOpBuilder &nb, ValueRange a) {
        Value var = arith::MulFOp::create(nb, a[0], invWidth);
        return math::RsqrtOp::create(nb, arith::AddFOp::create(nb, var, epsV))
            .getResult();
      });
  return tb.map(ValueRange{x, mean, rstd, weight, bias}, {id2, row, row, col, col},
                tb.empty({n, dm}), [](ImplicitLocOpBuilder &nb, ValueRange a) {
                  Value c =
                      arith::SubFOp::create(nb, toF32Scalar(nb, a[0]), a[1]);
                  Value normed = arith::MulFOp::create(nb, c, a[2]);
                  return arith::AddFOp::create(
                             nb, arith::MulFOp::create(nb, normed, a[3]), a[4])
                      .getResult();
                });
}

Value LayerDecomposer::gelu(Value a) {
  Value half = tb.f32Const(0.5), one = tb.f32Const(1.0);
  Value invSqrt2 = tb.f32Const(0.70710678118654752440);
  return tb.mapIdentity(a, tb.empty(tb.dims(a)),
                        [&](ImplicitLocOpBuilder &nb, ValueRange v) {
                          Value e = math::ErfOp::create(
                              nb, arith::MulFOp::create(nb, v[0], invSqrt2));
                          Value g = arith::MulFOp::create(
                              nb, arith::MulFOp::create(nb, half, v[0]),
                              arith::AddFOp::create(nb, one, e));
                          return g;
                        });
}

Value LayerDecomposer::unflatten(Value x, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> staticShape = {
      cast<RankedTensorType>(op.getX().getType()).getDimSize(0),
      cast<RankedTensorType>(op.getX().getType()).getDimSize(1)};
  staticShape.append(shape.begin(), shape.end());
  SmallVector<OpFoldResult> sizes = {batch, time};
  for (int64_t s : shape)
    sizes.push_back(b.getIndexAttr(s));
  ReassociationIndices trailing;
  for (size_t i = 0; i < shape.size(); ++i)
    trailing.push_back(2 + i);
  SmallVector<ReassociationIndices> reassoc = {{0, 1}, trailing};
  return tensor::ExpandShapeOp::create(
      b,
      RankedTensorType::get(
          staticShape, cast<RankedTensorType>(x.getType()).getElementType()),
      x, reassoc, sizes);
}

Value LayerDecomposer::flatten(Value x) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  ReassociationIndices trailing;
  for (int64_t i = 2; i < rank; ++i)
    trailing.push_back(i);
  SmallVector<ReassociationIndices> reassoc = {{0, 1}, trailing};
  return tensor::CollapseShapeOp::create(b, x, reassoc);
}

Value LayerDecomposer::concatRows(Value prefix, Value rows) {
  if (cast<RankedTensorType>(prefix.getType()).getDimSize(1) == 0)
    return rows; // a statically empty cache
  SmallVector<OpFoldResult> sizes = tb.dims(rows);
  OpFoldResult p = tb.dim(prefix, 1);
  SmallVector<OpFoldResult> total = sizes;
  std::optional<int64_t> ps = getConstantIntValue(p);
  std::optional<int64_t> ts = getConstantIntValue(sizes[1]);
  total[1] = ps && ts ? OpFoldResult(b.getIndexAttr(*ps + *ts))
                      : OpFoldResult(arith::AddIOp::create(
                                         b, tb.index(p), tb.index(sizes[1]))
                                         .getResult());
  SmallVector<OpFoldResult> zeros(sizes.size(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> prefixSizes = sizes;
  prefixSizes[1] = p;
  Value out = tb.insert(
      prefix,
      tb.empty(total, cast<RankedTensorType>(rows.getType()).getElementType()),
      zeros, prefixSizes);
  SmallVector<OpFoldResult> at = zeros;
  at[1] = p;
  return tb.insert(rows, out, at, sizes);
}

SmallVector<Value> LayerDecomposer::run() {
  Type elementType = op.getX().getType().getElementType();
  mixed = mixedPrecision && !elementType.isF32();
  actType = mixed ? elementType : b.getF32Type();
  int64_t dModel = op.getModelDim(), heads = op.getNumHeads();
  int64_t kvHeads = op.getNumKvHeads(), headDim = op.getHeadDim();
  // x stays in its storage type: LayerNorm and the residual widen it.
  Value x = op.getX();
  batch = tb.dim(x, 0);
  time = tb.dim(x, 1);
  Value x2 = flatten(x);

  Value u = act(layerNorm(x2, f32(op.getLnWeight()), f32(op.getLnBias()),
                          op.getEps().convertToDouble()));
  // [a|g] = u W_in^T + b_in, as two products on the weight's row halves so
  // that a and g are dense (no column views of a [N, 2D] matrix).
  // Biases are sliced before their conversion to f32: each half's
  // conversion then has one use and fuses into its bias add.
  Value wIn = stored(op.getWIn()), bIn = op.getBIn();
  Value abar = act(
      gelu(linear(u, rows(wIn, 0, dModel), f32(rows(bIn, 0, dModel)))));
  Value gate = act(
      linear(u, rows(wIn, dModel, dModel), f32(rows(bIn, dModel, dModel))));

  Value q = unflatten(
      act(linear(abar, stored(op.getQWeight()), f32(op.getQBias()))),
      {heads, headDim});
  Value k = unflatten(
      act(linear(abar, stored(op.getKWeight()), f32(op.getKBias()))),
      {kvHeads, headDim});
  Value v = unflatten(
      act(linear(abar, stored(op.getVWeight()), f32(op.getVBias()))),
      {kvHeads, headDim});
  Value kCache = stored(op.getKCache()), vCache = stored(op.getVCache());
  Value kbCache = stored(op.getKbCache()), sCache = stored(op.getSCache());
  if (op.getRope()) {
    // Positions continue after the cache.
    Value offset;
    IntegerAttr staticOffset = b.getI64IntegerAttr(0);
    if (kCache) {
      OpFoldResult p = tb.dim(kCache, 1);
      if (std::optional<int64_t> c = getConstantIntValue(p))
        staticOffset = b.getI64IntegerAttr(*c);
      else
        offset = tb.index(p);
    }
    FloatAttr base = b.getF64FloatAttr(op.getRopeBase().convertToDouble());
    q = RopeOp::create(b, q, offset, base, staticOffset);
    k = RopeOp::create(b, k, offset, base, staticOffset);
  }
  Value kAll = kCache ? concatRows(kCache, k) : k;
  Value vAll = vCache ? concatRows(vCache, v) : v;
  Value attn = AttentionOp::create(b, q, kAll, vAll, FloatAttr());
  Value f2 = flatten(attn);
  if (heads > 1)
    f2 = act(linear(f2, stored(op.getOutProj()), Value()));

  Value wFb = stored(op.getFbWeight()), bFb = op.getFbBias();
  Value qb = unflatten(
      act(linear(abar, rows(wFb, 0, dModel), f32(rows(bFb, 0, dModel)))),
      {1, dModel});
  Value kb = unflatten(act(linear(abar, rows(wFb, dModel, dModel),
                                  f32(rows(bFb, dModel, dModel)))),
                       {1, dModel});

  // gamma = gamma_max * tanh(gamma_bias + abar . gamma_ctx).
  MLIRContext *ctx = b.getContext();
  AffineExpr i, j;
  bindDims(ctx, i, j);
  OpFoldResult n = tb.dim(abar, 0);
  Value ctxRow = tb.extract(f32(op.getGammaCtx()),
                            {b.getIndexAttr(0), b.getIndexAttr(0)},
                            {b.getIndexAttr(1), b.getIndexAttr(dModel)}, 1);
  Value dots = tb.generic(
      ValueRange{abar, ctxRow}, tb.full({n}, 0.0),
      {b.getMultiDimIdentityMap(2), AffineMap::get(2, 0, {j}, ctx),
       AffineMap::get(2, 0, {i}, ctx)},
      {IteratorType::parallel, IteratorType::reduction},
      [](ImplicitLocOpBuilder &nb, ValueRange a) {
        Value x = a[0].getType().isF32()
                      ? a[0]
                      : arith::ExtFOp::create(nb, nb.getF32Type(), a[0])
                            .getResult();
        return arith::AddFOp::create(nb, a[2],
                                     arith::MulFOp::create(nb, x, a[1]))
            .getResult();
      });
  // gamma_bias [1] is read by the generic through a constant map (not
  // extracted on the host: on the GPU path it lives in device memory).
  Value gammaMax = tb.f32Const(op.getGammaMax().convertToDouble());
  AffineMap at0 = AffineMap::get(1, 0, {b.getAffineConstantExpr(0)}, ctx);
  Value gamma = tb.map(
      ValueRange{dots, f32(op.getGammaBias())},
      {b.getMultiDimIdentityMap(1), at0}, tb.empty({n}),
      [&](ImplicitLocOpBuilder &nb, ValueRange a) {
        Value t = math::TanhOp::create(nb, arith::AddFOp::create(nb, a[0], a[1]));
        return arith::MulFOp::create(nb, gammaMax, t).getResult();
      });
  Value gamma3 = tensor::ExpandShapeOp::create(
      b,
      RankedTensorType::get(
          {cast<RankedTensorType>(x.getType()).getDimSize(0),
           cast<RankedTensorType>(x.getType()).getDimSize(1), 1},
          b.getF32Type()),
      gamma, SmallVector<ReassociationIndices>{{0, 1, 2}},
      ArrayRef<OpFoldResult>{batch, time, b.getIndexAttr(1)});

  Value s = FeedbackAttentionOp::create(b, unflatten(f2, {1, dModel}), qb, kb,
                                        act(gamma3), kbCache, sCache,
                                        FloatAttr());
  Value s2 = flatten(s);
  Type f32Type = b.getF32Type();
  Value sg = tb.mapIdentity(
      ValueRange{s2, gate}, tb.empty(tb.dims(s2), actType),
      [&](ImplicitLocOpBuilder &nb, ValueRange a) {
        auto ext = [&](Value v) {
          return v.getType().isF32()
                     ? v
                     : arith::ExtFOp::create(nb, f32Type, v).getResult();
        };
        Value p = arith::MulFOp::create(nb, ext(a[0]), ext(a[1]));
        return mixed ? arith::TruncFOp::create(nb, actType, p).getResult() : p;
      });
  Value out = linear(sg, stored(op.getWOut()), f32(op.getBOut()));
  // The residual widens x (kept in its storage type) as it reads it.
  Value y2 = tb.mapIdentity(ValueRange{out, x2}, tb.empty(tb.dims(out)),
                            [](ImplicitLocOpBuilder &nb, ValueRange a) {
                              return arith::AddFOp::create(
                                         nb, a[0], toF32Scalar(nb, a[1]))
                                  .getResult();
                            });
  SmallVector<Value> results = {
      unflatten(tb.castTo(y2, elementType), {dModel})};
  if (op.hasCache()) {
    for (Value c : {kAll, vAll, concatRows(kbCache, kb), concatRows(sCache, s)})
      results.push_back(tb.castTo(c, elementType));
  }
  // Keep the op's exact result types.
  for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
    if (results[i].getType() != type)
      results[i] = tensor::CastOp::create(b, type, results[i]);
  return results;
}

struct DecomposeLayerPattern : OpRewritePattern<LayerOp> {
  DecomposeLayerPattern(MLIRContext *ctx, bool mixedPrecision)
      : OpRewritePattern(ctx), mixedPrecision(mixedPrecision) {}
  bool mixedPrecision;
  LogicalResult matchAndRewrite(LayerOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> results =
        LayerDecomposer(rewriter, op, mixedPrecision).run();
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct SessaDecomposeLayerPass
    : mlir::sessa::impl::SessaDecomposeLayerBase<SessaDecomposeLayerPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeLayerPattern>(&getContext(), mixedPrecision);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace
