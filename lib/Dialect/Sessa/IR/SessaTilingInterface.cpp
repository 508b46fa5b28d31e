//===- SessaTilingInterface.cpp - TilingInterface of sessa ops ------------===//
//
// Tiles of the parallel dimensions are the same ops on slices:
//   rope               (B, T, H)   rows from t0 get position offset P + t0
//   attention          (B, T, Hk)  query heads of the kv-head tile, keys
//                                  [0, P + t0 + tn) visible to the row tile
//   feedback_attention (B, Hb)
//   selective_scan     (B, Dm)     channel tiles within a group or of whole
//                                  groups (static tile sizes)
//
//===----------------------------------------------------------------------===//
#include "sessa/Dialect/Sessa/IR/SessaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::sessa;

namespace {
/// Helpers for one tiling call.
struct Tiler {
  OpBuilder &b;
  Location loc;
  SmallVector<Operation *> slices;

  OpFoldResult zero() { return b.getIndexAttr(0); }
  OpFoldResult one() { return b.getIndexAttr(1); }
  OpFoldResult dim(Value v, int64_t i) {
    return tensor::getMixedSize(b, loc, v, i);
  }
  Value index(OpFoldResult ofr) {
    return getValueOrCreateConstantIndexOp(b, loc, ofr);
  }
  OpFoldResult add(OpFoldResult x, OpFoldResult y) {
    auto cx = getConstantIntValue(x), cy = getConstantIntValue(y);
    if (cx && cy)
      return b.getIndexAttr(*cx + *cy);
    return arith::AddIOp::create(b, loc, index(x), index(y)).getResult();
  }
  OpFoldResult sub(OpFoldResult x, OpFoldResult y) {
    auto cx = getConstantIntValue(x), cy = getConstantIntValue(y);
    if (cx && cy)
      return b.getIndexAttr(*cx - *cy);
    return arith::SubIOp::create(b, loc, index(x), index(y)).getResult();
  }
  OpFoldResult mul(OpFoldResult x, int64_t c) {
    if (auto cx = getConstantIntValue(x))
      return b.getIndexAttr(*cx * c);
    return arith::MulIOp::create(b, loc, index(x),
                                 arith::ConstantIndexOp::create(b, loc, c))
        .getResult();
  }
  OpFoldResult div(OpFoldResult x, int64_t c) {
    if (auto cx = getConstantIntValue(x))
      return b.getIndexAttr(*cx / c);
    return arith::DivUIOp::create(b, loc, index(x),
                                  arith::ConstantIndexOp::create(b, loc, c))
        .getResult();
  }
  /// A slice of `v` with the given offsets/sizes (same rank).
  Value slice(Value v, ArrayRef<OpFoldResult> offsets,
              ArrayRef<OpFoldResult> sizes) {
    if (!v)
      return v;
    SmallVector<OpFoldResult> strides(offsets.size(), one());
    auto op = tensor::ExtractSliceOp::create(b, loc, v, offsets, sizes, strides);
    slices.push_back(op);
    return op;
  }
  /// Slice along dimensions `dims` (offset/size pairs); others are whole.
  Value sliceDims(Value v, ArrayRef<std::tuple<int64_t, OpFoldResult,
                                               OpFoldResult>> dims) {
    if (!v)
      return v;
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    SmallVector<OpFoldResult> offsets(rank, zero()), sizes;
    for (int64_t i = 0; i < rank; ++i)
      sizes.push_back(dim(v, i));
    for (auto [d, off, size] : dims) {
      offsets[d] = off;
      sizes[d] = size;
    }
    return slice(v, offsets, sizes);
  }
};

SmallVector<Range> domainOf(OpBuilder &b, Location loc,
                            ArrayRef<std::pair<Value, int64_t>> dims) {
  SmallVector<Range> ranges;
  for (auto [v, d] : dims)
    ranges.push_back(Range{b.getIndexAttr(0),
                           tensor::getMixedSize(b, loc, v, d),
                           b.getIndexAttr(1)});
  return ranges;
}

SmallVector<utils::IteratorType> parallel(unsigned n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}
} // namespace

//===----------------------------------------------------------------------===//
// RopeOp: (B, T, H)
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> RopeOp::getLoopIteratorTypes() {
  return parallel(3);
}

