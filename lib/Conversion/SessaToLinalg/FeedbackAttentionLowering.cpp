//===- FeedbackAttentionLowering.cpp - the blocked Sessa recurrence -------===//
//
// Per (b, h), rows are solved in chunks of C (SPEC section 3):
//   1. a flash pass over every earlier, already solved row j < P + t0 gives
//      the running max m, sum l and acc = sum_j exp(logit - m) s_j;
//   2. the chunk's strictly-lower C x C logits complete the row softmax:
//      coef_i = gamma_i / l_i (0 for a row with no visible key: s = f),
//      rhs_i  = f_i + coef_i * acc_i, A_ik = coef_i * exp(logit_ik - m_i);
//   3. forward substitution s_i = rhs_i + sum_{k<i} A_ik s_k.
// The cache is read where it is; besides the outputs, memory is
// O(T * (dk + dv)) per (b, h) (plus the transposed keys when T is not
// statically small): no T x T matrix.
//
//===----------------------------------------------------------------------===//
#include "Lowerings.h"
#include "sessa/Dialect/Sessa/Utils/TensorBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::lowering;
using utils::IteratorType;

namespace {
/// Forward substitution s_i = rhs_i + sum_{k<i} a[i, k] s_k on [n, dv].
Value forwardSubstitution(TensorBuilder &tb, Value a, Value rhs) {
  ImplicitLocOpBuilder &b = tb.builder();
  MLIRContext *ctx = b.getContext();
  OpFoldResult n = tb.dim(rhs, 0), dv = tb.dim(rhs, 1);
  auto loop = scf::ForOp::create(
      b, tb.indexConst(0), tb.index(n), tb.indexConst(1), ValueRange{rhs},
      [&](OpBuilder &nested, Location loc, Value i, ValueRange iter) {
        TensorBuilder ib(nested, loc);
        ImplicitLocOpBuilder &nb = ib.builder();
        OpFoldResult zero = nb.getIndexAttr(0), one = nb.getIndexAttr(1);
        Value s = iter[0];
        Value aRow = ib.extract(a, {i, zero}, {one, i}, 1);
        Value prev = ib.extract(s, {zero, zero}, {i, dv}, 2);
        // The sum accumulates into a fresh vector and is added to rhs_i in
        // a second one, so the solved rows are only read and s is written
        // once, by the insert below: no buffer copy of the prefix.
        // Loops (k, e): e innermost, so each step is a contiguous axpy.
        AffineExpr k, e;
        bindDims(ctx, k, e);
        Value sum = ib.generic(
            ValueRange{aRow, prev}, ib.full({dv}, 0.0),
            {AffineMap::get(2, 0, {k}, ctx), AffineMap::get(2, 0, {k, e}, ctx),
             AffineMap::get(2, 0, {e}, ctx)},
            {IteratorType::reduction, IteratorType::parallel},
            [](ImplicitLocOpBuilder &bb, ValueRange v) {
              Value prod = arith::MulFOp::create(bb, v[0], v[1]);
              return arith::AddFOp::create(bb, v[2], prod).getResult();
            });
        Value updated = ib.mapIdentity(
            ValueRange{ib.extract(s, {i, zero}, {one, dv}, 1), sum},
            ib.empty({dv}), [](ImplicitLocOpBuilder &bb, ValueRange v) {
              return arith::AddFOp::create(bb, v[0], v[1]).getResult();
            });
        Value next = ib.insert(updated, s, {i, zero}, {one, dv});
        scf::YieldOp::create(nb, next);
      });
  return loop.getResult(0);
}
/// Earlier rows that a chunk attends to: `keys` rows [0, keyEnd) (laid out
/// as the lowering chose) with their solved rows `values`.
struct KeySegment {
  Value keys, values, keyEnd;
};

/// The flash pass of a chunk's rows over the earlier rows, segment after
/// segment (the cache, then this call's solved rows), with the rows split
/// into blocks of `rowBlock` that run in parallel (the chunk loop itself is
/// sequential, so this is where a single (b, h) pair finds its parallelism;
/// nested in a parallel (b, h) loop it runs serially).
SoftmaxState parallelFlash(TensorBuilder &tb, Value q,
                           ArrayRef<KeySegment> segments, KeyLayout layout,
                           int64_t keyTile, int64_t rowBlock, double scale) {
  ImplicitLocOpBuilder &b = tb.builder();
  OpFoldResult rows = tb.dim(q, 0), dk = tb.dim(q, 1);
  OpFoldResult dv = tb.dim(segments.front().values, 1);
  Value block = tb.indexConst(rowBlock);
  Value numBlocks = arith::CeilDivSIOp::create(b, tb.index(rows), block);
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{numBlocks},
      ValueRange{tb.empty({rows}), tb.empty({rows}), tb.empty({rows, dv})},
      std::nullopt);
  Block *body = forall.getBody();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(body->getTerminator());
  TensorBuilder ib(b, b.getLoc());
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  Value r0 = arith::MulIOp::create(b, forall.getInductionVar(0), block);
  Value rn = ib.minIndex(block, arith::SubIOp::create(b, tb.index(rows), r0));
  Value qRows = ib.extract(q, {r0, zero}, {rn, dk}, 2);
  SoftmaxState st = initSoftmaxState(ib, rn, dv);
  for (const KeySegment &seg : segments)
    st = flashLoop(ib, qRows, seg.keys, layout, seg.values, seg.keyEnd,
                   keyTile, scale, nullptr, &st);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  ValueRange outs = body->getArguments().take_back(3);
  tensor::ParallelInsertSliceOp::create(b, st.m, outs[0],
                                        ArrayRef<OpFoldResult>{r0},
                                        ArrayRef<OpFoldResult>{rn},
                                        ArrayRef<OpFoldResult>{one});
  tensor::ParallelInsertSliceOp::create(b, st.l, outs[1],
                                        ArrayRef<OpFoldResult>{r0},
                                        ArrayRef<OpFoldResult>{rn},
                                        ArrayRef<OpFoldResult>{one});
  tensor::ParallelInsertSliceOp::create(
      b, st.acc, outs[2], ArrayRef<OpFoldResult>{r0, zero},
      ArrayRef<OpFoldResult>{rn, dv}, ArrayRef<OpFoldResult>{one, one});
  return {forall.getResult(0), forall.getResult(1), forall.getResult(2)};
}
} // namespace

