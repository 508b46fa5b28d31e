//===- FeedbackAttentionKernel.cpp - sessa.feedback_attention on the GPU --===//
//
// The blocked (DeltaFormer-style) solve of s = f + gamma * A s, A the strictly
// causal row-softmax of c * qb K^T. Rows are solved in chunks of C = 64; a
// host-side scf.for over the chunks launches three kernels per chunk, in
// stream order (chunk rows [r0, r0 + R), R = min(C, T - r0); visible keys of
// row r: j < P + r0 + r, at most n = P + r0 + R - 1 for the chunk):
//
//   1. logits   grid (ceil(n / 64), Hb, B), 256 threads: the 64 x 64 tile
//               c * Q_chunk K_tile^T (f32 SIMT, dk staged through shared
//               memory 16 at a time) into the chunk-row buffer
//               W[b, h, 0:C, 0:n] (f32; C x (P + T) per (b, h), no T x T).
//   2. softmax  grid (C, Hb, B), 256 threads: per row, max and sum over its
//               visible keys, then W = gamma_r * exp(W - max) / sum on the
//               visible keys and 0 on the rest of [0, n). Empty rows
//               (P + r0 + r == 0) become all zero, so s = f there.
//   3. solve    grid (ceil(dv / 32), Hb, B), 256 threads, 64 rows x 32 value
//               columns per block: rhs = f + W[:, 0:P+r0] @ S[0:P+r0] (S is
//               s_prev then the rows of s already solved, staged 32 keys at a
//               time), then the in-chunk strictly lower C x C system by
//               forward substitution in shared memory (one barrier per row),
//               value columns in parallel; the chunk's s rows are stored.
//
// All arithmetic in f32; f16/bf16 storage is converted on load and store.
// f32 runs the SIMT kernels above (no TF32). With f16/bf16 storage and dk, dv
// multiples of 8, kernels 1 and 3 run their products on tensor cores
// (nvvm.mma.sync m16n8k16, f32 accumulators; W rounded to the storage type
// for the rhs product), their operands staged by cp.async pipelines in
// 16-byte aligned dynamic shared memory (4 stages of 32 dk for the logits,
// 2 stages of 32 keys for the rhs; the solve reuses that pool for rhs and
// the diagonal block). The softmax kernel and the forward substitution are
// the same in both.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::gpukernels;

