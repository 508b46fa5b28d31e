//===- AttentionKernel.cpp - sessa.attention as a FlashAttention kernel ---===//
//
// FlashAttention-2 style forward kernel (SPEC section 2: inclusive causal,
// GQA, cached prefix of P = S - T rows, scale c).
//
// Rows. The g = H / Hk query heads that share a key/value head are processed
// together: per (b, kv head) the rows are rho in [0, T*g), row rho being query
// (t = rho / g, h = kvh*g + rho % g), at absolute position P + t, seeing keys
// j <= P + t. Each K/V tile staged in workgroup memory thus serves all g heads
// of its group, and decoding (T = 1) still gives a block g rows.
//
//   grid  (ceil(T*g / Br), Hk, B), block 128 threads (4 warps)
//   keys of a row tile: [0, min(S, P + rhoLast/g + 1)), in tiles of Bc;
//   tiles past that end are never loaded; tiles entirely visible to the
//   tile's first row run an unmasked loop, the remaining (diagonal) tiles a
//   masked copy of it.
//   online softmax in f32 base 2 (scores pre-multiplied by c*log2 e): running
//   max m, sum l, accumulator o rescaled by exp2(m_old - m_new); o / l stored.
//   Key 0 is visible to every row, so the first split's m is finite and no
//   row divides by zero; a row that sees no key of a later split keeps
//   m = -inf, l = 0 there (the exponents subtract 0 instead of -inf).
//   Split-KV: when (row tiles x Hk x B) blocks cannot fill the GPU (decoding,
//   short sequences), the key tiles of a row tile are split over several
//   blocks (blockIdx.x = tile * splits + split) that write unnormalised o,
//   m, l partials; a second kernel combines them. Row tiles run last to first
//   (long causal rows start first), over all heads and batches: the row
//   tile is the slowest part of the linear block index (blocks start in
//   about linear order), so every head's longest rows start in the first
//   waves (-sessa-gpu-attention-lpt=false: blockIdx.x = tile * splits +
//   split, heads one after another).
//
// Three bodies share that structure:
//  * SIMT (any storage, f32 arithmetic): Br = 16 (4 rows per warp), Bc = 32
//    (lane = key for the scores, lane = output columns for P V); Q
//    pre-scaled by c log2(e) in workgroup memory.
//  * tensor cores (bf16/f16 storage, d % 16 == 0, d <= 128): 16-row m-tiles,
//    one per warp (Br = 64; two per warp with the experimental
//    -sessa-gpu-attention-mtiles=2, d <= 64), Bc = 64 (32 for d > 64, to fit
//    48 KB of static workgroup memory). S = Q K^T and O += P V with
//    nvvm.mma.sync m16n8k16 (bf16/f16 in, f32 accumulators); Q fragments
//    loaded once with ldmatrix, K fragments with ldmatrix, V with
//    ldmatrix.trans; P converted to the storage type from the score
//    accumulators in registers (the FlashAttention-2 layout identity); the
//    exponent 2^(c log2e (s - m)) is one fma and ex2. K/V tiles are
//    double-buffered with cp.async (16 bytes a copy, zero-fill past the
//    visible keys): tile kt+1 is in flight while tile kt is computed
//    (-sessa-gpu-attention-stages=1: synchronous copies, one buffer).
//
//    Two m-tiles a warp (Br = 128) are the default for d <= 64 unless T is
//    static with at most 64 rows per kv head (decoding); the exponent is
//    ex2.approx.ftz.
//  * wgmma (sm_90a, convert-sessa-to-gpu{wgmma-attention}; bf16/f16, d =
//    64, not decoding): FlashAttention-3 style, see "wgmma body" below.
//
// Workgroup memory of the SIMT and mma.sync bodies is static; the wgmma body
// uses dynamic shared memory (above 48 KB: the runtime opts in).
// The split heuristic assumes an H100-sized GPU (kSplitTargetBlocks).
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Lowerings.h"
#include "sessa/Dialect/Sessa/Transforms/GemmKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/Support/CommandLine.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::gpukernels;

namespace {

// Tuning knobs of the tensor-core kernel (hidden; for measurements, see
// bench/gpu): K/V buffering and m-tiles per warp.
llvm::cl::opt<int64_t> clAttentionStages(
    "sessa-gpu-attention-stages", llvm::cl::init(2), llvm::cl::Hidden,
    llvm::cl::desc("K/V stages of the tensor-core attention kernel (1 or 2)"));

llvm::cl::opt<int64_t> clAttentionMTiles(
    "sessa-gpu-attention-mtiles", llvm::cl::init(1), llvm::cl::Hidden,
    llvm::cl::desc("16-row m-tiles per warp of the tensor-core attention "
                   "kernel (1 or 2; default 2 for d <= 64 unless T is static "
                   "with at most 64 rows per kv head)"));

llvm::cl::opt<bool> clAttentionLpt(
    "sessa-gpu-attention-lpt", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("attention blocks in longest-first order over all heads "
                   "and batches (false: row tiles of one head after "
                   "another, as before stop 12)"));

llvm::cl::opt<bool> clAttentionTreeReduce(
    "sessa-gpu-attention-tree-reduce", llvm::cl::init(true),
    llvm::cl::Hidden,
    llvm::cl::desc("pairwise (tree) row max and row sum in the tensor-core "
                   "softmax (false: one serial chain per row)"));

constexpr int64_t kWarps = 4;
constexpr int64_t kWarpSize = 32;
constexpr int64_t kThreads = kWarps * kWarpSize;
/// Static workgroup memory a kernel may use without opting in.
constexpr int64_t kMaxStaticSharedBytes = 48 * 1024;

/// Builder shorthands bound to one insertion point and location.
struct E {
  OpBuilder &b;
  Location l;
  Value c(int64_t v) const { return cst(b, l, v); }
  Value f(double v) const { return cstF32(b, l, v); }
  Value add(Value x, Value y) const { return addIdx(b, l, x, y); }
  Value sub(Value x, Value y) const {
    return arith::SubIOp::create(b, l, x, y);
  }
  Value mul(Value x, Value y) const { return mulIdx(b, l, x, y); }
  Value div(Value x, Value y) const { return divIdx(b, l, x, y); }
  Value rem(Value x, Value y) const { return remIdx(b, l, x, y); }
  Value min(Value x, Value y) const { return minIndex(b, l, x, y); }
  Value ult(Value x, Value y) const {
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, x, y);
  }
  Value ule(Value x, Value y) const {
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ule, x, y);
  }
  Value andI(Value x, Value y) const {
    return arith::AndIOp::create(b, l, x, y);
  }
  Value sel(Value cnd, Value x, Value y) const {
    return arith::SelectOp::create(b, l, cnd, x, y);
  }
  Value fadd(Value x, Value y) const {
    return arith::AddFOp::create(b, l, x, y);
  }
  Value fsub(Value x, Value y) const {
    return arith::SubFOp::create(b, l, x, y);
  }
  Value fmul(Value x, Value y) const {
    return arith::MulFOp::create(b, l, x, y);
  }
  Value fdiv(Value x, Value y) const {
    return arith::DivFOp::create(b, l, x, y);
  }
  Value fmax(Value x, Value y) const {
    return arith::MaximumFOp::create(b, l, x, y);
  }
  Value fma(Value x, Value y, Value acc) const {
    return math::FmaOp::create(b, l, x, y, acc);
  }
  Value exp2(Value x) const { return math::Exp2Op::create(b, l, x); }
  /// 2^x as one ex2.approx.ftz.f32 (MUFU.EX2): math.exp2 becomes
  /// ex2.approx.f32, whose subnormal handling costs extra instructions per
  /// score. Results below 2^-126 flush to 0 (probabilities that small vanish
  /// beside the row's largest, 1).
  Value exp2Ftz(Value x) const {
    auto op = LLVM::InlineAsmOp::create(
        b, l, b.getF32Type(), ValueRange{x}, "ex2.approx.ftz.f32 $0, $1;",
        "=f,f", /*has_side_effects=*/false, /*is_align_stack=*/false,
        LLVM::tailcallkind::TailCallKind::None,
        LLVM::AsmDialectAttr::get(b.getContext(), LLVM::AsmDialect::AD_ATT),
        ArrayAttr());
    return op.getRes();
  }
};

/// The value of an f32 arith.constant.
double scaleConst(Value v) {
  auto c = v.getDefiningOp<arith::ConstantOp>();
  return cast<FloatAttr>(c.getValue()).getValueAsDouble();
}

/// The running max as subtracted in the exponents: 0 while a row has seen
/// no key (-inf), so that 2^(-inf - m) is 0 rather than NaN. A split of the
/// keys may hold no key a row sees.
Value safeMax(const E &e, Value m) {
  float negInf = -std::numeric_limits<float>::infinity();
  Value empty = arith::CmpFOp::create(e.b, e.l, arith::CmpFPredicate::OEQ, m,
                                      e.f(negInf));
  return e.sel(empty, e.f(0.0), m);
}

/// The online-softmax step of one 16-row m-tile of tensor-core scores, in
/// the FlashAttention-2 fragment layout shared by mma.sync and wgmma:
/// s[nt][2i + jj] is row lane/4 + 8i, key k0 + 8nt + 2(lane%4) + jj. Scales
/// the scores (unless `fused`: the exponents fold the scale in), masks keys
/// past limit[i] when `masked`, replaces the scores by the exponentials
/// p = 2^(c (s - m_new)) and calls onRow(i, m_new, alpha, sum p) per row,
/// alpha = 2^(c (m_old - m_new)) rescaling the row's sum and accumulators.
void softmaxTileStep(
    const E &x, MutableArrayRef<std::array<Value, 4>> s, bool fused,
    Value scaleV, bool masked, Value k0, Value laneMod4,
    ArrayRef<Value> limit, ValueRange mOld,
    llvm::function_ref<void(int, Value, Value, Value)> onRow,
    double lazyLog2 = 0.0, Value *rescaleAny = nullptr) {
  float negInf = -std::numeric_limits<float>::infinity();
  // Pairwise reduction of a row's values (a dependency chain of log2 n
  // instead of n); `serial`: one chain from `init`.
  bool tree = clAttentionTreeReduce;
  auto reduce = [&](SmallVector<Value> vals, Value init,
                    llvm::function_ref<Value(Value, Value)> op) -> Value {
    if (!tree || vals.empty()) {
      Value acc = init;
      for (Value v : vals)
        acc = op(acc, v);
      return acc;
    }
    while (vals.size() > 1) {
      SmallVector<Value> half;
      for (size_t j = 0; j + 1 < vals.size(); j += 2)
        half.push_back(op(vals[j], vals[j + 1]));
      if (vals.size() % 2)
        half.push_back(vals.back());
      vals = std::move(half);
    }
    return vals[0];
  };
  SmallVector<Value> rowVals[2];
  for (int64_t nt = 0, e = s.size(); nt < e; ++nt)
    for (int i = 0; i < 2; ++i)
      for (int jj = 0; jj < 2; ++jj) {
        Value val = s[nt][2 * i + jj];
        if (!fused)
          val = x.fmul(val, scaleV);
        if (masked) {
          Value key =
              x.add(k0, x.add(x.c(8 * nt + jj), x.mul(laneMod4, x.c(2))));
          val = x.sel(x.ule(key, limit[i]), val, x.f(negInf));
        }
        s[nt][2 * i + jj] = val;
        rowVals[i].push_back(val);
      }
  auto fmaxOp = [&](Value a, Value c) { return x.fmax(a, c); };
  auto faddOp = [&](Value a, Value c) { return x.fadd(a, c); };
  Value mNews[2];
  for (int i = 0; i < 2; ++i) {
    Value rowMax = reduce(rowVals[i], x.f(negInf), fmaxOp);
    Value mx = laneGroupReduceMax(x.b, x.l, rowMax, /*group=*/4);
    mNews[i] = x.fmax(mOld[i], mx);
  }
  if (lazyLog2 > 0) {
    // Lazy rescaling (FlashAttention-4): the running max moves only when
    // some row of the warp grew by more than lazyLog2 (base 2 units); else
    // every row keeps its old max, alpha = 1 and the caller skips the
    // rescale of O (exponents stay <= 2^lazyLog2, exact in f32 and bf16
    // range). The result holds for the stored m, l and O alike.
    Value thr = x.f(fused ? lazyLog2 / scaleConst(scaleV) : lazyLog2);
    Value need = arith::ConstantOp::create(x.b, x.l, x.b.getBoolAttr(false));
    for (int i = 0; i < 2; ++i)
      need = arith::OrIOp::create(
          x.b, x.l, need,
          arith::CmpFOp::create(x.b, x.l, arith::CmpFPredicate::OGT, mNews[i],
                                x.fadd(mOld[i], thr)));
    Value mask = arith::ConstantOp::create(x.b, x.l,
                                           x.b.getI32IntegerAttr(-1));
    Value any = NVVM::VoteSyncOp::create(x.b, x.l, x.b.getI1Type(), mask,
                                         need, NVVM::VoteSyncKind::any);
    for (int i = 0; i < 2; ++i)
      mNews[i] = x.sel(any, mNews[i], mOld[i]);
    *rescaleAny = any;
  }
  for (int i = 0; i < 2; ++i) {
    Value mNew = mNews[i];
    Value mSafe = safeMax(x, mNew);
    Value diff = x.fsub(mOld[i], mSafe);
    Value alpha = x.exp2Ftz(fused ? x.fmul(diff, scaleV) : diff);
    Value negM = arith::NegFOp::create(
        x.b, x.l, fused ? x.fmul(mSafe, scaleV) : mSafe);
    SmallVector<Value> ps;
    for (std::array<Value, 4> &tile : s)
      for (int jj = 0; jj < 2; ++jj) {
        Value sv = tile[2 * i + jj];
        Value pv =
            x.exp2Ftz(fused ? x.fma(sv, scaleV, negM) : x.fadd(sv, negM));
        tile[2 * i + jj] = pv;
        ps.push_back(pv);
      }
    onRow(i, mNew, alpha, reduce(ps, x.f(0.0), faddOp));
  }
}