FailureOr<Value> mlir::sessa::lowering::lowerFeedbackAttention(
    RewriterBase &rewriter, FeedbackAttentionOp op,
    const SessaTilingOptions &options) {
  TensorBuilder tb(rewriter, op.getLoc());
  ImplicitLocOpBuilder &b = tb.builder();
  MLIRContext *ctx = b.getContext();
  Type elementType = op.getF().getType().getElementType();
  Value f = tb.toF32(op.getF());
  Value qb = tb.toF32(op.getQb());
  Value kb = tb.toF32(op.getKb());
  Value gamma = tb.toF32(op.getGamma());
  // A cache that is statically empty is no cache (and empty slices of it
  // would not verify).
  bool hasRows = op.hasCache() &&
                 cast<RankedTensorType>(op.getKbPrev().getType()).getDimSize(1) != 0;
  Value kbPrev = hasRows ? tb.toF32(op.getKbPrev()) : Value();
  Value sPrev = hasRows ? tb.toF32(op.getSPrev()) : Value();
  auto fType = cast<RankedTensorType>(f.getType());
  int64_t heads = fType.getDimSize(2), dvS = fType.getDimSize(3);
  int64_t dkS = cast<RankedTensorType>(qb.getType()).getDimSize(3);
  double scale = op.getEffectiveScale();

  Value batch = tb.index(tb.dim(f, 0));
  Value rows = tb.index(tb.dim(f, 1));
  Value prefix = kbPrev ? tb.index(tb.dim(kbPrev, 1)) : tb.indexConst(0);
  Value chunk = tb.indexConst(options.feedbackChunk);

  Value init = tb.empty(tb.dims(f));
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, b.getIndexAttr(heads)},
      ValueRange{init}, std::nullopt);
  Block *body = forall.getBody();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(body->getTerminator());
  TensorBuilder ib(b, op.getLoc());
  Value bi = forall.getInductionVar(0), hi = forall.getInductionVar(1);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult dk = b.getIndexAttr(dkS), dv = b.getIndexAttr(dvS);

  // Keys and solved rows of this (b, h): the cache rows [0, P) are read
  // where they are (no concatenation), then this call's rows. The keys are
  // transposed once for the logits products when this call has many rows;
  // a decoding step (few rows, known statically) reads them as stored.
  KeyLayout layout =
      (!fType.isDynamicDim(1) &&
       fType.getDimSize(1) <= kMaxRowsForUntransposedKeys)
          ? KeyLayout::Rows
          : KeyLayout::Transposed;
  auto arrange = [&](Value keys) {
    return layout == KeyLayout::Rows ? keys : ib.transpose(keys);
  };
  Value kNew =
      arrange(ib.extract(kb, {bi, zero, hi, zero}, {one, rows, one, dk}, 2));
  Value kOld, sOld;
  if (kbPrev) {
    kOld = arrange(
        ib.extract(kbPrev, {bi, zero, hi, zero}, {one, prefix, one, dk}, 2));
    sOld = ib.extract(sPrev, {bi, zero, hi, zero}, {one, prefix, one, dv}, 2);
  }
  Value qAll = ib.extract(qb, {bi, zero, hi, zero}, {one, rows, one, dk}, 2);
  Value fAll = ib.extract(f, {bi, zero, hi, zero}, {one, rows, one, dv}, 2);
  Value gAll = ib.extract(gamma, {bi, zero, hi}, {one, rows, one}, 1);

  auto chunks = scf::ForOp::create(
      b, ib.indexConst(0), rows, chunk, ValueRange{ib.empty({rows, dv})},
      [&](OpBuilder &nested, Location loc, Value c0, ValueRange iter) {
        TensorBuilder cb(nested, loc);
        ImplicitLocOpBuilder &nb = cb.builder();
        Value s = iter[0];
        Value cn = cb.minIndex(chunk, arith::SubIOp::create(nb, rows, c0));
        Value qC = cb.extract(qAll, {c0, zero}, {cn, dk}, 2);
        Value fC = cb.extract(fAll, {c0, zero}, {cn, dv}, 2);
        Value gC = cb.extract(gAll, {c0}, {cn}, 1);
        // 1. Every earlier row, all visible: the cache's P rows, then this
        // call's rows [0, c0).
        SmallVector<KeySegment, 2> earlier;
        if (kbPrev)
          earlier.push_back({kOld, sOld, prefix});
        earlier.push_back({kNew, s, c0});
        SoftmaxState st =
            parallelFlash(cb, qC, earlier, layout, options.keyTile,
                          options.feedbackRowBlock, scale);
        // 2. The chunk's own strictly-lower block.
        Value kC = layout == KeyLayout::Rows
                       ? cb.extract(kNew, {c0, zero}, {cn, dk}, 2)
                       : cb.extract(kNew, {zero, c0}, {dk, cn}, 2);
        Value logits = maskedLogits(
            cb, qC, kC, layout, scale,
            [](ImplicitLocOpBuilder &bb, Value i, Value j) {
              return arith::CmpIOp::create(bb, arith::CmpIPredicate::ult, j, i)
                  .getResult();
            });
        // Row maximum over earlier rows and the chunk (a fresh tensor: the
        // correction below still reads st.m).
        Value tileMax = cb.reduceLast(
            logits, cb.full({cn}, -std::numeric_limits<double>::infinity()),
            [](ImplicitLocOpBuilder &bb, Value acc, Value x) {
              return arith::MaximumFOp::create(bb, acc, x).getResult();
            });
        Value mTot = cb.mapIdentity(
            ValueRange{st.m, tileMax}, cb.empty({cn}),
            [](ImplicitLocOpBuilder &bb, ValueRange a) {
              return arith::MaximumFOp::create(bb, a[0], a[1]).getResult();
            });
        AffineExpr i, k;
        bindDims(ctx, i, k);
        AffineMap id2 = nb.getMultiDimIdentityMap(2);
        AffineMap row2 = AffineMap::get(2, 0, {i}, ctx);
        Value pIn = cb.map(ValueRange{logits, mTot}, {id2, row2},
                           cb.empty({cn, cn}),
                           [](ImplicitLocOpBuilder &bb, ValueRange a) {
                             Value d = arith::SubFOp::create(
                                 bb, a[0], safeMax(bb, a[1]));
                             return math::ExpOp::create(bb, d).getResult();
                           });
        Value corr = cb.mapIdentity(
            ValueRange{st.m, mTot}, cb.empty({cn}),
            [](ImplicitLocOpBuilder &bb, ValueRange a) {
              Value d = arith::SubFOp::create(bb, a[0], safeMax(bb, a[1]));
              return math::ExpOp::create(bb, d).getResult();
            });
        Value lScaled = cb.mapIdentity(
            ValueRange{st.l, corr}, cb.empty({cn}),
            [](ImplicitLocOpBuilder &bb, ValueRange a) {
              return arith::MulFOp::create(bb, a[0], a[1]).getResult();
            });
        Value lTot = cb.reduceLast(
            pIn, lScaled, [](ImplicitLocOpBuilder &bb, Value acc, Value x) {
              return arith::AddFOp::create(bb, acc, x).getResult();
            });
        // coef_i = gamma_i / l_i, or 0 when row i sees no key.
        Value coef = cb.mapIdentity(
            ValueRange{gC, lTot}, cb.empty({cn}),
            [](ImplicitLocOpBuilder &bb, ValueRange a) {
              Value zeroF = arith::ConstantOp::create(bb, bb.getF32FloatAttr(0));
              Value positive = arith::CmpFOp::create(
                  bb, arith::CmpFPredicate::OGT, a[1], zeroF);
              Value q = arith::DivFOp::create(bb, a[0], a[1]);
              return arith::SelectOp::create(bb, positive, q, zeroF)
                  .getResult();
            });
        Value rhs = cb.map(
            ValueRange{fC, st.acc, coef, corr}, {id2, id2, row2, row2},
            cb.empty({cn, dv}), [](ImplicitLocOpBuilder &bb, ValueRange a) {
              Value w = arith::MulFOp::create(bb, a[2], a[3]);
              Value fb = arith::MulFOp::create(bb, w, a[1]);
              return arith::AddFOp::create(bb, a[0], fb).getResult();
            });
        Value aMat = cb.map(ValueRange{pIn, coef}, {id2, row2},
                            cb.empty({cn, cn}),
                            [](ImplicitLocOpBuilder &bb, ValueRange a) {
                              return arith::MulFOp::create(bb, a[0], a[1])
                                  .getResult();
                            });
        // 3. Solve the chunk and append it to the solved rows.
        Value sC = forwardSubstitution(cb, aMat, rhs);
        Value next = cb.insert(sC, s, {c0, zero}, {cn, dv});
        scf::YieldOp::create(nb, next);
      });
  Value solved = chunks.getResult(0);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  SmallVector<OpFoldResult> strides(4, one);
  tensor::ParallelInsertSliceOp::create(
      b, solved, body->getArguments().back(),
      ArrayRef<OpFoldResult>{bi, zero, hi, zero},
      ArrayRef<OpFoldResult>{one, rows, one, dv}, strides);
  b.setInsertionPointAfter(forall);
  return tb.castTo(forall.getResult(0), elementType);
}