namespace {
constexpr int64_t kChunk = 64;    // rows solved per chunk (C)
constexpr int64_t kKeyTile = 64;  // keys per logits block
constexpr int64_t kDepth = 16;    // dk staged per step of the logits kernel
constexpr int64_t kColTile = 32;  // value columns per solve block
constexpr int64_t kSolveKeys = 32; // keys staged per step of the solve
constexpr int64_t kThreads = 256;
constexpr int64_t kWarps = kThreads / 32;
constexpr int64_t kTargetBlocks = 396; // 3 x 132 SMs for the rhs products
constexpr int64_t kMinSplitKeys = 64;

/// The operands of one feedback attention, as buffers, and its sizes.
struct Operands {
  Value f, qb, kb, gamma, kbPrev, sPrev; // kbPrev/sPrev null without cache
  Value s;                               // result buffer
  Value work;                            // W: [B, Hb, C, P + T] f32
  Value prob;    // normalised W in the mma storage type (else == work)
  Value partial; // [maxSplits, B, Hb, C, dv] f32 partial rhs sums
  Value keysTotal; // size 3 of work/prob (P + T rounded up to 8)
  Value batch, rows, heads, dk, dv, cache;
  double scale;
};

/// A warp's row-major A fragment of an m16n8k16 mma from stage `st` of the
/// workgroup tile `smem`: rows `ra`, `rb` (= ra + 8) at columns `e0`, `e1`
/// (= e0 + 8), each register a pair of f16/bf16 values.
SmallVector<Value> loadAFragment(OpBuilder &b, Location loc, Value smem,
                                 Value st, Value ra, Value rb, Value e0,
                                 Value e1) {
  return {loadPairI32(b, loc, smem, {st, ra, e0}),
          loadPairI32(b, loc, smem, {st, rb, e0}),
          loadPairI32(b, loc, smem, {st, ra, e1}),
          loadPairI32(b, loc, smem, {st, rb, e1})};
}

/// Element [b, j, h, k] of concat(prev, cur) along time (j < P: prev).
Value loadConcat(OpBuilder &b, Location loc, const Operands &o, Value prev,
                 Value cur, Value bi, Value j, Value h, Value k) {
  if (!prev)
    return loadF32(b, loc, cur, {bi, j, h, k});
  return buildIfElse(
      b, loc, ult(b, loc, j, o.cache), b.getF32Type(),
      [&](OpBuilder &b, Location loc) {
        return loadF32(b, loc, prev, {bi, j, h, k});
      },
      [&](OpBuilder &b, Location loc) {
        return loadF32(b, loc, cur, {bi, subIdx(b, loc, j, o.cache), h, k});
      });
}

/// `cond ? loadConcat(...) : 0`, loading only when `cond` holds.
Value loadConcatOrZero(OpBuilder &b, Location loc, Value cond,
                       const Operands &o, Value prev, Value cur, Value bi,
                       Value j, Value h, Value k) {
  return buildIfElse(
      b, loc, cond, b.getF32Type(),
      [&](OpBuilder &b, Location loc) {
        return loadConcat(b, loc, o, prev, cur, bi, j, h, k);
      },
      [&](OpBuilder &b, Location loc) { return cstF32(b, loc, 0.0); });
}

/// Kernel 1: W[b, h, r, j] = c * qb[b, r0 + r, h, :] . K[b, j, h, :] for
/// r < R, j < n.
void buildLogits(OpBuilder &b, Location loc, const Operands &o, Value r0,
                 Value chunkRows, Value keys) {
  Value grid[] = {maxIndex(b, loc, ceilDiv(b, loc, keys, cst(b, loc, kKeyTile)),
                           cst(b, loc, 1)),
                  o.heads, o.batch};
  Value block[] = {cst(b, loc, kThreads)};
  Type f32 = b.getF32Type();
  // k-major tiles, padded against bank conflicts on the transposed stores.
  MemRefType qTile = workgroupMemRefType({kDepth, kChunk + 4}, f32);
  MemRefType kTile = workgroupMemRefType({kDepth, kKeyTile + 4}, f32);
  buildLaunch(
      b, loc, grid, block, {qTile, kTile},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value qs = ids.workgroup[0], ks = ids.workgroup[1];
        Value tid = ids.threadId[0];
        Value h = ids.blockId[1], bi = ids.blockId[2];
        Value j0 = mulIdx(b, loc, ids.blockId[0], cst(b, loc, kKeyTile));
        Value tx = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 16));
        Value ty = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 16));
        // Thread (ty, tx) owns rows ty + 16 i and keys tx + 16 j, i, j < 4.
        constexpr int64_t kPer = 4;
        Value zero = cstF32(b, loc, 0.0);
        SmallVector<Value> init(kPer * kPer, zero);
        auto loop = scf::ForOp::create(
            b, loc, cst(b, loc, 0), o.dk, cst(b, loc, kDepth), init,
            [&](OpBuilder &b, Location loc, Value k0, ValueRange acc) {
              // Stage Q[0:64, k0:k0+16] and K[j0:j0+64, k0:k0+16]: 1024
              // elements each, 4 per thread, 16 consecutive k per row.
              for (int64_t m = 0; m < (kChunk * kDepth) / kThreads; ++m) {
                Value e = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
                Value row = arith::DivUIOp::create(b, loc, e, cst(b, loc, kDepth));
                Value kk = arith::RemUIOp::create(b, loc, e, cst(b, loc, kDepth));
                Value k = addIdx(b, loc, k0, kk);
                Value kIn = ult(b, loc, k, o.dk);
                Value q = loadF32OrZero(
                    b, loc, andI1(b, loc, kIn, ult(b, loc, row, chunkRows)),
                    o.qb, {bi, addIdx(b, loc, r0, row), h, k});
                memref::StoreOp::create(b, loc, q, qs, ValueRange{kk, row});
                Value j = addIdx(b, loc, j0, row);
                Value kv = loadConcatOrZero(
                    b, loc, andI1(b, loc, kIn, ult(b, loc, j, keys)), o,
                    o.kbPrev, o.kb, bi, j, h, k);
                memref::StoreOp::create(b, loc, kv, ks, ValueRange{kk, row});
              }
              barrier(b, loc);
              auto inner = scf::ForOp::create(
                  b, loc, cst(b, loc, 0), cst(b, loc, kDepth), cst(b, loc, 1),
                  acc,
                  [&](OpBuilder &b, Location loc, Value kk, ValueRange acc) {
                    SmallVector<Value> qv, kv;
                    for (int64_t i = 0; i < kPer; ++i) {
                      qv.push_back(memref::LoadOp::create(
                          b, loc, qs,
                          ValueRange{kk, addIdx(b, loc, ty,
                                                cst(b, loc, 16 * i))}));
                      kv.push_back(memref::LoadOp::create(
                          b, loc, ks,
                          ValueRange{kk, addIdx(b, loc, tx,
                                                cst(b, loc, 16 * i))}));
                    }
                    SmallVector<Value> next;
                    for (int64_t i = 0; i < kPer; ++i)
                      for (int64_t jj = 0; jj < kPer; ++jj)
                        next.push_back(math::FmaOp::create(
                            b, loc, qv[i], kv[jj], acc[i * kPer + jj]));
                    scf::YieldOp::create(b, loc, next);
                  });
              barrier(b, loc);
              scf::YieldOp::create(b, loc, inner.getResults());
            });
        Value scale = cstF32(b, loc, o.scale);
        for (int64_t i = 0; i < kPer; ++i)
          for (int64_t jj = 0; jj < kPer; ++jj) {
            Value row = addIdx(b, loc, ty, cst(b, loc, 16 * i));
            Value j = addIdx(b, loc, j0, addIdx(b, loc, tx, cst(b, loc, 16 * jj)));
            buildIf(b, loc,
                    andI1(b, loc, ult(b, loc, row, chunkRows),
                          ult(b, loc, j, keys)),
                    [&](OpBuilder &b, Location loc) {
                      Value v = arith::MulFOp::create(
                          b, loc, loop.getResult(i * kPer + jj), scale);
                      memref::StoreOp::create(b, loc, v, o.work,
                                              ValueRange{bi, h, row, j});
                    });
          }
      });
}

//===----------------------------------------------------------------------===//
// Tensor-core path (bf16/f16 storage): mma.sync m16n8k16, f32 accumulators.
// Fragments (PTX ISA, m16n8k16 .row.col), g = lane / 4, q = lane % 4:
//   A (16 x 16): a0 = (g, 2q..2q+1), a1 = (g + 8, 2q..), a2 = (g, 2q + 8..),
//                a3 = (g + 8, 2q + 8..), each i32 = two 16-bit elements
//   B (16 x 8):  b0 = (k = 2q..2q+1, n = g), b1 = (k = 2q + 8.., n = g)
//   C (16 x 8):  c0, c1 = (g, 2q), (g, 2q + 1); c2, c3 = (g + 8, 2q..)
// Shared tiles hold element pairs along k packed in i32, rows padded to 20
// words (conflict-free fragment loads, 16-byte aligned rows).
//===----------------------------------------------------------------------===//

/// D = A B + C on one 16 x 8 x 16 tile; returns the 4 accumulator values.
SmallVector<Value> mma(OpBuilder &b, Location loc, ArrayRef<Value> a,
                       ArrayRef<Value> bv, ArrayRef<Value> c, Type type) {
  Type f32 = b.getF32Type();
  auto resultType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  NVVM::MMATypes t =
      type.isBF16() ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
  // bf16 operands travel as i32; f16 ones as vector<2xf16>.
  SmallVector<Value> av(a.begin(), a.end()), bw(bv.begin(), bv.end());
  if (!type.isBF16()) {
    auto v2 = VectorType::get({2}, type);
    for (Value &x : av)
      x = LLVM::BitcastOp::create(b, loc, v2, x);
    for (Value &x : bw)
      x = LLVM::BitcastOp::create(b, loc, v2, x);
  }
  auto op = NVVM::MmaOp::create(
      b, loc, resultType, av, bw, c, ArrayRef<int64_t>{16, 8, 16},
      std::nullopt, std::nullopt, std::array<NVVM::MMATypes, 2>{t, t},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                      NVVM::MMALayout::col});
  SmallVector<Value> out;
  for (int64_t i = 0; i < 4; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, loc, op.getRes(), i));
  return out;
}

