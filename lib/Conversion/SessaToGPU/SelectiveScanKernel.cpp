//===- SelectiveScanKernel.cpp - sessa.selective_scan on the GPU ----------===//
//
// One gpu.launch, grid (channel blocks, B), 128 threads, state in f32
// registers. Two variants:
//
// Staged (buildStagedScan), when the blocks tile each group and rows of N
// are 16 bytes: L lanes per channel, N / L states each, 128 / L channels per
// block (4 warps per block). L = 2 for f32 with N = 16 (8 states per lane,
// 64-channel blocks: 1024 warps, 2 blocks per SM at B = 8, Dm = 2048; the
// fastest measured), where 64-channel blocks tile a group; else L = 4 when
// N % 4 == 0 (15.5 warps per SM at B = 8, Dm = 2048), else 2. u, delta, z
// (the block's channels) and B, C of 32 time steps per stage are copied by
// cp.async into 16-byte aligned dynamic shared memory, 2 to 4 stages in
// flight (as many as fit in 46 KB; the f32 L = 2 shape takes 2 stages of
// 28 KB with z, and the launcher opts in above 48 KB; rows past T
// zero-filled). The L rows of 32 / L channels a warp reads fall in distinct
// banks: f32 rows are unpadded with column c of row r at
// c ^ ((r % L) * 32 / L), 16-bit rows padded by 32 bytes. A stage is
// straight-line code in three phases:
//   1. lane k computes the per-channel scalars of its own step of each round
//      of L steps: dt = softplus(delta + bias) (0 past T, so the state goes
//      through those steps unchanged), dt u; f32: softplus = max(x, 0) +
//      log1p(exp(-|x|)), log1p a degree-8 polynomial on [0, 1];
//   2. per step, dt and dt u come from lane k by index shuffles, B and C of
//      the step as one vector load each when the lane's N / L values are 16
//      bytes at most (at L = 2, N = 16 f32 8 scalar loads each, which the
//      NVPTX load/store vectorizer merges into 2 x LDS.128), decay =
//      ex2.approx.ftz(dt A log2 e) and h = decay h + dt u B, partial y =
//      C . h over the lane's states; per round the L x L partial sums are reduce-scattered over
//      the lanes (log2 L xor shuffles), leaving each lane y of its own step;
//   3. y + D u, the z gate (exp and the reciprocal as MUFU approximations),
//      the stores: f32 before the barrier that frees the stage, u and z read
//      again from it (fewer registers live through 2); 16-bit after it.
// f32: stages wholly inside T run a second copy of the stage without the
// checks against T (a uniform branch), and the kernel asks for 4 (L = 4) or
// 2 (L = 2) resident blocks per SM (`sessa.min_blocks_per_sm`, made
// nvvm.minctasm by sessa-gpu-kernel-occupancy; without it ptxas takes ~160
// registers at L = 4 and only 3 blocks fit). 16-bit storage keeps the
// kernel of before these changes (not rerun on the device since).
// Tuning knobs (hidden, for measurements): -sessa-gpu-scan-{lanes, steps,
// stages, min-blocks, swizzle, fast-softplus, late-gate, full-chunks,
// full-issue}; bench/gpu/NOTES.md has what each measured.
//
// Direct (otherwise), grid (ceil(Dm / channelsPerBlock), B):
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
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/Support/CommandLine.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::gpukernels;