/// What both kernel bodies need, computed on the host side of the launch.
struct AttentionProblem {
  Value q, k, v, out;           // memrefs [B,T,H,d], [B,S,Hk,d], ..., [B,T,H,d]
  Value rows;                   // T * g
  Value keys;                   // S
  Value prefix;                 // P = S - T
  int64_t heads, kvHeads, group, headDim;
  double log2Scale;             // c * log2(e)
  Type storage;
  int64_t br, bc;               // row and key tile of the kernel
  Value splits;                 // key splits (1: no partials, out written)
  Value partialO, partialML;    // [splits, B, T, H, d], [splits, B, T, H, 2]
};

/// Blocks that fill an H100 (132 SMs, about 3 resident attention blocks
/// each): below that, the keys of a row tile are split over several blocks.
constexpr int64_t kSplitTargetBlocks = 3 * 132;
/// A split gets at least this many key tiles.
constexpr int64_t kMinTilesPerSplit = 4;

/// Key splits for batch `batch`, `rows` = T*g rows per kv head and `keys`
/// keys: floor(target / blocks), at most keyTiles / kMinTilesPerSplit, at
/// least 1. The same index arithmetic runs on the host (grid, workspace)
/// and in the kernels.
Value computeSplits(const E &e, const AttentionProblem &p, Value batch,
                    Value rows, Value keys) {
  Value one = e.c(1);
  Value rowTiles = arith::MaxUIOp::create(
      e.b, e.l, ceilDiv(e.b, e.l, rows, e.c(p.br)), one);
  Value blocks = e.mul(e.mul(rowTiles, e.c(p.kvHeads)),
                       arith::MaxUIOp::create(e.b, e.l, batch, one));
  Value want = e.div(e.c(kSplitTargetBlocks), blocks);
  Value cap = e.div(ceilDiv(e.b, e.l, keys, e.c(p.bc)), e.c(kMinTilesPerSplit));
  Value s = e.min(want, cap);
  return arith::MaxUIOp::create(e.b, e.l, s, one);
}

/// Per-block quantities shared by both bodies: the row tile and the key
/// tiles it needs.
struct RowTile {
  Value b, kvh;          // batch, key/value head
  Value rho0;            // first row of the tile
  Value numTiles;        // key tiles to visit
  Value numFull;         // leading key tiles with no masked entry
  Value keyEnd;          // keys [0, keyEnd) are visible to some row
  Value split;           // this block's key split
  Value tileLo, tileHi;  // its key tiles [tileLo, tileHi) of [0, numTiles)
};

RowTile rowTile(const E &e, const AttentionProblem &p, const LaunchIds &ids,
                int64_t br, int64_t bc) {
  RowTile rt;
  Value rowTiles = ceilDiv(e.b, e.l, p.rows, e.c(br));
  // The row tiles run last to first, so that the longest causal rows start
  // first and the short ones fill the tail.
  Value order;
  if (clAttentionLpt) {
    // The GPU starts blocks in about linear order (x fastest): the row tile
    // is the slowest part of the linear block index, so that every (b, kv
    // head)'s longest rows start before any shorter ones (longest
    // processing time first) rather than head after head.
    Value gy = e.c(p.kvHeads);
    Value linear = e.add(ids.blockId[0],
                         e.mul(ids.gridDim[0],
                               e.add(ids.blockId[1],
                                     e.mul(gy, ids.blockId[2]))));
    Value perTile = e.mul(p.splits, e.mul(gy, ids.gridDim[2]));
    order = e.div(linear, perTile);
    Value rest = e.rem(linear, perTile);
    rt.split = e.rem(rest, p.splits);
    Value bh = e.div(rest, p.splits);
    rt.kvh = e.rem(bh, gy);
    rt.b = e.div(bh, gy);
  } else {
    // blockIdx.x = tile * splits + split.
    rt.b = ids.blockId[2];
    rt.kvh = ids.blockId[1];
    order = e.div(ids.blockId[0], p.splits);
    rt.split = e.rem(ids.blockId[0], p.splits);
  }
  Value tileIdx = e.sub(e.sub(rowTiles, e.c(1)), order);
  rt.rho0 = e.mul(tileIdx, e.c(br));
  Value g = e.c(p.group);
  // The last row of the tile, clamped to the real rows (T >= 1 here).
  Value rhoEnd = e.min(e.add(rt.rho0, e.c(br)), p.rows);
  Value rhoLast = e.sub(rhoEnd, e.c(1));
  Value keyEnd = e.min(e.add(p.prefix, e.add(e.div(rhoLast, g), e.c(1))),
                       p.keys);
  rt.keyEnd = keyEnd;
  rt.numTiles = ceilDiv(e.b, e.l, keyEnd, e.c(bc));
  // Tile kt is fully visible to every row of the tile iff its last key
  // kt*Bc + Bc - 1 <= P + rho0/g.
  Value firstLimit = e.add(p.prefix, e.div(rt.rho0, g));
  rt.numFull =
      e.min(e.div(e.add(firstLimit, e.c(1)), e.c(bc)), rt.numTiles);
  Value chunk = ceilDiv(e.b, e.l, rt.numTiles, p.splits);
  rt.tileLo = e.min(e.mul(rt.split, chunk), rt.numTiles);
  rt.tileHi = e.min(e.add(rt.tileLo, chunk), rt.numTiles);
  return rt;
}

/// (t, h) of row rho of kv head kvh.
std::pair<Value, Value> rowToQuery(const E &e, const AttentionProblem &p,
                                   Value kvh, Value rho) {
  Value g = e.c(p.group);
  Value t = e.div(rho, g);
  Value h = e.add(e.mul(kvh, g), e.rem(rho, g));
  return {t, h};
}

/// Runs `tile(kt, masked, state)` over the block's unmasked then masked key
/// tiles (of its split); returns the final state.
SmallVector<Value> keyTileLoops(
    const E &e, const RowTile &rt, ValueRange init,
    llvm::function_ref<SmallVector<Value>(const E &, Value, bool, ValueRange)>
        tile) {
  Value fullEnd = e.min(rt.numFull, rt.tileHi);
  Value maskedBegin = arith::MaxUIOp::create(e.b, e.l, rt.numFull, rt.tileLo);
  SmallVector<Value> state = buildForWithValues(
      e.b, e.l, rt.tileLo, fullEnd, e.c(1), init,
      [&](OpBuilder &nb, Location nl, Value kt, ValueRange s) {
        return tile(E{nb, nl}, kt, /*masked=*/false, s);
      });
  return buildForWithValues(
      e.b, e.l, maskedBegin, rt.tileHi, e.c(1), state,
      [&](OpBuilder &nb, Location nl, Value kt, ValueRange s) {
        return tile(E{nb, nl}, kt, /*masked=*/true, s);
      });
}

/// Stores the result of one row, column `col`: o / l into the output when
/// there is one split, else o, and (when `writeML`) m and l into the
/// partials of this split.
void storeRow(const E &e, const AttentionProblem &p, const RowTile &rt,
              Value t, Value h, Value col, Value o, Value m, Value l,
              Value writeML) {
  Value single = arith::CmpIOp::create(e.b, e.l, arith::CmpIPredicate::eq,
                                       p.splits, e.c(1));
  scf::IfOp::create(
      e.b, e.l, single,
      [&](OpBuilder &tb, Location tl) {
        E y{tb, tl};
        storeF32(tb, tl, y.fdiv(o, l), p.out, {rt.b, t, h, col});
        scf::YieldOp::create(tb, tl);
      },
      [&](OpBuilder &eb, Location el) {
        memref::StoreOp::create(eb, el, o, p.partialO,
                                ValueRange{rt.split, rt.b, t, h, col});
        buildIf(eb, el, writeML, [&](OpBuilder &ib, Location il) {
          memref::StoreOp::create(ib, il, m, p.partialML,
                                  ValueRange{rt.split, rt.b, t, h, cst(ib, il, 0)});
          memref::StoreOp::create(ib, il, l, p.partialML,
                                  ValueRange{rt.split, rt.b, t, h, cst(ib, il, 1)});
        });
        scf::YieldOp::create(eb, el);
      });
}

//===----------------------------------------------------------------------===//
// SIMT body
//===----------------------------------------------------------------------===//

constexpr int64_t kSimtRowsPerWarp = 4;
constexpr int64_t kSimtBr = kWarps * kSimtRowsPerWarp;
constexpr int64_t kSimtBc = kWarpSize;

int64_t simtSharedBytes(int64_t d) {
  return 4 * (kSimtBr * d + kSimtBc * (d + 1) + kSimtBc * d);
}

SmallVector<MemRefType> simtBuffers(MLIRContext *ctx, int64_t d) {
  Type f32 = Float32Type::get(ctx);
  return {workgroupMemRefType({kSimtBr, d}, f32),
          workgroupMemRefType({kSimtBc, d + 1}, f32),
          workgroupMemRefType({kSimtBc, d}, f32)};
}

/// Copies rows [row0, row0 + n) x [0, d) of the (b, ., head, .) slice of
/// `src` into workgroup buffer `dst` (f32), rows >= `valid` as zeros;
/// `rowIndex(r)` maps a tile row to (source row, head) - the caller's view.
void simtStage(const E &e, Value tid, Value src, Value dst, int64_t n,
               int64_t d,
               llvm::function_ref<std::tuple<Value, Value, Value>(
                   const E &, Value)>
                   rowIndex,
               Value bIdx, Value scale) {
  int64_t total = n * d;
  int64_t steps = (total + kThreads - 1) / kThreads;
  buildFor(e.b, e.l, e.c(0), e.c(steps), e.c(1),
           [&](OpBuilder &nb, Location nl, Value s) {
    E x{nb, nl};
    Value idx = x.add(tid, x.mul(s, x.c(kThreads)));
    buildIf(nb, nl, x.ult(idx, x.c(total)), [&](OpBuilder &ib, Location il) {
      E y{ib, il};
      Value r = y.div(idx, y.c(d));
      Value col = y.rem(idx, y.c(d));
      auto [srcRow, head, valid] = rowIndex(y, r);
      Value val = loadF32(ib, il, src, {bIdx, srcRow, head, col});
      if (scale)
        val = y.fmul(val, scale);
      val = y.sel(valid, val, y.f(0.0));
      memref::StoreOp::create(ib, il, val, dst, ValueRange{r, col});
    });
  });
}