/// Kernel 1 on tensor cores: 256 threads, warp w computes rows
/// 16 (w % 4) .. + 16 and keys 32 (w / 4) .. + 32 of the 64 x 64 tile. dk is
/// staged 32 at a time through a 4-stage cp.async pipeline (16-byte copies:
/// requires dk % 8 == 0); rows and dk past the end are zero-filled.
constexpr int64_t kMmaDepth = 32;
constexpr int64_t kLogitStages = 4;
constexpr int64_t kRowElems = 40; // 16-bit elements per shared row (32 + 8)

void buildLogitsMma(OpBuilder &b, Location loc, const Operands &o, Value r0,
                    Value chunkRows, Value keys, Type et) {
  Value grid[] = {maxIndex(b, loc, ceilDiv(b, loc, keys, cst(b, loc, kKeyTile)),
                           cst(b, loc, 1)),
                  o.heads, o.batch};
  Value block[] = {cst(b, loc, kThreads)};
  MemRefType tile = workgroupMemRefType({kLogitStages, kChunk, kRowElems}, et);
  Value poolBytes = arith::ConstantOp::create(
      b, loc, b.getI32IntegerAttr(2 * staticBytes(tile)));
  buildLaunch(
      b, loc, grid, block, {},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value qs = sharedView(b, loc, ids.dynamicShared, 0, tile);
        Value ks = sharedView(b, loc, ids.dynamicShared, staticBytes(tile), tile);
        Value tid = ids.threadId[0];
        Value h = ids.blockId[1], bi = ids.blockId[2];
        Value j0 = mulIdx(b, loc, ids.blockId[0], cst(b, loc, kKeyTile));
        Value lane = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value warp = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value g = arith::DivUIOp::create(b, loc, lane, cst(b, loc, 4));
        Value q = arith::RemUIOp::create(b, loc, lane, cst(b, loc, 4));
        Value rw = mulIdx(b, loc, arith::RemUIOp::create(b, loc, warp, cst(b, loc, 4)),
                          cst(b, loc, 16));
        Value kw = mulIdx(b, loc, arith::DivUIOp::create(b, loc, warp, cst(b, loc, 4)),
                          cst(b, loc, 32));
        // Copies: thread -> (row tid / 4, 8 elements at 8 (tid % 4)).
        Value srow = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 4));
        Value scol = mulIdx(b, loc, arith::RemUIOp::create(b, loc, tid, cst(b, loc, 4)),
                            cst(b, loc, 8));
        Value lastRow = subIdx(b, loc, o.rows, cst(b, loc, 1));
        Value lastK = subIdx(b, loc, o.dk, cst(b, loc, 8));
        Value eight = cst(b, loc, 8), zero = cst(b, loc, 0);
        Value qRowIn = ult(b, loc, srow, chunkRows);
        Value qt = minIndex(b, loc, addIdx(b, loc, r0, srow), lastRow);
        Value sj = addIdx(b, loc, j0, srow);
        Value keyIn = ult(b, loc, sj, keys);
        auto issue = [&](OpBuilder &b, Location loc, Value it, Value st) {
          Value k = addIdx(b, loc, mulIdx(b, loc, it, cst(b, loc, kMmaDepth)), scol);
          Value kIn = ult(b, loc, k, o.dk);
          Value kc = minIndex(b, loc, k, lastK);
          auto n = [&](Value cond) {
            return arith::SelectOp::create(b, loc, cond, eight, zero).getResult();
          };
          asyncCopy16(b, loc, qs, {st, srow, scol}, o.qb, {bi, qt, h, kc},
                      n(andI1(b, loc, kIn, qRowIn)));
          auto fromCur = [&](OpBuilder &b, Location loc) {
            Value jc = minIndex(b, loc, subIdx(b, loc, maxIndex(b, loc, sj, o.cache), o.cache),
                                lastRow);
            asyncCopy16(b, loc, ks, {st, srow, scol}, o.kb, {bi, jc, h, kc},
                        n(andI1(b, loc, kIn, keyIn)));
          };
          if (!o.kbPrev) {
            fromCur(b, loc);
            return;
          }
          scf::IfOp::create(
              b, loc, ult(b, loc, sj, o.cache),
              [&](OpBuilder &b, Location loc) {
                asyncCopy16(b, loc, ks, {st, srow, scol}, o.kbPrev,
                            {bi, sj, h, kc}, n(kIn));
                scf::YieldOp::create(b, loc);
              },
              [&](OpBuilder &b, Location loc) {
                fromCur(b, loc);
                scf::YieldOp::create(b, loc);
              });
        };
        constexpr int64_t kTiles = 4; // n-tiles of 8 keys per warp
        SmallVector<Value> init(kTiles * 4, cstF32(b, loc, 0.0));
        SmallVector<Value> acc = buildAsyncPipeline(
            b, loc, ceilDiv(b, loc, o.dk, cst(b, loc, kMmaDepth)), kLogitStages,
            init, issue,
            [&](OpBuilder &b, Location loc, Value, Value st, ValueRange acc) {
              SmallVector<Value> c(acc.begin(), acc.end());
              Value ra = addIdx(b, loc, rw, g);
              Value rb = addIdx(b, loc, ra, cst(b, loc, 8));
              for (int64_t kk = 0; kk < 2; ++kk) {
                Value e0 = addIdx(b, loc, mulIdx(b, loc, q, cst(b, loc, 2)),
                                  cst(b, loc, kk * 16));
                Value e1 = addIdx(b, loc, e0, cst(b, loc, 8));
                SmallVector<Value> a =
                    loadAFragment(b, loc, qs, st, ra, rb, e0, e1);
                for (int64_t nt = 0; nt < kTiles; ++nt) {
                  Value nk = addIdx(b, loc, kw, addIdx(b, loc, g, cst(b, loc, nt * 8)));
                  SmallVector<Value> bv = {loadPairI32(b, loc, ks, {st, nk, e0}),
                                           loadPairI32(b, loc, ks, {st, nk, e1})};
                  SmallVector<Value> d =
                      mma(b, loc, a, bv, ArrayRef<Value>(c).slice(nt * 4, 4), et);
                  for (int64_t e = 0; e < 4; ++e)
                    c[nt * 4 + e] = d[e];
                }
              }
              return c;
            });
        Value scale = cstF32(b, loc, o.scale);
        for (int64_t nt = 0; nt < kTiles; ++nt)
          for (int64_t e = 0; e < 4; ++e) {
            Value row = addIdx(b, loc, addIdx(b, loc, rw, g), cst(b, loc, e >= 2 ? 8 : 0));
            Value j = addIdx(
                b, loc, j0,
                addIdx(b, loc, kw,
                       addIdx(b, loc, mulIdx(b, loc, q, cst(b, loc, 2)),
                              cst(b, loc, nt * 8 + (e & 1)))));
            buildIf(b, loc,
                    andI1(b, loc, ult(b, loc, row, chunkRows), ult(b, loc, j, keys)),
                    [&](OpBuilder &b, Location loc) {
                      Value v = arith::MulFOp::create(b, loc, acc[nt * 4 + e], scale);
                      memref::StoreOp::create(b, loc, v, o.work,
                                              ValueRange{bi, h, row, j});
                    });
          }
      },
      poolBytes);
}

