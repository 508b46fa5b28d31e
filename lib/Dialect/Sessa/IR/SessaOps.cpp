//===- SessaOps.cpp - Sessa op verifiers and shape reification -----------===//
//
// Each verifier states the shape of every operand and result symbolically,
// following ../shared/SPEC.md, and lets ShapeChecker bind and compare them.
//
//===----------------------------------------------------------------------===//
#include "sessa/Dialect/Sessa/IR/SessaOps.h"
#include "ShapeChecker.h"
#include "sessa/Dialect/Sessa/IR/ShapeSpec.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sessa;
using mlir::sessa::detail::ShapeChecker;
namespace sdetail = mlir::sessa::detail;

#define GET_OP_CLASSES
#include "sessa/Dialect/Sessa/IR/SessaOps.cpp.inc"

namespace {
/// Checks that every operand has the element type of `operands[0]`.
LogicalResult verifyElementTypes(Operation *op,
                                 ArrayRef<std::pair<Value, StringRef>> values) {
  ShapeChecker checker(op);
  Value first = values.front().first;
  Type elementType = cast<ShapedType>(first.getType()).getElementType();
  for (auto [value, label] : values.drop_front())
    if (value && failed(checker.checkElementType(value, label, elementType,
                                                 values.front().second)))
      return failure();
  return success();
}

std::optional<double> scaleOf(FloatAttr attr) {
  if (!attr)
    return std::nullopt;
  return attr.getValueAsDouble();
}

/// Result shape equal to the shape of `source`.
SmallVector<OpFoldResult> sameShapeAs(OpBuilder &b, Location loc,
                                      Value source) {
  return tensor::getMixedSizes(b, loc, source);
}

/// `a + b` as an OpFoldResult, folding constants.
OpFoldResult addSizes(OpBuilder &b, Location loc, OpFoldResult lhs,
                      OpFoldResult rhs) {
  std::optional<int64_t> l = getConstantIntValue(lhs);
  std::optional<int64_t> r = getConstantIntValue(rhs);
  if (l && r)
    return b.getIndexAttr(*l + *r);
  return arith::AddIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, lhs),
                               getValueOrCreateConstantIndexOp(b, loc, rhs))
      .getResult();
}
} // namespace

//===----------------------------------------------------------------------===//
// RopeOp
//===----------------------------------------------------------------------===//

LogicalResult RopeOp::verify() {
  ShapeChecker c(*this);
  if (failed(c.checkAll(getShapeSpec(*this))) ||
      failed(c.requireStatic(getInput(), "operand 'input'", 3, "d")))
    return failure();
  if (c.lookup("d") % 2 != 0)
    return emitOpError() << "operand 'input' must have an even head dimension "
                            "d (rotary pairs), but d = "
                         << c.lookup("d");
  if (!(getBase().convertToDouble() > 0.0) ||
      !std::isfinite(getBase().convertToDouble()))
    return emitOpError() << "attribute 'base' must be finite and positive, "
                            "but is "
                         << getBase().convertToDouble();
  int64_t staticOffset = static_cast<int64_t>(getStaticOffset());
  if (staticOffset < 0)
    return emitOpError() << "attribute 'static_offset' must be >= 0, but is "
                         << staticOffset;
  if (getOffset() && getStaticOffset() != 0)
    return emitOpError() << "position offset given both as operand 'offset' "
                            "and as attribute 'static_offset'; use one";
  return success();
}