namespace {
// Tuning knobs of the staged kernel (hidden; for measurements, see
// bench/gpu): 0 = the defaults of stagedShape.
llvm::cl::opt<int64_t> clScanLanes(
    "sessa-gpu-scan-lanes", llvm::cl::init(0), llvm::cl::Hidden,
    llvm::cl::desc("lanes per channel of the staged selective-scan kernel "
                   "(2 or 4; 0: 4 when N % 4 == 0, else 2)"));
llvm::cl::opt<int64_t> clScanSteps(
    "sessa-gpu-scan-steps", llvm::cl::init(0), llvm::cl::Hidden,
    llvm::cl::desc("time steps per cp.async stage of the staged "
                   "selective-scan kernel (0: 32)"));

llvm::cl::opt<int64_t> clScanStages(
    "sessa-gpu-scan-stages", llvm::cl::init(0), llvm::cl::Hidden,
    llvm::cl::desc("cp.async stages in flight of the staged selective-scan "
                   "kernel (0: as many as fit in 46 KB, at most 4; above "
                   "48 KB the launch opts in to more dynamic shared memory)"));
llvm::cl::opt<int64_t> clScanMinBlocks(
    "sessa-gpu-scan-min-blocks", llvm::cl::init(0), llvm::cl::Hidden,
    llvm::cl::desc("blocks per SM the staged selective-scan kernel asks "
                   "ptxas to fit (nvvm.minctasm through "
                   "sessa-gpu-kernel-occupancy; 0: 4 or what the shared "
                   "memory allows, -1: no request)"));
llvm::cl::opt<bool> clScanLateGate(
    "sessa-gpu-scan-late-gate", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("staged selective scan: y + D u, the gate and the stores "
                   "before the barrier that frees the stage, u and z read "
                   "again from it (fewer registers live through the "
                   "recurrence)"));
llvm::cl::opt<bool> clScanFullChunks(
    "sessa-gpu-scan-full-chunks", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("staged selective scan: a second copy of the stage "
                   "without the checks against T, for the stages wholly "
                   "inside T"));
llvm::cl::opt<bool> clScanFullIssue(
    "sessa-gpu-scan-full-issue", llvm::cl::init(false), llvm::cl::Hidden,
    llvm::cl::desc("staged selective scan: the cp.async copies of chunks "
                   "wholly inside T without the zero fill and row clamps "
                   "(a uniform branch)"));
llvm::cl::opt<bool> clScanSwizzle(
    "sessa-gpu-scan-swizzle", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("f32 staged selective scan: unpadded channel rows with "
                   "an XOR swizzle instead of 32 bytes of row padding"));
llvm::cl::opt<bool> clScanFastSoftplus(
    "sessa-gpu-scan-fast-softplus", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("staged selective scan: softplus as max(x, 0) + "
                   "log1p(exp(-|x|)) with an FMA-pipe log1p on [0, 1] "
                   "(else libdevice's log1p and range selects)"));

constexpr int64_t kThreads = 128;
constexpr int64_t kUnroll = 4;
constexpr int64_t kMaxStatesPerLane = 64;

/// A knob of the staged kernel's changes of 2026-11-22 (stop 10): its value
/// when given; else its default for f32 storage, off for 16-bit storage
/// (those changes ran on the device only for f32).
bool stop10Knob(const llvm::cl::opt<bool> &knob, int64_t esize) {
  return knob.getNumOccurrences() ? knob.getValue()
                                  : knob.getValue() && esize == 4;
}

/// A unary NVVM intrinsic on f32 (a single MUFU instruction).
Value nvvmUnaryF32(OpBuilder &b, Location loc, StringRef name, Value x) {
  return LLVM::CallIntrinsicOp::create(b, loc, b.getF32Type(),
                                       b.getStringAttr(name), ValueRange{x})
      .getResult(0);
}

/// 2^x on the MUFU unit alone (ex2.approx.ftz: results below 2^-126 flush
/// to 0, where they are negligible against the state they decay), for the
/// B * T * Dm * N decays of the staged kernel.
Value exp2FtzF32(OpBuilder &b, Location loc, Value x) {
  return nvvmUnaryF32(b, loc, "llvm.nvvm.ex2.approx.ftz.f32", x);
}

/// exp(x): libdevice's (`math.exp`), or with `fast` ex2.approx.ftz of
/// x log2(e) (relative error about 2^-22 + |x| 2^-24: 3e-7 for |x| < 3).
Value expF32(OpBuilder &b, Location loc, Value x, bool fast) {
  if (!fast)
    return math::ExpOp::create(b, loc, x);
  return exp2FtzF32(
      b, loc, arith::MulFOp::create(b, loc, x, cstF32(b, loc, 1.4426950408889634)));
}

/// log(1 + exp(x)); = x beyond 20, = exp(x) below -15 (as the CPU path).
/// log1p stays libdevice's (an approximate log loses the small values).
Value softplusF32(OpBuilder &b, Location loc, Value x, bool fast = false) {
  Value e = expF32(b, loc, x, fast);
  Value sp = math::Log1pOp::create(b, loc, e);
  Value isBig = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                      cstF32(b, loc, 20.0));
  Value isSmall = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                        cstF32(b, loc, -15.0));
  Value tail = arith::SelectOp::create(b, loc, isSmall, e, sp);
  return arith::SelectOp::create(b, loc, isBig, x, tail);
}

