//===- AttentionLowering.cpp - sessa.attention to tiled online softmax ----===//
//
//   scf.forall (b, h, query tile) {
//     keys visible to the tile: [0, P + q0 + qn)   (later tiles never built),
//       transposed once unless the tile has few rows (decoding)
//     scf.for key tile: online softmax update (max, sum, acc += p @ v)
//     out = acc / sum
//   }
//
// Only [queryTile, keyTile] logits exist at a time: no T x S matrix.
//
//===----------------------------------------------------------------------===//
#include "Lowerings.h"
#include "sessa/Dialect/Sessa/Utils/TensorBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::lowering;

FailureOr<Value>
mlir::sessa::lowering::lowerAttention(RewriterBase &rewriter, AttentionOp op,
                                      const SessaTilingOptions &options) {
  TensorBuilder tb(rewriter, op.getLoc());
  ImplicitLocOpBuilder &b = tb.builder();
  Type elementType = op.getQuery().getType().getElementType();
  Value q = tb.toF32(op.getQuery());
  Value k = tb.toF32(op.getKey());
  Value v = tb.toF32(op.getValue());
  auto qType = cast<RankedTensorType>(q.getType());
  int64_t heads = qType.getDimSize(2), headDim = qType.getDimSize(3);
  int64_t kvHeads = cast<RankedTensorType>(k.getType()).getDimSize(2);
  int64_t group = heads / kvHeads;
  double scale = op.getEffectiveScale();
  // Decoding (a few query rows, known statically): no key transpose.
  bool fewQueryRows = !qType.isDynamicDim(1) &&
                      std::min(qType.getDimSize(1),
                               options.attentionQueryTile) <=
                          kMaxRowsForUntransposedKeys;

  Value batch = tb.index(tb.dim(q, 0));
  Value rows = tb.index(tb.dim(q, 1));
  Value keysTotal = tb.index(tb.dim(k, 1));
  Value prefix = arith::SubIOp::create(b, keysTotal, rows);
  Value qTile = tb.indexConst(options.attentionQueryTile);
  Value numTiles = arith::CeilDivSIOp::create(b, rows, qTile);

  // Many query rows: the keys transposed once for every query tile of the
  // call, [B, S, Hk, d] -> [B, Hk, d, S], so that each tile's logits product
  // reads both operands along contiguous rows (transposing the visible keys
  // per query tile would redo this work T / queryTile times).
  Value keysT;
  if (!fewQueryRows) {
    SmallVector<OpFoldResult> kDims = tb.dims(k);
    Value kInit = tb.empty({kDims[0], kDims[2], kDims[3], kDims[1]});
    keysT = linalg::TransposeOp::create(b, k, kInit,
                                        ArrayRef<int64_t>{0, 2, 3, 1})
                .getResult()[0];
  }

  Value init = tb.empty(tb.dims(q));
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, b.getIndexAttr(heads), numTiles},
      ValueRange{init}, std::nullopt);
  Block *body = forall.getBody();
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(body->getTerminator());
    TensorBuilder ib(b, op.getLoc());
    Value bi = forall.getInductionVar(0), hi = forall.getInductionVar(1);
    Value q0 = arith::MulIOp::create(b, forall.getInductionVar(2), qTile);
    Value qn = ib.minIndex(qTile, arith::SubIOp::create(b, rows, q0));
    OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
    OpFoldResult d = b.getIndexAttr(headDim);
    Value qSlice = ib.extract(q, {bi, q0, hi, zero}, {one, qn, one, d}, 2);
    Value kvh = arith::DivUIOp::create(b, hi, ib.indexConst(group));
    OpFoldResult allKeys = ib.dim(k, 1);
    Value kSlice = ib.extract(k, {bi, zero, kvh, zero}, {one, allKeys, one, d}, 2);
    Value vSlice = ib.extract(v, {bi, zero, kvh, zero}, {one, allKeys, one, d}, 2);
    // Row i of the tile (absolute position P + q0 + i) sees keys j <= P+q0+i.
    Value rowBase = arith::AddIOp::create(b, prefix, q0);
    Value keyEnd = arith::AddIOp::create(b, rowBase, qn);
    // The visible keys: [d, keys] from the transposed keys when the tile has
    // many query rows; read as stored when it has few.
    KeyLayout layout = fewQueryRows ? KeyLayout::Rows : KeyLayout::Transposed;
    Value keys =
        fewQueryRows
            ? ib.extract(kSlice, {zero, zero}, {keyEnd, d}, 2)
            : ib.extract(keysT, {bi, kvh, zero, zero}, {one, one, d, keyEnd},
                         2);
    SoftmaxState st = flashLoop(
        ib, qSlice, keys, layout, vSlice, keyEnd, options.keyTile, scale,
        [&](ImplicitLocOpBuilder &nb, Value i, Value j) {
          Value pos = arith::AddIOp::create(nb, rowBase, i);
          return arith::CmpIOp::create(nb, arith::CmpIPredicate::ule, j, pos)
              .getResult();
        });
    AffineExpr ei, ee;
    bindDims(b.getContext(), ei, ee);
    Value out = ib.map(
        ValueRange{st.acc, st.l},
        {b.getMultiDimIdentityMap(2), AffineMap::get(2, 0, {ei}, b.getContext())},
        ib.empty(ib.dims(st.acc)), [](ImplicitLocOpBuilder &nb, ValueRange a) {
          return arith::DivFOp::create(nb, a[0], a[1]).getResult();
        });
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    SmallVector<OpFoldResult> strides(4, one);
    tensor::ParallelInsertSliceOp::create(
        b, out, body->getArguments().back(),
        ArrayRef<OpFoldResult>{bi, q0, hi, zero},
        ArrayRef<OpFoldResult>{one, qn, one, d}, strides);
  }
  return tb.castTo(forall.getResult(0), elementType);
}
