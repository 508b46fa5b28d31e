//===- RopeKernel.cpp - sessa.rope as one GPU kernel ----------------------===//
//
// One streaming kernel over x : [B, T, H, d] (identity layout), memory bound:
// each element is read once and written once, 16 bytes a thread at a time.
//
//   a thread owns one chunk of V contiguous elements of a head (V = 16 bytes
//   of storage: 8 bf16/f16 or 4 f32, fewer when d is not a multiple), i.e.
//   V/2 interleaved pairs i = c*V/2 .. c*V/2 + V/2-1 (c the chunk), of one
//   position row p = b*T + t, and a lane hl of HL heads: it rotates its
//   chunk in heads h = hl, hl + HL, ... (U = H/HL of them, loaded G at a
//   time before any is stored, so G 16-byte loads are in flight).
//   block = C * HL * Tb threads (C = d/V chunks, consecutive threads on
//   consecutive chunks then heads: a warp reads 32 * 16 contiguous bytes),
//   Tb position rows a block; grid x = ceil(B*T / Tb).
//
// Angles. A thread computes the V/2 angles of its (t, i) once and reuses
// them for its U heads. phi = (P + t) w_i can reach 1e4 rad and more, so it
// is formed in f64 and reduced exactly: w_i = base^(-2i/d) is a product of
// host-computed f64 constants selected by the bits of c (binary
// exponentiation, a few roundings of 2^-53), phi = pos * w_i in f64, then
// Cody-Waite with two constants, n = rint(phi / 2pi),
// r = (phi - n*C1) - n*C2 (fused multiply-adds; C1 + C2 = 2pi to 2^-106),
// exact to ~1e-16 for any realistic position. Only r in [-pi, pi], rounded
// to f32, goes through f32 cos/sin: no f64 transcendental on the device
// (those are slow software routines). Error of an output element: about
// 2e-7 relative (f32 rounding of r and of cos/sin), as before.
//
// Buffers whose pointer or offset is not 16-byte aligned (a view of a
// caller's tensor) take the same loop with scalar loads and stores.
//
// lowerRopes puts several ropes in one launch (grid z: which one; x covers
// the largest): the rope of q and the rope of k of a layer can share one.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/Support/CommandLine.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::gpukernels;