void buildSimtBody(const E &e, const AttentionProblem &p,
                   const LaunchIds &ids) {
  int64_t d = p.headDim;
  int64_t rpw = kSimtRowsPerWarp;
  int64_t ncol = (d + kWarpSize - 1) / kWarpSize; // output columns per lane
  Value qs = ids.workgroup[0], ks = ids.workgroup[1], vs = ids.workgroup[2];
  RowTile rt = rowTile(e, p, ids, kSimtBr, kSimtBc);
  Value tid = ids.threadId[0];
  Value warp = e.div(tid, e.c(kWarpSize));
  Value lane = e.rem(tid, e.c(kWarpSize));
  Value lastRow = e.sub(p.rows, e.c(1));
  Value lastKey = e.sub(p.keys, e.c(1));

  // Q tile, pre-scaled by c log2(e); rows past T*g are zeros.
  simtStage(
      e, tid, p.q, qs, kSimtBr, d,
      [&](const E &x, Value r) {
        Value rho = x.add(rt.rho0, r);
        Value valid = x.ult(rho, p.rows);
        auto [t, h] = rowToQuery(x, p, rt.kvh, x.min(rho, lastRow));
        return std::make_tuple(t, h, valid);
      },
      rt.b, e.f(p.log2Scale));

  // This warp's rows and their causal limits P + rho/g.
  SmallVector<Value> limit;
  for (int64_t r = 0; r < rpw; ++r) {
    Value rho = e.add(rt.rho0, e.add(e.mul(warp, e.c(rpw)), e.c(r)));
    limit.push_back(e.add(p.prefix, e.div(rho, e.c(p.group))));
  }

  // State: m[rpw], l[rpw], acc[rpw][ncol].
  float negInf = -std::numeric_limits<float>::infinity();
  SmallVector<Value> init;
  for (int64_t r = 0; r < rpw; ++r)
    init.push_back(e.f(negInf));
  for (int64_t r = 0; r < rpw; ++r)
    init.push_back(e.f(0.0));
  for (int64_t i = 0; i < rpw * ncol; ++i)
    init.push_back(e.f(0.0));

  int64_t unroll = d % 8 == 0 ? 8 : (d % 4 == 0 ? 4 : 2);
  auto tile = [&](const E &x, Value kt, bool masked,
                  ValueRange st) -> SmallVector<Value> {
    Value k0 = x.mul(kt, x.c(kSimtBc));
    barrier(x.b, x.l); // the previous tile's readers are done
    auto kvRow = [&](const E &y, Value r) {
      Value key = y.add(k0, r);
      Value valid = y.ult(key, p.keys);
      return std::make_tuple(y.min(key, lastKey), rt.kvh, valid);
    };
    simtStage(x, tid, p.k, ks, kSimtBc, d, kvRow, rt.b, Value());
    simtStage(x, tid, p.v, vs, kSimtBc, d, kvRow, rt.b, Value());
    barrier(x.b, x.l);

    // Scores s[r] = q[r] . k[lane] (already in base-2 units).
    SmallVector<Value> zeros(rpw, x.f(0.0));
    SmallVector<Value> s = buildForWithValues(
        x.b, x.l, x.c(0), x.c(d), x.c(unroll), zeros,
        [&](OpBuilder &nb, Location nl, Value c0, ValueRange acc) {
          E y{nb, nl};
          SmallVector<Value> a(acc);
          for (int64_t u = 0; u < unroll; ++u) {
            Value col = y.add(c0, y.c(u));
            Value kv = memref::LoadOp::create(nb, nl, ks,
                                              ValueRange{lane, col});
            for (int64_t r = 0; r < rpw; ++r) {
              Value qrow = y.add(y.mul(warp, y.c(rpw)), y.c(r));
              Value qv = memref::LoadOp::create(nb, nl, qs,
                                                ValueRange{qrow, col});
              a[r] = y.fma(qv, kv, a[r]);
            }
          }
          return a;
        });
    SmallVector<Value> next(st.begin(), st.end());
    Value key = x.add(k0, lane);
    SmallVector<Value> pr(rpw), alpha(rpw);
    for (int64_t r = 0; r < rpw; ++r) {
      if (masked)
        s[r] = x.sel(x.ule(key, limit[r]), s[r], x.f(negInf));
      Value mOld = st[r];
      Value mNew = x.fmax(mOld, warpReduceMax(x.b, x.l, s[r]));
      Value mSafe = safeMax(x, mNew);
      pr[r] = x.exp2(x.fsub(s[r], mSafe));
      alpha[r] = x.exp2(x.fsub(mOld, mSafe));
      next[r] = mNew;
      next[rpw + r] = x.fadd(x.fmul(st[rpw + r], alpha[r]),
                             warpReduceSum(x.b, x.l, pr[r]));
      for (int64_t cI = 0; cI < ncol; ++cI)
        next[2 * rpw + r * ncol + cI] =
            x.fmul(st[2 * rpw + r * ncol + cI], alpha[r]);
    }
    // acc[r][c] += sum_j p[r](lane j) * v[j][lane + 32 c].
    SmallVector<Value> accInit(next.begin() + 2 * rpw, next.end());
    SmallVector<Value> cols;
    for (int64_t cI = 0; cI < ncol; ++cI)
      cols.push_back(x.min(x.add(lane, x.c(cI * kWarpSize)), x.c(d - 1)));
    SmallVector<Value> acc = buildForWithValues(
        x.b, x.l, x.c(0), x.c(kSimtBc), x.c(1), accInit,
        [&](OpBuilder &nb, Location nl, Value j, ValueRange a) {
          E y{nb, nl};
          SmallVector<Value> res(a);
          Value j32 = arith::IndexCastOp::create(nb, nl, nb.getI32Type(), j);
          Value width = arith::ConstantOp::create(nb, nl,
                                                  nb.getI32IntegerAttr(32));
          SmallVector<Value> vv;
          for (int64_t cI = 0; cI < ncol; ++cI)
            vv.push_back(memref::LoadOp::create(nb, nl, vs,
                                                ValueRange{j, cols[cI]}));
          for (int64_t r = 0; r < rpw; ++r) {
            Value pj = gpu::ShuffleOp::create(nb, nl, pr[r], j32, width,
                                              gpu::ShuffleMode::IDX)
                           .getShuffleResult();
            for (int64_t cI = 0; cI < ncol; ++cI)
              res[r * ncol + cI] = y.fma(pj, vv[cI], res[r * ncol + cI]);
          }
          return res;
        });
    for (size_t i = 0; i < acc.size(); ++i)
      next[2 * rpw + i] = acc[i];
    return next;
  };
  SmallVector<Value> fin = keyTileLoops(e, rt, init, tile);

  for (int64_t r = 0; r < rpw; ++r) {
    Value rho = e.add(rt.rho0, e.add(e.mul(warp, e.c(rpw)), e.c(r)));
    buildIf(e.b, e.l, e.ult(rho, p.rows), [&](OpBuilder &ib, Location il) {
      E y{ib, il};
      Value t, h;
      std::tie(t, h) = rowToQuery(y, p, rt.kvh, rho);
      Value lane0 = arith::CmpIOp::create(ib, il, arith::CmpIPredicate::eq,
                                          lane, y.c(0));
      for (int64_t cI = 0; cI < ncol; ++cI) {
        Value col = y.add(lane, y.c(cI * kWarpSize));
        Value o = fin[2 * rpw + r * ncol + cI];
        auto store = [&](OpBuilder &sb, Location sl) {
          storeRow(E{sb, sl}, p, rt, t, h, col, o, fin[r], fin[rpw + r],
                   lane0);
        };
        if (cI * kWarpSize + kWarpSize <= d)
          store(ib, il);
        else
          buildIf(ib, il, y.ult(col, y.c(d)), store);
      }
    });
  }
}

//===----------------------------------------------------------------------===//
// Tensor-core body (bf16 / f16 storage)
//===----------------------------------------------------------------------===//

/// Row padding (elements) of the staged tiles: rows 16 bytes apart in bank
/// terms, so the 8 rows an ldmatrix phase reads hit distinct banks.
constexpr int64_t kMmaPad = 8;

/// Key tile and pipelining of the tensor-core kernel. With two stages the K/V
/// tile kt+1 is copied (cp.async, 16 bytes a thread at a time) while tile kt
/// is computed; the Q tile passes through the K buffer before that.
struct MmaConfig {
  int64_t bc;     // keys per tile (64 or 32)
  int64_t stages; // 1 or 2 buffers per operand
  int64_t mTiles; // 16-row m-tiles per warp (1 or 2)
  int64_t br() const { return kWarps * 16 * mTiles; }
  int64_t bufferRows() const { return std::max(br(), stages * bc); }
};

int64_t mmaSharedBytes(int64_t d, Type storage, const MmaConfig &c) {
  return 2 * c.bufferRows() * (d + kMmaPad) *
         storage.getIntOrFloatBitWidth() / 8;
}

SmallVector<MemRefType> mmaBuffers(int64_t d, Type storage,
                                   const MmaConfig &c) {
  // Buffer 0 holds the Q tile until its fragments are in registers, then the
  // K tiles; buffer 1 the V tiles. Stage s of a buffer is rows [s bc, s bc +
  // bc).
  return {workgroupMemRefType({c.bufferRows(), d + kMmaPad}, storage),
          workgroupMemRefType({c.bufferRows(), d + kMmaPad}, storage)};
}

/// The largest configuration that fits the static workgroup memory.
std::optional<MmaConfig> chooseMmaConfig(int64_t d, Type storage,
                                         int64_t stages, int64_t mTiles) {
  // Two m-tiles a warp hold 2x the accumulators: only for d <= 64.
  for (int64_t mt : {mTiles, int64_t(1)}) {
    if (mt == 2 && d > 64)
      continue;
    for (int64_t bc : {64, 32}) {
      MmaConfig c{bc, stages, mt};
      if (mmaSharedBytes(d, storage, c) <= kMaxStaticSharedBytes)
        return c;
    }
  }
  return std::nullopt;
}

/// Issues cp.async copies of `n` rows x d of `src` into rows [row0, row0+n)
/// of `dst`, 16 bytes each; rows with !valid are zero-filled without reading
/// global memory. Commits them as one group.
void mmaStageAsync(const E &e, Value tid, Value src, Value dst, Value row0,
                   int64_t n, int64_t d,
                   llvm::function_ref<std::tuple<Value, Value, Value>(
                       const E &, Value)>
                       rowIndex,
                   Value bIdx, SmallVector<Value> &tokens) {
  int64_t perRow = d / 8;
  int64_t total = n * perRow;
  for (int64_t s = 0; s * kThreads < total; ++s) {
    auto body = [&](OpBuilder &ib, Location il) {
      E y{ib, il};
      Value idx = y.add(tid, y.c(s * kThreads));
      Value r = y.div(idx, y.c(perRow));
      Value col = y.mul(y.rem(idx, y.c(perRow)), y.c(8));
      auto [srcRow, head, valid] = rowIndex(y, r);
      Value count = y.sel(valid, y.c(8), y.c(0));
      tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
          ib, il, nvgpu::DeviceAsyncTokenType::get(ib.getContext()), dst,
          ValueRange{y.add(row0, r), col}, src,
          ValueRange{bIdx, srcRow, head, col}, ib.getIndexAttr(8), count,
          ib.getUnitAttr()));
    };
    if ((s + 1) * kThreads <= total) {
      body(e.b, e.l);
      continue;
    }
    SmallVector<Value> inner; // tokens inside the scf.if stay there
    std::swap(inner, static_cast<SmallVector<Value> &>(tokens));
    buildIf(e.b, e.l, e.ult(e.add(tid, e.c(s * kThreads)), e.c(total)), body);
    std::swap(inner, static_cast<SmallVector<Value> &>(tokens));
  }
}