/// log(1 + exp(x)) = max(x, 0) + log1p(e), e = exp(-|x|) in [0, 1]: no
/// range selects. exp is ex2.approx.ftz; log1p(e) = e + e^2 q(e) with q a
/// degree-7 polynomial (least-squares minimax fit of (log1p(e) - e) / e^2
/// on [0, 1]): 9 FMA-pipe instructions, at most 1.4e-7 relative error in
/// f32 (2.3 ulp, checked against float64 over [0, 1] and powers of two
/// down to 2^-139). NaN propagates (through the polynomial).
Value softplusFastF32(OpBuilder &b, Location loc, Value x) {
  Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
  Value e = expF32(b, loc, negAbs, /*fast=*/true);
  static const double q[] = {-0.499996483, 0.333213329,  -0.248572588,
                             0.191540182,  -0.137545332, 0.0792125985,
                             -0.0300704073, 0.00536589837};
  Value acc = cstF32(b, loc, q[7]);
  for (int i = 6; i >= 0; --i)
    acc = math::FmaOp::create(b, loc, acc, e, cstF32(b, loc, q[i]));
  Value eq = arith::MulFOp::create(b, loc, e, acc);
  Value l1p = math::FmaOp::create(b, loc, e, eq, e);
  Value pos = arith::MaximumFOp::create(b, loc, x, cstF32(b, loc, 0.0));
  return arith::AddFOp::create(b, loc, pos, l1p);
}

/// z * sigmoid(z) = z / (1 + exp(-z)); with `fast`, z * rcp.approx.ftz(1 +
/// exp(-z)) (1 ulp; exp(-z) = inf gives z * 0, the limit).
Value siluF32(OpBuilder &b, Location loc, Value z, bool fast = false) {
  Value e = expF32(b, loc, arith::NegFOp::create(b, loc, z), fast);
  Value den = arith::AddFOp::create(b, loc, cstF32(b, loc, 1.0), e);
  if (!fast)
    return arith::DivFOp::create(b, loc, z, den);
  return arith::MulFOp::create(
      b, loc, z, nvvmUnaryF32(b, loc, "llvm.nvvm.rcp.approx.ftz.f", den));
}

/// What one time step reads.
struct StepInputs {
  Value u, delta, z;
  SmallVector<Value> bv, cv;
};
/// The buffers and sizes of one scan.
struct ScanBuffers {
  Value u, delta, aMat, bMat, cMat, dSkip, z, dBias, h0, yBuf, hBuf;
  Value batch, rows;
  int64_t channels, state, perGroup;
  bool softplus;
};

/// Staged variant (see the file comment): 128 threads, `lanes` lanes per
/// channel (4 when N % 4 == 0, else 2), `tc` time steps per cp.async stage.
/// Requires: the block's channels inside one group, 16-byte rows of B/C (N).
struct StagedShape {
  int64_t lanes, cpb, perLane, v, tc, row;
  /// f32 rows unpadded (row == cpb), column c of row r stored at
  /// c ^ ((r % lanes) * (32 / lanes)): the lanes x (32 / lanes) elements a
  /// warp reads in phases 1 and 3 fall in distinct banks, 16-byte pieces
  /// stay whole.
  bool swizzle;
  /// f32, N = 16 at 2 lanes (8 states per lane, 64 channels per block):
  /// measured fastest on the H100 (B=8, T=4096, Dm=2048: 0.410 ms back to
  /// back vs 0.471 ms with 4 lanes). Its 2 stages (56 KB with z) take more
  /// than 48 KB of dynamic shared memory: the launcher opts in.
  bool wide = false;
  int64_t stageBytes(bool hasZ, int64_t state, int64_t esize) const {
    return ((hasZ ? 3 : 2) * tc * row + 2 * tc * state) * esize;
  }
  /// The stages in flight: the knob, else as many as fit in 46 KB (at most
  /// 4); 0 when fewer than 2 fit.
  int64_t stages(bool hasZ, int64_t state, int64_t esize) const {
    int64_t bytes = stageBytes(hasZ, state, esize);
    if (clScanStages >= 2)
      return bytes * clScanStages <= 227 * 1024 ? clScanStages.getValue() : 0;
    int64_t n = std::min<int64_t>(4, (46 * 1024) / bytes);
    if (n < 2 && wide && 2 * bytes <= 227 * 1024)
      return 2;
    return n >= 2 ? n : 0;
  }
};