namespace {
llvm::cl::opt<bool> clRopeLoadsFirst(
    "sessa-gpu-rope-loads-first", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("Issue the rope kernel's loads before its angle math when "
                   "a thread's heads are one group (experiment switch)"));

/// Threads of a block (at least one position row's threads).
constexpr int64_t kBlockThreads = 256;
/// Bytes a thread loads or stores at once.
constexpr int64_t kVectorBytes = 16;
/// Threads of a warp: the most threads a position row's heads spread over.
constexpr int64_t kWarpThreads = 32;
/// Heads a thread loads before it stores any (16-byte loads in flight).
constexpr int64_t kMaxHeadsInFlight = 4;
/// Most threads of a block.
constexpr int64_t kMaxBlockThreads = 1024;

/// One rope of a launch: its buffers, shape and thread mapping.
struct RopeInput {
  RopeOp op;
  int64_t headDim = 0, heads = 0;
  int64_t vec = 0;       // V: elements of a chunk
  int64_t chunks = 0;    // C = d / V
  int64_t headLanes = 0; // HL
  int64_t posLanes = 0;  // Tb
  int64_t group = 0;     // G: heads loaded at once
  Value x, out;
  int64_t threads() const { return chunks * headLanes * posLanes; }
};

/// f64 constant.
Value cstF64(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
}

/// Whether `mem`'s first element is `bytes`-aligned: aligned pointer and
/// offset (identity layouts: every chunk of a row then is too).
Value isAligned(OpBuilder &b, Location loc, Value mem, int64_t bytes,
                int64_t elemBytes) {
  Value ptr = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, mem);
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, mem);
  Value byteOffset = mulIdx(b, loc, meta.getOffset(), cst(b, loc, elemBytes));
  Value at = arith::AddIOp::create(b, loc, ptr, byteOffset);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                               remIdx(b, loc, at, cst(b, loc, bytes)),
                               cst(b, loc, 0));
}
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
  int64_t blockThreads = 1;
  for (RopeOp op : ops) {
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    int64_t headDim = xType.getDimSize(3);
    if (ShapedType::isDynamic(headDim) || headDim % 2 != 0 ||
        ShapedType::isDynamic(xType.getDimSize(2)))
      return op.emitOpError("GPU lowering needs a static, even head dimension "
                            "and static heads");
    RopeInput in;
    in.op = op;
    in.headDim = headDim;
    in.heads = xType.getDimSize(2);
    int64_t elemBytes = xType.getElementType().getIntOrFloatBitWidth() / 8;
    in.vec = kVectorBytes / elemBytes;
    while (headDim % in.vec != 0)
      in.vec /= 2;
    in.chunks = headDim / in.vec;
    in.headLanes = 1;
    while (in.chunks * in.headLanes * 2 <= kWarpThreads &&
           in.heads % (in.headLanes * 2) == 0)
      in.headLanes *= 2;
    if (in.chunks * in.headLanes > kMaxBlockThreads)
      return op.emitOpError("GPU lowering supports head dimensions of at most ")
             << kMaxBlockThreads * in.vec << " elements";
    in.posLanes =
        std::max<int64_t>(1, kBlockThreads / (in.chunks * in.headLanes));
    int64_t perThread = in.heads / in.headLanes;
    in.group = std::min(perThread, kMaxHeadsInFlight);
    while (perThread % in.group != 0)
      --in.group;
    blockThreads = std::max(blockThreads, in.threads());
    inputs.push_back(in);
  }

  // The grid covers the position rows of the largest input (grid z: which
  // input).
  Value gridX;
  for (RopeInput &in : inputs) {
    auto xType = cast<RankedTensorType>(in.op.getInput().getType());
    in.x = readBuffer(b, loc, in.op.getInput());
    SmallVector<Value> dynSizes;
    for (int64_t i = 0; i < 4; ++i)
      if (xType.isDynamicDim(i))
        dynSizes.push_back(dim(b, loc, in.x, i));
    in.out = allocBuffer(b, loc, xType, dynSizes);
    Value posRows = mulIdx(b, loc, dim(b, loc, in.x, 0), dim(b, loc, in.x, 1));
    Value x = ceilDiv(b, loc, posRows, cst(b, loc, in.posLanes));
    gridX = gridX ? arith::MaxUIOp::create(b, loc, gridX, x).getResult() : x;
  }
  // An empty tensor still launches one (idle) block: grid sizes are >= 1.
  gridX = arith::MaxUIOp::create(b, loc, gridX, cst(b, loc, 1));
  SmallVector<Value> grid = {gridX};
  if (inputs.size() > 1) {
    grid.push_back(cst(b, loc, 1));
    grid.push_back(cst(b, loc, inputs.size()));
  }

  // The kernel of one input.
  auto rotate = [&](OpBuilder &kb, Location l, const LaunchIds &ids,
                    const RopeInput &in) {
    RopeOp op = in.op;
    Value x = in.x, out = in.out;
    int64_t vec = in.vec, pairs = in.vec / 2, heads = in.heads;
    double base = op.getBase().convertToDouble();
    Type f64 = kb.getF64Type(), f32 = kb.getF32Type();
    Type elemType = cast<MemRefType>(x.getType()).getElementType();
    int64_t elemBytes = elemType.getIntOrFloatBitWidth() / 8;
    // Sizes from the buffer inside the kernel: the outlined kernel takes
    // the memrefs (and a dynamic offset) alone.
    Value rows = dim(kb, l, x, 1);
    Value posRows = mulIdx(kb, l, dim(kb, l, x, 0), rows);
    Value offset =
        op.getOffset() ? op.getOffset() : cst(kb, l, op.getStaticOffset());
    Value tid = ids.threadId[0];
    Value chunk = remIdx(kb, l, tid, cst(kb, l, in.chunks));
    Value rest = divIdx(kb, l, tid, cst(kb, l, in.chunks));
    Value headLane = remIdx(kb, l, rest, cst(kb, l, in.headLanes));
    Value posLane = divIdx(kb, l, rest, cst(kb, l, in.headLanes));
    Value p = addIdx(kb, l, mulIdx(kb, l, ids.blockId[0],
                                   cst(kb, l, in.posLanes)),
                     posLane);
    Value mine = ult(kb, l, p, posRows);
    if (in.threads() < blockThreads)
      mine = andI1(kb, l, mine, ult(kb, l, tid, cst(kb, l, in.threads())));
    buildIf(kb, l, mine, [&](OpBuilder &ib, Location il) {
      Value t = remIdx(ib, il, p, rows);
      Value bIdx = divIdx(ib, il, p, rows);
      Value pos = arith::SIToFPOp::create(
          ib, il, f64,
          arith::IndexCastOp::create(ib, il, ib.getI64Type(),
                                     addIdx(ib, il, offset, t)));
      // The angles of this thread's pairs (cosv/sinv[j]: pair c*V/2 + j).
      SmallVector<Value> cosv, sinv;
      auto angles = [&](OpBuilder &ab, Location al) {
        cosv.clear();
        sinv.clear();
        // w_{c*V/2} = prod over the set bits k of c of base^(-V 2^k / d).
        Value w = cstF64(ab, al, 1.0);
        Value chunkI64 =
            arith::IndexCastOp::create(ab, al, ab.getI64Type(), chunk);
        for (int64_t k = 0; (int64_t(1) << k) < in.chunks; ++k) {
          long double e = -static_cast<long double>(vec) *
                          static_cast<long double>(int64_t(1) << k) /
                          static_cast<long double>(in.headDim);
          double factor = static_cast<double>(
              std::pow(static_cast<long double>(base), e));
          Value bit = arith::AndIOp::create(
              ab, al,
              arith::ShRUIOp::create(
                  ab, al, chunkI64,
                  arith::ConstantOp::create(ab, al, ab.getI64IntegerAttr(k))),
              arith::ConstantOp::create(ab, al, ab.getI64IntegerAttr(1)));
          Value set = arith::CmpIOp::create(
              ab, al, arith::CmpIPredicate::ne, bit,
              arith::ConstantOp::create(ab, al, ab.getI64IntegerAttr(0)));
          Value scaled =
              arith::MulFOp::create(ab, al, w, cstF64(ab, al, factor));
          w = arith::SelectOp::create(ab, al, set, scaled, w);
        }
        // phi_j = pos * w_{c*V/2 + j}, reduced to [-pi, pi] in f64; cos/sin
        // of the f32 remainder.
        // 2pi = kTwoPiHi + kTwoPiLo (the f64 rounding of 2pi and the rest).
        constexpr double kTwoPiHi = 0x1.921fb54442d18p+2;
        constexpr double kTwoPiLo = 0x1.1a62633145c07p-52;
        constexpr double kInvTwoPi = 0x1.45f306dc9c883p-3;
        for (int64_t j = 0; j < pairs; ++j) {
          Value wj = w;
          if (j > 0) {
            long double e = -2.0L * j / static_cast<long double>(in.headDim);
            double factor = static_cast<double>(
                std::pow(static_cast<long double>(base), e));
            wj = arith::MulFOp::create(ab, al, w, cstF64(ab, al, factor));
          }
          Value phi = arith::MulFOp::create(ab, al, pos, wj);
          Value n = math::RoundEvenOp::create(
              ab, al,
              arith::MulFOp::create(ab, al, phi,
                                    cstF64(ab, al, kInvTwoPi)));
          Value negN = arith::NegFOp::create(ab, al, n);
          Value r = math::FmaOp::create(ab, al, negN, cstF64(ab, al, kTwoPiHi),
                                        phi);
          r = math::FmaOp::create(ab, al, negN, cstF64(ab, al, kTwoPiLo), r);
          Value rf = arith::TruncFOp::create(ab, al, f32, r);
          cosv.push_back(math::CosOp::create(ab, al, rf));
          sinv.push_back(math::SinOp::create(ab, al, rf));
        }
      };
      // With all of its heads in one group, a thread issues its loads
      // first and forms the angles while they are in flight; otherwise the
      // angles come first, shared by the groups.
      int64_t perThread = heads / in.headLanes;
      bool loadsFirst = clRopeLoadsFirst && perThread == in.group;
      if (!loadsFirst)
        angles(ib, il);
      Value first = mulIdx(ib, il, chunk, cst(ib, il, vec));
      auto indices = [&](OpBuilder &ob, Location ol, Value h, int64_t k) {
        Value e = k ? addIdx(ob, ol, first, cst(ob, ol, k)) : first;
        return SmallVector<Value>{bIdx, t, h, e};
      };
      // The heads of this thread, `group` loaded before any is stored.
      auto rotateHeads = [&](OpBuilder &ob, Location ol, bool vectorized) {
        auto vecType = VectorType::get({vec}, elemType);
        buildFor(
            ob, ol, cst(ob, ol, 0), cst(ob, ol, perThread / in.group),
            cst(ob, ol, 1), [&](OpBuilder &fb, Location fl, Value g) {
              SmallVector<Value> hs;
              SmallVector<SmallVector<Value>> loaded;
              for (int64_t u = 0; u < in.group; ++u) {
                // h = hl + HL * (g * G + u).
                Value slot = addIdx(fb, fl, mulIdx(fb, fl, g, cst(fb, fl, in.group)),
                                    cst(fb, fl, u));
                Value h = addIdx(fb, fl, headLane,
                                 mulIdx(fb, fl, slot, cst(fb, fl, in.headLanes)));
                hs.push_back(h);
                SmallVector<Value> vals;
                if (vectorized) {
                  Value v = vector::LoadOp::create(
                      fb, fl, vecType, x, indices(fb, fl, h, 0),
                      /*nontemporal=*/false,
                      llvm::MaybeAlign(vec * elemBytes));
                  for (int64_t k = 0; k < vec; ++k)
                    vals.push_back(toF32(
                        fb, fl, vector::ExtractOp::create(fb, fl, v, k)));
                } else {
                  for (int64_t k = 0; k < vec; ++k)
                    vals.push_back(loadF32(fb, fl, x, indices(fb, fl, h, k)));
                }
                loaded.push_back(std::move(vals));
              }
              if (loadsFirst)
                angles(fb, fl);
              for (int64_t u = 0; u < in.group; ++u) {
                SmallVector<Value> res;
                for (int64_t j = 0; j < pairs; ++j) {
                  Value x0 = loaded[u][2 * j], x1 = loaded[u][2 * j + 1];
                  Value c = cosv[j], s = sinv[j];
                  res.push_back(arith::SubFOp::create(
                      fb, fl, arith::MulFOp::create(fb, fl, x0, c),
                      arith::MulFOp::create(fb, fl, x1, s)));
                  res.push_back(arith::AddFOp::create(
                      fb, fl, arith::MulFOp::create(fb, fl, x0, s),
                      arith::MulFOp::create(fb, fl, x1, c)));
                }
                if (vectorized) {
                  SmallVector<Value> elems;
                  for (Value r : res)
                    elems.push_back(fromF32(fb, fl, r, elemType));
                  Value v =
                      vector::FromElementsOp::create(fb, fl, vecType, elems);
                  vector::StoreOp::create(fb, fl, v, out,
                                          indices(fb, fl, hs[u], 0),
                                          /*nontemporal=*/false,
                                          llvm::MaybeAlign(vec * elemBytes));
                } else {
                  for (int64_t k = 0; k < vec; ++k)
                    storeF32(fb, fl, res[k], out, indices(fb, fl, hs[u], k));
                }
              }
            });
      };
      if (vec == 1) {
        rotateHeads(ib, il, /*vectorized=*/false);
        return;
      }
      int64_t bytes = vec * elemBytes;
      Value aligned = andI1(ib, il, isAligned(ib, il, x, bytes, elemBytes),
                            isAligned(ib, il, out, bytes, elemBytes));
      scf::IfOp::create(
          ib, il, aligned,
          [&](OpBuilder &tb, Location tl) {
            rotateHeads(tb, tl, /*vectorized=*/true);
            scf::YieldOp::create(tb, tl);
          },
          [&](OpBuilder &eb, Location el) {
            rotateHeads(eb, el, /*vectorized=*/false);
            scf::YieldOp::create(eb, el);
          });
    });
  };

  buildLaunch(b, loc, grid, {cst(b, loc, blockThreads)}, {},
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