/// Block-wide reduction of one f32 per thread (sum or max) through the
/// `kWarps`-element workgroup buffer `scratch`; every thread gets the result.
Value blockReduce(OpBuilder &b, Location loc, Value value, Value scratch,
                  Value tid, bool isMax) {
  value = isMax ? warpReduceMax(b, loc, value) : warpReduceSum(b, loc, value);
  Value lane = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
  Value warp = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 32));
  buildIf(b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                cst(b, loc, 0)),
          [&](OpBuilder &b, Location loc) {
            memref::StoreOp::create(b, loc, value, scratch, ValueRange{warp});
          });
  barrier(b, loc);
  Value total = memref::LoadOp::create(b, loc, scratch, ValueRange{cst(b, loc, 0)});
  for (int64_t w = 1; w < kWarps; ++w) {
    Value v = memref::LoadOp::create(b, loc, scratch, ValueRange{cst(b, loc, w)});
    total = isMax ? arith::MaximumFOp::create(b, loc, total, v).getResult()
                  : arith::AddFOp::create(b, loc, total, v).getResult();
  }
  barrier(b, loc); // scratch may be reused right after
  return total;
}

/// Kernel 2: row softmax over the visible keys, times gamma, in place.
void buildSoftmax(OpBuilder &b, Location loc, const Operands &o, Value r0,
                  Value chunkRows, Value keys, Value solved) {
  Value grid[] = {chunkRows, o.heads, o.batch};
  Value block[] = {cst(b, loc, kThreads)};
  Type f32 = b.getF32Type();
  MemRefType scratchType = workgroupMemRefType({kWarps}, f32);
  buildLaunch(
      b, loc, grid, block, {scratchType},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value scratch = ids.workgroup[0];
        Value tid = ids.threadId[0];
        Value row = ids.blockId[0], h = ids.blockId[1], bi = ids.blockId[2];
        Value visible = addIdx(b, loc, addIdx(b, loc, o.cache, r0), row);
        Value step = cst(b, loc, kThreads);
        Value negInf =
            cstF32(b, loc, -std::numeric_limits<double>::infinity());
        auto maxLoop = scf::ForOp::create(
            b, loc, tid, visible, step, ValueRange{negInf},
            [&](OpBuilder &b, Location loc, Value j, ValueRange acc) {
              Value x = memref::LoadOp::create(b, loc, o.work,
                                               ValueRange{bi, h, row, j});
              scf::YieldOp::create(
                  b, loc,
                  ValueRange{arith::MaximumFOp::create(b, loc, acc[0], x)});
            });
        Value rowMax =
            blockReduce(b, loc, maxLoop.getResult(0), scratch, tid, true);
        // Empty rows: max = -inf; use 0 so no inf - inf appears (the sum
        // loop is empty there anyway).
        Value isInf = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                            rowMax, negInf);
        rowMax = arith::SelectOp::create(b, loc, isInf, cstF32(b, loc, 0.0),
                                         rowMax);
        auto sumLoop = scf::ForOp::create(
            b, loc, tid, visible, step, ValueRange{cstF32(b, loc, 0.0)},
            [&](OpBuilder &b, Location loc, Value j, ValueRange acc) {
              Value x = memref::LoadOp::create(b, loc, o.work,
                                               ValueRange{bi, h, row, j});
              Value e = math::ExpOp::create(
                  b, loc, arith::SubFOp::create(b, loc, x, rowMax));
              scf::YieldOp::create(
                  b, loc, ValueRange{arith::AddFOp::create(b, loc, acc[0], e)});
            });
        Value rowSum =
            blockReduce(b, loc, sumLoop.getResult(0), scratch, tid, false);
        Value gamma =
            loadF32(b, loc, o.gamma, {bi, addIdx(b, loc, r0, row), h});
        // gamma / sum (a visible row has sum >= 1; an empty row never uses it).
        Value factor = arith::DivFOp::create(
            b, loc, gamma,
            arith::MaximumFOp::create(b, loc, rowSum, cstF32(b, loc, 1.0)));
        buildFor(b, loc, tid, keys, step, [&](OpBuilder &b, Location loc, Value j) {
          Value inRange = ult(b, loc, j, visible);
          Value w = buildIfElse(
              b, loc, inRange, f32,
              [&](OpBuilder &b, Location loc) {
                Value x = memref::LoadOp::create(b, loc, o.work,
                                                 ValueRange{bi, h, row, j});
                Value e = math::ExpOp::create(
                    b, loc, arith::SubFOp::create(b, loc, x, rowMax));
                return arith::MulFOp::create(b, loc, e, factor).getResult();
              },
              [&](OpBuilder &b, Location loc) { return cstF32(b, loc, 0.0); });
          if (o.prob == o.work) {
            memref::StoreOp::create(b, loc, w, o.work, ValueRange{bi, h, row, j});
            return;
          }
          // 16-bit probabilities for the rhs products; the in-chunk block
          // (keys >= solved) also stays f32 for the forward substitution.
          storeF32(b, loc, w, o.prob, {bi, h, row, j});
          buildIf(b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, j, solved),
                  [&](OpBuilder &b, Location loc) {
                    memref::StoreOp::create(b, loc, w, o.work,
                                            ValueRange{bi, h, row, j});
                  });
        });
      });
}

/// The key range of split `split`: [begin, end) with begin = split *
/// perSplit, end = min(begin + perSplit, solved).
std::pair<Value, Value> splitRange(OpBuilder &b, Location loc, Value split,
                                   Value perSplit, Value solved) {
  Value begin = mulIdx(b, loc, split, perSplit);
  Value end = minIndex(b, loc, addIdx(b, loc, begin, perSplit), solved);
  end = maxIndex(b, loc, end, begin);
  return {begin, end};
}

