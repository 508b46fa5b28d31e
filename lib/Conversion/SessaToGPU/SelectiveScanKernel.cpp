//===- SelectiveScanKernel.cpp - sessa.selective_scan on the GPU ----------===//
//
// One gpu.launch, grid (ceil(Dm / channelsPerBlock), B), 128 threads:
//
//   L lanes per channel (L = 4 when N % 4 == 0), each lane carrying N / L
//   states in registers (f32). A warp covers 32 / L consecutive channels, so
//   the loads of u, delta, z and the stores of y are coalesced over channels;
//   B and C are the same for every channel of a group (broadcast loads).
//   y = sum_n C h is reduced over the L lanes with xor shuffles.
//
//   for t0 in [0, T - T % U) step U:      // U = 4 time steps per iteration
//     load u, delta, z, B, C of the U steps   (independent: all in flight)
//     U recurrence steps                      (exp, FMA on the state)
//   tail: the remaining T % U steps one at a time
//   store h_T
//
// Out-of-range channels (Dm not a multiple of the block) compute a clamped
// copy of the last channel and skip their stores, so every lane of a warp
// takes part in the shuffles.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::gpukernels;

namespace {
constexpr int64_t kThreads = 128;
constexpr int64_t kUnroll = 4;
constexpr int64_t kMaxStatesPerLane = 64;

/// What one time step reads.
struct StepInputs {
  Value u, delta, z;
  SmallVector<Value> bv, cv;
};
} // namespace