LogicalResult
RopeOp::reifyResultShapes(OpBuilder &b,
                          ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  reifiedReturnShapes.push_back(sameShapeAs(b, getLoc(), getInput()));
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

double AttentionOp::getEffectiveScale() {
  if (FloatAttr s = getScaleAttr())
    return s.getValueAsDouble();
  return 1.0 / std::sqrt(static_cast<double>(getQuery().getType().getDimSize(3)));
}

LogicalResult AttentionOp::verify() {
  ShapeChecker c(*this);
  if (failed(verifyElementTypes(*this, {{getQuery(), "operand 'query'"},
                                        {getKey(), "operand 'key'"},
                                        {getValue(), "operand 'value'"}})))
    return failure();
  if (failed(c.checkAll(getShapeSpec(*this))))
    return failure();
  if (failed(c.requireStatic(getQuery(), "operand 'query'", 2, "H")) ||
      failed(c.requireStatic(getQuery(), "operand 'query'", 3, "d")) ||
      failed(c.requireStatic(getKey(), "operand 'key'", 2, "Hk")))
    return failure();
  int64_t h = c.lookup("H"), hk = c.lookup("Hk");
  if (h == 0 || hk == 0 || h % hk != 0)
    return emitOpError() << "query heads H = " << h
                         << " must be a positive multiple of key/value heads "
                            "Hk = "
                         << hk;
  int64_t t = c.lookup("T"), s = c.lookup("S");
  if (!ShapedType::isDynamic(t) && !ShapedType::isDynamic(s) && s < t)
    return emitOpError() << "operand 'key' has S = " << s
                         << " rows, fewer than the T = " << t
                         << " query rows; keys hold P >= 0 cached rows "
                            "followed by the T new rows (S = P + T)";
  return sdetail::verifyScale(*this, scaleOf(getScaleAttr()));
}

LogicalResult AttentionOp::reifyResultShapes(
    OpBuilder &b, ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  reifiedReturnShapes.push_back(sameShapeAs(b, getLoc(), getQuery()));
  return success();
}

//===----------------------------------------------------------------------===//
// FeedbackAttentionOp
//===----------------------------------------------------------------------===//

double FeedbackAttentionOp::getEffectiveScale() {
  if (FloatAttr s = getScaleAttr())
    return s.getValueAsDouble();
  return 1.0 / std::sqrt(static_cast<double>(getQb().getType().getDimSize(3)));
}

LogicalResult FeedbackAttentionOp::verify() {
  ShapeChecker c(*this);
  if (failed(verifyElementTypes(*this, {{getF(), "operand 'f'"},
                                        {getQb(), "operand 'qb'"},
                                        {getKb(), "operand 'kb'"},
                                        {getGamma(), "operand 'gamma'"},
                                        {getKbPrev(), "operand 'kb_prev'"},
                                        {getSPrev(), "operand 's_prev'"}})))
    return failure();
  if (failed(c.checkAll(getShapeSpec(*this))))
    return failure();
  if (failed(c.requireStatic(getF(), "operand 'f'", 2, "Hb")) ||
      failed(c.requireStatic(getF(), "operand 'f'", 3, "dv")) ||
      failed(c.requireStatic(getQb(), "operand 'qb'", 3, "dk")))
    return failure();
  if (static_cast<bool>(getKbPrev()) != static_cast<bool>(getSPrev()))
    return emitOpError() << "cache operands 'kb_prev' and 's_prev' must be "
                            "given together";
  return sdetail::verifyScale(*this, scaleOf(getScaleAttr()));
}

LogicalResult FeedbackAttentionOp::reifyResultShapes(
    OpBuilder &b, ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  reifiedReturnShapes.push_back(sameShapeAs(b, getLoc(), getF()));
  return success();
}

//===----------------------------------------------------------------------===//
// SelectiveScanOp
//===----------------------------------------------------------------------===//

LogicalResult SelectiveScanOp::verify() {
  ShapeChecker c(*this);
  if (failed(verifyElementTypes(
          *this, {{getU(), "operand 'u'"},
                  {getDelta(), "operand 'delta'"},
                  {getA(), "operand 'A'"},
                  {getB(), "operand 'B'"},
                  {getC(), "operand 'C'"},
                  {getD(), "operand 'D'"},
                  {getZ(), "operand 'z'"},
                  {getDeltaBias(), "operand 'delta_bias'"},
                  {getH0(), "operand 'h0'"},
                  {getY(), "result 'y'"},
                  {getLastState(), "result 'last_state'"}})))
    return failure();
  if (failed(c.checkAll(getShapeSpec(*this))) ||
      failed(c.requireStatic(getU(), "operand 'u'", 2, "Dm")) ||
      failed(c.requireStatic(getA(), "operand 'A'", 1, "N")) ||
      failed(c.requireStatic(getB(), "operand 'B'", 2, "G")))
    return failure();
  int64_t dm = c.lookup("Dm"), g = c.lookup("G");
  if (g == 0 || dm % g != 0)
    return emitOpError() << "channels Dm = " << dm
                         << " must be a multiple of the number of groups G = "
                         << g << " of operands 'B' and 'C'";
  return success();
}

LogicalResult SelectiveScanOp::reifyResultShapes(
    OpBuilder &b, ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  Location loc = getLoc();
  SmallVector<OpFoldResult> u = sameShapeAs(b, loc, getU());
  reifiedReturnShapes.push_back(u);
  reifiedReturnShapes.push_back(
      {u[0], u[2], b.getIndexAttr(getA().getType().getDimSize(1))});
  return success();
}

//===----------------------------------------------------------------------===//
// LayerOp
//===----------------------------------------------------------------------===//

int64_t LayerOp::getModelDim() {
  auto type = cast<RankedTensorType>(getX().getType());
  return type.getRank() == 3 ? type.getDimSize(2) : ShapedType::kDynamic;
}

LogicalResult LayerOp::verify() {
  ShapeChecker c(*this);
  SmallVector<ShapeSpecEntry> spec = getShapeSpec(*this);
  SmallVector<std::pair<Value, StringRef>> all;
  for (const ShapeSpecEntry &e : spec)
    all.push_back({e.value, e.label});
  for (Value r : getCacheOut())
    all.push_back({r, "result 'cache_out'"});
  if (failed(verifyElementTypes(*this, all)))
    return failure();

  // x first: it fixes D, from which every weight shape follows.
  if (failed(c.checkAll(ArrayRef(spec).take_front())) ||
      failed(c.requireStatic(getX(), "operand 'x'", 2, "D")))
    return failure();
  int64_t dModel = c.lookup("D");
  int64_t heads = getNumHeads(), kvHeads = getNumKvHeads();
  if (heads <= 0 || dModel % heads != 0)
    return emitOpError() << "attribute 'num_heads' = " << heads
                         << " must be positive and divide the model width D = "
                         << dModel;
  if (kvHeads <= 0 || heads % kvHeads != 0)
    return emitOpError() << "attribute 'num_kv_heads' = " << kvHeads
                         << " must be positive and divide num_heads = "
                         << heads;
  int64_t headDim = dModel / heads;
  if (getRope() && headDim % 2 != 0)
    return emitOpError() << "head dimension d = D / num_heads = " << headDim
                         << " must be even when 'rope' is on";
  double eps = getEps().convertToDouble();
  if (!(eps > 0.0) || !std::isfinite(eps))
    return emitOpError() << "attribute 'eps' must be finite and positive, "
                            "but is "
                         << eps;
  double gammaMax = getGammaMax().convertToDouble();
  if (!(gammaMax > 0.0 && gammaMax < 1.0))
    return emitOpError() << "attribute 'gamma_max' must lie in (0, 1), but is "
                         << gammaMax;
  double ropeBase = getRopeBase().convertToDouble();
  if (!(ropeBase > 0.0) || !std::isfinite(ropeBase))
    return emitOpError() << "attribute 'rope_base' must be finite and "
                            "positive, but is "
                         << ropeBase;
  if (heads > 1 && !getOutProj())
    return emitOpError() << "operand 'out_proj' is required when num_heads = "
                         << heads << " > 1";
  if (heads == 1 && getOutProj())
    return emitOpError() << "operand 'out_proj' must be absent when "
                            "num_heads = 1 (the forward branch has no output "
                            "projection)";
  int numCaches = (getKCache() ? 1 : 0) + (getVCache() ? 1 : 0) +
                  (getKbCache() ? 1 : 0) + (getSCache() ? 1 : 0);
  if (numCaches != 0 && numCaches != 4)
    return emitOpError() << "cache operands 'k_cache', 'v_cache', 'kb_cache' "
                            "and 's_cache' must be given all together, but "
                         << numCaches << " of 4 are given";
  if (numCaches == 0 && !getCacheOut().empty())
    return emitOpError() << "has " << getCacheOut().size()
                         << " cache results but no cache operands; expected "
                            "only the result 'y'";
  if (numCaches == 4 && getCacheOut().size() != 4)
    return emitOpError() << "with cache operands expects 4 cache results "
                            "(k, v, kb, s extended by T rows), but has "
                         << getCacheOut().size();

  c.bind("2*D", 2 * dModel, "the model width D");
  c.bind("d", headDim, "D / num_heads");
  c.bind("Hk", kvHeads, "attribute 'num_kv_heads'");
  c.bind("Hk*d", kvHeads * headDim, "num_kv_heads * d");
  c.bind("1", 1, "the single feedback head");
  if (failed(c.checkAll(ArrayRef(spec).drop_front())))
    return failure();
  // With P dynamic, the extended caches still hold at least the T new rows.
  int64_t t = c.lookup("T");
  for (Value r : getCacheOut()) {
    int64_t rows = cast<RankedTensorType>(r.getType()).getDimSize(1);
    if (!ShapedType::isDynamic(t) && !ShapedType::isDynamic(rows) && rows < t)
      return emitOpError() << "cache result has " << rows
                           << " rows, fewer than the T = " << t
                           << " new rows it must append; expected P + T rows";
  }
  return success();
}

LogicalResult
LayerOp::reifyResultShapes(OpBuilder &b,
                           ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  Location loc = getLoc();
  SmallVector<OpFoldResult> x = sameShapeAs(b, loc, getX());
  reifiedReturnShapes.push_back(x);
  if (!hasCache())
    return success();
  OpFoldResult rows =
      addSizes(b, loc, tensor::getMixedSize(b, loc, getKCache(), 1), x[1]);
  for (Value cache : {getKCache(), getVCache(), getKbCache(), getSCache()}) {
    SmallVector<OpFoldResult> shape = sameShapeAs(b, loc, cache);
    shape[0] = x[0];
    shape[1] = rows;
    reifiedReturnShapes.push_back(shape);
  }
  return success();
}