/// Kernel 3a on tensor cores: partial[split, b, h] = prob[b, h, :, keys of
/// the split] @ S[keys of the split, 64 columns]. Grid (ceil(dv / 64),
/// splits, B * Hb), 256 threads; warp w computes rows 16 (w % 4) .. + 16 and
/// columns 32 (w / 4) .. + 32 (4 n-tiles), 32 keys per step through a
/// 4-stage cp.async pipeline: the probabilities (16-bit, rows padded to 8
/// keys) as [64][40], S as [32 keys][72] (requires dv % 8 == 0). Rows past
/// the chunk and keys past the split are zero-filled, so every element of
/// the block's 64 x 64 partial tile is written.
constexpr int64_t kPartCols = 64;
constexpr int64_t kPartStages = 4;
constexpr int64_t kPRow = kSolveKeys + 8; // 16-bit per staged W row
constexpr int64_t kSRow = kPartCols + 8;  // 16-bit per staged S row

void buildRhsPartialMma(OpBuilder &b, Location loc, const Operands &o,
                        Value chunkRows, Value solved, Value splits,
                        Value perSplit, Type et) {
  Value grid[] = {ceilDiv(b, loc, o.dv, cst(b, loc, kPartCols)), splits,
                  mulIdx(b, loc, o.batch, o.heads)};
  Value block[] = {cst(b, loc, kThreads)};
  auto wType = workgroupMemRefType({kPartStages, kChunk, kPRow}, et);
  auto sType = workgroupMemRefType({kPartStages, kSolveKeys, kSRow}, et);
  Value poolBytes = arith::ConstantOp::create(
      b, loc, b.getI32IntegerAttr(staticBytes(wType) + staticBytes(sType)));
  buildLaunch(
      b, loc, grid, block, {},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value ws = sharedView(b, loc, ids.dynamicShared, 0, wType);
        Value ss = sharedView(b, loc, ids.dynamicShared, staticBytes(wType),
                              sType);
        Value tid = ids.threadId[0];
        Value split = ids.blockId[1];
        Value bi = arith::DivUIOp::create(b, loc, ids.blockId[2], o.heads);
        Value h = arith::RemUIOp::create(b, loc, ids.blockId[2], o.heads);
        std::pair<Value, Value> range = splitRange(b, loc, split, perSplit, solved);
        Value kBegin = range.first, kEnd = range.second;
        Value colBase = mulIdx(b, loc, ids.blockId[0], cst(b, loc, kPartCols));
        Value lane = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value warp = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value g = arith::DivUIOp::create(b, loc, lane, cst(b, loc, 4));
        Value q = arith::RemUIOp::create(b, loc, lane, cst(b, loc, 4));
        Value rw = mulIdx(b, loc, arith::RemUIOp::create(b, loc, warp, cst(b, loc, 4)),
                          cst(b, loc, 16));
        Value cw = mulIdx(b, loc, arith::DivUIOp::create(b, loc, warp, cst(b, loc, 4)),
                          cst(b, loc, 32));
        Value zero = cst(b, loc, 0);
        Value lastRow = subIdx(b, loc, o.rows, cst(b, loc, 1));
        auto clampCount = [&](OpBuilder &b, Location loc, Value avail, int64_t n) {
          // min(max(avail, 0), n) for a signed difference held in an index.
          Value pos = arith::MaxSIOp::create(b, loc, avail, zero);
          return arith::MinSIOp::create(b, loc, pos, cst(b, loc, n)).getResult();
        };
        // W copies: row tid / 4, 8 keys at 8 (tid % 4); S copies: key
        // tid / 8, 8 columns at 8 (tid % 8). One of each per thread.
        Value wr = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 4));
        Value wc = mulIdx(b, loc, arith::RemUIOp::create(b, loc, tid, cst(b, loc, 4)),
                          cst(b, loc, 8));
        Value wRowIn = ult(b, loc, wr, chunkRows);
        Value sk = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 8));
        Value sc = mulIdx(b, loc, arith::RemUIOp::create(b, loc, tid, cst(b, loc, 8)),
                          cst(b, loc, 8));
        Value col = addIdx(b, loc, colBase, sc);
        Value colCount = clampCount(b, loc, subIdx(b, loc, o.dv, col), 8);
        Value colc = minIndex(b, loc, col, subIdx(b, loc, o.dv, cst(b, loc, 8)));
        Value lastKey = subIdx(b, loc, o.keysTotal, cst(b, loc, 8));
        auto issue = [&](OpBuilder &b, Location loc, Value it, Value st) {
          Value j0 = addIdx(b, loc, kBegin, mulIdx(b, loc, it, cst(b, loc, kSolveKeys)));
          Value j = addIdx(b, loc, j0, wc);
          Value n = clampCount(b, loc, subIdx(b, loc, kEnd, j), 8);
          n = arith::SelectOp::create(b, loc, wRowIn, n, zero);
          asyncCopy16(b, loc, ws, {st, wr, wc}, o.prob,
                      {bi, h, wr, minIndex(b, loc, j, lastKey)}, n);
          Value js = addIdx(b, loc, j0, sk);
          Value ns = arith::SelectOp::create(b, loc, ult(b, loc, js, kEnd),
                                             colCount, zero);
          auto fromCur = [&](OpBuilder &b, Location loc) {
            Value jc = minIndex(
                b, loc, subIdx(b, loc, maxIndex(b, loc, js, o.cache), o.cache),
                lastRow);
            asyncCopy16(b, loc, ss, {st, sk, sc}, o.s, {bi, jc, h, colc}, ns);
          };
          if (!o.sPrev) {
            fromCur(b, loc);
            return;
          }
          scf::IfOp::create(
              b, loc, ult(b, loc, js, o.cache),
              [&](OpBuilder &b, Location loc) {
                asyncCopy16(b, loc, ss, {st, sk, sc}, o.sPrev,
                            {bi, js, h, colc}, ns);
                scf::YieldOp::create(b, loc);
              },
              [&](OpBuilder &b, Location loc) {
                fromCur(b, loc);
                scf::YieldOp::create(b, loc);
              });
        };
        constexpr int64_t kTiles = 4;
        SmallVector<Value> init(kTiles * 4, cstF32(b, loc, 0.0));
        Value iterations = ceilDiv(b, loc, subIdx(b, loc, kEnd, kBegin),
                                   cst(b, loc, kSolveKeys));
        SmallVector<Value> acc = buildAsyncPipeline(
            b, loc, iterations, kPartStages, init, issue,
            [&](OpBuilder &b, Location loc, Value, Value st, ValueRange acc) {
              SmallVector<Value> c(acc.begin(), acc.end());
              Value ra = addIdx(b, loc, rw, g);
              Value rb = addIdx(b, loc, ra, cst(b, loc, 8));
              auto sPair = [&](Value k, Value n) {
                Value lo = memref::LoadOp::create(b, loc, ss, ValueRange{st, k, n});
                Value hi = memref::LoadOp::create(
                    b, loc, ss,
                    ValueRange{st, addIdx(b, loc, k, cst(b, loc, 1)), n});
                Value v = vector::FromElementsOp::create(
                    b, loc, VectorType::get({2}, et), ValueRange{lo, hi});
                Value i = vector::BitCastOp::create(
                    b, loc, VectorType::get({1}, b.getI32Type()), v);
                return vector::ExtractOp::create(b, loc, i, ArrayRef<int64_t>{0})
                    .getResult();
              };
              for (int64_t kk = 0; kk < 2; ++kk) {
                Value e0 = addIdx(b, loc, mulIdx(b, loc, q, cst(b, loc, 2)),
                                  cst(b, loc, kk * 16));
                Value e1 = addIdx(b, loc, e0, cst(b, loc, 8));
                SmallVector<Value> a =
                    loadAFragment(b, loc, ws, st, ra, rb, e0, e1);
                for (int64_t nt = 0; nt < kTiles; ++nt) {
                  Value n = addIdx(b, loc, cw, addIdx(b, loc, g, cst(b, loc, nt * 8)));
                  SmallVector<Value> bv = {sPair(e0, n), sPair(e1, n)};
                  SmallVector<Value> d =
                      mma(b, loc, a, bv, ArrayRef<Value>(c).slice(nt * 4, 4), et);
                  for (int64_t e = 0; e < 4; ++e)
                    c[nt * 4 + e] = d[e];
                }
              }
              return c;
            });
        for (int64_t nt = 0; nt < kTiles; ++nt)
          for (int64_t e = 0; e < 4; ++e) {
            Value row = addIdx(b, loc, addIdx(b, loc, rw, g), cst(b, loc, e >= 2 ? 8 : 0));
            Value c = addIdx(
                b, loc, colBase,
                addIdx(b, loc, cw,
                       addIdx(b, loc, mulIdx(b, loc, q, cst(b, loc, 2)),
                              cst(b, loc, nt * 8 + (e & 1)))));
            buildIf(b, loc, ult(b, loc, c, o.dv), [&](OpBuilder &b, Location loc) {
              memref::StoreOp::create(b, loc, acc[nt * 4 + e], o.partial,
                                      ValueRange{split, bi, h, row, c});
            });
          }
      },
      poolBytes);
}