SmallVector<Range> RopeOp::getIterationDomain(OpBuilder &b) {
  return domainOf(b, getLoc(),
                  {{getInput(), 0}, {getInput(), 1}, {getInput(), 2}});
}

FailureOr<TilingResult>
RopeOp::getTiledImplementation(OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                               ArrayRef<OpFoldResult> sizes) {
  Tiler t{b, getLoc(), {}};
  Value x = t.sliceDims(getInput(), {{0, offsets[0], sizes[0]},
                                     {1, offsets[1], sizes[1]},
                                     {2, offsets[2], sizes[2]}});
  OpFoldResult base = getOffset() ? OpFoldResult(getOffset())
                                  : b.getIndexAttr(getStaticOffset());
  OpFoldResult position = t.add(base, offsets[1]);
  Value offsetOperand;
  IntegerAttr staticOffset = b.getI64IntegerAttr(0);
  if (auto c = getConstantIntValue(position))
    staticOffset = b.getI64IntegerAttr(*c);
  else
    offsetOperand = t.index(position);
  auto tiled = RopeOp::create(b, getLoc(), x, offsetOperand, getBaseAttr(),
                              staticOffset);
  return TilingResult{{tiled}, {tiled.getResult()}, t.slices};
}

LogicalResult RopeOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  resultOffsets = {offsets[0], offsets[1], offsets[2], b.getIndexAttr(0)};
  resultSizes = {sizes[0], sizes[1], sizes[2],
                 tensor::getMixedSize(b, getLoc(), getInput(), 3)};
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp: (B, T, Hk)
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> AttentionOp::getLoopIteratorTypes() {
  return parallel(3);
}

SmallVector<Range> AttentionOp::getIterationDomain(OpBuilder &b) {
  return domainOf(b, getLoc(),
                  {{getQuery(), 0}, {getQuery(), 1}, {getKey(), 2}});
}

FailureOr<TilingResult>
AttentionOp::getTiledImplementation(OpBuilder &b,
                                    ArrayRef<OpFoldResult> offsets,
                                    ArrayRef<OpFoldResult> sizes) {
  Tiler t{b, getLoc(), {}};
  int64_t group = getQuery().getType().getDimSize(2) /
                  getKey().getType().getDimSize(2);
  // Keys visible to query rows [t0, t0 + tn): [0, P + t0 + tn), P = S - T.
  OpFoldResult prefix = t.sub(t.dim(getKey(), 1), t.dim(getQuery(), 1));
  OpFoldResult keyRows = t.add(t.add(prefix, offsets[1]), sizes[1]);
  Value q = t.sliceDims(getQuery(), {{0, offsets[0], sizes[0]},
                                     {1, offsets[1], sizes[1]},
                                     {2, t.mul(offsets[2], group),
                                      t.mul(sizes[2], group)}});
  auto kvSlice = [&](Value v) {
    return t.sliceDims(v, {{0, offsets[0], sizes[0]},
                           {1, t.zero(), keyRows},
                           {2, offsets[2], sizes[2]}});
  };
  // The scale stays that of the whole op (d is unchanged anyway).
  auto tiled = AttentionOp::create(b, getLoc(), q, kvSlice(getKey()),
                                   kvSlice(getValue()),
                                   b.getF64FloatAttr(getEffectiveScale()));
  return TilingResult{{tiled}, {tiled.getResult()}, t.slices};
}

LogicalResult AttentionOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  Tiler t{b, getLoc(), {}};
  int64_t group = getQuery().getType().getDimSize(2) /
                  getKey().getType().getDimSize(2);
  resultOffsets = {offsets[0], offsets[1], t.mul(offsets[2], group),
                   b.getIndexAttr(0)};
  resultSizes = {sizes[0], sizes[1], t.mul(sizes[2], group),
                 t.dim(getQuery(), 3)};
  return success();
}

//===----------------------------------------------------------------------===//
// FeedbackAttentionOp: (B, Hb)
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> FeedbackAttentionOp::getLoopIteratorTypes() {
  return parallel(2);
}

SmallVector<Range> FeedbackAttentionOp::getIterationDomain(OpBuilder &b) {
  return domainOf(b, getLoc(), {{getF(), 0}, {getF(), 2}});
}

