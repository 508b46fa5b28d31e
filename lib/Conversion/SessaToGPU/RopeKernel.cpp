//===- RopeKernel.cpp - sessa.rope as one GPU kernel ----------------------===//
//
// One elementwise kernel over x : [B, T, H, d] viewed as rows (b, t, h) of
// d/2 interleaved pairs:
//
//   grid  (T, ceil(B*H / (rows per block * rowsPerThread)))
//   block (bx, by): bx threads over the pairs i of a row (consecutive lanes
//         read consecutive pairs: coalesced), by rows of (b, h) at a time
//
// A thread computes the angle of its (t, i) once, in f64 like the CPU
// lowering (w_i = base^(-2i/d), phi = (P + t) w_i can reach 1e4 rad where an
// f32 product would lose digits), rounds cos/sin to f32, and rotates that pair
// in every (b, h) row it owns, so the f64 work is amortised over B*H/gridDim.y
// rows. Loads and arithmetic in f32, stores in the storage type.
//
// lowerRopes puts several ropes in one launch (grid z: which one; x and y
// cover the largest): the rope of q and the rope of k of a layer are one
// kernel launch.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::gpukernels;

namespace {
/// Rows (b, h) a thread rotates with one angle computation (for the grid).
constexpr int64_t kRowsPerThread = 8;
/// Threads of a block.
constexpr int64_t kBlockThreads = 256;
} // namespace

namespace {
/// One rope of a launch: its buffers and shape.
struct RopeInput {
  RopeOp op;
  int64_t headDim, half, heads;
  Value x, out;
};
} // namespace

FailureOr<SmallVector<Value>>
mlir::sessa::gpulowering::lowerRope(RewriterBase &rewriter, RopeOp op) {
  return lowerRopes(rewriter, {op});
}