/// Kernel 3a, SIMT (f32 and the fallback): grid (ceil(dv / 32), splits,
/// B * Hb), 256 threads, 64 rows x 32 columns per block; W and S staged 32
/// keys at a time in shared memory; thread (warp, lane) owns rows warp + 8 i
/// of column `lane`.
constexpr int64_t kRowsPerThread = kChunk / kWarps; // 8

void buildRhsPartialSimt(OpBuilder &b, Location loc, const Operands &o,
                         Value chunkRows, Value solved, Value splits,
                         Value perSplit) {
  Value grid[] = {ceilDiv(b, loc, o.dv, cst(b, loc, kColTile)), splits,
                  mulIdx(b, loc, o.batch, o.heads)};
  Value block[] = {cst(b, loc, kThreads)};
  Type f32 = b.getF32Type();
  MemRefType wTile = workgroupMemRefType({kChunk, kSolveKeys + 1}, f32);
  MemRefType sTile = workgroupMemRefType({kSolveKeys, kColTile}, f32);
  buildLaunch(
      b, loc, grid, block, {wTile, sTile},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value ws = ids.workgroup[0], ss = ids.workgroup[1];
        Value tid = ids.threadId[0];
        Value split = ids.blockId[1];
        Value bi = arith::DivUIOp::create(b, loc, ids.blockId[2], o.heads);
        Value h = arith::RemUIOp::create(b, loc, ids.blockId[2], o.heads);
        std::pair<Value, Value> range = splitRange(b, loc, split, perSplit, solved);
        Value kBegin = range.first, kEnd = range.second;
        Value lane = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value warp = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value col = addIdx(b, loc, mulIdx(b, loc, ids.blockId[0],
                                          cst(b, loc, kColTile)),
                           lane);
        Value colIn = ult(b, loc, col, o.dv);
        SmallVector<Value> myRows;
        for (int64_t i = 0; i < kRowsPerThread; ++i)
          myRows.push_back(addIdx(b, loc, warp, cst(b, loc, kWarps * i)));
        SmallVector<Value> init(kRowsPerThread, cstF32(b, loc, 0.0));
        auto loop = scf::ForOp::create(
            b, loc, kBegin, kEnd, cst(b, loc, kSolveKeys), init,
            [&](OpBuilder &b, Location loc, Value j0, ValueRange acc) {
              // W[0:64, j0:j0+32]: 2048 elements, 8 per thread.
              for (int64_t m = 0; m < (kChunk * kSolveKeys) / kThreads; ++m) {
                Value e = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
                Value r = arith::DivUIOp::create(b, loc, e, cst(b, loc, kSolveKeys));
                Value jj = arith::RemUIOp::create(b, loc, e, cst(b, loc, kSolveKeys));
                Value j = addIdx(b, loc, j0, jj);
                Value w = buildIfElse(
                    b, loc,
                    andI1(b, loc, ult(b, loc, r, chunkRows), ult(b, loc, j, kEnd)),
                    f32,
                    [&](OpBuilder &b, Location loc) {
                      return memref::LoadOp::create(b, loc, o.work,
                                                    ValueRange{bi, h, r, j})
                          .getResult();
                    },
                    [&](OpBuilder &b, Location loc) {
                      return cstF32(b, loc, 0.0);
                    });
                memref::StoreOp::create(b, loc, w, ws, ValueRange{r, jj});
              }
              // S[j0:j0+32, cols]: 1024 elements, 4 per thread.
              for (int64_t m = 0; m < (kSolveKeys * kColTile) / kThreads; ++m) {
                Value jj = addIdx(b, loc, warp, cst(b, loc, m * kWarps));
                Value j = addIdx(b, loc, j0, jj);
                Value v = loadConcatOrZero(
                    b, loc, andI1(b, loc, colIn, ult(b, loc, j, kEnd)), o,
                    o.sPrev, o.s, bi, j, h, col);
                memref::StoreOp::create(b, loc, v, ss, ValueRange{jj, lane});
              }
              barrier(b, loc);
              auto inner = scf::ForOp::create(
                  b, loc, cst(b, loc, 0), cst(b, loc, kSolveKeys),
                  cst(b, loc, 1), acc,
                  [&](OpBuilder &b, Location loc, Value jj, ValueRange acc) {
                    Value sv = memref::LoadOp::create(b, loc, ss,
                                                      ValueRange{jj, lane});
                    SmallVector<Value> next;
                    for (int64_t i = 0; i < kRowsPerThread; ++i) {
                      Value w = memref::LoadOp::create(
                          b, loc, ws, ValueRange{myRows[i], jj});
                      next.push_back(
                          math::FmaOp::create(b, loc, w, sv, acc[i]));
                    }
                    scf::YieldOp::create(b, loc, next);
                  });
              barrier(b, loc);
              scf::YieldOp::create(b, loc, inner.getResults());
            });
        buildIf(b, loc, colIn, [&](OpBuilder &b, Location loc) {
          for (int64_t i = 0; i < kRowsPerThread; ++i)
            memref::StoreOp::create(b, loc, loop.getResult(i), o.partial,
                                    ValueRange{split, bi, h, myRows[i], col});
        });
      });
}

