//===- RopeKernel.cpp - sessa.rope as one GPU kernel ----------------------===//
//
// One elementwise kernel over x : [B, T, H, d] viewed as rows (b, t, h) of
// d/2 interleaved pairs:
//
//   grid  (T, ceil(B*H / (by * kRowsPerThread)))
//   block (bx, by): bx threads over groups of `vp` consecutive pairs of a
//         row (one 16-byte vector each where the layout allows: coalesced,
//         vectorised), by rows (b, h) at a time
//
// A thread computes the angles of its (t, pair group) once, in f64 like the
// CPU lowering (w_i = base^(-2i/d), phi = (P + t) w_i reaches 1e4 rad where
// an f32 product would lose digits), rounds cos/sin to f32, and rotates that
// group in every (b, h) row it owns (kUnroll rows per step, loads issued
// together), so the f64 work is amortised over the rows. Arithmetic in f32,
// stores in the storage type.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::gpukernels;

namespace {
/// Rows (b, h) a thread rotates with one angle computation (for the grid).
constexpr int64_t kRowsPerThread = 8;
/// Rows a thread loads before it stores (independent loads in flight).
constexpr int64_t kUnroll = 4;
/// Threads of a block.
constexpr int64_t kBlockThreads = 128;
/// Bytes of the widest access per thread.
constexpr int64_t kVectorBytes = 16;
} // namespace