/// Copies `n` rows x d of `src` into `dst` in 16-byte vectors (8 elements);
/// rows with !valid get zeros.
void mmaStage(const E &e, Value tid, Value src, Value dst, int64_t n,
              int64_t d, Type storage,
              llvm::function_ref<std::tuple<Value, Value, Value>(const E &,
                                                                 Value)>
                  rowIndex,
              Value bIdx) {
  int64_t perRow = d / 8;
  int64_t total = n * perRow;
  auto vecType = VectorType::get({8}, storage);
  int64_t steps = (total + kThreads - 1) / kThreads;
  buildFor(e.b, e.l, e.c(0), e.c(steps), e.c(1),
           [&](OpBuilder &nb, Location nl, Value s) {
    E x{nb, nl};
    Value idx = x.add(tid, x.mul(s, x.c(kThreads)));
    auto body = [&](OpBuilder &ib, Location il) {
      E y{ib, il};
      Value r = y.div(idx, y.c(perRow));
      Value col = y.mul(y.rem(idx, y.c(perRow)), y.c(8));
      auto [srcRow, head, valid] = rowIndex(y, r);
      Value val = vector::LoadOp::create(ib, il, vecType, src,
                                         ValueRange{bIdx, srcRow, head, col},
                                         /*nontemporal=*/false,
                                         llvm::MaybeAlign(16));
      Value zero = arith::ConstantOp::create(
          ib, il, vecType,
          DenseElementsAttr::get(vecType, ib.getFloatAttr(storage, 0.0)));
      val = y.sel(valid, val, zero);
      vector::StoreOp::create(ib, il, val, dst, ValueRange{r, col},
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
    };
    if (total % kThreads == 0)
      body(nb, nl);
    else
      buildIf(nb, nl, x.ult(idx, x.c(total)), body);
  });
}

/// One m16n8k16 tensor-core product with f32 accumulators (nvvm.mma.sync):
/// `a` 4 and `b` 2 pairs of storage-type elements (vector<2xT>), `c` the 4
/// accumulators of this lane (c0, c1: row lane/4; c2, c3: row lane/4 + 8).
std::array<Value, 4> mmaSync(const E &e, Type storage, ArrayRef<Value> a,
                             ArrayRef<Value> bFrag, ArrayRef<Value> c) {
  MLIRContext *ctx = e.b.getContext();
  bool bf16 = storage.isBF16();
  // bf16 operands travel as i32 registers of two values; f16 as vector<2xf16>.
  auto operand = [&](Value pair) -> Value {
    if (!bf16)
      return pair;
    Value v = vector::BitCastOp::create(
        e.b, e.l, VectorType::get({1}, e.b.getI32Type()), pair);
    return vector::ExtractOp::create(e.b, e.l, v, 0);
  };
  SmallVector<Value> av, bv;
  for (Value x : a)
    av.push_back(operand(x));
  for (Value x : bFrag)
    bv.push_back(operand(x));
  Type f32 = e.b.getF32Type();
  auto resType = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
  NVVM::MMATypes type = bf16 ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
  auto mma = NVVM::MmaOp::create(
      e.b, e.l, resType, av, bv, c, ArrayRef<int64_t>{16, 8, 16},
      std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{type, type},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  std::array<Value, 4> out;
  for (int64_t i = 0; i < 4; ++i)
    out[i] = LLVM::ExtractValueOp::create(e.b, e.l, mma.getResult(), i);
  return out;
}

/// The 4 row pairs (vector<2xT>) of an ldmatrix x4 result.
std::array<Value, 4> ldmatrixX4(const E &e, Type storage, Value buffer,
                                Value row, Value col, bool transpose) {
  auto type = VectorType::get({4, 2}, storage);
  Value m = nvgpu::LdMatrixOp::create(e.b, e.l, type, buffer,
                                      ValueRange{row, col}, transpose, 4);
  std::array<Value, 4> out;
  for (int64_t i = 0; i < 4; ++i)
    out[i] = vector::ExtractOp::create(e.b, e.l, m, i);
  return out;
}

void buildMmaBody(const E &e, const AttentionProblem &p, const LaunchIds &ids,
                  const MmaConfig &cfg) {
  int64_t d = p.headDim;
  Type st = p.storage;
  Type f32 = e.b.getF32Type();
  auto vec2 = VectorType::get({2}, st);
  auto vec2f = VectorType::get({2}, f32);
  int64_t bc = cfg.bc, br = cfg.br(), mt = cfg.mTiles;
  int64_t kSteps = d / 16;     // k steps of Q K^T
  int64_t sTiles = bc / 8;     // n tiles of the scores
  int64_t oTiles = d / 8;      // n tiles of the output
  Value kq = ids.workgroup[0], vs = ids.workgroup[1];
  RowTile rt = rowTile(e, p, ids, br, bc);
  Value tid = ids.threadId[0];
  Value warp = e.div(tid, e.c(kWarpSize));
  Value lane = e.rem(tid, e.c(kWarpSize));
  Value lastRow = e.sub(p.rows, e.c(1));
  Value lane4 = e.div(lane, e.c(4)), laneMod4 = e.rem(lane, e.c(4));
  Value lane8 = e.rem(lane, e.c(8));
  Value lane16 = e.rem(lane, e.c(16));
  Value laneHi = e.div(lane, e.c(16));                // 0 or 1
  Value laneMid = e.rem(e.div(lane, e.c(8)), e.c(2)); // 0 or 1
  // The warp's rows: m-tile m covers tile rows [warpRow0 + 16m, +16).
  Value warpRow0 = e.mul(warp, e.c(16 * mt));
  // With a positive scale, scores stay raw until the exponent, where
  // 2^(c log2e (s - m)) is one fma: fma(s, c log2e, -m c log2e).
  bool fused = p.log2Scale > 0;

  // Q tile -> workgroup -> A fragments in registers (ldmatrix x4: lane l
  // addresses row l % 16, column 8 (l / 16) of each 16 x 16 block).
  mmaStage(
      e, tid, p.q, kq, br, d, st,
      [&](const E &x, Value r) {
        Value rho = x.add(rt.rho0, r);
        Value valid = x.ult(rho, p.rows);
        auto [t, h] = rowToQuery(x, p, rt.kvh, x.min(rho, lastRow));
        return std::make_tuple(t, h, valid);
      },
      rt.b);
  barrier(e.b, e.l);
  // qFrag[m][kc]
  SmallVector<SmallVector<std::array<Value, 4>>> qFrag(mt);
  for (int64_t m = 0; m < mt; ++m)
    for (int64_t kc = 0; kc < kSteps; ++kc)
      qFrag[m].push_back(ldmatrixX4(
          e, st, kq, e.add(warpRow0, e.add(e.c(16 * m), lane16)),
          e.add(e.mul(laneHi, e.c(8)), e.c(kc * 16)), /*transpose=*/false));

  // This lane's rows (lane/4 and lane/4 + 8 of each m-tile) and their
  // causal limits; limit[2m + i].
  SmallVector<Value> limit;
  for (int64_t m = 0; m < mt; ++m)
    for (int i = 0; i < 2; ++i) {
      Value rho = e.add(rt.rho0,
                        e.add(warpRow0, e.add(lane4, e.c(16 * m + 8 * i))));
      limit.push_back(e.add(p.prefix, e.div(rho, e.c(p.group))));
    }

  float negInf = -std::numeric_limits<float>::infinity();
  // State, per lane row r = 2m + i (nr = 2 mt rows): m[nr], l[nr] (this
  // lane's partial row sums), then o[m][n][4].
  int64_t nr = 2 * mt;
  auto oIdx = [&](int64_t m, int64_t n, int64_t r) {
    return 2 * nr + (m * oTiles + n) * 4 + r;
  };
  SmallVector<Value> init;
  for (int64_t r = 0; r < nr; ++r)
    init.push_back(e.f(negInf));
  for (int64_t r = 0; r < nr; ++r)
    init.push_back(e.f(0.0));
  for (int64_t n = 0; n < mt * oTiles * 4; ++n)
    init.push_back(e.f(0.0));
  Value scaleV = e.f(p.log2Scale);

  // Keys no row of the tile sees (past keyEnd: the end of the sequence, or
  // the tile issued after the last one) are zero-filled, not read.
  auto kvRowOf = [&](Value k0) {
    return [&, k0](const E &y, Value r) {
      Value key = y.add(k0, r);
      Value valid = y.ult(key, rt.keyEnd);
      return std::make_tuple(y.min(key, y.sub(p.keys, y.c(1))), rt.kvh,
                             valid);
    };
  };
  // Copies key tile kt into stage kt % stages (asynchronously with two
  // stages; tiles past the last one are zero-filled without global reads).
  auto issueTile = [&](const E &x, Value kt) -> Value {
    Value k0 = x.mul(kt, x.c(bc));
    Value row0 = x.mul(x.rem(kt, x.c(cfg.stages)), x.c(bc));
    SmallVector<Value> tokens;
    mmaStageAsync(x, tid, p.k, kq, row0, bc, d, kvRowOf(k0), rt.b, tokens);
    mmaStageAsync(x, tid, p.v, vs, row0, bc, d, kvRowOf(k0), rt.b, tokens);
    return nvgpu::DeviceAsyncCreateGroupOp::create(
        x.b, x.l, nvgpu::DeviceAsyncTokenType::get(x.b.getContext()), tokens);
  };
  if (cfg.stages == 2) {
    barrier(e.b, e.l); // Q fragments read before the K buffer is reused
    issueTile(e, rt.tileLo);
  }

  auto tile = [&](const E &x, Value kt, bool masked,
                  ValueRange stv) -> SmallVector<Value> {
    Value k0 = x.mul(kt, x.c(bc));
    Value row0;
    if (cfg.stages == 2) {
      Value group = issueTile(x, x.add(kt, x.c(1)));
      // Tile kt's group is complete once at most the one just issued is
      // pending; the barrier makes every thread's copies visible.
      nvgpu::DeviceAsyncWaitOp::create(x.b, x.l, group,
                                       x.b.getI32IntegerAttr(1));
      barrier(x.b, x.l);
      row0 = x.mul(x.rem(kt, x.c(2)), x.c(bc));
    } else {
      barrier(x.b, x.l); // Q fragments / the previous tile fully read
      mmaStage(x, tid, p.k, kq, bc, d, st, kvRowOf(k0), rt.b);
      mmaStage(x, tid, p.v, vs, bc, d, st, kvRowOf(k0), rt.b);
      barrier(x.b, x.l);
      row0 = x.c(0);
    }

    // S = Q K^T: K rows are B's columns, so plain ldmatrix gives B
    // fragments; one x4 covers keys 16np.. 16np+15 for one k step and
    // serves every m-tile. s[m][nt][4].
    Value zero = x.f(0.0);
    SmallVector<SmallVector<std::array<Value, 4>>> s(
        mt, SmallVector<std::array<Value, 4>>(sTiles, {zero, zero, zero, zero}));
    for (int64_t np = 0; np < sTiles / 2; ++np) {
      Value keyRow = x.add(x.add(row0, x.c(np * 16)),
                           x.add(lane8, x.mul(laneHi, x.c(8))));
      for (int64_t kc = 0; kc < kSteps; ++kc) {
        Value col = x.add(x.c(kc * 16), x.mul(laneMid, x.c(8)));
        std::array<Value, 4> bq =
            ldmatrixX4(x, st, kq, keyRow, col, /*transpose=*/false);
        for (int half = 0; half < 2; ++half)
          for (int64_t m = 0; m < mt; ++m) {
            int64_t nt = 2 * np + half;
            s[m][nt] = mmaSync(x, st, qFrag[m][kc],
                               {bq[2 * half], bq[2 * half + 1]}, s[m][nt]);
          }
      }
    }
    // Mask on the diagonal tiles; row maxima. s[m][nt][2i + jj]: row
    // lane/4 + 8i of m-tile m, key k0 + 8nt + 2(lane%4) + jj.
    SmallVector<Value> next(stv.begin(), stv.end());
    for (int64_t m = 0; m < mt; ++m) {
      softmaxTileStep(
          x, s[m], fused, scaleV, masked, k0, laneMod4,
          ArrayRef<Value>(limit).slice(2 * m, 2),
          stv.slice(2 * m, 2),
          [&](int i, Value mNew, Value alpha, Value sum) {
            int64_t r = 2 * m + i;
            next[r] = mNew;
            next[nr + r] = x.fadd(x.fmul(stv[nr + r], alpha), sum);
            for (int64_t n = 0; n < oTiles; ++n)
              for (int jj = 0; jj < 2; ++jj) {
                int64_t idx = oIdx(m, n, 2 * i + jj);
                next[idx] = x.fmul(stv[idx], alpha);
              }
          });
    }
    // P (storage type) as A fragments: the accumulators of score tiles 2kk
    // and 2kk+1 are exactly the A layout of keys 16kk .. 16kk+15.
    auto pack = [&](Value lo, Value hi) {
      Value v2 = vector::FromElementsOp::create(x.b, x.l, vec2f,
                                                ValueRange{lo, hi});
      return arith::TruncFOp::create(x.b, x.l, vec2, v2).getResult();
    };
    for (int64_t kk = 0; kk < bc / 16; ++kk) {
      SmallVector<SmallVector<Value>> pa;
      for (int64_t m = 0; m < mt; ++m) {
        auto &a = s[m][2 * kk];
        auto &c = s[m][2 * kk + 1];
        pa.push_back({pack(a[0], a[1]), pack(a[2], a[3]), pack(c[0], c[1]),
                      pack(c[2], c[3])});
      }
      // O += P V: V rows are B's rows (k), so ldmatrix.trans gives B
      // fragments; one x4 covers keys 16kk.. and output columns 16dp..
      Value vRow = x.add(x.add(row0, x.c(kk * 16)),
                         x.add(lane8, x.mul(laneMid, x.c(8))));
      for (int64_t dp = 0; dp < oTiles / 2; ++dp) {
        Value col = x.add(x.c(dp * 16), x.mul(laneHi, x.c(8)));
        std::array<Value, 4> bv =
            ldmatrixX4(x, st, vs, vRow, col, /*transpose=*/true);
        for (int half = 0; half < 2; ++half)
          for (int64_t m = 0; m < mt; ++m) {
            int64_t n = 2 * dp + half;
            std::array<Value, 4> o =
                mmaSync(x, st, pa[m], {bv[2 * half], bv[2 * half + 1]},
                        ArrayRef<Value>(next).slice(oIdx(m, n, 0), 4));
            for (int64_t r = 0; r < 4; ++r)
              next[oIdx(m, n, r)] = o[r];
          }
      }
    }
    if (cfg.stages == 2)
      barrier(x.b, x.l); // stage kt % 2 read before tile kt+2 lands
    return next;
  };
  SmallVector<Value> fin = keyTileLoops(e, rt, init, tile);
  if (cfg.stages == 2) // the last (empty) group: nothing left in flight
    NVVM::CpAsyncWaitGroupOp::create(e.b, e.l, 0);

  for (int64_t m = 0; m < mt; ++m)
    for (int i = 0; i < 2; ++i) {
      int64_t r = 2 * m + i;
      Value l = laneGroupReduceSum(e.b, e.l, fin[nr + r], /*group=*/4);
      // The running max in base-2 units, for the split combination.
      Value m2 = fused ? e.fmul(fin[r], scaleV) : fin[r];
      Value rho = e.add(rt.rho0,
                        e.add(warpRow0, e.add(lane4, e.c(16 * m + 8 * i))));
      buildIf(e.b, e.l, e.ult(rho, p.rows), [&](OpBuilder &ib, Location il) {
        E y{ib, il};
        Value t, h;
        std::tie(t, h) = rowToQuery(y, p, rt.kvh, rho);
        Value first = arith::CmpIOp::create(ib, il, arith::CmpIPredicate::eq,
                                            laneMod4, y.c(0));
        for (int64_t n = 0; n < oTiles; ++n)
          for (int jj = 0; jj < 2; ++jj) {
            Value col = y.add(y.c(8 * n + jj), y.mul(laneMod4, y.c(2)));
            storeRow(y, p, rt, t, h, col, fin[oIdx(m, n, 2 * i + jj)], m2, l,
                     first);
          }
      });
    }
}

//===----------------------------------------------------------------------===//
// wgmma body (sm_90a; bf16/f16 storage, d = 64)
//===----------------------------------------------------------------------===//
//
// FlashAttention-3 style: warpgroup w (4 consecutive warps, 128 threads)
// owns query rows [64 w, 64 w + 64) of the row tile (Br = 64 x warpgroups).
// Per key tile of Bc keys:
//   S = Q K^T: wgmma.mma_async m64nBck16 x 4 (d = 64), A = the Q tile and B
//     = the K tile from shared memory, both K-major (rows of 64 16-bit
//     elements = 128 bytes, stored with the 128-byte swizzle: 16-byte chunk c
//     of row r at r * 128 + (c ^ (r % 8)) * 16, tiles 1024-byte aligned);
//   the online softmax on the accumulators in registers (each warp's part of
//     an m64nN accumulator has the mma.sync m16n8 C layout: the same code as
//     the mma.sync body), the masked copy only on the diagonal tiles;
//   O += P V: wgmma m64n64k16 x Bc/16 with A = P from registers (two score
//     n8 tiles in the C layout are exactly the A fragment of 16 keys) and B
//     = the V tile, MN-major (rows = keys): the transposed B operand.
// Q, K and V reach shared memory through cp.async (16 bytes a copy, zero
// fill past the visible keys); K/V are double-buffered: tile kt+1 is in
// flight while tile kt is computed. The shared memory is dynamic (above 48
// KB; the runtime opts the kernel in).
// Defaults (stop 12, bench/gpu/NOTES-attention.md): Bc = 64 (4 blocks a
// SM, asked of ptxas as nvvm.minctasm), one barrier a tile, lazy rescaling
// of O, an epilogue with one division a row and 4-byte pair stores. Knobs:
// 128-key tiles, two warpgroups, the stop-11 loop (two barriers a tile), 3
// stages, FlashAttention-3's intra-warpgroup overlap (softmax of tile kt
// while O += P(kt-1) V(kt-1) runs), eager rescaling, the minctasm request.

llvm::cl::opt<int64_t> clWgmmaBc(
    "sessa-gpu-attention-wgmma-bc", llvm::cl::init(64), llvm::cl::Hidden,
    llvm::cl::desc("keys per tile of the wgmma attention kernel (64 or 128)"));
llvm::cl::opt<int64_t> clWgmmaWarpgroups(
    "sessa-gpu-attention-wgmma-warpgroups", llvm::cl::init(1),
    llvm::cl::Hidden,
    llvm::cl::desc("warpgroups (64 query rows each) of the wgmma attention "
                   "kernel (1 or 2)"));

llvm::cl::opt<int64_t> clWgmmaStages(
    "sessa-gpu-attention-wgmma-stages", llvm::cl::init(2), llvm::cl::Hidden,
    llvm::cl::desc("K/V stages of the wgmma attention kernel: 2, or 3 with "
                   "the O += P V products of a tile left in flight while "
                   "the next tile starts (waited with its S = Q K^T)"));

llvm::cl::opt<int64_t> clWgmmaPipeline(
    "sessa-gpu-attention-wgmma-pipeline", llvm::cl::init(1), llvm::cl::Hidden,
    llvm::cl::desc("tile loop of the wgmma attention kernel: 0 = two "
                   "barriers a tile (stop 11), 1 = one barrier a tile (tile "
                   "kt + 1 issued after it), 2 = intra-warpgroup overlap "
                   "(O += P(kt-1) V(kt-1) in flight during the softmax of "
                   "tile kt; V in 3 stages)"));

llvm::cl::opt<int64_t> clWgmmaMinBlocks(
    "sessa-gpu-attention-wgmma-min-blocks", llvm::cl::init(0),
    llvm::cl::Hidden,
    llvm::cl::desc("resident blocks a SM requested from ptxas for the wgmma "
                   "attention kernel (nvvm.minctasm; 0: none; default: what "
                   "the shared memory allows, at most 4, one warpgroup)"));

llvm::cl::opt<double> clWgmmaLazyRescale(
    "sessa-gpu-attention-wgmma-lazy-rescale", llvm::cl::init(8.0),
    llvm::cl::Hidden,
    llvm::cl::desc("wgmma attention: keep a row's running max until some row "
                   "of the warp grew by more than this (base-2 units; 0: "
                   "rescale every tile) and skip the rescale of O then"));

constexpr int64_t kWgRowBytes = 128; // d = 64 16-bit elements

/// The tile loop of the wgmma body (see clWgmmaPipeline).
enum class WgmmaPipeline { TwoBarriers = 0, OneBarrier = 1, Overlap = 2 };

struct WgmmaConfig {
  int64_t bc;         // keys per tile: 64 or 128
  int64_t warpgroups; // 1 or 2
  int64_t kStages;    // K buffers: 2, or 3 with the P V products left in
                      // flight across tiles (TwoBarriers only)
  int64_t vStages;    // V buffers: as K, 3 for Overlap
  WgmmaPipeline pipeline;
  int64_t br() const { return 64 * warpgroups; }
  int64_t threads() const { return 128 * warpgroups; }
  int64_t qBytes() const { return br() * kWgRowBytes; }
  int64_t kvStageBytes() const { return bc * kWgRowBytes; }
  int64_t kOffset() const { return qBytes(); }
  int64_t vOffset() const { return qBytes() + kStages * kvStageBytes(); }
  int64_t totalBytes() const {
    return qBytes() + (kStages + vStages) * kvStageBytes();
  }
};

/// Descriptor of a 128-byte-swizzled operand at shared address `addr`
/// (i64): start >> 4 (bits 0-13), leading byte offset (16-29), stride byte
/// offset 1024 between 8-row groups (32-45), swizzle mode 1 = 128B (62-63).
/// K-major operands ignore the leading offset (16 bytes); for the MN-major
/// V (64 columns = one swizzle atom) it is set to 1024 as well.
Value wgmmaDescriptor(const E &e, Value addr, bool mnMajor) {
  Type i64 = e.b.getI64Type();
  auto c64 = [&](int64_t v) {
    return arith::ConstantOp::create(e.b, e.l, e.b.getI64IntegerAttr(v))
        .getResult();
  };
  Value start = arith::ShRUIOp::create(
      e.b, e.l, arith::AndIOp::create(e.b, e.l, addr, c64(0x3FFFF)), c64(4));
  int64_t lbo = mnMajor ? (1024 >> 4) : 1;
  int64_t fixed = (lbo << 16) | (int64_t(1024 >> 4) << 32) |
                  (int64_t(1) << 62);
  (void)i64;
  return arith::OrIOp::create(e.b, e.l, start, c64(fixed));
}

/// O (32 f32 of this thread, m64n64) += P (A from registers: 4 x i32 of
/// two 16-bit values) * V (MN-major descriptor): wgmma.mma_async with a
/// register A operand, as inline PTX (the NVVM op takes A descriptors only).
SmallVector<Value> wgmmaRS(const E &e, Type storage, ArrayRef<Value> acc,
                           ArrayRef<Value> a, Value descB) {
  MLIRContext *ctx = e.b.getContext();
  Type f32 = e.b.getF32Type();
  auto resType =
      LLVM::LLVMStructType::getLiteral(ctx, SmallVector<Type>(32, f32));
  std::string asmStr = "{\n.reg .pred p;\nsetp.ne.b32 p, $69, 0;\n"
                       "wgmma.mma_async.sync.aligned.m64n64k16.f32.";
  std::string ty = storage.isBF16() ? "bf16" : "f16";
  asmStr += ty + "." + ty + " {";
  for (int i = 0; i < 32; ++i)
    asmStr += (i ? ", $" : "$") + std::to_string(i);
  asmStr += "}, {$64, $65, $66, $67}, $68, p, 1, 1, 1;\n}\n";
  std::string cons;
  for (int i = 0; i < 32; ++i)
    cons += "=f,";
  for (int i = 0; i < 32; ++i)
    cons += std::to_string(i) + ",";
  cons += "r,r,r,r,l,n";
  SmallVector<Value> operands(acc.begin(), acc.end());
  operands.append(a.begin(), a.end());
  operands.push_back(descB);
  operands.push_back(arith::ConstantOp::create(e.b, e.l,
                                               e.b.getI32IntegerAttr(1)));
  auto op = LLVM::InlineAsmOp::create(
      e.b, e.l, resType, operands, asmStr, cons, /*has_side_effects=*/true,
      /*is_align_stack=*/false, LLVM::tailcallkind::TailCallKind::None,
      LLVM::AsmDialectAttr::get(ctx, LLVM::AsmDialect::AD_ATT),
      /*operand_attrs=*/ArrayAttr());
  SmallVector<Value> out;
  for (int64_t i = 0; i < 32; ++i)
    out.push_back(LLVM::ExtractValueOp::create(e.b, e.l, op.getRes(), i));
  return out;
}

/// wgmma.wait_group `pending` as inline PTX that takes `acc` (f32) and
/// `keep` (i32) as read-write operands and returns the values of `acc` after
/// the wait: the accumulators of the groups in flight are read only after
/// it, and the registers of `keep` (A fragments the groups read) stay live
/// until it (else LLVM may reuse them for values computed while the
/// products run, and ptxas serialises the wgmma instructions).
SmallVector<Value> wgmmaWaitTied(const E &e, int pending, ArrayRef<Value> acc,
                                 ArrayRef<Value> keep) {
  MLIRContext *ctx = e.b.getContext();
  SmallVector<Type> types;
  std::string cons;
  for (Value v : acc) {
    types.push_back(v.getType());
    cons += std::string(cons.empty() ? "" : ",") + "=f";
  }
  for (Value v : keep) {
    types.push_back(v.getType());
    cons += std::string(cons.empty() ? "" : ",") + "=r";
  }
  for (size_t i = 0; i < types.size(); ++i)
    cons += "," + std::to_string(i);
  SmallVector<Value> operands(acc.begin(), acc.end());
  operands.append(keep.begin(), keep.end());
  auto resType = LLVM::LLVMStructType::getLiteral(ctx, types);
  auto op = LLVM::InlineAsmOp::create(
      e.b, e.l, resType, operands,
      "wgmma.wait_group.sync.aligned " + std::to_string(pending) + ";", cons,
      /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None,
      LLVM::AsmDialectAttr::get(ctx, LLVM::AsmDialect::AD_ATT),
      /*operand_attrs=*/ArrayAttr());
  SmallVector<Value> out;
  for (size_t i = 0; i < acc.size(); ++i)
    out.push_back(LLVM::ExtractValueOp::create(e.b, e.l, op.getRes(), i));
  return out;
}

void buildWgmmaBody(const E &e, const AttentionProblem &p,
                    const LaunchIds &ids, const WgmmaConfig &cfg) {
  MLIRContext *ctx = e.b.getContext();
  Type st = p.storage;
  Type f32 = e.b.getF32Type(), i32 = e.b.getI32Type(), i64 = e.b.getI64Type();
  auto vec2 = VectorType::get({2}, st);
  auto vec2f = VectorType::get({2}, f32);
  const int64_t d = 64, bc = cfg.bc, br = cfg.br(), threads = cfg.threads();
  const int64_t sTiles = bc / 8, oTiles = d / 8;
  RowTile rt = rowTile(e, p, ids, br, bc);
  Value tid = ids.threadId[0];
  Value warp = e.div(tid, e.c(kWarpSize));
  Value lane = e.rem(tid, e.c(kWarpSize));
  Value wg = e.div(warp, e.c(4));
  Value lane4 = e.div(lane, e.c(4)), laneMod4 = e.rem(lane, e.c(4));
  Value lastRow = e.sub(p.rows, e.c(1));
  // This warp's first row in the tile: 64 wg + 16 (warp % 4) = 16 warp.
  Value warpRow0 = e.mul(warp, e.c(16));
  bool fused = p.log2Scale > 0;

  // Shared memory: the tiles start at the first 1024-byte aligned address
  // of the pool (allocated 1024 bytes larger).
  Value pool = ids.dynamicShared;
  Value poolAddr = memref::ExtractAlignedPointerAsIndexOp::create(e.b, e.l,
                                                                   pool);
  Value pad = e.rem(e.sub(e.c(1024), e.rem(poolAddr, e.c(1024))), e.c(1024));
  Value base = e.add(poolAddr, pad); // shared-window address of the tiles
  auto space = gpu::AddressSpaceAttr::get(
      ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
  Value flat = memref::ViewOp::create(
      e.b, e.l,
      MemRefType::get({cfg.totalBytes() / 2}, st, MemRefLayoutAttrInterface(),
                      space),
      pool, pad, ValueRange{});

  // cp.async of rows [0, n) (row r from rowIndex(r)) into the swizzled
  // region at byte `region` of the tiles: thread t copies chunk t % 8 of
  // rows t / 8 + (threads / 8) i.
  auto stage = [&](const E &x, Value src, Value region, int64_t n,
                   llvm::function_ref<std::tuple<Value, Value, Value>(
                       const E &, Value)>
                       rowIndex,
                   SmallVector<Value> &tokens) {
    assert((n * 8) % threads == 0 && "rows must split evenly");
    Value chunk = x.rem(tid, x.c(8));
    Value col = x.mul(chunk, x.c(8));
    for (int64_t s = 0; s < n * 8 / threads; ++s) {
      Value r = x.add(x.div(tid, x.c(8)), x.c(s * threads / 8));
      auto [srcRow, head, valid] = rowIndex(x, r);
      Value count = x.sel(valid, x.c(8), x.c(0));
      Value swz = arith::XOrIOp::create(x.b, x.l, chunk, x.rem(r, x.c(8)));
      // Element index: (region + r * 128 + swz * 16) / 2.
      Value idx = x.add(x.div(region, x.c(2)),
                        x.add(x.mul(r, x.c(64)), x.mul(swz, x.c(8))));
      tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
          x.b, x.l, nvgpu::DeviceAsyncTokenType::get(ctx), flat,
          ValueRange{idx}, src, ValueRange{rt.b, srcRow, head, col},
          x.b.getIndexAttr(8), count, x.b.getUnitAttr()));
    }
  };
  auto toI64 = [&](const E &x, Value idx) -> Value {
    return arith::IndexCastUIOp::create(x.b, x.l, i64, idx);
  };
  auto kvRegion = [&](const E &x, Value kt, int64_t offset, int64_t stages) {
    return x.add(x.c(offset),
                 x.mul(x.rem(kt, x.c(stages)), x.c(cfg.kvStageBytes())));
  };
  // K/V copies on raw pointers, their addresses computed once: thread t
  // copies chunk t % 8 of rows t / 8 + (threads / 8) s of a tile; per tile
  // only the row offset k0 * rowStride moves. The destination chunk is
  // swizzled by the row % 8 = (t / 8) % 8 for every s.
  Type i8 = e.b.getI8Type();
  auto ptrType = [&](unsigned space) {
    return LLVM::LLVMPointerType::get(ctx, space);
  };
  auto toPtr = [&](const E &x, Value idx, unsigned space) -> Value {
    Value i = arith::IndexCastUIOp::create(x.b, x.l, i64, idx);
    if (space == 3)
      return LLVM::IntToPtrOp::create(x.b, x.l, ptrType(3), i);
    Value generic = LLVM::IntToPtrOp::create(x.b, x.l, ptrType(0), i);
    return LLVM::AddrSpaceCastOp::create(x.b, x.l, ptrType(1), generic);
  };
  auto gepBytes = [&](const E &x, Value ptr, Value bytes) -> Value {
    return LLVM::GEPOp::create(x.b, x.l, ptr.getType(), i8, ptr,
                               ValueRange{bytes});
  };
  auto gepConst = [&](const E &x, Value ptr, int64_t bytes) -> Value {
    if (!bytes)
      return ptr;
    return LLVM::GEPOp::create(x.b, x.l, ptr.getType(), i8, ptr,
                               ArrayRef<LLVM::GEPArg>{int32_t(bytes)});
  };
  const int64_t rowsPerPass = threads / 8, passes = bc / rowsPerPass;
  struct KVSource {
    Value row0Ptr;   // key 0 of (b, kvh), this thread's chunk
    Value threadPtr; // key t / 8 of (b, kvh), this thread's chunk
    Value rowBytes;  // bytes between keys (i64)
  };
  Value tRow = e.div(tid, e.c(8));
  Value chunk = e.rem(tid, e.c(8));
  auto kvSource = [&](Value mem) {
    auto meta = memref::ExtractStridedMetadataOp::create(e.b, e.l, mem);
    SmallVector<Value> strides(meta.getStrides());
    Value base = toPtr(
        e, memref::ExtractAlignedPointerAsIndexOp::create(e.b, e.l, mem), 1);
    Value off = e.add(meta.getOffset(),
                      e.add(e.add(e.mul(rt.b, strides[0]),
                                  e.mul(rt.kvh, strides[2])),
                            e.mul(chunk, e.c(8))));
    KVSource src;
    src.row0Ptr = gepBytes(e, base, toI64(e, e.mul(off, e.c(2))));
    src.rowBytes = toI64(e, e.mul(strides[1], e.c(2)));
    src.threadPtr = gepBytes(
        e, src.row0Ptr,
        arith::MulIOp::create(e.b, e.l, toI64(e, tRow), src.rowBytes));
    return src;
  };
  KVSource kSrc = kvSource(p.k), vSrc = kvSource(p.v);
  Value smemBase = toPtr(e, base, 3);
  Value swz = arith::XOrIOp::create(e.b, e.l, chunk, e.rem(tRow, e.c(8)));
  Value dstThread = gepBytes(
      e, smemBase,
      toI64(e, e.add(e.mul(tRow, e.c(kWgRowBytes)), e.mul(swz, e.c(16)))));
  // Rows valid in copy pass s: key < keyEnd, i.e. k0 + t/8 < keyEnd - s *
  // rowsPerPass (signed: the right side may be negative).
  SmallVector<Value> passEnd;
  for (int64_t s = 0; s < passes; ++s)
    passEnd.push_back(e.sub(rt.keyEnd, e.c(s * rowsPerPass)));
  auto issueKV = [&](const E &x, Value kt) {
    Value k0 = x.mul(kt, x.c(bc));
    Value rowKey = x.add(k0, tRow);
    auto stageOff = [&](int64_t stages) {
      return x.mul(x.rem(kt, x.c(stages)), x.c(cfg.kvStageBytes()));
    };
    Value i16 = arith::ConstantOp::create(x.b, x.l, x.b.getI32IntegerAttr(16));
    Value i0 = arith::ConstantOp::create(x.b, x.l, x.b.getI32IntegerAttr(0));
    SmallVector<Value> valid;
    for (int64_t s = 0; s < passes; ++s)
      valid.push_back(arith::CmpIOp::create(
          x.b, x.l, arith::CmpIPredicate::slt, rowKey, passEnd[s]));
    for (auto [src, region, stages] :
         {std::make_tuple(&kSrc, cfg.kOffset(), cfg.kStages),
          std::make_tuple(&vSrc, cfg.vOffset(), cfg.vStages)}) {
      Value tilePtr = gepBytes(
          x, src->threadPtr,
          arith::MulIOp::create(x.b, x.l, toI64(x, k0), src->rowBytes));
      Value passBytes = arith::MulIOp::create(
          x.b, x.l, src->rowBytes,
          arith::ConstantOp::create(x.b, x.l,
                                    x.b.getI64IntegerAttr(rowsPerPass)));
      Value dst = gepBytes(x, dstThread,
                           toI64(x, x.add(stageOff(stages), x.c(region))));
      Value ptr = tilePtr;
      for (int64_t s = 0; s < passes; ++s) {
        if (s)
          ptr = gepBytes(x, ptr, passBytes);
        // Rows past the visible keys read nothing (zero fill) from a valid
        // address.
        Value from = LLVM::SelectOp::create(x.b, x.l, valid[s], ptr,
                                            src->row0Ptr);
        Value n = arith::SelectOp::create(x.b, x.l, valid[s], i16, i0);
        NVVM::CpAsyncOp::create(
            x.b, x.l, gepConst(x, dst, s * rowsPerPass * kWgRowBytes), from,
            x.b.getI32IntegerAttr(16),
            NVVM::LoadCacheModifierKindAttr::get(
                ctx, NVVM::LoadCacheModifierKind::CG),
            n);
      }
    }
  };
  {
    // The Q tile (rows past T*g are zeros) and the first K/V tile.
    SmallVector<Value> tokens;
    stage(
        e, p.q, e.c(0), br,
        [&](const E &x, Value r) {
          Value rho = x.add(rt.rho0, r);
          Value valid = x.ult(rho, p.rows);
          auto [t, h] = rowToQuery(x, p, rt.kvh, x.min(rho, lastRow));
          return std::make_tuple(t, h, valid);
        },
        tokens);
    issueKV(e, rt.tileLo);
    NVVM::CpAsyncCommitGroupOp::create(e.b, e.l);
  }

  // This lane's rows (lane/4 and lane/4 + 8 of its warp) and their causal
  // limits.
  SmallVector<Value> limit;
  for (int i = 0; i < 2; ++i) {
    Value rho = e.add(rt.rho0, e.add(warpRow0, e.add(lane4, e.c(8 * i))));
    limit.push_back(e.add(p.prefix, e.div(rho, e.c(p.group))));
  }
  float negInf = -std::numeric_limits<float>::infinity();
  // State: m[2], l[2] (this lane's partial row sums), o[32] (o[4 n + r]:
  // output columns 8 n + 2 (lane % 4) + r % 2, row r / 2).
  SmallVector<Value> init{e.f(negInf), e.f(negInf), e.f(0.0), e.f(0.0)};
  for (int64_t n = 0; n < oTiles * 4; ++n)
    init.push_back(e.f(0.0));
  Value scaleV = e.f(p.log2Scale);
  auto sType = LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(bc / 2, f32));

  const WgmmaPipeline pipe = cfg.pipeline;
  const bool overlap = pipe == WgmmaPipeline::Overlap;
  const int64_t pRegs = bc / 4; // P of a tile as A fragments: bc/16 x 4 i32
  const int64_t oBegin = 4, pBegin = 4 + oTiles * 4;
  if (overlap) {
    // Every tile runs O += P V of the previous one: before the first, P = 0
    // and "tile lo - 1"'s V stage holds zeros (stale shared memory could
    // hold NaN bit patterns, and 0 * NaN = NaN).
    Value zeroI = arith::ConstantOp::create(e.b, e.l, e.b.getI32IntegerAttr(0));
    for (int64_t i = 0; i < pRegs; ++i)
      init.push_back(zeroI);
    auto vecType = VectorType::get({8}, st);
    Value zeros = arith::ConstantOp::create(
        e.b, e.l, vecType,
        DenseElementsAttr::get(vecType, e.b.getFloatAttr(st, 0.0)));
    Value region = kvRegion(e, e.add(rt.tileLo, e.c(cfg.vStages - 1)),
                            cfg.vOffset(), cfg.vStages);
    Value first = e.add(e.div(region, e.c(2)), e.mul(tid, e.c(8)));
    for (int64_t i = 0; i < cfg.kvStageBytes() / (16 * threads); ++i)
      vector::StoreOp::create(e.b, e.l, zeros, flat,
                              ValueRange{e.add(first, e.c(i * threads * 8))},
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
    // Visible to the tensor cores (async proxy) of every thread, also when
    // the block has no key tile (an empty split: only the final P V runs).
    NVVM::FenceProxyOp::create(
        e.b, e.l, NVVM::ProxyKindAttr::get(ctx, NVVM::ProxyKind::async_shared),
        NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
    barrier(e.b, e.l);
  }
  // The warpgroup's Q rows (the same every tile).
  Value dq = wgmmaDescriptor(
      e, toI64(e, e.add(base, e.mul(wg, e.c(64 * kWgRowBytes)))), false);

  // Waits until at most `pending` cp.async groups are in flight; cp.async
  // writes are generic-proxy writes that wgmma (async proxy) reads: fence,
  // then the barrier makes every thread's visible.
  auto landed = [&](const E &x, int pending) {
    NVVM::CpAsyncWaitGroupOp::create(x.b, x.l, pending);
    NVVM::FenceProxyOp::create(
        x.b, x.l, NVVM::ProxyKindAttr::get(ctx, NVVM::ProxyKind::async_shared),
        NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
    barrier(x.b, x.l);
  };
  // Descriptors (Q, K) of the 4 k16 steps of S = Q K^T for the K tile at
  // shared address kAddr: k16 step = 32 bytes further along the (swizzled)
  // rows. Every descriptor and A fragment of a wgmma group is computed
  // before the wgmma fence: no register a group reads is written between
  // its wgmma instructions (else ptxas serialises them).
  auto sDescriptors = [&](const E &x, Value kAddr) {
    Value dk = wgmmaDescriptor(x, kAddr, false);
    SmallVector<std::pair<Value, Value>> out;
    for (int64_t ks = 0; ks < d / 16; ++ks) {
      Value off = arith::ConstantOp::create(x.b, x.l,
                                            x.b.getI64IntegerAttr(2 * ks));
      out.push_back({arith::AddIOp::create(x.b, x.l, dq, off),
                     arith::AddIOp::create(x.b, x.l, dk, off)});
    }
    return out;
  };
  // S = Q K^T (after a wgmma fence), committed as one group.
  auto issueS = [&](const E &x,
                    ArrayRef<std::pair<Value, Value>> desc) -> Value {
    Value sAcc = LLVM::UndefOp::create(x.b, x.l, sType);
    for (int64_t ks = 0; ks < d / 16; ++ks) {
      sAcc = buildWgmmaKMajor(x.b, x.l, sType, sAcc, desc[ks].first,
                              desc[ks].second, bc, st.isBF16(), ks == 0);
    }
    NVVM::WgmmaGroupSyncAlignedOp::create(x.b, x.l);
    return sAcc;
  };
  // Descriptors of the V tile at shared address vAddr, 16 keys (16 rows of
  // 128 bytes) a step.
  auto vDescriptors = [&](const E &x, Value vAddr) {
    Value dv = wgmmaDescriptor(x, vAddr, /*mnMajor=*/true);
    SmallVector<Value> out;
    for (int64_t kk = 0; kk < bc / 16; ++kk) {
      Value off = arith::ConstantOp::create(
          x.b, x.l, x.b.getI64IntegerAttr(kk * 16 * kWgRowBytes / 16));
      out.push_back(arith::AddIOp::create(x.b, x.l, dv, off));
    }
    return out;
  };
  // O += P V (16 keys a step, after a wgmma fence); P as bc/16 A fragments
  // of 4 i32. Committed as one group.
  auto issuePV = [&](const E &x, ArrayRef<Value> o, ArrayRef<Value> pa,
                     ArrayRef<Value> dvs) -> SmallVector<Value> {
    SmallVector<Value> acc(o.begin(), o.end());
    for (int64_t kk = 0; kk < bc / 16; ++kk)
      acc = wgmmaRS(x, st, acc, pa.slice(4 * kk, 4), dvs[kk]);
    NVVM::WgmmaGroupSyncAlignedOp::create(x.b, x.l);
    return acc;
  };
  auto pack = [&](const E &x, Value lo, Value hi) -> Value {
    Value v2 = vector::FromElementsOp::create(x.b, x.l, vec2f,
                                              ValueRange{lo, hi});
    Value t = arith::TruncFOp::create(x.b, x.l, vec2, v2);
    Value v = vector::BitCastOp::create(x.b, x.l, VectorType::get({1}, i32), t);
    return vector::ExtractOp::create(x.b, x.l, v, 0);
  };
  auto vAddrOf = [&](const E &x, Value kt) {
    return toI64(x, x.add(base, kvRegion(x, kt, cfg.vOffset(), cfg.vStages)));
  };

  // The tile loop. TwoBarriers (stop 11): issue tile kt + 1, wait for tile
  // kt, barrier, S, softmax, P V, barrier (stage kt % 2 read before tile
  // kt + 2 is copied into it). OneBarrier: wait for tile kt (the only group
  // in flight), barrier (every thread is also done with tile kt - 1, whose
  // stages tile kt + 1 takes), issue tile kt + 1, S, softmax, P V. Overlap
  // (FlashAttention-3's intra-warpgroup pipelining): as OneBarrier, but S =
  // Q K(kt)^T and O += P(kt-1) V(kt-1) are issued together and the softmax
  // of tile kt runs while the P V products are in flight; O is rescaled
  // after them. V needs 3 stages: tile kt + 1's copy must not overwrite
  // V(kt - 1) (read during tile kt). State: m[2], l[2], O[32] (+ P[bc/4]).
  auto tile = [&](const E &x, Value kt, bool masked,
                  ValueRange stv) -> SmallVector<Value> {
    Value k0 = x.mul(kt, x.c(bc));
    if (pipe == WgmmaPipeline::TwoBarriers) {
      issueKV(x, x.add(kt, x.c(1)));
      NVVM::CpAsyncCommitGroupOp::create(x.b, x.l);
      landed(x, 1);
    } else {
      landed(x, 0);
      issueKV(x, x.add(kt, x.c(1)));
      NVVM::CpAsyncCommitGroupOp::create(x.b, x.l);
    }
    Value kAddr =
        toI64(x, x.add(base, kvRegion(x, kt, cfg.kOffset(), cfg.kStages)));
    SmallVector<Value> o(stv.begin() + oBegin, stv.begin() + pBegin);
    auto sDesc = sDescriptors(x, kAddr);
    SmallVector<Value> dvPrev;
    if (overlap)
      dvPrev = vDescriptors(x, vAddrOf(x, x.add(kt, x.c(cfg.vStages - 1))));
    NVVM::WgmmaFenceAlignedOp::create(x.b, x.l);
    Value sAcc = issueS(x, sDesc);
    if (overlap) {
      o = issuePV(x, o, SmallVector<Value>(stv.slice(pBegin, pRegs)), dvPrev);
      NVVM::WgmmaWaitGroupSyncOp::create(x.b, x.l, 1); // S landed
    } else {
      NVVM::WgmmaWaitGroupSyncOp::create(x.b, x.l, 0);
    }
    // s[nt][2i + jj]: row lane/4 + 8i of the warp, key k0 + 8nt +
    // 2(lane%4) + jj.
    SmallVector<std::array<Value, 4>> s(sTiles);
    for (int64_t nt = 0; nt < sTiles; ++nt)
      for (int64_t r = 0; r < 4; ++r)
        s[nt][r] = LLVM::ExtractValueOp::create(x.b, x.l, sAcc, nt * 4 + r);

    SmallVector<Value> next(stv.begin(), stv.end());
    Value alphas[2];
    Value rescaleAny;
    softmaxTileStep(
        x, s, fused, scaleV, masked, k0, laneMod4,
        ArrayRef<Value>(limit).take_front(2), stv.take_front(2),
        [&](int i, Value mNew, Value alpha, Value sum) {
          next[i] = mNew;
          next[2 + i] = x.fadd(x.fmul(stv[2 + i], alpha), sum);
          alphas[i] = alpha;
        },
        clWgmmaLazyRescale, &rescaleAny);
    // P (storage type) as A fragments: score tiles 2kk and 2kk + 1 are the
    // A layout of keys 16kk .. 16kk + 15.
    SmallVector<Value> pa;
    for (int64_t kk = 0; kk < bc / 16; ++kk) {
      auto &a = s[2 * kk];
      auto &c = s[2 * kk + 1];
      for (Value v : {pack(x, a[0], a[1]), pack(x, a[2], a[3]),
                      pack(x, c[0], c[1]), pack(x, c[2], c[3])})
        pa.push_back(v);
    }
    // o[4 n + r]: output columns 8 n + 2 (lane % 4) + r % 2, row r / 2.
    auto rescale = [&](SmallVector<Value> &acc) {
      auto scaled = [&](const E &y) {
        SmallVector<Value> out;
        for (int64_t idx = 0; idx < oTiles * 4; ++idx)
          out.push_back(y.fmul(acc[idx], alphas[(idx % 4) / 2]));
        return out;
      };
      if (!rescaleAny) {
        acc = scaled(x);
        return;
      }
      // Lazy rescaling: only when some row's max moved.
      auto ifOp = scf::IfOp::create(
          x.b, x.l, TypeRange(SmallVector<Type>(acc.size(), f32)), rescaleAny,
          /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard guard(x.b);
        x.b.setInsertionPointToStart(&ifOp.getThenRegion().front());
        scf::YieldOp::create(x.b, x.l, scaled(E{x.b, x.l}));
        x.b.setInsertionPointToStart(&ifOp.getElseRegion().front());
        scf::YieldOp::create(x.b, x.l, acc);
      }
      acc.assign(ifOp.getResults().begin(), ifOp.getResults().end());
    };
    if (overlap) {
      // P(kt-1) V(kt-1) done; P(kt-1) kept in its registers until then.
      o = wgmmaWaitTied(x, 0, o, SmallVector<Value>(stv.slice(pBegin, pRegs)));
      rescale(o);
      llvm::copy(o, next.begin() + oBegin);
      llvm::copy(pa, next.begin() + pBegin);
      return next;
    }
    rescale(o);
    SmallVector<Value> dvs = vDescriptors(x, vAddrOf(x, kt));
    NVVM::WgmmaFenceAlignedOp::create(x.b, x.l);
    o = issuePV(x, o, ArrayRef<Value>(pa), dvs);
    // Two stages: wait for the products (and, TwoBarriers, a barrier before
    // tile kt + 2 is copied into stage kt % 2). Three stages: P V stays in
    // flight; the next tile's wait for its S also completes it (groups
    // complete in order) before O is rescaled, and stage kt % 3 is refilled
    // (tile kt + 3, issued at tile kt + 2) after every warpgroup passed that
    // wait and the barrier below.
    if (cfg.kStages == 2)
      NVVM::WgmmaWaitGroupSyncOp::create(x.b, x.l, 0);
    llvm::copy(o, next.begin() + oBegin);
    if (pipe == WgmmaPipeline::TwoBarriers)
      barrier(x.b, x.l);
    return next;
  };
  SmallVector<Value> fin = keyTileLoops(e, rt, init, tile);
  // Resident blocks a SM asked of ptxas (nvvm.minctasm): with one
  // warpgroup, as many as the shared memory allows (228 KB a SM, 1 KB of it
  // reserved a block), at most 4 (128 registers a thread); without the
  // request ptxas took 171 registers for 128-key tiles (2 blocks instead of
  // 3).
  int64_t minBlocks =
      clWgmmaMinBlocks.getNumOccurrences() ? clWgmmaMinBlocks.getValue()
      : cfg.warpgroups == 1
          ? std::min<int64_t>(4, (228 * 1024) / (cfg.totalBytes() + 2048))
          : 0;
  if (minBlocks > 0)
    if (Operation *loop = fin[0].getDefiningOp())
      loop->setAttr("sessa.min_blocks_per_sm",
                    e.b.getI64IntegerAttr(minBlocks));
  if (overlap) {
    // The last tile's P V (tile hi - 1 landed in its own iteration).
    SmallVector<Value> o(fin.begin() + oBegin, fin.begin() + pBegin);
    SmallVector<Value> dvs =
        vDescriptors(e, vAddrOf(e, e.add(rt.tileHi, e.c(cfg.vStages - 1))));
    NVVM::WgmmaFenceAlignedOp::create(e.b, e.l);
    o = issuePV(e, o, ArrayRef<Value>(fin).slice(pBegin, pRegs), dvs);
    o = wgmmaWaitTied(e, 0, o, ArrayRef<Value>(fin).slice(pBegin, pRegs));
    llvm::copy(o, fin.begin() + oBegin);
  }
  if (cfg.kStages == 3)
    NVVM::WgmmaWaitGroupSyncOp::create(e.b, e.l, 0);
  // The last (empty or zero-fill) group: nothing left in flight.
  NVVM::CpAsyncWaitGroupOp::create(e.b, e.l, 0);

  // Epilogue: one split (the output itself) branched on once per thread;
  // o / l as o * (1 / l) with one division a row, the two adjacent columns
  // of a thread (8 n + 2 (lane % 4) + {0, 1}) stored as one 4-byte pair.
  Value ls[2], rhos[2];
  for (int i = 0; i < 2; ++i) {
    ls[i] = laneGroupReduceSum(e.b, e.l, fin[2 + i], /*group=*/4);
    rhos[i] = e.add(rt.rho0, e.add(warpRow0, e.add(lane4, e.c(8 * i))));
  }
  Value single = arith::CmpIOp::create(e.b, e.l, arith::CmpIPredicate::eq,
                                       p.splits, e.c(1));
  scf::IfOp::create(
      e.b, e.l, single,
      [&](OpBuilder &tb, Location tl) {
        E y{tb, tl};
        for (int i = 0; i < 2; ++i) {
          Value inv = y.fdiv(y.f(1.0), ls[i]);
          buildIf(tb, tl, y.ult(rhos[i], p.rows),
                  [&](OpBuilder &ib, Location il) {
            E z{ib, il};
            auto [t, h] = rowToQuery(z, p, rt.kvh, rhos[i]);
            for (int64_t n = 0; n < oTiles; ++n) {
              Value col = z.add(z.c(8 * n), z.mul(laneMod4, z.c(2)));
              int64_t idx = oBegin + n * 4 + 2 * i;
              Value pair = vector::FromElementsOp::create(
                  ib, il, vec2f,
                  ValueRange{z.fmul(fin[idx], inv), z.fmul(fin[idx + 1], inv)});
              Value packed = arith::TruncFOp::create(ib, il, vec2, pair);
              vector::StoreOp::create(ib, il, packed, p.out,
                                      ValueRange{rt.b, t, h, col},
                                      /*nontemporal=*/false,
                                      llvm::MaybeAlign(4));
            }
          });
        }
        scf::YieldOp::create(tb, tl);
      },
      [&](OpBuilder &eb, Location el) {
        // Several splits: unnormalised o, and m (base 2), l of each row.
        E y{eb, el};
        for (int i = 0; i < 2; ++i) {
          Value m2 = fused ? y.fmul(fin[i], scaleV) : fin[i];
          buildIf(eb, el, y.ult(rhos[i], p.rows),
                  [&](OpBuilder &ib, Location il) {
            E z{ib, il};
            Value t, h;
            std::tie(t, h) = rowToQuery(z, p, rt.kvh, rhos[i]);
            for (int64_t n = 0; n < oTiles; ++n)
              for (int jj = 0; jj < 2; ++jj) {
                Value col =
                    z.add(z.c(8 * n + jj), z.mul(laneMod4, z.c(2)));
                memref::StoreOp::create(
                    ib, il, fin[oBegin + n * 4 + 2 * i + jj], p.partialO,
                    ValueRange{rt.split, rt.b, t, h, col});
              }
            Value first = arith::CmpIOp::create(
                ib, il, arith::CmpIPredicate::eq, laneMod4, z.c(0));
            buildIf(ib, il, first, [&](OpBuilder &fb, Location fl) {
              memref::StoreOp::create(
                  fb, fl, m2, p.partialML,
                  ValueRange{rt.split, rt.b, t, h, cst(fb, fl, 0)});
              memref::StoreOp::create(
                  fb, fl, ls[i], p.partialML,
                  ValueRange{rt.split, rt.b, t, h, cst(fb, fl, 1)});
            });
          });
        }
        scf::YieldOp::create(eb, el);
      });
}

//===----------------------------------------------------------------------===//
// Split combination
//===----------------------------------------------------------------------===//

constexpr int64_t kCombineThreads = 64;

/// out[b,t,h,:] = sum_s 2^(m_s - M) o_s / sum_s 2^(m_s - M) l_s with
/// M = max_s m_s (a split that saw no key has m = -inf, l = 0, o = 0).
void buildCombineBody(const E &e, const AttentionProblem &p,
                      const LaunchIds &ids, Value splits) {
  Value row = ids.blockId[0];
  Value b = ids.blockId[1];
  Value t = e.div(row, e.c(p.heads));
  Value h = e.rem(row, e.c(p.heads));
  Value c0 = e.c(0), c1 = e.c(1);
  auto loadML = [&](const E &x, Value s, int64_t which) -> Value {
    return memref::LoadOp::create(x.b, x.l, p.partialML,
                                  ValueRange{s, b, t, h, x.c(which)});
  };
  float negInf = -std::numeric_limits<float>::infinity();
  Value mMax = buildForWithValues(
      e.b, e.l, c0, splits, c1, ValueRange{e.f(negInf)},
      [&](OpBuilder &nb, Location nl, Value s, ValueRange a) {
        E x{nb, nl};
        return SmallVector<Value>{x.fmax(a[0], loadML(x, s, 0))};
      })[0];
  Value lSum = buildForWithValues(
      e.b, e.l, c0, splits, c1, ValueRange{e.f(0.0)},
      [&](OpBuilder &nb, Location nl, Value s, ValueRange a) {
        E x{nb, nl};
        Value w = x.exp2(x.fsub(loadML(x, s, 0), mMax));
        return SmallVector<Value>{x.fma(w, loadML(x, s, 1), a[0])};
      })[0];
  Value inv = e.fdiv(e.f(1.0), lSum);
  buildFor(e.b, e.l, ids.threadId[0], e.c(p.headDim), ids.blockDim[0],
           [&](OpBuilder &nb, Location nl, Value col) {
    E x{nb, nl};
    Value acc = buildForWithValues(
        nb, nl, c0, splits, c1, ValueRange{x.f(0.0)},
        [&](OpBuilder &ib, Location il, Value s, ValueRange a) {
          E y{ib, il};
          Value w = y.exp2(y.fsub(loadML(y, s, 0), mMax));
          Value o = memref::LoadOp::create(ib, il, p.partialO,
                                           ValueRange{s, b, t, h, col});
          return SmallVector<Value>{y.fma(w, o, a[0])};
        })[0];
    storeF32(nb, nl, x.fmul(acc, inv), p.out, {b, t, h, col});
  });
}

} // namespace

FailureOr<SmallVector<Value>>
mlir::sessa::gpulowering::lowerAttention(RewriterBase &rewriter,
                                         AttentionOp op, bool wgmma) {
  Location loc = op.getLoc();
  OpBuilder &b = rewriter;
  E e{b, loc};
  auto qType = cast<RankedTensorType>(op.getQuery().getType());
  auto kType = cast<RankedTensorType>(op.getKey().getType());
  AttentionProblem p;
  p.heads = qType.getDimSize(2);
  p.headDim = qType.getDimSize(3);
  p.kvHeads = kType.getDimSize(2);
  p.storage = qType.getElementType();
  if (ShapedType::isDynamic(p.heads) || ShapedType::isDynamic(p.headDim) ||
      ShapedType::isDynamic(p.kvHeads))
    return op.emitOpError("GPU lowering needs static heads and head dim");
  if (kType.getElementType() != p.storage ||
      cast<RankedTensorType>(op.getValue().getType()).getElementType() !=
          p.storage)
    return op.emitOpError(
        "GPU lowering needs query, key and value of one element type");
  p.group = p.heads / p.kvHeads;
  p.log2Scale = op.getEffectiveScale() / std::log(2.0);
  int64_t d = p.headDim;

  // Query rows per kv head when T is static: at most 64 (decoding) keeps
  // one 16-row m-tile a warp and the mma.sync kernel.
  int64_t staticRows = qType.isDynamicDim(1)
                           ? ShapedType::kDynamic
                           : qType.getDimSize(1) * p.group;
  bool manyRows = ShapedType::isDynamic(staticRows) || staticRows > 64;
  std::optional<MmaConfig> mma;
  if ((p.storage.isBF16() || p.storage.isF16()) && d % 16 == 0 && d <= 128) {
    // Two m-tiles a warp (Br = 128: each K/V fragment feeds two products)
    // by default for d <= 64 with many rows; measured 14-18% faster on the
    // H100 (bench/gpu/NOTES-attention.md).
    int64_t mTiles = clAttentionMTiles.getNumOccurrences()
                         ? (clAttentionMTiles == 2 ? 2 : 1)
                         : (d <= 64 && manyRows ? 2 : 1);
    mma = chooseMmaConfig(d, p.storage, clAttentionStages == 1 ? 1 : 2,
                          mTiles);
  }
  // sm_90a: the wgmma kernel for d = 64 with many rows.
  std::optional<WgmmaConfig> wg;
  if (wgmma && mma && d == 64 && manyRows) {
    int64_t wgs = clWgmmaWarpgroups == 2 ? 2 : 1;
    int64_t bcw = clWgmmaBc == 128 ? 128 : 64;
    auto pipe = static_cast<WgmmaPipeline>(
        std::clamp<int64_t>(clWgmmaPipeline, 0, 2));
    int64_t kStages =
        pipe == WgmmaPipeline::TwoBarriers && clWgmmaStages == 3 ? 3 : 2;
    int64_t vStages = pipe == WgmmaPipeline::Overlap ? 3 : kStages;
    wg = WgmmaConfig{bcw, wgs, kStages, vStages, pipe};
  }
  bool useMma = mma.has_value();
  if (!useMma && simtSharedBytes(d) > kMaxStaticSharedBytes)
    return op.emitOpError("GPU lowering: head dim ")
           << d << " needs " << simtSharedBytes(d)
           << " bytes of workgroup memory in the SIMT kernel (at most "
           << kMaxStaticSharedBytes << ")";

  p.q = readBuffer(b, loc, op.getQuery());
  // Keys and values may be (extended) caches: batch-strided entry buffers.
  p.k = readStridedBuffer(b, loc, op.getKey());
  p.v = readStridedBuffer(b, loc, op.getValue());
  SmallVector<Value> dynSizes;
  for (int64_t i = 0; i < 4; ++i)
    if (qType.isDynamicDim(i))
      dynSizes.push_back(dim(b, loc, p.q, i));
  p.out = allocBuffer(b, loc, qType, dynSizes);
  Value batch = dim(b, loc, p.q, 0);
  Value queries = dim(b, loc, p.q, 1);
  Value hostRows = e.mul(queries, e.c(p.group));
  p.br = wg ? wg->br() : (useMma ? mma->br() : kSimtBr);
  p.bc = wg ? wg->bc : (useMma ? mma->bc : kSimtBc);
  Value hostSplits = computeSplits(e, p, batch, hostRows, dim(b, loc, p.k, 1));

  // Partials of the key splits: [splits, B, T, H, d] and [splits, B, T, H,
  // (m, l)] in f32; a single split needs none (1 x 1 x 1 placeholders).
  Value one = e.c(1);
  // Several splits with rows to combine (T = 0 or B = 0: nothing to do).
  Value multi = e.andI(e.ult(one, hostSplits),
                       e.andI(e.ult(e.c(0), queries), e.ult(e.c(0), batch)));
  Value wsB = e.sel(multi, batch, one), wsT = e.sel(multi, queries, one);
  Type f32 = b.getF32Type();
  constexpr int64_t kDyn = ShapedType::kDynamic;
  p.partialO = memref::AllocOp::create(
      b, loc, MemRefType::get({kDyn, kDyn, kDyn, p.heads, d}, f32),
      ValueRange{hostSplits, wsB, wsT});
  p.partialML = memref::AllocOp::create(
      b, loc, MemRefType::get({kDyn, kDyn, kDyn, p.heads, 2}, f32),
      ValueRange{hostSplits, wsB, wsT});

  // Empty batches or sequences launch one idle block instead of a 0 grid.
  Value gridX = e.mul(arith::MaxUIOp::create(
                          b, loc, ceilDiv(b, loc, hostRows, e.c(p.br)), one),
                      hostSplits);
  Value gridZ = arith::MaxUIOp::create(b, loc, batch, one);
  SmallVector<MemRefType> buffers;
  Value dynamicBytes;
  if (wg)
    dynamicBytes = arith::ConstantOp::create(
        b, loc, b.getI32IntegerAttr(static_cast<int32_t>(wg->totalBytes() +
                                                         1024)));
  else
    buffers = useMma ? mmaBuffers(d, p.storage, *mma)
                     : simtBuffers(b.getContext(), d);
  int64_t threads = wg ? wg->threads() : kThreads;
  gpu::LaunchOp attentionLaunch = buildLaunch(
      b, loc, {gridX, e.c(p.kvHeads), gridZ}, {e.c(threads)}, buffers,
              [&](OpBuilder &kb, Location kl, const LaunchIds &ids) {
                // Sizes derived inside the kernel from the buffers, so that
                // the outlined kernel takes the memrefs alone.
                E ke{kb, kl};
                Value kBatch = dim(kb, kl, p.q, 0);
                Value kQueries = dim(kb, kl, p.q, 1);
                p.keys = dim(kb, kl, p.k, 1);
                p.prefix = ke.sub(p.keys, kQueries);
                p.rows = ke.mul(kQueries, ke.c(p.group));
                p.splits = computeSplits(ke, p, kBatch, p.rows, p.keys);
                Value nonEmpty = ke.andI(ke.ult(ke.c(0), p.rows),
                                         ke.ult(ke.c(0), kBatch));
                buildIf(kb, kl, nonEmpty, [&](OpBuilder &ib, Location il) {
                  if (wg)
                    buildWgmmaBody(E{ib, il}, p, ids, *wg);
                  else if (useMma)
                    buildMmaBody(E{ib, il}, p, ids, *mma);
                  else
                    buildSimtBody(E{ib, il}, p, ids);
                });
              },
              dynamicBytes);
  if (wg)
    attentionLaunch->setAttr("sessa.gpu_kernel",
                             b.getStringAttr("attention_wgmma"));

  // Combine the splits: one block per (t*H + h, b) row when there are
  // several, else a single idle block.
  Value combineX = e.sel(multi, e.mul(queries, e.c(p.heads)), one);
  Value combineY = e.sel(multi, batch, one);
  buildLaunch(
      b, loc, {combineX, combineY}, {e.c(kCombineThreads)}, {},
      [&](OpBuilder &kb, Location kl, const LaunchIds &ids) {
        E ke{kb, kl};
        Value kBatch = dim(kb, kl, p.q, 0);
        Value kQueries = dim(kb, kl, p.q, 1);
        Value splits = computeSplits(ke, p, kBatch,
                                     ke.mul(kQueries, ke.c(p.group)),
                                     dim(kb, kl, p.k, 1));
        Value run = ke.andI(ke.ult(ke.c(1), splits),
                            ke.ult(ke.c(0), kQueries));
        buildIf(kb, kl, run, [&](OpBuilder &ib, Location il) {
          buildCombineBody(E{ib, il}, p, ids, splits);
        });
      });
  memref::DeallocOp::create(b, loc, p.partialO);
  memref::DeallocOp::create(b, loc, p.partialML);
  return SmallVector<Value>{toTensor(b, loc, p.out)};
}