FailureOr<TilingResult>
FeedbackAttentionOp::getTiledImplementation(OpBuilder &b,
                                            ArrayRef<OpFoldResult> offsets,
                                            ArrayRef<OpFoldResult> sizes) {
  Tiler t{b, getLoc(), {}};
  auto bh = [&](Value v) {
    return t.sliceDims(v, {{0, offsets[0], sizes[0]},
                           {2, offsets[1], sizes[1]}});
  };
  auto tiled = FeedbackAttentionOp::create(
      b, getLoc(), bh(getF()), bh(getQb()), bh(getKb()), bh(getGamma()),
      bh(getKbPrev()), bh(getSPrev()), b.getF64FloatAttr(getEffectiveScale()));
  return TilingResult{{tiled}, {tiled.getResult()}, t.slices};
}

LogicalResult FeedbackAttentionOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  Tiler t{b, getLoc(), {}};
  resultOffsets = {offsets[0], t.zero(), offsets[1], t.zero()};
  resultSizes = {sizes[0], t.dim(getF(), 1), sizes[1], t.dim(getF(), 3)};
  return success();
}

//===----------------------------------------------------------------------===//
// SelectiveScanOp: (B, Dm)
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> SelectiveScanOp::getLoopIteratorTypes() {
  return parallel(2);
}

SmallVector<Range> SelectiveScanOp::getIterationDomain(OpBuilder &b) {
  return domainOf(b, getLoc(), {{getU(), 0}, {getU(), 2}});
}

FailureOr<TilingResult>
SelectiveScanOp::getTiledImplementation(OpBuilder &b,
                                        ArrayRef<OpFoldResult> offsets,
                                        ArrayRef<OpFoldResult> sizes) {
  Tiler t{b, getLoc(), {}};
  int64_t channels = getU().getType().getDimSize(2);
  int64_t groups = getB().getType().getDimSize(2);
  int64_t perGroup = channels / groups;
  std::optional<int64_t> size = getConstantIntValue(sizes[1]);
  if (!size || *size <= 0 || (perGroup % *size != 0 && *size % perGroup != 0))
    return emitOpError() << "channel tiles must have a static size that "
                            "divides Dm / G = "
                         << perGroup << " or is a multiple of it";
  // Groups used by the tile: one (inside a group) or size / perGroup.
  OpFoldResult g0 = t.div(offsets[1], perGroup);
  OpFoldResult gn = b.getIndexAttr(std::max<int64_t>(1, *size / perGroup));
  auto bd = [&](Value v) {
    return t.sliceDims(v, {{0, offsets[0], sizes[0]}, {2, offsets[1], sizes[1]}});
  };
  auto channelsOf = [&](Value v, int64_t d) {
    return t.sliceDims(v, {{d, offsets[1], sizes[1]}});
  };
  auto groupsOf = [&](Value v) {
    return t.sliceDims(v, {{0, offsets[0], sizes[0]}, {2, g0, gn}});
  };
  Value h0 = getH0() ? t.sliceDims(getH0(), {{0, offsets[0], sizes[0]},
                                             {1, offsets[1], sizes[1]}})
                     : Value();
  Value u = bd(getU());
  auto uType = cast<RankedTensorType>(u.getType());
  auto stateType = RankedTensorType::get(
      {uType.getDimSize(0), *size, getA().getType().getDimSize(1)},
      uType.getElementType());
  auto tiled = SelectiveScanOp::create(
      b, getLoc(), TypeRange{uType, stateType}, u, bd(getDelta()),
      channelsOf(getA(), 0),
      groupsOf(getB()), groupsOf(getC()),
      getD() ? channelsOf(getD(), 0) : Value(), bd(getZ()),
      getDeltaBias() ? channelsOf(getDeltaBias(), 0) : Value(), h0,
      getDeltaSoftplusAttr());
  return TilingResult{{tiled}, {tiled.getY(), tiled.getLastState()},
                      t.slices};
}

LogicalResult SelectiveScanOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  Tiler t{b, getLoc(), {}};
  if (resultNumber == 0) {
    resultOffsets = {offsets[0], t.zero(), offsets[1]};
    resultSizes = {sizes[0], t.dim(getU(), 1), sizes[1]};
  } else {
    resultOffsets = {offsets[0], offsets[1], t.zero()};
    resultSizes = {sizes[0], sizes[1], t.dim(getA(), 1)};
  }
  return success();
}