FailureOr<SmallVector<Value>>
mlir::sessa::gpulowering::lowerSelectiveScan(RewriterBase &rewriter,
                                             SelectiveScanOp op) {
  Location loc = op.getLoc();
  auto uType = cast<RankedTensorType>(op.getU().getType());
  int64_t channels = uType.getDimSize(2);
  int64_t state = op.getA().getType().getDimSize(1);
  int64_t groups = op.getB().getType().getDimSize(2);
  int64_t perGroup = channels / groups;
  int64_t lanes = state % 4 == 0 ? 4 : state % 2 == 0 ? 2 : 1;
  int64_t perLane = state / lanes;
  if (perLane > kMaxStatesPerLane) {
    op.emitOpError() << "state size N = " << state
                     << " is too large for the GPU scan (at most "
                     << kMaxStatesPerLane * lanes
                     << " states per channel are kept in registers)";
    return failure();
  }
  int64_t channelsPerBlock = kThreads / lanes;
  bool softplus = op.getDeltaSoftplus();

  OpBuilder &b = rewriter;
  Value u = readBuffer(b, loc, op.getU());
  Value delta = readBuffer(b, loc, op.getDelta());
  Value aMat = readBuffer(b, loc, op.getA());
  Value bMat = readBuffer(b, loc, op.getB());
  Value cMat = readBuffer(b, loc, op.getC());
  auto opt = [&](Value v) { return v ? readBuffer(b, loc, v) : Value(); };
  Value dSkip = opt(op.getD()), z = opt(op.getZ());
  Value dBias = opt(op.getDeltaBias()), h0 = opt(op.getH0());

  Value batch = dim(b, loc, op.getU(), 0);
  Value rows = dim(b, loc, op.getU(), 1);
  SmallVector<Value> yDyn, hDyn;
  for (int64_t i = 0; i < 3; ++i)
    if (uType.isDynamicDim(i))
      yDyn.push_back(dim(b, loc, op.getU(), i));
  auto hType = cast<RankedTensorType>(op.getLastState().getType());
  if (hType.isDynamicDim(0))
    hDyn.push_back(batch);
  auto yType = cast<RankedTensorType>(op.getY().getType());
  // The result types may be more static than u's; allocate u's shape.
  Value yBuf = allocBuffer(
      b, loc, RankedTensorType::get(uType.getShape(), yType.getElementType()),
      yDyn);
  Value hBuf = allocBuffer(
      b, loc,
      RankedTensorType::get({uType.getDimSize(0), channels, state},
                            hType.getElementType()),
      hDyn);

  Value grid[] = {cst(b, loc, llvm::divideCeil(channels, channelsPerBlock)), batch};
  Value block[] = {cst(b, loc, kThreads)};
  buildLaunch(
      b, loc, grid, block, {},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value tid = ids.threadId[0];
        Value bi = ids.blockId[1];
        Value laneInGroup = arith::RemUIOp::create(b, loc, tid, cst(b, loc, lanes));
        Value channel = arith::AddIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc, ids.blockId[0],
                                  cst(b, loc, channelsPerBlock)),
            arith::DivUIOp::create(b, loc, tid, cst(b, loc, lanes)));
        Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                            channel, cst(b, loc, channels));
        Value ch = minIndex(b, loc, channel, cst(b, loc, channels - 1));
        Value g = arith::DivUIOp::create(b, loc, ch, cst(b, loc, perGroup));
        Value n0 = arith::MulIOp::create(b, loc, laneInGroup,
                                         cst(b, loc, perLane));
        SmallVector<Value> nIdx;
        for (int64_t i = 0; i < perLane; ++i)
          nIdx.push_back(arith::AddIOp::create(b, loc, n0, cst(b, loc, i)));

        // exp(dt A) = exp2(dt * (A log2 e)).
        Value log2e = cstF32(b, loc, 1.4426950408889634);
        SmallVector<Value> a2;
        for (Value n : nIdx)
          a2.push_back(arith::MulFOp::create(
              b, loc, loadF32(b, loc, aMat, {ch, n}), log2e));
        Value bias = dBias ? loadF32(b, loc, dBias, {ch}) : Value();
        Value skip = dSkip ? loadF32(b, loc, dSkip, {ch}) : Value();
        SmallVector<Value> hInit;
        for (Value n : nIdx)
          hInit.push_back(h0 ? loadF32(b, loc, h0, {bi, ch, n})
                             : cstF32(b, loc, 0.0));

        auto load = [&](OpBuilder &b, Location loc, Value t) {
          StepInputs in;
          in.u = loadF32(b, loc, u, {bi, t, ch});
          in.delta = loadF32(b, loc, delta, {bi, t, ch});
          if (z)
            in.z = loadF32(b, loc, z, {bi, t, ch});
          for (Value n : nIdx) {
            in.bv.push_back(loadF32(b, loc, bMat, {bi, t, g, n}));
            in.cv.push_back(loadF32(b, loc, cMat, {bi, t, g, n}));
          }
          return in;
        };
        // One recurrence step: returns the new states, stores y[t].
        auto step = [&](OpBuilder &b, Location loc, Value t,
                        const StepInputs &in, ValueRange h) {
          Value dt = in.delta;
          if (bias)
            dt = arith::AddFOp::create(b, loc, dt, bias);
          if (softplus) {
            // log(1 + exp(x)); = x beyond 20, = exp(x) below -15.
            Value e = math::ExpOp::create(b, loc, dt);
            Value sp = math::Log1pOp::create(b, loc, e);
            Value isBig = arith::CmpFOp::create(
                b, loc, arith::CmpFPredicate::OGT, dt, cstF32(b, loc, 20.0));
            Value isSmall = arith::CmpFOp::create(
                b, loc, arith::CmpFPredicate::OLT, dt, cstF32(b, loc, -15.0));
            Value tail = arith::SelectOp::create(b, loc, isSmall, e, sp);
            dt = arith::SelectOp::create(b, loc, isBig, dt, tail);
          }
          Value dtu = arith::MulFOp::create(b, loc, dt, in.u);
          SmallVector<Value> next;
          Value y;
          for (int64_t i = 0; i < perLane; ++i) {
            Value decay = math::Exp2Op::create(
                b, loc, arith::MulFOp::create(b, loc, dt, a2[i]));
            Value inject = arith::MulFOp::create(b, loc, dtu, in.bv[i]);
            Value hi = math::FmaOp::create(b, loc, decay, h[i], inject);
            next.push_back(hi);
            Value ci = arith::MulFOp::create(b, loc, in.cv[i], hi);
            y = y ? arith::AddFOp::create(b, loc, y, ci).getResult() : ci;
          }
          for (int64_t off = 1; off < lanes; off *= 2) {
            Value other = gpu::ShuffleOp::create(b, loc, y, off, 32,
                                                 gpu::ShuffleMode::XOR)
                              .getShuffleResult();
            y = arith::AddFOp::create(b, loc, y, other);
          }
          if (skip)
            y = math::FmaOp::create(b, loc, skip, in.u, y);
          if (in.z) {
            // z * sigmoid(z) = z / (1 + exp(-z)).
            Value e = math::ExpOp::create(
                b, loc, arith::NegFOp::create(b, loc, in.z));
            Value den = arith::AddFOp::create(b, loc, cstF32(b, loc, 1.0), e);
            y = arith::MulFOp::create(
                b, loc, y, arith::DivFOp::create(b, loc, in.z, den));
          }
          Value leader = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq, laneInGroup, cst(b, loc, 0));
          buildIf(b, loc, arith::AndIOp::create(b, loc, leader, valid),
                  [&](OpBuilder &b, Location loc) {
                    storeF32(b, loc, y, yBuf, {bi, t, ch});
                  });
          return next;
        };

        // Main loop: U steps per iteration, loads first.
        Value rem = arith::RemUIOp::create(b, loc, rows, cst(b, loc, kUnroll));
        Value mainEnd = arith::SubIOp::create(b, loc, rows, rem);
        auto mainLoop = scf::ForOp::create(
            b, loc, cst(b, loc, 0), mainEnd, cst(b, loc, kUnroll), hInit,
            [&](OpBuilder &b, Location loc, Value t0, ValueRange iter) {
              SmallVector<Value> ts;
              SmallVector<StepInputs> ins;
              for (int64_t k = 0; k < kUnroll; ++k) {
                ts.push_back(arith::AddIOp::create(b, loc, t0, cst(b, loc, k)));
                ins.push_back(load(b, loc, ts.back()));
              }
              SmallVector<Value> h(iter.begin(), iter.end());
              for (int64_t k = 0; k < kUnroll; ++k)
                h = step(b, loc, ts[k], ins[k], h);
              scf::YieldOp::create(b, loc, h);
            });
        auto tailLoop = scf::ForOp::create(
            b, loc, mainEnd, rows, cst(b, loc, 1), mainLoop.getResults(),
            [&](OpBuilder &b, Location loc, Value t, ValueRange iter) {
              StepInputs in = load(b, loc, t);
              scf::YieldOp::create(b, loc, step(b, loc, t, in, iter));
            });
        buildIf(b, loc, valid, [&](OpBuilder &b, Location loc) {
          for (int64_t i = 0; i < perLane; ++i)
            storeF32(b, loc, tailLoop.getResult(i), hBuf, {bi, ch, nIdx[i]});
        });
      });
  return SmallVector<Value>{toTensor(b, loc, yBuf), toTensor(b, loc, hBuf)};
}
