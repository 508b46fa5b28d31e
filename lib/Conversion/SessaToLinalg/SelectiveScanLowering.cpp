//===- SelectiveScanLowering.cpp - sessa.selective_scan to a time loop ----===//
//
//   scf.forall (b, channel tile) {          // tiles never straddle a group
//     h = h0 tile or 0                      // [tile, N], carried in f32
//     scf.for t { dt; h = exp(dt A) h + dt B_t u_t; y_t = C_t . h + D u_t;
//                 gate }
//   }
//
//===----------------------------------------------------------------------===//
#include "Lowerings.h"
#include "sessa/Dialect/Sessa/Utils/TensorBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::lowering;
using utils::IteratorType;

FailureOr<SmallVector<Value>> mlir::sessa::lowering::lowerSelectiveScan(
    RewriterBase &rewriter, SelectiveScanOp op,
    const SessaTilingOptions &options) {
  TensorBuilder tb(rewriter, op.getLoc());
  ImplicitLocOpBuilder &b = tb.builder();
  MLIRContext *ctx = b.getContext();
  Type elementType = op.getU().getType().getElementType();
  auto opt = [&](Value v) { return v ? tb.toF32(v) : Value(); };
  Value u = tb.toF32(op.getU()), delta = tb.toF32(op.getDelta());
  Value aMat = tb.toF32(op.getA());
  Value bMat = tb.toF32(op.getB()), cMat = tb.toF32(op.getC());
  Value dSkip = opt(op.getD()), z = opt(op.getZ());
  Value dBias = opt(op.getDeltaBias()), h0 = opt(op.getH0());
  bool softplus = op.getDeltaSoftplus();

  int64_t channels = cast<RankedTensorType>(u.getType()).getDimSize(2);
  int64_t state = cast<RankedTensorType>(aMat.getType()).getDimSize(1);
  int64_t groups = cast<RankedTensorType>(bMat.getType()).getDimSize(2);
  int64_t perGroup = channels / groups;
  int64_t tile = std::min<int64_t>(options.scanChannelTile, perGroup);
  while (perGroup % tile != 0)
    --tile;

  Value batch = tb.index(tb.dim(u, 0));
  Value rows = tb.index(tb.dim(u, 1));
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult tileS = b.getIndexAttr(tile), nS = b.getIndexAttr(state);
  Value yInit = tb.empty(tb.dims(u));
  Value hInit = tb.empty({tb.dim(u, 0), b.getIndexAttr(channels), nS});
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, b.getIndexAttr(channels / tile)},
      ValueRange{yInit, hInit}, std::nullopt);
  Block *body = forall.getBody();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(body->getTerminator());
  TensorBuilder ib(b, op.getLoc());
  Value bi = forall.getInductionVar(0);
  Value d0 = arith::MulIOp::create(b, forall.getInductionVar(1),
                                   ib.indexConst(tile));
  Value g = arith::DivUIOp::create(b, d0, ib.indexConst(perGroup));
  Value aTile = ib.extract(aMat, {d0, zero}, {tileS, nS}, 2);
  Value biasTile = dBias ? ib.extract(dBias, {d0}, {tileS}, 1) : Value();
  Value skipTile = dSkip ? ib.extract(dSkip, {d0}, {tileS}, 1) : Value();
  Value hStart = h0 ? ib.extract(h0, {bi, d0, zero}, {one, tileS, nS}, 2)
                    : ib.full({tileS, nS}, 0.0);
  Value yStart = ib.empty({rows, tileS});

  AffineExpr dE, nE;
  bindDims(ctx, dE, nE);
  AffineMap id2 = b.getMultiDimIdentityMap(2);
  AffineMap dMap = AffineMap::get(2, 0, {dE}, ctx);
  AffineMap nMap = AffineMap::get(2, 0, {nE}, ctx);

  auto loop = scf::ForOp::create(
      b, ib.indexConst(0), rows, ib.indexConst(1), ValueRange{hStart, yStart},
      [&](OpBuilder &nested, Location loc, Value t, ValueRange iter) {
        TensorBuilder lb(nested, loc);
        ImplicitLocOpBuilder &nb = lb.builder();
        auto rowOf = [&](Value src) {
          return lb.extract(src, {bi, t, d0}, {one, one, tileS}, 1);
        };
        Value uT = rowOf(u), deltaT = rowOf(delta);
        Value bT = lb.extract(bMat, {bi, t, g, zero}, {one, one, one, nS}, 1);
        Value cT = lb.extract(cMat, {bi, t, g, zero}, {one, one, one, nS}, 1);
        // dt = delta + bias, optionally softplus'ed.
        SmallVector<Value> dtIn = {deltaT};
        if (biasTile)
          dtIn.push_back(biasTile);
        Value dt = lb.mapIdentity(
            dtIn, lb.empty({tileS}), [&](ImplicitLocOpBuilder &bb, ValueRange a) {
              // a = (delta[, bias], out).
              Value x = biasTile ? arith::AddFOp::create(bb, a[0], a[1])
                                 : a[0];
              if (!softplus)
                return x;
              // log(1 + exp(x)); = x beyond 20 (where exp overflows soon)
              // and = exp(x) below -15 (where 1 + exp(x) rounds to 1).
              Value e = math::ExpOp::create(bb, x);
              Value sp = math::Log1pOp::create(bb, e);
              Value big = arith::ConstantOp::create(bb, bb.getF32FloatAttr(20));
              Value small =
                  arith::ConstantOp::create(bb, bb.getF32FloatAttr(-15));
              Value isBig =
                  arith::CmpFOp::create(bb, arith::CmpFPredicate::OGT, x, big);
              Value isSmall = arith::CmpFOp::create(
                  bb, arith::CmpFPredicate::OLT, x, small);
              Value tail = arith::SelectOp::create(bb, isSmall, e, sp);
              return arith::SelectOp::create(bb, isBig, x, tail).getResult();
            });
        // h = exp(dt A) h + dt B u.
        // (In place: the state is the generic's destination.)
        Value h = lb.map(
            ValueRange{aTile, dt, bT, uT}, {id2, dMap, nMap, dMap}, iter[0],
            [](ImplicitLocOpBuilder &bb, ValueRange a) {
              Value decay =
                  math::ExpOp::create(bb, arith::MulFOp::create(bb, a[1], a[0]));
              Value inject = arith::MulFOp::create(
                  bb, arith::MulFOp::create(bb, a[1], a[2]), a[3]);
              return arith::AddFOp::create(
                         bb, arith::MulFOp::create(bb, decay, a[4]), inject)
                  .getResult();
            });
        // y = D u + C . h, then the gate.
        Value yInit;
        if (skipTile)
          yInit = lb.mapIdentity(ValueRange{skipTile, uT}, lb.empty({tileS}),
                                 [](ImplicitLocOpBuilder &bb, ValueRange a) {
                                   return arith::MulFOp::create(bb, a[0], a[1])
                                       .getResult();
                                 });
        else
          yInit = lb.full({tileS}, 0.0);
        Value y = lb.generic(
            ValueRange{h, cT}, yInit, {id2, nMap, dMap},
            {IteratorType::parallel, IteratorType::reduction},
            [](ImplicitLocOpBuilder &bb, ValueRange a) {
              return arith::AddFOp::create(
                         bb, a[2], arith::MulFOp::create(bb, a[0], a[1]))
                  .getResult();
            });
        if (z) {
          Value zT = rowOf(z);
          y = lb.mapIdentity(
              ValueRange{y, zT}, lb.empty({tileS}),
              [](ImplicitLocOpBuilder &bb, ValueRange a) {
                Value oneF = arith::ConstantOp::create(bb, bb.getF32FloatAttr(1));
                Value negZ = arith::NegFOp::create(bb, a[1]);
                Value den = arith::AddFOp::create(
                    bb, oneF, math::ExpOp::create(bb, negZ));
                Value silu = arith::DivFOp::create(bb, a[1], den);
                return arith::MulFOp::create(bb, a[0], silu).getResult();
              });
        }
        Value yTile = lb.insert(y, iter[1], {t, zero}, {one, tileS});
        scf::YieldOp::create(nb, ValueRange{h, yTile});
      });
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  ValueRange shared = body->getArguments().take_back(2);
  tensor::ParallelInsertSliceOp::create(
      b, loop.getResult(1), shared[0], ArrayRef<OpFoldResult>{bi, zero, d0},
      ArrayRef<OpFoldResult>{one, rows, tileS},
      SmallVector<OpFoldResult>(3, one));
  tensor::ParallelInsertSliceOp::create(
      b, loop.getResult(0), shared[1], ArrayRef<OpFoldResult>{bi, d0, zero},
      ArrayRef<OpFoldResult>{one, tileS, nS},
      SmallVector<OpFoldResult>(3, one));
  b.setInsertionPointAfter(forall);
  return SmallVector<Value>{tb.castTo(forall.getResult(0), elementType),
                            tb.castTo(forall.getResult(1), elementType)};
}