/// The staged shape; `preferWide`: 2 lanes for f32 with N = 16 (see
/// StagedShape::wide) unless the lanes knob says otherwise.
StagedShape stagedShape(int64_t state, Type elementType, bool preferWide) {
  int64_t esize = elementType.getIntOrFloatBitWidth() / 8;
  StagedShape sh;
  sh.wide = preferWide && esize == 4 && state == 16 &&
            (clScanLanes == 0 || clScanLanes == 2);
  sh.lanes = clScanLanes == 2 || clScanLanes == 4 ? clScanLanes.getValue()
            : sh.wide                          ? 2
            : state % 4 == 0                   ? 4
                                               : 2;
  sh.cpb = kThreads / sh.lanes;
  sh.perLane = state / sh.lanes;
  sh.v = 16 / esize;
  // Rows of tc x cpb elements are copied in 16-byte pieces, a whole number
  // of pieces per thread; at least 32 steps per stage (measured on the H100
  // at B=8, T=4096, Dm=2048, N=16 f32: 0.519 ms with 32, 2 stages; 0.537 ms
  // with 16, 4 stages).
  sh.tc = clScanSteps > 0 ? clScanSteps.getValue()
                          : std::max<int64_t>(32, kThreads * sh.v / sh.cpb);
  // The lanes of a warp read lanes consecutive rows of 32 / lanes channels:
  // pad rows by 32 bytes, or (f32) swizzle, so that they fall in distinct
  // banks.
  sh.swizzle = clScanSwizzle && esize == 4 && sh.cpb % 32 == 0;
  sh.row = sh.swizzle ? sh.cpb : sh.cpb + 32 / esize;
  return sh;
}

bool canStage(const ScanBuffers &s, Type elementType, const StagedShape &sh) {
  int64_t esize = elementType.getIntOrFloatBitWidth() / 8;
  if (s.state % 2 != 0)
    return false;
  // At least 2 stages (one in flight while one is read).
  return sh.stages(s.z != nullptr, s.state, esize) >= 2 &&
         s.state % sh.lanes == 0 &&
         sh.perLane <= kMaxStatesPerLane &&
         s.perGroup % sh.cpb == 0 &&
         (s.state * esize) % 16 == 0 &&
         (sh.tc * sh.cpb / sh.v) % kThreads == 0 && sh.tc % sh.lanes == 0;
}

/// Loads `count` consecutive elements of the last dimension as f32 values,
/// with one vector load when that is a power-of-two number of bytes (for
/// shared memory tiles, whose alignment the kernel controls).
SmallVector<Value> loadRowF32(OpBuilder &b, Location loc, Value buffer,
                              ValueRange idx, int64_t count) {
  Type et = cast<MemRefType>(buffer.getType()).getElementType();
  int64_t bytes = count * et.getIntOrFloatBitWidth() / 8;
  SmallVector<Value> out;
  if (count > 1 && llvm::isPowerOf2_64(bytes) && bytes <= 16) {
    Value vec = vector::LoadOp::create(b, loc, VectorType::get({count}, et),
                                       buffer, idx, /*nontemporal=*/false,
                                       llvm::MaybeAlign(bytes));
    for (int64_t i = 0; i < count; ++i)
      out.push_back(toF32(
          b, loc, vector::ExtractOp::create(b, loc, vec, ArrayRef<int64_t>{i})));
    return out;
  }
  SmallVector<Value> at(idx.begin(), idx.end());
  Value last = at.back();
  for (int64_t i = 0; i < count; ++i) {
    at.back() = addIdx(b, loc, last, cst(b, loc, i));
    out.push_back(loadF32(b, loc, buffer, at));
  }
  return out;
}