/// Kernel 3b: rhs = f + the sum of the `splits` partial tiles (in split
/// order: deterministic), then the in-chunk forward solve. Grid
/// (ceil(dv / 32), Hb, B), 256 threads, 64 rows x 32 value columns.
void buildSolve(OpBuilder &b, Location loc, const Operands &o, Value r0,
                Value chunkRows, Value splits) {
  Value grid[] = {ceilDiv(b, loc, o.dv, cst(b, loc, kColTile)), o.heads,
                  o.batch};
  Value block[] = {cst(b, loc, kThreads)};
  Type f32 = b.getF32Type();
  MemRefType rhsTile = workgroupMemRefType({kChunk, kColTile}, f32);
  MemRefType diagTile = workgroupMemRefType({kChunk, kChunk + 1}, f32);
  buildLaunch(
      b, loc, grid, block, {rhsTile, diagTile},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value rhs = ids.workgroup[0], diag = ids.workgroup[1];
        Value tid = ids.threadId[0];
        Value h = ids.blockId[1], bi = ids.blockId[2];
        Value lane = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value warp = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value col = addIdx(b, loc, mulIdx(b, loc, ids.blockId[0],
                                          cst(b, loc, kColTile)),
                           lane);
        Value colIn = ult(b, loc, col, o.dv);
        Value solved = addIdx(b, loc, o.cache, r0); // keys before the chunk
        // Thread (warp, lane) owns rows warp + 8 i of column `lane`.
        SmallVector<Value> myRows;
        for (int64_t i = 0; i < kRowsPerThread; ++i)
          myRows.push_back(addIdx(b, loc, warp, cst(b, loc, kWarps * i)));
        // rhs = f + sum of the partials (0 for rows and columns out of range).
        SmallVector<Value> init;
        for (int64_t i = 0; i < kRowsPerThread; ++i)
          init.push_back(loadF32OrZero(
              b, loc, andI1(b, loc, colIn, ult(b, loc, myRows[i], chunkRows)),
              o.f, {bi, addIdx(b, loc, r0, myRows[i]), h, col}));
        SmallVector<Value> accs = buildForWithValues(
            b, loc, cst(b, loc, 0), splits, cst(b, loc, 1), init,
            [&](OpBuilder &b, Location loc, Value sp, ValueRange acc) {
              SmallVector<Value> next;
              for (int64_t i = 0; i < kRowsPerThread; ++i)
                next.push_back(arith::AddFOp::create(
                    b, loc, acc[i],
                    loadF32OrZero(b, loc, colIn, o.partial,
                                  {sp, bi, h, myRows[i], col})));
              return next;
            });
        for (int64_t i = 0; i < kRowsPerThread; ++i)
          memref::StoreOp::create(b, loc, accs[i], rhs,
                                  ValueRange{myRows[i], lane});
        // The in-chunk block W[r, solved + j] for j < r < R, else 0.
        for (int64_t m = 0; m < (kChunk * kChunk) / kThreads; ++m) {
          Value e = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
          Value r = arith::DivUIOp::create(b, loc, e, cst(b, loc, kChunk));
          Value j = arith::RemUIOp::create(b, loc, e, cst(b, loc, kChunk));
          Value w = buildIfElse(
              b, loc,
              andI1(b, loc, ult(b, loc, r, chunkRows), ult(b, loc, j, r)), f32,
              [&](OpBuilder &b, Location loc) {
                return memref::LoadOp::create(
                           b, loc, o.work,
                           ValueRange{bi, h, r, addIdx(b, loc, solved, j)})
                    .getResult();
              },
              [&](OpBuilder &b, Location loc) { return cstF32(b, loc, 0.0); });
          memref::StoreOp::create(b, loc, w, diag, ValueRange{r, j});
        }
        // Forward substitution: after step j, row j is final; rows t > j
        // take W[t, j] s_j. Each (row, column) has one owner thread.
        buildFor(
            b, loc, cst(b, loc, 0), chunkRows, cst(b, loc, 1),
            [&](OpBuilder &b, Location loc, Value j) {
              barrier(b, loc);
              Value sj = memref::LoadOp::create(b, loc, rhs, ValueRange{j, lane});
              for (int64_t i = 0; i < kRowsPerThread; ++i) {
                Value r = myRows[i];
                buildIf(b, loc, ult(b, loc, j, r),
                        [&](OpBuilder &b, Location loc) {
                          Value w = memref::LoadOp::create(b, loc, diag,
                                                           ValueRange{r, j});
                          Value cur = memref::LoadOp::create(
                              b, loc, rhs, ValueRange{r, lane});
                          memref::StoreOp::create(
                              b, loc, math::FmaOp::create(b, loc, w, sj, cur),
                              rhs, ValueRange{r, lane});
                        });
              }
            });
        barrier(b, loc);
        for (int64_t i = 0; i < kRowsPerThread; ++i) {
          Value r = myRows[i];
          buildIf(b, loc, andI1(b, loc, colIn, ult(b, loc, r, chunkRows)),
                  [&](OpBuilder &b, Location loc) {
                    Value v = memref::LoadOp::create(b, loc, rhs,
                                                     ValueRange{r, lane});
                    storeF32(b, loc, v, o.s,
                             {bi, addIdx(b, loc, r0, r), h, col});
                  });
        }
      });
}
} // namespace