FailureOr<SmallVector<Value>>
mlir::sessa::gpulowering::lowerRopes(RewriterBase &rewriter,
                                     ArrayRef<RopeOp> ops) {
  OpBuilder &b = rewriter;
  Location loc = ops.back()->getLoc();
  SmallVector<RopeInput> inputs;
  int64_t maxHalf = 1;
  for (RopeOp op : ops) {
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    int64_t headDim = xType.getDimSize(3);
    if (ShapedType::isDynamic(headDim) || headDim % 2 != 0 ||
        ShapedType::isDynamic(xType.getDimSize(2)))
      return op.emitOpError("GPU lowering needs a static, even head dimension "
                            "and static heads");
    inputs.push_back({op, headDim, headDim / 2, xType.getDimSize(2), {}, {}});
    maxHalf = std::max(maxHalf, headDim / 2);
  }
  int64_t bx = std::min<int64_t>(llvm::PowerOf2Ceil(maxHalf), 128);
  int64_t by = std::max<int64_t>(1, kBlockThreads / bx);

  // The grid covers the largest of the inputs (grid z: which input).
  Value gridX, gridY;
  for (RopeInput &in : inputs) {
    auto xType = cast<RankedTensorType>(in.op.getInput().getType());
    in.x = readBuffer(b, loc, in.op.getInput());
    SmallVector<Value> dynSizes;
    for (int64_t i = 0; i < 4; ++i)
      if (xType.isDynamicDim(i))
        dynSizes.push_back(dim(b, loc, in.x, i));
    in.out = allocBuffer(b, loc, xType, dynSizes);

    Value batch = dim(b, loc, in.x, 0);
    Value hostRows = dim(b, loc, in.x, 1);
    Value hostBh = arith::MulIOp::create(b, loc, batch, cst(b, loc, in.heads));
    Value y = ceilDiv(b, loc, hostBh, cst(b, loc, by * kRowsPerThread));
    gridY = gridY ? arith::MaxUIOp::create(b, loc, gridY, y).getResult() : y;
    gridX = gridX ? arith::MaxUIOp::create(b, loc, gridX, hostRows).getResult()
                  : hostRows;
  }
  // An empty tensor still launches one (idle) block row: grid sizes are >= 1.
  gridY = arith::MaxUIOp::create(b, loc, gridY, cst(b, loc, 1));
  gridX = arith::MaxUIOp::create(b, loc, gridX, cst(b, loc, 1));
  SmallVector<Value> grid = {gridX, gridY};
  if (inputs.size() > 1)
    grid.push_back(cst(b, loc, inputs.size()));

  // The kernel of one input.
  auto rotate = [&](OpBuilder &kb, Location l, const LaunchIds &ids,
                    const RopeInput &in) {
    RopeOp op = in.op;
    Value x = in.x, out = in.out;
    int64_t heads = in.heads, half = in.half, headDim = in.headDim;
    double base = op.getBase().convertToDouble();
    // Sizes from the buffer inside the kernel: the outlined kernel takes
    // the memrefs (and a dynamic offset) alone.
    Value rows = dim(kb, l, x, 1);
    Value bh =
        arith::MulIOp::create(kb, l, dim(kb, l, x, 0), cst(kb, l, heads));
    Value offset =
        op.getOffset() ? op.getOffset() : cst(kb, l, op.getStaticOffset());
    Value t = ids.blockId[0];
    Value f64Pos = arith::SIToFPOp::create(
        kb, l, kb.getF64Type(),
        arith::IndexCastOp::create(kb, l, kb.getI64Type(),
                                   arith::AddIOp::create(kb, l, offset, t)));
    Value rowStart = arith::AddIOp::create(
        kb, l, ids.threadId[1],
        arith::MulIOp::create(kb, l, ids.blockId[1], ids.blockDim[1]));
    Value rowStep =
        arith::MulIOp::create(kb, l, ids.blockDim[1], ids.gridDim[1]);
    Value inRows =
        arith::CmpIOp::create(kb, l, arith::CmpIPredicate::ult, t, rows);
    buildIf(kb, l, inRows, [&](OpBuilder &ib, Location il) {
      buildFor(
          ib, il, ids.threadId[0], cst(ib, il, half), ids.blockDim[0],
          [&](OpBuilder &fb, Location fl, Value i) {
            // w_i = base^(-2i/d) and phi = (P + t) w_i in f64.
            Type f64 = fb.getF64Type();
            Value fi = arith::SIToFPOp::create(
                fb, fl, f64,
                arith::IndexCastOp::create(fb, fl, fb.getI64Type(), i));
            Value expo = arith::MulFOp::create(
                fb, fl, fi,
                arith::ConstantOp::create(
                    fb, fl, fb.getF64FloatAttr(-2.0 / double(headDim))));
            Value w = math::PowFOp::create(
                fb, fl,
                arith::ConstantOp::create(fb, fl, fb.getF64FloatAttr(base)),
                expo);
            Value phi = arith::MulFOp::create(fb, fl, f64Pos, w);
            Type f32 = fb.getF32Type();
            Value c = arith::TruncFOp::create(fb, fl, f32,
                                              math::CosOp::create(fb, fl, phi));
            Value s = arith::TruncFOp::create(fb, fl, f32,
                                              math::SinOp::create(fb, fl, phi));
            Value even = arith::MulIOp::create(fb, fl, i, cst(fb, fl, 2));
            Value odd = arith::AddIOp::create(fb, fl, even, cst(fb, fl, 1));
            buildFor(fb, fl, rowStart, bh, rowStep,
                     [&](OpBuilder &rb, Location rl, Value r) {
                       Value bi = arith::DivUIOp::create(rb, rl, r,
                                                         cst(rb, rl, heads));
                       Value hi = arith::RemUIOp::create(rb, rl, r,
                                                         cst(rb, rl, heads));
                       Value x0 = loadF32(rb, rl, x, {bi, t, hi, even});
                       Value x1 = loadF32(rb, rl, x, {bi, t, hi, odd});
                       Value o0 = arith::SubFOp::create(
                           rb, rl, arith::MulFOp::create(rb, rl, x0, c),
                           arith::MulFOp::create(rb, rl, x1, s));
                       Value o1 = arith::AddFOp::create(
                           rb, rl, arith::MulFOp::create(rb, rl, x0, s),
                           arith::MulFOp::create(rb, rl, x1, c));
                       storeF32(rb, rl, o0, out, {bi, t, hi, even});
                       storeF32(rb, rl, o1, out, {bi, t, hi, odd});
                     });
          });
    });
  };

  buildLaunch(b, loc, grid, {cst(b, loc, bx), cst(b, loc, by)}, {},
              [&](OpBuilder &kb, Location l, const LaunchIds &ids) {
                if (inputs.size() == 1)
                  return rotate(kb, l, ids, inputs[0]);
                for (int64_t z = 0, e = inputs.size(); z < e; ++z) {
                  Value mine =
                      arith::CmpIOp::create(kb, l, arith::CmpIPredicate::eq,
                                            ids.blockId[2], cst(kb, l, z));
                  buildIf(kb, l, mine, [&](OpBuilder &ib, Location il) {
                    rotate(ib, il, ids, inputs[z]);
                  });
                }
              });
  SmallVector<Value> results;
  for (RopeInput &in : inputs)
    results.push_back(toTensor(b, loc, in.out));
  return results;
}