FailureOr<SmallVector<Value>>
mlir::sessa::gpulowering::lowerRope(RewriterBase &rewriter, RopeOp op) {
  Location loc = op.getLoc();
  OpBuilder &b = rewriter;
  auto xType = cast<RankedTensorType>(op.getInput().getType());
  int64_t headDim = xType.getDimSize(3);
  if (ShapedType::isDynamic(headDim) || headDim % 2 != 0 ||
      ShapedType::isDynamic(xType.getDimSize(2)))
    return op.emitOpError(
        "GPU lowering needs a static, even head dimension and static heads");
  int64_t half = headDim / 2;
  int64_t heads = xType.getDimSize(2);
  Type storage = xType.getElementType();
  int64_t elemBytes = storage.getIntOrFloatBitWidth() / 8;
  // Pairs per thread: the widest group that divides the row and keeps every
  // access aligned to its size (rows start at multiples of d elements).
  int64_t vp = 1;
  for (int64_t cand = kVectorBytes / (2 * elemBytes); cand > 1; cand /= 2)
    if (half % cand == 0 && (headDim * elemBytes) % (2 * cand * elemBytes) == 0) {
      vp = cand;
      break;
    }
  int64_t groups = half / vp;
  int64_t bx = std::min<int64_t>(llvm::PowerOf2Ceil(groups), kBlockThreads);
  int64_t by = std::max<int64_t>(1, kBlockThreads / bx);
  auto vecType = VectorType::get({2 * vp}, storage);
  llvm::MaybeAlign align(2 * vp * elemBytes);

  Value x = readBuffer(b, loc, op.getInput());
  SmallVector<Value> dynSizes;
  for (int64_t i = 0; i < 4; ++i)
    if (xType.isDynamicDim(i))
      dynSizes.push_back(dim(b, loc, x, i));
  Value out = allocBuffer(b, loc, xType, dynSizes);

  Value batch = dim(b, loc, x, 0);
  Value hostRows = dim(b, loc, x, 1);
  Value hostBh = arith::MulIOp::create(b, loc, batch, cst(b, loc, heads));
  Value gridY = ceilDiv(b, loc, hostBh, cst(b, loc, by * kRowsPerThread));
  // An empty tensor still launches one (idle) block row: grid sizes are >= 1.
  gridY = arith::MaxUIOp::create(b, loc, gridY, cst(b, loc, 1));
  Value gridX = arith::MaxUIOp::create(b, loc, hostRows, cst(b, loc, 1));
  double base = op.getBase().convertToDouble();

  buildLaunch(
      b, loc, {gridX, gridY}, {cst(b, loc, bx), cst(b, loc, by)}, {},
      [&](OpBuilder &kb, Location l, const LaunchIds &ids) {
        // Sizes from the buffer inside the kernel: the outlined kernel takes
        // the memrefs (and a dynamic offset) alone.
        Value rows = dim(kb, l, x, 1);
        Value bh = arith::MulIOp::create(kb, l, dim(kb, l, x, 0),
                                         cst(kb, l, heads));
        Value offset = op.getOffset() ? op.getOffset()
                                      : cst(kb, l, op.getStaticOffset());
        Value t = ids.blockId[0];
        Value f64Pos = arith::SIToFPOp::create(
            kb, l, kb.getF64Type(),
            arith::IndexCastOp::create(kb, l, kb.getI64Type(),
                                       arith::AddIOp::create(kb, l, offset, t)));
        Value rowStart = addIndex(kb, l, ids.threadId[1],
                                  mulIndex(kb, l, ids.blockId[1],
                                           ids.blockDim[1]));
        Value rowStep = mulIndex(kb, l, ids.blockDim[1], ids.gridDim[1]);
        Value lastRow = arith::SubIOp::create(kb, l, bh, cst(kb, l, 1));
        Value active = arith::AndIOp::create(
            kb, l,
            arith::CmpIOp::create(kb, l, arith::CmpIPredicate::ult, t, rows),
            arith::CmpIOp::create(kb, l, arith::CmpIPredicate::ult,
                                  cst(kb, l, 0), bh));
        buildIf(kb, l, active, [&](OpBuilder &ib, Location il) {
          buildFor(ib, il, ids.threadId[0], cst(ib, il, groups),
                   ids.blockDim[0], [&](OpBuilder &fb, Location fl, Value gi) {
            // cos/sin of the vp pairs i = gi*vp + k: w_i = base^(-2i/d) and
            // phi = (P + t) w_i in f64, rounded to f32.
            Type f64 = fb.getF64Type(), f32 = fb.getF32Type();
            Value i0 = mulIndex(fb, fl, gi, cst(fb, fl, vp));
            Value fi0 = arith::SIToFPOp::create(
                fb, fl, f64,
                arith::IndexCastOp::create(fb, fl, fb.getI64Type(), i0));
            SmallVector<Value> cosv, sinv;
            for (int64_t k = 0; k < vp; ++k) {
              Value fi = arith::AddFOp::create(
                  fb, fl, fi0,
                  arith::ConstantOp::create(fb, fl, fb.getF64FloatAttr(k)));
              Value expo = arith::MulFOp::create(
                  fb, fl, fi,
                  arith::ConstantOp::create(
                      fb, fl, fb.getF64FloatAttr(-2.0 / double(headDim))));
              Value w = math::PowFOp::create(
                  fb, fl,
                  arith::ConstantOp::create(fb, fl, fb.getF64FloatAttr(base)),
                  expo);
              Value phi = arith::MulFOp::create(fb, fl, f64Pos, w);
              cosv.push_back(arith::TruncFOp::create(
                  fb, fl, f32, math::CosOp::create(fb, fl, phi)));
              sinv.push_back(arith::TruncFOp::create(
                  fb, fl, f32, math::SinOp::create(fb, fl, phi)));
            }
            Value col = mulIndex(fb, fl, i0, cst(fb, fl, 2));
            Value unrollStep = mulIndex(fb, fl, rowStep, cst(fb, fl, kUnroll));
            buildFor(fb, fl, rowStart, bh, unrollStep,
                     [&](OpBuilder &rb, Location rl, Value r0) {
              // Load kUnroll rows (clamped into range), then rotate and store
              // the ones that exist.
              SmallVector<Value> rowIdx, loaded;
              for (int64_t u = 0; u < kUnroll; ++u) {
                Value r = addIndex(rb, rl, r0,
                                   mulIndex(rb, rl, rowStep, cst(rb, rl, u)));
                rowIdx.push_back(r);
                Value rc = minIndex(rb, rl, r, lastRow);
                Value bi = divIndex(rb, rl, rc, cst(rb, rl, heads));
                Value hi = remIndex(rb, rl, rc, cst(rb, rl, heads));
                loaded.push_back(vector::LoadOp::create(
                    rb, rl, vecType, x, ValueRange{bi, t, hi, col},
                    /*nontemporal=*/false, align));
              }
              for (int64_t u = 0; u < kUnroll; ++u) {
                Value r = rowIdx[u];
                Value inRange = arith::CmpIOp::create(
                    rb, rl, arith::CmpIPredicate::ult, r, bh);
                buildIf(rb, rl, inRange, [&](OpBuilder &sb, Location sl) {
                  SmallVector<Value> res;
                  for (int64_t k = 0; k < vp; ++k) {
                    Value x0 = toF32(sb, sl, vector::ExtractOp::create(
                                                 sb, sl, loaded[u], 2 * k));
                    Value x1 = toF32(sb, sl, vector::ExtractOp::create(
                                                 sb, sl, loaded[u], 2 * k + 1));
                    Value c = cosv[k], s = sinv[k];
                    Value o0 = arith::SubFOp::create(
                        sb, sl, arith::MulFOp::create(sb, sl, x0, c),
                        arith::MulFOp::create(sb, sl, x1, s));
                    Value o1 = arith::AddFOp::create(
                        sb, sl, arith::MulFOp::create(sb, sl, x0, s),
                        arith::MulFOp::create(sb, sl, x1, c));
                    res.push_back(fromF32(sb, sl, o0, storage));
                    res.push_back(fromF32(sb, sl, o1, storage));
                  }
                  Value bi = divIndex(sb, sl, r, cst(sb, sl, heads));
                  Value hi = remIndex(sb, sl, r, cst(sb, sl, heads));
                  Value vec =
                      vector::FromElementsOp::create(sb, sl, vecType, res);
                  vector::StoreOp::create(sb, sl, vec, out,
                                          ValueRange{bi, t, hi, col},
                                          /*nontemporal=*/false, align);
                });
              }
            });
          });
        });
      });
  return SmallVector<Value>{toTensor(b, loc, out)};
}