void buildStagedScan(OpBuilder &b, Location loc, const ScanBuffers &s,
                     const StagedShape &sh) {
  Type et = cast<MemRefType>(s.u.getType()).getElementType();
  int64_t esize = et.getIntOrFloatBitWidth() / 8;
  const bool fastSoftplus = stop10Knob(clScanFastSoftplus, esize),
             lateGate = stop10Knob(clScanLateGate, esize),
             fullChunks = stop10Knob(clScanFullChunks, esize);
  const int64_t lanes = sh.lanes, tc = sh.tc, cpb = sh.cpb,
                perLane = sh.perLane, v = sh.v, row = sh.row;
  const int64_t stages = sh.stages(s.z != nullptr, s.state, esize);
  MemRefType chanTile = workgroupMemRefType({stages, tc, row}, et);
  MemRefType stateTile = workgroupMemRefType({stages, tc, s.state}, et);
  // One 16-byte aligned dynamic pool (cp.async needs the alignment).
  int64_t chanBytes = staticBytes(chanTile), stateBytes = staticBytes(stateTile);
  const int64_t poolSize = (s.z ? 3 : 2) * chanBytes + 2 * stateBytes;
  Value poolBytes =
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(poolSize));

  Value grid[] = {cst(b, loc, s.channels / cpb), s.batch};
  Value block[] = {cst(b, loc, kThreads)};
  buildLaunch(b, loc, grid, block, {}, [&](OpBuilder &b, Location loc,
                                           const LaunchIds &ids) {
    Value pool = ids.dynamicShared;
    Value us = sharedView(b, loc, pool, 0, chanTile);
    Value ds = sharedView(b, loc, pool, chanBytes, chanTile);
    Value bs = sharedView(b, loc, pool, 2 * chanBytes, stateTile);
    Value cs = sharedView(b, loc, pool, 2 * chanBytes + stateBytes, stateTile);
    Value zs = s.z ? sharedView(b, loc, pool, 2 * chanBytes + 2 * stateBytes,
                                chanTile)
                   : Value();
    Value tid = ids.threadId[0], bi = ids.blockId[1];
    Value ln = arith::RemUIOp::create(b, loc, tid, cst(b, loc, lanes));
    Value cl = arith::DivUIOp::create(b, loc, tid, cst(b, loc, lanes));
    Value d0 = mulIdx(b, loc, ids.blockId[0], cst(b, loc, cpb));
    Value ch = addIdx(b, loc, d0, cl);
    Value g = arith::DivUIOp::create(b, loc, d0, cst(b, loc, s.perGroup));
    Value n0 = mulIdx(b, loc, ln, cst(b, loc, perLane));
    SmallVector<Value> nIdx;
    for (int64_t i = 0; i < perLane; ++i)
      nIdx.push_back(addIdx(b, loc, n0, cst(b, loc, i)));
    Value log2e = cstF32(b, loc, 1.4426950408889634);
    SmallVector<Value> a2;
    for (Value n : nIdx)
      a2.push_back(arith::MulFOp::create(
          b, loc, loadF32(b, loc, s.aMat, {ch, n}), log2e));
    Value bias = s.dBias ? loadF32(b, loc, s.dBias, {ch}) : Value();
    Value skip = s.dSkip ? loadF32(b, loc, s.dSkip, {ch}) : Value();
    SmallVector<Value> hInit;
    for (Value n : nIdx)
      hInit.push_back(s.h0 ? loadF32(b, loc, s.h0, {bi, ch, n})
                           : cstF32(b, loc, 0.0));
    // The swizzled column of (row, col): col ^ ((row % lanes) * 32 / lanes).
    auto swz = [&](OpBuilder &b, Location loc, Value r, Value col) -> Value {
      Value key = mulIdx(b, loc,
                         arith::RemUIOp::create(b, loc, r, cst(b, loc, lanes)),
                         cst(b, loc, 32 / lanes));
      return arith::XOrIOp::create(b, loc, col, key);
    };
    // This lane's column in its own rows (row % lanes == ln).
    Value clCol =
        sh.swizzle ? arith::XOrIOp::create(
                         b, loc, cl, mulIdx(b, loc, ln, cst(b, loc, 32 / lanes)))
                         .getResult()
                   : cl;
    Value lastRow = subIdx(b, loc, s.rows, cst(b, loc, 1));
    Value chunks = ceilDiv(b, loc, s.rows, cst(b, loc, tc));
    Value zero = cstF32(b, loc, 0.0);

    // Issues the cp.async copies of time chunk `c` into stage `st` and
    // commits them as one group. Rows past T are zero-filled (nothing read).
    // `checked`: rows may lie past T; else all tc rows are read as they
    // are (no zero fill, no clamping). `nvvmCommit`: commit with
    // nvvm.cp.async.commit.group (inside a branch) and return no token.
    auto issue = [&](OpBuilder &b, Location loc, Value c, Value st,
                     bool checked = true, bool nvvmCommit = false) -> Value {
      Value t0 = mulIdx(b, loc, c, cst(b, loc, tc));
      SmallVector<Value> tokens;
      auto copy = [&](Value dst, ValueRange dstIdx, Value src,
                      SmallVector<Value> srcIdx, Value t, bool keep) {
        Value n;
        if (checked) {
          Value valid = ult(b, loc, t, s.rows);
          n = arith::SelectOp::create(b, loc, valid, cst(b, loc, v),
                                      cst(b, loc, 0));
          srcIdx[1] = minIndex(b, loc, t, lastRow);
        } else {
          srcIdx[1] = t;
        }
        auto op = nvgpu::DeviceAsyncCopyOp::create(
            b, loc, dst, dstIdx, src, srcIdx, b.getIndexAttr(v), n,
            b.getUnitAttr());
        if (keep)
          tokens.push_back(op.getResult());
      };
      // u, delta, z: tc rows x cpb channels.
      const int64_t perRow = cpb / v, pieces = tc * perRow;
      for (int64_t m = 0; m < pieces / kThreads; ++m) {
        Value p = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
        Value r = arith::DivUIOp::create(b, loc, p, cst(b, loc, perRow));
        Value col = mulIdx(b, loc, arith::RemUIOp::create(b, loc, p, cst(b, loc, perRow)),
                           cst(b, loc, v));
        Value t = addIdx(b, loc, t0, r);
        Value dc = addIdx(b, loc, d0, col);
        Value sc = sh.swizzle ? swz(b, loc, r, col) : col;
        copy(us, {st, r, sc}, s.u, {bi, t, dc}, t, true);
        copy(ds, {st, r, sc}, s.delta, {bi, t, dc}, t, true);
        if (s.z)
          copy(zs, {st, r, sc}, s.z, {bi, t, dc}, t, true);
      }
      // B, C: tc rows x N.
      const int64_t perRowN = s.state / v, piecesN = tc * perRowN;
      for (int64_t m = 0; m < (int64_t)llvm::divideCeil(piecesN, kThreads); ++m) {
        Value p = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
        auto body = [&](OpBuilder &b, Location loc) {
          Value r = arith::DivUIOp::create(b, loc, p, cst(b, loc, perRowN));
          Value col = mulIdx(
              b, loc, arith::RemUIOp::create(b, loc, p, cst(b, loc, perRowN)),
              cst(b, loc, v));
          Value t = addIdx(b, loc, t0, r);
          copy(bs, {st, r, col}, s.bMat, {bi, t, g, col}, t, false);
          copy(cs, {st, r, col}, s.cMat, {bi, t, g, col}, t, false);
        };
        if ((m + 1) * kThreads <= piecesN)
          body(b, loc);
        else
          buildIf(b, loc, ult(b, loc, p, cst(b, loc, piecesN)), body);
      }
      // The commit takes every cp.async of this thread so far (the tokens
      // only order the ops in the IR).
      if (nvvmCommit) {
        NVVM::CpAsyncCommitGroupOp::create(b, loc);
        return Value();
      }
      return nvgpu::DeviceAsyncCreateGroupOp::create(b, loc, tokens)
          .getResult();
    };

    for (int64_t st = 0; st + 1 < stages; ++st)
      issue(b, loc, cst(b, loc, st), cst(b, loc, st));
    Value laneId = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
    Value groupBase = subIdx(b, loc, laneId, ln);
    Value w32 = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(32));
    SmallVector<Value> srcLane;
    for (int64_t k = 0; k < lanes; ++k)
      srcLane.push_back(arith::IndexCastOp::create(
          b, loc, b.getI32Type(), addIdx(b, loc, groupBase, cst(b, loc, k))));
    SmallVector<Value> laneBit; // (ln & off) != 0 for off = 1, 2, ...
    for (int64_t off = 1; off < lanes; off *= 2)
      laneBit.push_back(arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ne,
          arith::AndIOp::create(b, loc, ln, cst(b, loc, off)), cst(b, loc, 0)));
    auto chunkLoop = scf::ForOp::create(
        b, loc, cst(b, loc, 0), chunks, cst(b, loc, 1), hInit,
        [&](OpBuilder &b, Location loc, Value c, ValueRange hIn) {
          Value ahead = addIdx(b, loc, c, cst(b, loc, stages - 1));
          Value aheadSt =
              arith::RemUIOp::create(b, loc, ahead, cst(b, loc, stages));
          if (clScanFullIssue) {
            // Chunks wholly inside T are copied without the checks.
            Value aheadFull = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::ule,
                mulIdx(b, loc, addIdx(b, loc, ahead, cst(b, loc, 1)),
                       cst(b, loc, tc)),
                s.rows);
            scf::IfOp::create(
                b, loc, aheadFull,
                [&](OpBuilder &b, Location loc) {
                  issue(b, loc, ahead, aheadSt, /*checked=*/false, true);
                  scf::YieldOp::create(b, loc);
                },
                [&](OpBuilder &b, Location loc) {
                  issue(b, loc, ahead, aheadSt, /*checked=*/true, true);
                  scf::YieldOp::create(b, loc);
                });
            NVVM::CpAsyncWaitGroupOp::create(b, loc,
                                             b.getI32IntegerAttr(stages - 1));
          } else {
            Value tok = issue(b, loc, ahead, aheadSt);
            nvgpu::DeviceAsyncWaitOp::create(b, loc, tok,
                                             b.getI32IntegerAttr(stages - 1));
          }
          barrier(b, loc);
          Value st = arith::RemUIOp::create(b, loc, c, cst(b, loc, stages));
          Value t0 = mulIdx(b, loc, c, cst(b, loc, tc));
          // The stage; `checked`: some of its steps may lie past T.
          auto stage = [&](OpBuilder &b, Location loc, bool checked) {
          SmallVector<Value> h(hIn.begin(), hIn.end());
          // The whole chunk, unrolled, in three phases so that it is one
          // basic block up to the stores (ptxas overlaps the rounds):
          // (1) this lane's own step of every round of `lanes` steps: the
          // per-channel scalars. Steps past T get dt = 0 (their rows are
          // zero-filled), so the state goes through them unchanged:
          // exp2(0) h + 0 = h.
          const int64_t rounds = tc / lanes;
          SmallVector<Value> tOwn, validOwn, uo, dt, dtu, gate;
          for (int64_t r = 0; r < rounds; ++r) {
            Value own = addIdx(b, loc, ln, cst(b, loc, r * lanes));
            tOwn.push_back(addIdx(b, loc, t0, own));
            validOwn.push_back(checked ? ult(b, loc, tOwn.back(), s.rows)
                                       : Value());
            uo.push_back(loadF32(b, loc, us, {st, own, clCol}));
            Value d = loadF32(b, loc, ds, {st, own, clCol});
            if (bias)
              d = arith::AddFOp::create(b, loc, d, bias);
            if (s.softplus)
              d = fastSoftplus ? softplusFastF32(b, loc, d)
                                     : softplusF32(b, loc, d, /*fast=*/true);
            if (checked)
              d = arith::SelectOp::create(b, loc, validOwn.back(), d, zero);
            dt.push_back(d);
            dtu.push_back(arith::MulFOp::create(b, loc, d, uo.back()));
            if (zs && !lateGate)
              gate.push_back(siluF32(b, loc, loadF32(b, loc, zs, {st, own, clCol}),
                                     /*fast=*/true));
          }
          // (2) the recurrence, step by step; per round, y reduce-scattered
          // over the lanes.
          SmallVector<Value> yOwn;
          for (int64_t r = 0; r < rounds; ++r) {
            SmallVector<Value> ys;
            for (int64_t k = 0; k < lanes; ++k) {
              Value dtk = gpu::ShuffleOp::create(b, loc, dt[r], srcLane[k], w32,
                                                 gpu::ShuffleMode::IDX)
                              .getShuffleResult();
              Value dtuk = gpu::ShuffleOp::create(b, loc, dtu[r], srcLane[k],
                                                  w32, gpu::ShuffleMode::IDX)
                               .getShuffleResult();
              Value row = cst(b, loc, r * lanes + k);
              SmallVector<Value> bv =
                  loadRowF32(b, loc, bs, {st, row, n0}, perLane);
              SmallVector<Value> cv =
                  loadRowF32(b, loc, cs, {st, row, n0}, perLane);
              Value y;
              for (int64_t j = 0; j < perLane; ++j) {
                Value decay = exp2FtzF32(
                    b, loc, arith::MulFOp::create(b, loc, dtk, a2[j]));
                h[j] = math::FmaOp::create(
                    b, loc, decay, h[j],
                    arith::MulFOp::create(b, loc, dtuk, bv[j]));
                y = y ? math::FmaOp::create(b, loc, cv[j], h[j], y).getResult()
                      : arith::MulFOp::create(b, loc, cv[j], h[j]).getResult();
              }
              ys.push_back(y);
            }
            // Reduce-scatter of the lanes x lanes partial sums: after the
            // steps, ys[0] of lane k is y of step r * lanes + k (summed over
            // all states of the channel).
            for (int64_t off = lanes / 2, bit = laneBit.size() - 1; off >= 1;
                 off /= 2, --bit) {
              for (int64_t j = 0; j < off; ++j) {
                Value hi = laneBit[bit];
                Value send =
                    arith::SelectOp::create(b, loc, hi, ys[j], ys[j + off]);
                Value keep =
                    arith::SelectOp::create(b, loc, hi, ys[j + off], ys[j]);
                Value got = gpu::ShuffleOp::create(b, loc, send, off, 32,
                                                   gpu::ShuffleMode::XOR)
                                .getShuffleResult();
                ys[j] = arith::AddFOp::create(b, loc, keep, got);
              }
            }
            yOwn.push_back(ys[0]);
          }
          // (3) y + D u, the gate, and the stores of this lane's steps:
          // after the barrier that frees the stage, or (late gate) before
          // it, with u and z read again from the stage so that neither u
          // nor the gate is held in registers through (2).
          auto finish = [&]() {
            for (int64_t r = 0; r < rounds; ++r) {
              Value own = addIdx(b, loc, ln, cst(b, loc, r * lanes));
              Value y = yOwn[r];
              if (skip) {
                Value ur = lateGate
                               ? loadF32(b, loc, us, {st, own, clCol})
                               : uo[r];
                y = math::FmaOp::create(b, loc, skip, ur, y);
              }
              if (zs) {
                Value gr = lateGate
                               ? siluF32(b, loc,
                                         loadF32(b, loc, zs, {st, own, clCol}),
                                         /*fast=*/true)
                               : gate[r];
                y = arith::MulFOp::create(b, loc, y, gr);
              }
              if (checked)
                buildIf(b, loc, validOwn[r], [&](OpBuilder &b, Location loc) {
                  storeF32(b, loc, y, s.yBuf, {bi, tOwn[r], ch});
                });
              else
                storeF32(b, loc, y, s.yBuf, {bi, tOwn[r], ch});
            }
          };
          if (lateGate)
            finish();
          barrier(b, loc); // the stage is refilled by a later iteration
          if (!lateGate)
            finish();
          return h;
          };
          // Stages wholly inside T (all but at most the last) without the
          // per-step checks (a uniform branch).
          if (!fullChunks) {
            scf::YieldOp::create(b, loc, stage(b, loc, /*checked=*/true));
            return;
          }
          Value full = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::ule,
              addIdx(b, loc, t0, cst(b, loc, tc)), s.rows);
          auto ifOp = scf::IfOp::create(
              b, loc, full,
              [&](OpBuilder &b, Location loc) {
                scf::YieldOp::create(b, loc, stage(b, loc, false));
              },
              [&](OpBuilder &b, Location loc) {
                scf::YieldOp::create(b, loc, stage(b, loc, true));
              });
          scf::YieldOp::create(b, loc, ifOp.getResults());
        });
    // 4 lanes: 4 resident blocks per SM (16 warps; 2048 / 132 = 15.5 at
    // B = 8, Dm = 2048, N = 16: the whole grid in one wave); without the
    // request ptxas takes up to ~165 registers for the unrolled stage (3
    // blocks). 2 lanes: 2 blocks (no cap in practice: 255 registers; the
    // wide shape takes ~220; 256 blocks at B = 8, Dm = 2048 are one wave).
    int64_t minBlocks =
        clScanMinBlocks != 0 ? clScanMinBlocks.getValue()
        : esize != 4         ? -1 // 16-bit storage: as before stop 10
        : lanes == 2         ? 2
                     : std::min<int64_t>(4, (228 * 1024) / (poolSize + 1024));
    if (minBlocks > 0)
      chunkLoop->setAttr("sessa.min_blocks_per_sm",
                         b.getI64IntegerAttr(minBlocks));
    // Drain the (empty) groups still in flight before the kernel ends.
    NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(0));
    for (int64_t j = 0; j < perLane; ++j)
      storeF32(b, loc, chunkLoop.getResult(j), s.hBuf, {bi, ch, nIdx[j]});
  }, poolBytes);
}
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

  ScanBuffers sb{u,     delta, aMat, bMat,   cMat,     dSkip,   z,
                 dBias, h0,    yBuf, hBuf,   batch,    rows,    channels,
                 state, perGroup, softplus};
  // The wide shape where its blocks tile the groups, else the 4-lane one.
  Type et = uType.getElementType();
  StagedShape sh = stagedShape(state, et, /*preferWide=*/true);
  if (!canStage(sb, et, sh))
    sh = stagedShape(state, et, /*preferWide=*/false);
  if (canStage(sb, et, sh)) {
    buildStagedScan(b, loc, sb, sh);
    return SmallVector<Value>{toTensor(b, loc, yBuf), toTensor(b, loc, hBuf)};
  }

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
          if (softplus)
            dt = softplusF32(b, loc, dt);
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
          if (in.z)
            y = arith::MulFOp::create(b, loc, y, siluF32(b, loc, in.z));
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