FailureOr<SmallVector<Value>>
mlir::sessa::gpulowering::lowerFeedbackAttention(RewriterBase &rewriter,
                                                 FeedbackAttentionOp op) {
  Location loc = op.getLoc();
  OpBuilder &b = rewriter;
  auto fType = cast<RankedTensorType>(op.getF().getType());
  Operands o;
  o.scale = op.getEffectiveScale();
  o.f = readBuffer(b, loc, op.getF());
  o.qb = readBuffer(b, loc, op.getQb());
  o.kb = readBuffer(b, loc, op.getKb());
  o.gamma = readBuffer(b, loc, op.getGamma());
  if (op.hasCache()) {
    // The cache operands are batch-strided entry buffers in a decoding step.
    o.kbPrev = readStridedBuffer(b, loc, op.getKbPrev());
    o.sPrev = readStridedBuffer(b, loc, op.getSPrev());
  }
  o.batch = dim(b, loc, op.getF(), 0);
  o.rows = dim(b, loc, op.getF(), 1);
  o.heads = dim(b, loc, op.getF(), 2);
  o.dv = dim(b, loc, op.getF(), 3);
  o.dk = dim(b, loc, op.getQb(), 3);
  o.cache = op.hasCache() ? dim(b, loc, op.getKbPrev(), 1) : cst(b, loc, 0);

  // Tensor cores for 16-bit storage when dk allows 16-byte row loads.
  Type et = fType.getElementType();
  int64_t dkStatic = cast<RankedTensorType>(op.getQb().getType()).getDimSize(3);
  int64_t dvStatic = fType.getDimSize(3);
  Type mmaType = (et.isBF16() || et.isF16()) && !ShapedType::isDynamic(dkStatic) &&
                         dkStatic % 8 == 0 && !ShapedType::isDynamic(dvStatic) &&
                         dvStatic % 8 == 0
                     ? et
                     : Type();

  SmallVector<Value> sDyn;
  for (int64_t i = 0; i < 4; ++i)
    if (fType.isDynamicDim(i))
      sDyn.push_back(dim(b, loc, op.getF(), i));
  o.s = allocBuffer(b, loc, fType, sDyn);
  // Keys per row of W, padded to a multiple of 8 (16-byte rows for cp.async).
  Value keysTotal = mulIdx(
      b, loc, ceilDiv(b, loc, addIdx(b, loc, o.cache, o.rows), cst(b, loc, 8)),
      cst(b, loc, 8));
  auto workType = MemRefType::get(
      {ShapedType::kDynamic, ShapedType::kDynamic, kChunk, ShapedType::kDynamic},
      b.getF32Type());
  o.work = memref::AllocOp::create(b, loc, workType,
                                   ValueRange{o.batch, o.heads, keysTotal});
  o.keysTotal = keysTotal;
  o.prob = o.work;
  if (mmaType)
    o.prob = memref::AllocOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic, kChunk,
                         ShapedType::kDynamic},
                        mmaType),
        ValueRange{o.batch, o.heads, keysTotal});
  // Split of the rhs product over the keys: at most maxSplits splits, so
  // that column tiles x splits x B x Hb reaches about kTargetBlocks blocks;
  // each split covers a multiple of 32 keys, at least kMinSplitKeys.
  Value bh = mulIdx(b, loc, o.batch, o.heads);
  Value colTiles = ceilDiv(b, loc, o.dv, cst(b, loc, mmaType ? kPartCols : kColTile));
  Value maxSplits = maxIndex(
      b, loc,
      ceilDiv(b, loc, cst(b, loc, kTargetBlocks), mulIdx(b, loc, colTiles, bh)),
      cst(b, loc, 1));
  o.partial = memref::AllocOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic,
                       ShapedType::kDynamic, kChunk, ShapedType::kDynamic},
                      b.getF32Type()),
      ValueRange{maxSplits, o.batch, o.heads, o.dv});

  buildFor(b, loc, cst(b, loc, 0), o.rows, cst(b, loc, kChunk),
           [&](OpBuilder &b, Location loc, Value r0) {
             Value chunkRows =
                 minIndex(b, loc, cst(b, loc, kChunk), subIdx(b, loc, o.rows, r0));
             // Keys visible to the chunk's last row: P + r0 + R - 1.
             Value solved = addIdx(b, loc, o.cache, r0);
             Value keys = subIdx(b, loc, addIdx(b, loc, solved, chunkRows),
                                 cst(b, loc, 1));
             Value key32 = cst(b, loc, kSolveKeys);
             Value perSplit = maxIndex(
                 b, loc,
                 mulIdx(b, loc,
                        ceilDiv(b, loc, ceilDiv(b, loc, solved, maxSplits), key32),
                        key32),
                 cst(b, loc, kMinSplitKeys));
             Value splits = maxIndex(b, loc, ceilDiv(b, loc, solved, perSplit),
                                     cst(b, loc, 1));
             if (mmaType)
               buildLogitsMma(b, loc, o, r0, chunkRows, keys, mmaType);
             else
               buildLogits(b, loc, o, r0, chunkRows, keys);
             buildSoftmax(b, loc, o, r0, chunkRows, keys, solved);
             if (mmaType)
               buildRhsPartialMma(b, loc, o, chunkRows, solved, splits, perSplit,
                                  mmaType);
             else
               buildRhsPartialSimt(b, loc, o, chunkRows, solved, splits, perSplit);
             buildSolve(b, loc, o, r0, chunkRows, splits);
           });
  memref::DeallocOp::create(b, loc, o.partial);
  if (o.prob != o.work)
    memref::DeallocOp::create(b, loc, o.prob);
  memref::DeallocOp::create(b, loc, o.work);
  return SmallVector<Value>{toTensor(b, loc, o.s)};
}
