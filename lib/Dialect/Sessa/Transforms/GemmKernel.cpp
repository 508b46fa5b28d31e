//===- GemmKernel.cpp - Tiled GEMM kernels as gpu.launch ------------------===//
//
// See GemmKernel.h. Both kernels share the operand handling (a flat view of
// each memref's buffer, element strides read from its descriptor, the
// run-time choice between cp.async and guarded scalar tile loads) and the
// multi-stage main loop; they differ in the inner product (FFMA on an
// 8x8 register tile, or mma.sync on 64x32 warp tiles) and the epilogue's
// thread-to-element map.
//
//===----------------------------------------------------------------------===//
#include "sessa/Dialect/Sessa/Transforms/GemmKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/CommandLine.h"

#include <array>

using namespace mlir;

namespace {

/// Index arithmetic on an ImplicitLocOpBuilder (all values non-negative).
struct IndexMath {
  ImplicitLocOpBuilder &b;
  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value mul(Value x, int64_t y) { return mul(x, c(y)); }
  Value add(Value x, int64_t y) { return add(x, c(y)); }
  Value div(Value x, int64_t y) { return arith::DivUIOp::create(b, x, c(y)); }
  Value rem(Value x, int64_t y) { return arith::RemUIOp::create(b, x, c(y)); }
  Value ceilDiv(Value x, int64_t y) {
    return arith::CeilDivUIOp::create(b, x, c(y));
  }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, x, y); }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::slt, x, y);
  }
  Value gt(Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, x, y);
  }
  Value eq(Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, x, y);
  }
  Value isMultiple(Value x, int64_t y) { return eq(rem(x, y), c(0)); }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, cond, x, y);
  }
};

/// `scf.if` with one result.
Value ifValue(ImplicitLocOpBuilder &b, Value cond, Type type,
              function_ref<Value(ImplicitLocOpBuilder &)> thenFn,
              function_ref<Value(ImplicitLocOpBuilder &)> elseFn) {
  auto op = scf::IfOp::create(b, TypeRange{type}, cond, /*withElse=*/true);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&op.getThenRegion().front());
    scf::YieldOp::create(b, thenFn(b));
    b.setInsertionPointToStart(&op.getElseRegion().front());
    scf::YieldOp::create(b, elseFn(b));
  }
  return op.getResult(0);
}

/// `scf.if` without results (optional else).
void ifThen(ImplicitLocOpBuilder &b, Value cond,
            function_ref<void(ImplicitLocOpBuilder &)> thenFn,
            function_ref<void(ImplicitLocOpBuilder &)> elseFn = nullptr) {
  auto op = scf::IfOp::create(b, cond, /*withElseRegion=*/static_cast<bool>(elseFn));
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPoint(op.getThenRegion().front().getTerminator());
  thenFn(b);
  if (elseFn) {
    b.setInsertionPoint(op.getElseRegion().front().getTerminator());
    elseFn(b);
  }
}

Value toF32(ImplicitLocOpBuilder &b, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, b.getF32Type(), v);
}

Value fromF32(ImplicitLocOpBuilder &b, Value v, Type type) {
  if (type.isF32())
    return v;
  return arith::TruncFOp::create(b, type, v);
}

/// A memref operand seen from inside the kernel as a logical matrix
/// [rows, cols] of the current batch: element (r, k) is flat[off + r * sRow
/// + k * sCol].
struct MatrixView {
  Value flat;
  Value off, sRow, sCol;
  Value rows, cols;
  /// Whether 16-byte cp.async copies of `vec` elements along k are valid:
  /// unit k stride, and rows, offset and base pointer 16-byte aligned.
  Value fast;
  /// The aligned base pointer as an index.
  Value ptr;
  /// Whether every element offset of the flat view fits in i32 (extent
  /// below 2^31).
  Value small;
};

/// Element (gr, gk) of `v` (storage type `elem`), or 0 outside the matrix:
/// the guarded scalar load of the kernels' unaligned paths.
Value loadOrZero(ImplicitLocOpBuilder &b, const MatrixView &v, Value gr,
                 Value gk, Type elem) {
  IndexMath im{b};
  Value inside = im.both(im.lt(gr, v.rows), im.lt(gk, v.cols));
  return ifValue(
      b, inside, elem,
      [&](ImplicitLocOpBuilder &b) -> Value {
        IndexMath im{b};
        Value idx =
            im.add(v.off, im.add(im.mul(gr, v.sRow), im.mul(gk, v.sCol)));
        return memref::LoadOp::create(b, v.flat, idx);
      },
      [&](ImplicitLocOpBuilder &b) -> Value {
        return arith::ConstantOp::create(b, b.getFloatAttr(elem, 0.0));
      });
}

/// The view of `mem` (rank 2, or 3 with the batch first) whose logical rows
/// are memref dimension `rowDim` of the matrix part (0 or 1) and whose
/// columns are the other one; `batch` is the batch index (rank 3 only).
MatrixView makeView(ImplicitLocOpBuilder &b, Value mem, int rowDim,
                    Value batch, int64_t vec) {
  IndexMath im{b};
  auto type = cast<MemRefType>(mem.getType());
  int64_t rank = type.getRank();
  auto meta = memref::ExtractStridedMetadataOp::create(b, mem);
  SmallVector<Value> sizes(meta.getSizes()), strides(meta.getStrides());
  // Extent of the buffer that the view touches (metadata of the flat view).
  Value extent = im.add(meta.getOffset(), 1);
  for (int64_t i = 0; i < rank; ++i)
    extent = im.add(extent,
                    im.mul(im.max(im.sub(sizes[i], im.c(1)), im.c(0)),
                           strides[i]));
  auto flatType = MemRefType::get({ShapedType::kDynamic}, type.getElementType());
  MatrixView v;
  v.flat = memref::ReinterpretCastOp::create(
      b, flatType, meta.getBaseBuffer(), OpFoldResult(b.getIndexAttr(0)),
      ArrayRef<OpFoldResult>{extent},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  int64_t first = rank - 2;
  int colDim = 1 - rowDim;
  v.off = meta.getOffset();
  if (rank == 3)
    v.off = im.add(v.off, im.mul(batch, strides[0]));
  v.sRow = strides[first + rowDim];
  v.sCol = strides[first + colDim];
  v.rows = sizes[first + rowDim];
  v.cols = sizes[first + colDim];
  Value ptr = memref::ExtractAlignedPointerAsIndexOp::create(b, mem);
  v.ptr = ptr;
  v.small = im.lt(extent, im.c(int64_t(1) << 31));
  v.fast = im.both(
      im.both(im.eq(v.sCol, im.c(1)), im.isMultiple(v.sRow, vec)),
      im.both(im.isMultiple(v.off, vec), im.isMultiple(ptr, 16)));
  return v;
}

/// Parameters of one kernel variant.
struct Config {
  int64_t blockM = 128, blockN = 128, blockK, threads = 256;
  // Tensor-core kernel: warp grid and mma tiles (16 x 8) per warp.
  int64_t warpsM = 2, warpsN = 4, mTiles = 4, nTiles = 4;
  int64_t stages; // shared memory pipeline depth (tiles in flight + 1)
  int64_t pad; // shared memory row padding in elements
  int64_t vec; // elements per 16-byte copy
  bool tmaPingpong = false; // TMA kernel: ping-pong consumer warpgroups
  int64_t tmaCluster = 1;   // TMA kernel: CTAs a cluster (1 or 2)
};

/// The TMA kernel's ping-pong schedule regardless of the pass option and the
/// epilogue (for measurements with sessa-compile).
llvm::cl::opt<bool> clTmaPingpong(
    "sessa-gpu-tma-pingpong", llvm::cl::Hidden, llvm::cl::init(false),
    llvm::cl::desc("TMA GEMM kernel: ping-pong consumer warpgroups"));

/// Loads rows [r0, r0 + tileRows) x k [k0, k0 + blockK) of `v` into
/// sm[stage] (shape [stages, tileRows, blockK + pad]), zero outside the
/// matrix: cp.async copies (not committed here) or synchronous stores.
/// With `assumeFast`, only the cp.async form is built (the caller checked
/// v.fast).
void loadTile(ImplicitLocOpBuilder &b, const Config &cfg, const MatrixView &v,
              Value sm, Value stage, Value r0, Value k0, Value tid,
              int64_t tileRows, bool assumeFast, bool rolled = false) {
  IndexMath im{b};
  Type elem = cast<MemRefType>(sm.getType()).getElementType();
  auto fastLoad = [&](ImplicitLocOpBuilder &b) {
        IndexMath im{b};
        int64_t chunksPerRow = cfg.blockK / cfg.vec;
        int64_t perThread = tileRows * chunksPerRow / cfg.threads;
        // Last aligned chunk start inside the matrix (k clamp: the copy of a
        // chunk beyond K reads nothing, but its address stays in bounds).
        Value kLast =
            im.mul(im.div(im.sub(v.cols, im.c(1)), cfg.vec), cfg.vec);
        Value rowLast = im.sub(v.rows, im.c(1));
        for (int64_t i = 0; i < perThread; ++i) {
          Value chunk = im.add(tid, i * cfg.threads);
          Value row = im.div(chunk, chunksPerRow);
          Value kc = im.mul(im.rem(chunk, chunksPerRow), cfg.vec);
          Value gr = im.add(r0, row), gk = im.add(k0, kc);
          Value left = im.min(im.sub(v.cols, gk), im.c(cfg.vec));
          Value inside = im.both(im.lt(gr, v.rows), im.lt(gk, v.cols));
          Value n = im.select(inside, left, im.c(0));
          Value idx = im.add(v.off, im.add(im.mul(im.min(gr, rowLast), v.sRow),
                                           im.min(gk, kLast)));
          // Committed by the caller's commitTiles, with the other copies
          // of this stage.
          nvgpu::DeviceAsyncCopyOp::create(b, sm, ValueRange{stage, row, kc},
                                           v.flat, ValueRange{idx},
                                           b.getIndexAttr(cfg.vec), n,
                                           b.getUnitAttr());
        }
      };
  auto slowLoad = [&](ImplicitLocOpBuilder &b) {
        int64_t perThread = tileRows * cfg.blockK / cfg.threads;
        // One element (i: an index value, or a constant when unrolled).
        auto element = [&](ImplicitLocOpBuilder &b, Value i) {
          IndexMath im{b};
          std::optional<int64_t> ci = getConstantIntValue(i);
          Value e = ci ? im.add(tid, *ci * cfg.threads)
                       : im.add(tid, im.mul(i, cfg.threads));
          Value row = im.div(e, cfg.blockK), kk = im.rem(e, cfg.blockK);
          Value gr = im.add(r0, row), gk = im.add(k0, kk);
          Value val = loadOrZero(b, v, gr, gk, elem);
          memref::StoreOp::create(b, val, sm, ValueRange{stage, row, kk});
        };
        IndexMath im{b};
        if (!rolled) {
          for (int64_t i = 0; i < perThread; ++i)
            element(b, im.c(i));
          return;
        }
        // A loop (the large tiles' scalar path would otherwise unroll
        // into hundreds of guarded loads).
        scf::ForOp::create(b, im.c(0), im.c(perThread), im.c(1), ValueRange{},
                           [&](OpBuilder &nb, Location loc, Value i,
                               ValueRange) {
                             ImplicitLocOpBuilder b(loc, nb);
                             element(b, i);
                             scf::YieldOp::create(b);
                           });
      };
  if (assumeFast)
    fastLoad(b);
  else
    ifThen(b, v.fast, fastLoad, slowLoad);
  (void)im;
}

/// Commits this thread's outstanding cp.async copies as one group (an empty
/// group when there are none, which keeps the group count per stage fixed).
/// (nvvm ops: nvgpu's group ops need tokens, and an empty
/// nvgpu.device_async_create_group does not round-trip through text.)
void commitTiles(ImplicitLocOpBuilder &b) {
  NVVM::CpAsyncCommitGroupOp::create(b);
}

/// Waits until at most `pending` of this thread's groups are in flight, then
/// for the whole block.
void waitTiles(ImplicitLocOpBuilder &b, int64_t pending) {
  NVVM::CpAsyncWaitGroupOp::create(b, pending);
  gpu::BarrierOp::create(b);
}

/// The multi-stage cp.async main loop of both kernels: tiles 0 .. stages-2
/// in flight before the loop; iteration t waits for tile t, then refills
/// the stage that iteration t-1 computed on (free after the barrier) with
/// tile t + stages - 1. Every stage slot commits one group, empty or not,
/// so that waiting for all but the stages-2 newest groups means tile t has
/// landed. `load(b, stage, k0)` issues one tile's copies; `step(b, t, acc)`
/// computes on tile t and returns the new accumulators (numAcc f32, zero at
/// the start). Returns the final accumulators.
SmallVector<Value> buildPipelinedLoop(
    ImplicitLocOpBuilder &b, const Config &cfg, Value numTiles,
    int64_t numAcc,
    function_ref<void(ImplicitLocOpBuilder &, Value, Value)> load,
    function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value,
                                    ValueRange)>
        step) {
  IndexMath km{b};
  for (int64_t s = 0; s + 1 < cfg.stages; ++s) {
    ifThen(b, km.lt(km.c(s), numTiles), [&](ImplicitLocOpBuilder &b) {
      IndexMath im{b};
      load(b, im.c(s), im.c(s * cfg.blockK));
    });
    commitTiles(b);
  }
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
  SmallVector<Value> init(numAcc, zero);
  auto loop = scf::ForOp::create(
      b, km.c(0), numTiles, km.c(1), init,
      [&](OpBuilder &nb, Location loc, Value t, ValueRange acc) {
        ImplicitLocOpBuilder b(loc, nb);
        IndexMath im{b};
        waitTiles(b, cfg.stages - 2);
        Value next = im.add(t, cfg.stages - 1);
        ifThen(b, im.lt(next, numTiles), [&](ImplicitLocOpBuilder &b) {
          IndexMath im{b};
          load(b, im.rem(next, cfg.stages), im.mul(next, cfg.blockK));
        });
        commitTiles(b);
        scf::YieldOp::create(b, step(b, t, acc));
      });
  return SmallVector<Value>(loop.getResults());
}

/// The values the kernel body needs besides its shared buffers.
struct KernelIds {
  Value tid, m0, n0;
  Value batch; // block index z (0 when unbatched)
  MatrixView a, b, c;
  Value k;
};

/// Inner product of one stage: acc (the thread's accumulators) += tile.
/// Host side of a GEMM launch: C's sizes (batch, M, N; batch 1 for a 2-D
/// C) and whether there is anything to compute.
struct GemmSizes {
  bool batched;
  Value batch, m, n, nonEmpty;
};

GemmSizes gemmSizes(IndexMath &im, ImplicitLocOpBuilder &b, Value c) {
  auto cType = cast<MemRefType>(c.getType());
  bool batched = cType.getRank() == 3;
  auto dim = [&](int64_t i) -> Value {
    if (!cType.isDynamicDim(i))
      return im.c(cType.getDimSize(i));
    return memref::DimOp::create(b, c, i);
  };
  Value m = dim(batched ? 1 : 0);
  Value n = dim(batched ? 2 : 1);
  Value batch = batched ? dim(0) : im.c(1);
  Value nonEmpty = im.both(im.both(im.gt(m, im.c(0)), im.gt(n, im.c(0))),
                           im.gt(batch, im.c(0)));
  return {batched, batch, m, n, nonEmpty};
}

using ComputeFn = function_ref<SmallVector<Value>(
    ImplicitLocOpBuilder &, const KernelIds &, Value aSm, Value bSm,
    Value stage, ValueRange acc)>;
/// Writes the accumulators to C.
using EpilogueFn =
    function_ref<void(ImplicitLocOpBuilder &, const KernelIds &, ValueRange)>;

/// Builds the launch with its main loop; the variant supplies the inner
/// product and the epilogue.
void buildKernel(ImplicitLocOpBuilder &b, const Config &cfg, Value a, Value bm,
                 Value c, bool transposeB, int64_t numAcc, ComputeFn compute,
                 EpilogueFn epilogue) {
  IndexMath im{b};
  Type elem = cast<MemRefType>(a.getType()).getElementType();
  // Host side: grid from C's sizes; nothing to launch for an empty C.
  GemmSizes sizes = gemmSizes(im, b, c);
  Value mSize = sizes.m, nSize = sizes.n, batch = sizes.batch;
  ifThen(b, sizes.nonEmpty, [&](ImplicitLocOpBuilder &b) {
    IndexMath im{b};
    auto space = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    auto smType = [&](int64_t rows) {
      return MemRefType::get({cfg.stages, rows, cfg.blockK + cfg.pad}, elem,
                             MemRefLayoutAttrInterface(), space);
    };
    // Shared tiles live in dynamic shared memory: its base is 16-byte
    // aligned (cp.async and ldmatrix need that), unlike workgroup
    // attributions of gpu.launch. Above 48 KiB the launcher must raise the
    // kernel's CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (upstream's
    // and Sessa's mgpuLaunchKernel do).
    int64_t elemBytes = elem.getIntOrFloatBitWidth() / 8;
    int64_t aBytes = cfg.stages * cfg.blockM * (cfg.blockK + cfg.pad) * elemBytes;
    int64_t bBytes = cfg.stages * cfg.blockN * (cfg.blockK + cfg.pad) * elemBytes;
    Value smemBytes = arith::ConstantOp::create(
        b, b.getI32IntegerAttr(static_cast<int32_t>(aBytes + bBytes)));
    auto launch = gpu::LaunchOp::create(
        b, im.ceilDiv(nSize, cfg.blockN), im.ceilDiv(mSize, cfg.blockM), batch,
        im.c(cfg.threads), im.c(1), im.c(1), smemBytes);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    IndexMath km{b};
    Value dyn = gpu::DynamicSharedMemoryOp::create(
        b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                           MemRefLayoutAttrInterface(), space));
    Value aSm = memref::ViewOp::create(b, smType(cfg.blockM), dyn, km.c(0),
                                       ValueRange{});
    Value bSm = memref::ViewOp::create(b, smType(cfg.blockN), dyn,
                                       km.c(aBytes), ValueRange{});
    KernelIds ids;
    ids.tid = launch.getThreadIds().x;
    Value bz = launch.getBlockIds().z;
    ids.batch = bz;
    ids.n0 = km.mul(launch.getBlockIds().x, cfg.blockN);
    ids.m0 = km.mul(launch.getBlockIds().y, cfg.blockM);
    ids.a = makeView(b, a, /*rowDim=*/0, bz, cfg.vec);
    ids.b = makeView(b, bm, /*rowDim=*/transposeB ? 0 : 1, bz, cfg.vec);
    ids.c = makeView(b, c, /*rowDim=*/0, bz, cfg.vec);
    ids.k = ids.a.cols;
    Value numTiles = km.ceilDiv(ids.k, cfg.blockK);
    // The main loop, built twice: with cp.async loads only (both operands
    // dense along k and aligned: the common case, without the registers the
    // scalar path's addresses would hold) and with the run-time choice.
    auto mainLoop = [&](ImplicitLocOpBuilder &b,
                        bool assumeFast) -> SmallVector<Value> {
      auto load = [&](ImplicitLocOpBuilder &b, Value stage, Value k0) {
        loadTile(b, cfg, ids.a, aSm, stage, ids.m0, k0, ids.tid, cfg.blockM,
                 assumeFast);
        loadTile(b, cfg, ids.b, bSm, stage, ids.n0, k0, ids.tid, cfg.blockN,
                 assumeFast);
      };
      return buildPipelinedLoop(
          b, cfg, numTiles, numAcc, load,
          [&](ImplicitLocOpBuilder &b, Value t, ValueRange acc) {
            IndexMath im{b};
            return compute(b, ids, aSm, bSm, im.rem(t, cfg.stages), acc);
          });
    };
    Type f32 = b.getF32Type();
    auto both = scf::IfOp::create(b, SmallVector<Type>(numAcc, f32),
                                  km.both(ids.a.fast, ids.b.fast),
                                  /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&both.getThenRegion().front());
      scf::YieldOp::create(b, mainLoop(b, /*assumeFast=*/true));
      b.setInsertionPointToStart(&both.getElseRegion().front());
      scf::YieldOp::create(b, mainLoop(b, /*assumeFast=*/false));
    }
    epilogue(b, ids, both.getResults());
    gpu::TerminatorOp::create(b);
  });
}

/// The epilogue stages (GemmEpilogueStage) applied per element inside the
/// kernel. Inputs that do not depend on the row (row broadcasts such as a
/// bias) are loaded once per column a thread owns (`preload`); full-matrix
/// inputs once per element. Column indices of loads are clamped to N - 1 so
/// that elements beyond the matrix (computed, never stored) read in bounds.
struct Epilogue {
  ArrayRef<sessa::GemmEpilogueStage> stages;
  const KernelIds &ids;
  bool batched;
  Type outType;

  static bool rowDependent(const sessa::GemmEpilogueInput &in) {
    return in.map.isIdentity();
  }

  Value load(ImplicitLocOpBuilder &b, const sessa::GemmEpilogueInput &in,
             Value row, Value col) {
    IndexMath im{b};
    SmallVector<Value> dims;
    if (batched)
      dims.push_back(ids.batch);
    dims.push_back(row);
    dims.push_back(col);
    SmallVector<Value> idx;
    for (AffineExpr e : in.map.getResults()) {
      if (auto d = dyn_cast<AffineDimExpr>(e))
        idx.push_back(dims[d.getPosition()]);
      else
        idx.push_back(im.c(cast<AffineConstantExpr>(e).getValue()));
    }
    return memref::LoadOp::create(b, in.memref, idx);
  }

  Value clampCol(ImplicitLocOpBuilder &b, Value col) {
    IndexMath im{b};
    return im.min(col, im.sub(ids.c.cols, im.c(1)));
  }

  /// Row-independent inputs at column `col` (null for the others), in
  /// stage and input order.
  SmallVector<Value> preload(ImplicitLocOpBuilder &b, Value col) {
    SmallVector<Value> out;
    Value cc;
    for (const sessa::GemmEpilogueStage &st : stages)
      for (const sessa::GemmEpilogueInput &in : st.inputs) {
        if (rowDependent(in)) {
          out.push_back(nullptr);
          continue;
        }
        if (!cc)
          cc = clampCol(b, col);
        out.push_back(load(b, in, nullptr, cc));
      }
    return out;
  }

  /// The value stored at (row, col) for the f32 accumulator `acc` (row
  /// inside the matrix).
  Value apply(ImplicitLocOpBuilder &b, Value row, Value col, Value acc,
              ArrayRef<Value> pre) {
    if (stages.empty())
      return fromF32(b, acc, outType);
    Value v = acc, cc;
    size_t slot = 0;
    for (size_t i = 0; i < stages.size(); ++i) {
      const sessa::GemmEpilogueStage &st = stages[i];
      IRMapping map;
      map.map(st.body->getArgument(st.carriedArg),
              i == 0 ? fromF32(b, v, st.carriedType) : v);
      for (const sessa::GemmEpilogueInput &in : st.inputs) {
        Value x = pre[slot++];
        if (!x) {
          if (!cc)
            cc = clampCol(b, col);
          x = load(b, in, row, cc);
        }
        map.map(st.body->getArgument(in.arg), x);
      }
      // Constants defined outside the body are cloned in; other outside
      // values are captured by the launch.
      auto cloneConstant = [&](Value operand) {
        Operation *def = operand.getDefiningOp();
        if (map.contains(operand) || !def || def->getBlock() == st.body ||
            !matchPattern(operand, m_Constant()))
          return;
        map.map(operand, b.clone(*def)->getResult(0));
      };
      for (Operation &op : st.body->without_terminator()) {
        for (Value operand : op.getOperands())
          cloneConstant(operand);
        b.clone(op, map);
      }
      Value result = st.body->getTerminator()->getOperand(0);
      cloneConstant(result);
      v = map.lookupOrDefault(result);
    }
    return v;
  }
};

/// Stores the epilogue's value for `acc` (+ C's old value with
/// `accumulate`, no stages then) at C[row, col] when inside the matrix.
void storeC(ImplicitLocOpBuilder &b, Epilogue &epi, Value row, Value col,
            Value acc, bool accumulate, ArrayRef<Value> pre) {
  const MatrixView &c = epi.ids.c;
  IndexMath im{b};
  Value inside = im.both(im.lt(row, c.rows), im.lt(col, c.cols));
  ifThen(b, inside, [&](ImplicitLocOpBuilder &b) {
    IndexMath im{b};
    Value idx =
        im.add(c.off, im.add(im.mul(row, c.sRow), im.mul(col, c.sCol)));
    Type type = cast<MemRefType>(c.flat.getType()).getElementType();
    Value v;
    if (accumulate)
      v = fromF32(b,
                  arith::AddFOp::create(
                      b, toF32(b, memref::LoadOp::create(b, c.flat, idx)),
                      acc),
                  type);
    else
      v = epi.apply(b, row, col, acc, pre);
    memref::StoreOp::create(b, v, c.flat, idx);
  });
}

//===----------------------------------------------------------------------===//
// f32: SIMT FFMA. 16x16 threads; thread (tx, ty) owns rows ty + 16 i and
// columns tx + 16 j (i, j < 8) of the 128x128 tile. Shared rows are padded
// by 4 floats (row pitch 16 mod 32 words, e.g. 36) so that the 16-byte row
// reads of a warp hit distinct banks.
//===----------------------------------------------------------------------===//
constexpr int64_t kF32Micro = 8;

void buildF32Gemm(ImplicitLocOpBuilder &b, Value a, Value bm, Value c,
                  bool transposeB, bool accumulate, const Config &cfg,
                  ArrayRef<sessa::GemmEpilogueStage> stages) {
  auto compute = [&](ImplicitLocOpBuilder &b, const KernelIds &ids, Value aSm,
                     Value bSm, Value stage,
                     ValueRange acc) -> SmallVector<Value> {
    IndexMath im{b};
    Value tx = im.rem(ids.tid, 16), ty = im.div(ids.tid, 16);
    SmallVector<Value> out(acc.begin(), acc.end());
    auto vecType = VectorType::get({4}, b.getF32Type());
    for (int64_t kk = 0; kk < cfg.blockK; kk += 4) {
      SmallVector<Value> av, bv;
      for (int64_t i = 0; i < kF32Micro; ++i) {
        av.push_back(vector::LoadOp::create(
            b, vecType, aSm, ValueRange{stage, im.add(ty, 16 * i), im.c(kk)},
            /*nontemporal=*/false, llvm::MaybeAlign(16)));
        bv.push_back(vector::LoadOp::create(
            b, vecType, bSm, ValueRange{stage, im.add(tx, 16 * i), im.c(kk)},
            /*nontemporal=*/false, llvm::MaybeAlign(16)));
      }
      for (int64_t q = 0; q < 4; ++q) {
        SmallVector<Value> bq;
        for (int64_t j = 0; j < kF32Micro; ++j)
          bq.push_back(vector::ExtractOp::create(b, bv[j], q));
        for (int64_t i = 0; i < kF32Micro; ++i) {
          Value aiq = vector::ExtractOp::create(b, av[i], q);
          for (int64_t j = 0; j < kF32Micro; ++j) {
            Value &s = out[i * kF32Micro + j];
            // llvm.intr.fma, not math.fma: the NVVM lowering makes that a
            // call of libdevice's __nv_fmaf, which only resolves when the
            // pipeline finds libdevice.
            s = LLVM::FMAOp::create(b, aiq, bq[j], s);
          }
        }
      }
    }
    return out;
  };
  auto epilogue = [&](ImplicitLocOpBuilder &b, const KernelIds &ids,
                      ValueRange acc) {
    IndexMath im{b};
    Epilogue epi{stages, ids, cast<MemRefType>(c.getType()).getRank() == 3,
                 cast<MemRefType>(c.getType()).getElementType()};
    Value tx = im.rem(ids.tid, 16), ty = im.div(ids.tid, 16);
    SmallVector<Value> cols;
    SmallVector<SmallVector<Value>> pre;
    for (int64_t j = 0; j < kF32Micro; ++j) {
      cols.push_back(im.add(ids.n0, im.add(tx, 16 * j)));
      pre.push_back(epi.preload(b, cols.back()));
    }
    for (int64_t i = 0; i < kF32Micro; ++i)
      for (int64_t j = 0; j < kF32Micro; ++j)
        storeC(b, epi, im.add(ids.m0, im.add(ty, 16 * i)), cols[j],
               acc[i * kF32Micro + j], accumulate, pre[j]);
  };
  buildKernel(b, cfg, a, bm, c, transposeB, kF32Micro * kF32Micro, compute,
              epilogue);
}

//===----------------------------------------------------------------------===//
// bf16/f16: tensor cores. warpsM x warpsN warps, each a warp tile of
// (mTiles x 16) x (nTiles x 8): mTiles x nTiles mma.sync m16n8k16 per k16
// step (default 128x256 blocks of 8 warps as 2 x 4, 64x64 warp tiles).
// Shared rows are padded by 8 elements (16 bytes, e.g. a 144-byte pitch)
// so that each ldmatrix phase hits distinct banks.
//
// The hot loop addresses shared memory through an `!llvm.ptr<3>` with i32
// byte offsets computed once per thread (ldmatrix lane addresses, cp.async
// destinations) plus per-stage and per-fragment constants, and global
// memory through an `!llvm.ptr<1>` plus i32 element offsets of the rows a
// thread copies (computed once; the k offset is added per tile). The i32
// offsets need every operand's extent below 2^31 elements: checked at run
// time with the other conditions of the cp.async path (otherwise the
// guarded scalar path runs).
//===----------------------------------------------------------------------===//

/// i32 arithmetic on an ImplicitLocOpBuilder (all values non-negative).
struct I32Math {
  ImplicitLocOpBuilder &b;
  Value c(int64_t v) {
    return arith::ConstantOp::create(b, b.getI32IntegerAttr(v));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value add(Value x, int64_t y) { return y ? add(x, c(y)) : x; }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value mul(Value x, int64_t y) { return mul(x, c(y)); }
  Value div(Value x, int64_t y) { return arith::DivUIOp::create(b, x, c(y)); }
  Value rem(Value x, int64_t y) { return arith::RemUIOp::create(b, x, c(y)); }
  /// An index value known to fit in i32.
  Value of(Value index) {
    return arith::IndexCastUIOp::create(b, b.getI32Type(), index);
  }
};

/// The wgmma descriptor of a K-major 128-byte-swizzled operand at shared
/// address `addr` (i32): start >> 4 (bits 0-13), leading byte offset 16
/// (unused by swizzled K-major layouts; bits 16-29), stride byte offset
/// 1024 between 8-row groups (bits 32-45), swizzle mode 1 = 128B (62-63).
Value swizzledKMajorDescriptor(ImplicitLocOpBuilder &b, Value addr) {
  I32Math x{b};
  Value start = arith::ShRUIOp::create(
      b, arith::AndIOp::create(b, addr, x.c(0x3FFFF)), x.c(4));
  Value d = arith::ExtUIOp::create(b, b.getI64Type(), start);
  int64_t fixed = (int64_t(1) << 16) | (int64_t(1024 >> 4) << 32) |
                  (int64_t(1) << 62);
  return arith::OrIOp::create(
      b, d, arith::ConstantOp::create(b, b.getI64IntegerAttr(fixed)));
}

Value sharedBasePtr(ImplicitLocOpBuilder &b, Value dynSmem) {
  Value p = memref::ExtractAlignedPointerAsIndexOp::create(b, dynSmem);
  Value i = arith::IndexCastUIOp::create(b, b.getI64Type(), p);
  return LLVM::IntToPtrOp::create(
      b, LLVM::LLVMPointerType::get(b.getContext(), 3), i);
}

/// The global-space pointer of a kernel's (generic) aligned pointer.
Value globalBasePtr(ImplicitLocOpBuilder &b, Value alignedPtrIndex) {
  Value i = arith::IndexCastUIOp::create(b, b.getI64Type(), alignedPtrIndex);
  Value generic = LLVM::IntToPtrOp::create(
      b, LLVM::LLVMPointerType::get(b.getContext()), i);
  return LLVM::AddrSpaceCastOp::create(
      b, LLVM::LLVMPointerType::get(b.getContext(), 1), generic);
}

/// `base + offset` elements of `elem` (offset i32 or a constant).
Value gep(ImplicitLocOpBuilder &b, Value base, Type elem, Value offset) {
  return LLVM::GEPOp::create(b, base.getType(), elem, base,
                             ValueRange{offset});
}
Value gep(ImplicitLocOpBuilder &b, Value base, Type elem, int32_t offset) {
  if (!offset)
    return base;
  return LLVM::GEPOp::create(b, base.getType(), elem, base,
                             ArrayRef<LLVM::GEPArg>{offset});
}

/// Stores mma accumulators: element e of fragment (mt, nt) of a warp is row
/// rowBase + mt * 16 + (e / 2) * 8, column colBase + nt * 8 + e % 2, with
/// warp w at rows (w / warpsN) * warpRows and columns (w % warpsN) *
/// warpCols of the block tile (the mma.sync m16n8 C layout, which is also
/// each warp's part of a wgmma m64nN accumulator).
void mmaEpilogue(ImplicitLocOpBuilder &b, const KernelIds &ids, ValueRange acc,
                 Value c, bool accumulate,
                 ArrayRef<sessa::GemmEpilogueStage> stages, int64_t warpRows,
                 int64_t warpCols, int64_t warpsN, int64_t mTiles,
                 int64_t nTiles, bool valuesFirst = false) {
    IndexMath km{b};
    struct { int64_t warpsN; } cfg{warpsN};
    // Epilogue: fragment element e of tile (mt, nt) is row rowBase + mt *
    // 16 + (e / 2) * 8, column colBase + nt * 8 + e % 2.
    Value laneI = km.rem(ids.tid, 32), warpI = km.div(ids.tid, 32);
    Value wmI = km.div(warpI, cfg.warpsN), wnI = km.rem(warpI, cfg.warpsN);
    Value rowBase =
        km.add(ids.m0, km.add(km.mul(wmI, warpRows), km.div(laneI, 4)));
    Value colBase = km.add(
        ids.n0, km.add(km.mul(wnI, warpCols), km.mul(km.rem(laneI, 4), 2)));
    auto cType = cast<MemRefType>(c.getType());
    Type outType = cType.getElementType();
    Epilogue epi{stages, ids, cType.getRank() == 3, outType};
    SmallVector<Value> cols;
    SmallVector<SmallVector<Value>> pre;
    for (int64_t nt = 0; nt < nTiles; ++nt)
      for (int64_t e = 0; e < 2; ++e) {
        cols.push_back(km.add(colBase, nt * 8 + e));
        pre.push_back(epi.preload(b, cols.back()));
      }
    auto scalarStores = [&](ImplicitLocOpBuilder &b) {
      IndexMath im{b};
      for (int64_t mt = 0; mt < mTiles; ++mt)
        for (int64_t nt = 0; nt < nTiles; ++nt)
          for (int64_t e = 0; e < 4; ++e) {
            Value row = im.add(rowBase, mt * 16 + (e / 2) * 8);
            storeC(b, epi, row, cols[nt * 2 + e % 2],
                   acc[(mt * nTiles + nt) * 4 + e], accumulate,
                   pre[nt * 2 + e % 2]);
          }
    };
    if (accumulate) {
      scalarStores(b);
    } else {
      // Elements e and e + 1 of a fragment are adjacent columns of one row
      // (the first one even): one 2-element store when C is dense along n
      // and the pair is aligned (even row pitch and offset, pointer aligned
      // to the pair).
      const MatrixView &cv = ids.c;
      int64_t outBytes = outType.getIntOrFloatBitWidth() / 8;
      Value pairOK = km.both(
          km.both(km.eq(cv.sCol, km.c(1)), km.isMultiple(cv.sRow, 2)),
          km.both(km.isMultiple(cv.off, 2),
                  km.isMultiple(cv.ptr, 2 * outBytes)));
      // With `valuesFirst`, every stored value is computed before the
      // guarded stores: straight-line code that ptxas can interleave (a
      // GELU per element is a ~25-instruction dependent chain; inside a
      // branch per pair it ran serially).
      bool early = valuesFirst;
      // Full-matrix inputs (a residual: the input's element at the stored
      // element) then come first of all: one 2-element load per fragment
      // pair and input, all issued before any value is computed or stored
      // (their latency overlaps; a thread reads only the elements it then
      // writes, so an input that is the output's own memory stays
      // correct). Such a pair load needs the input dense along n with an
      // even row pitch, offset and column count and a pair-aligned
      // pointer; rows are clamped to M - 1 and columns to N - 2 (elements
      // outside C are computed, never stored). Otherwise the scalar stores
      // below read them per element.
      SmallVector<std::optional<MatrixView>> fullViews;
      SmallVector<Type> fullTypes;
      if (early)
        for (const sessa::GemmEpilogueStage &st : stages)
          for (const sessa::GemmEpilogueInput &in : st.inputs) {
            if (!Epilogue::rowDependent(in)) {
              fullViews.push_back(std::nullopt);
              fullTypes.push_back(Type());
              continue;
            }
            Type t = cast<MemRefType>(in.memref.getType()).getElementType();
            MatrixView v = makeView(b, in.memref, /*rowDim=*/0, ids.batch,
                                    /*vec=*/2);
            int64_t bytes = t.getIntOrFloatBitWidth() / 8;
            pairOK = km.both(
                pairOK,
                km.both(km.both(km.eq(v.sCol, km.c(1)),
                                km.isMultiple(v.sRow, 2)),
                        km.both(km.both(km.isMultiple(v.off, 2),
                                        km.isMultiple(v.cols, 2)),
                                km.isMultiple(v.ptr, 2 * bytes))));
            fullViews.push_back(v);
            fullTypes.push_back(t);
          }
      auto pairedStores = [&](ImplicitLocOpBuilder &b) {
        IndexMath im{b};
        auto pairType = VectorType::get({2}, outType);
        // The full inputs' pairs of fragment pair p (mt, nt, h order).
        SmallVector<SmallVector<Value>> fullPairs;
        if (early && llvm::any_of(fullViews,
                                  [](const auto &v) { return v.has_value(); }))
          for (int64_t mt = 0; mt < mTiles; ++mt)
            for (int64_t nt = 0; nt < nTiles; ++nt)
              for (int64_t h = 0; h < 2; ++h) {
                Value row = im.add(rowBase, mt * 16 + h * 8);
                SmallVector<Value> pairs;
                for (auto [v, t] : llvm::zip(fullViews, fullTypes)) {
                  if (!v) {
                    pairs.push_back(nullptr);
                    continue;
                  }
                  Value r = im.min(row, im.sub(v->rows, im.c(1)));
                  Value c = im.min(cols[nt * 2], im.sub(v->cols, im.c(2)));
                  Value idx = im.add(v->off, im.add(im.mul(r, v->sRow), c));
                  pairs.push_back(vector::LoadOp::create(
                      b, VectorType::get({2}, t), v->flat, ValueRange{idx},
                      /*nontemporal=*/false,
                      llvm::MaybeAlign(t.getIntOrFloatBitWidth() / 4)));
                }
                fullPairs.push_back(std::move(pairs));
              }
        // `pre` of column slot `slot` with the full inputs' element `e` of
        // fragment pair `p`.
        auto withFull = [&](int64_t p, int64_t slot,
                            int64_t e) -> SmallVector<Value> {
          SmallVector<Value> r(pre[slot]);
          if (fullPairs.empty())
            return r;
          for (auto [i, pair] : llvm::enumerate(fullPairs[p]))
            if (pair)
              r[i] = vector::ExtractOp::create(b, pair, e);
          return r;
        };
        SmallVector<Value> values;
        if (early)
          for (int64_t mt = 0; mt < mTiles; ++mt)
            for (int64_t nt = 0; nt < nTiles; ++nt)
              for (int64_t h = 0; h < 2; ++h) {
                Value row = im.add(rowBase, mt * 16 + h * 8);
                int64_t e = (mt * nTiles + nt) * 4 + 2 * h;
                int64_t p = (mt * nTiles + nt) * 2 + h;
                values.push_back(epi.apply(b, row, cols[nt * 2], acc[e],
                                           withFull(p, nt * 2, 0)));
                values.push_back(epi.apply(b, row, cols[nt * 2 + 1],
                                           acc[e + 1],
                                           withFull(p, nt * 2 + 1, 1)));
              }
        for (int64_t mt = 0; mt < mTiles; ++mt)
          for (int64_t nt = 0; nt < nTiles; ++nt)
            for (int64_t h = 0; h < 2; ++h) {
              Value row = im.add(rowBase, mt * 16 + h * 8);
              Value col = cols[nt * 2];
              int64_t e = (mt * nTiles + nt) * 4 + 2 * h;
              ifThen(b, im.lt(row, cv.rows), [&](ImplicitLocOpBuilder &b) {
                IndexMath im{b};
                Value v0 = early ? values[e]
                                 : epi.apply(b, row, col, acc[e], pre[nt * 2]);
                Value v1 = early ? values[e + 1]
                                 : epi.apply(b, row, cols[nt * 2 + 1],
                                             acc[e + 1], pre[nt * 2 + 1]);
                Value idx =
                    im.add(cv.off, im.add(im.mul(row, cv.sRow), col));
                ifThen(
                    b, im.lt(cols[nt * 2 + 1], cv.cols),
                    [&](ImplicitLocOpBuilder &b) {
                      Value pair = vector::FromElementsOp::create(
                          b, pairType, ValueRange{v0, v1});
                      vector::StoreOp::create(b, pair, cv.flat,
                                              ValueRange{idx},
                                              /*nontemporal=*/false,
                                              llvm::MaybeAlign(2 * outBytes));
                    },
                    [&](ImplicitLocOpBuilder &b) {
                      IndexMath im{b};
                      ifThen(b, im.lt(col, cv.cols),
                             [&](ImplicitLocOpBuilder &b) {
                               memref::StoreOp::create(b, v0, cv.flat, idx);
                             });
                    });
              });
            }
      };
      ifThen(b, pairOK, pairedStores, scalarStores);
    }
}

/// Per-thread state of the cp.async tile copies of one operand: the rows
/// of the block tile a thread copies are row0 + i * rowsPerPass; their
/// element offsets (row clamped into the matrix) and whether they are
/// inside it; the thread's k chunk kc and shared destination offset.
struct FastCopies {
  SmallVector<Value> rowOff; // i32 elements
  SmallVector<Value> rowIn;  // i1
  Value dstLane;             // i32 bytes from the operand's region
  int64_t regionBytes;       // operand region start in dynamic smem
  int64_t stageBytes;
  int64_t rowsPerPass;
  Value gBase;               // !llvm.ptr<1>
};

void buildMmaGemm(ImplicitLocOpBuilder &b, Value a, Value bm, Value c,
                  bool transposeB, bool accumulate, const Config &cfg,
                  ArrayRef<sessa::GemmEpilogueStage> stages) {
  IndexMath im{b};
  MLIRContext *ctx = b.getContext();
  Type elem = cast<MemRefType>(a.getType()).getElementType();
  bool isBF16 = elem.isBF16();
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  const int64_t elemBytes = 2;
  const int64_t pitch = cfg.blockK + cfg.pad;
  const int64_t pitchBytes = pitch * elemBytes;
  const int64_t aStageBytes = cfg.blockM * pitchBytes;
  const int64_t bStageBytes = cfg.blockN * pitchBytes;
  const int64_t aBytes = cfg.stages * aStageBytes;
  const int64_t bBytes = cfg.stages * bStageBytes;
  const int64_t mTiles = cfg.mTiles, nTiles = cfg.nTiles;
  const int64_t numAcc = mTiles * nTiles * 4;
  const int64_t warpRows = mTiles * 16, warpCols = nTiles * 8;

  GemmSizes sizes = gemmSizes(im, b, c);
  ifThen(b, sizes.nonEmpty, [&](ImplicitLocOpBuilder &b) {
    IndexMath im{b};
    auto space = gpu::AddressSpaceAttr::get(
        ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
    auto smType = [&](int64_t rows) {
      return MemRefType::get({cfg.stages, rows, pitch}, elem,
                             MemRefLayoutAttrInterface(), space);
    };
    Value smemBytes = arith::ConstantOp::create(
        b, b.getI32IntegerAttr(static_cast<int32_t>(aBytes + bBytes)));
    auto launch = gpu::LaunchOp::create(
        b, im.ceilDiv(sizes.n, cfg.blockN), im.ceilDiv(sizes.m, cfg.blockM),
        sizes.batch, im.c(cfg.threads), im.c(1), im.c(1), smemBytes);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    IndexMath km{b};
    I32Math x{b};
    Value dyn = gpu::DynamicSharedMemoryOp::create(
        b, MemRefType::get({ShapedType::kDynamic}, i8,
                           MemRefLayoutAttrInterface(), space));
    // Typed views for the scalar (unaligned) path's stores.
    Value aSm = memref::ViewOp::create(b, smType(cfg.blockM), dyn, km.c(0),
                                       ValueRange{});
    Value bSm = memref::ViewOp::create(b, smType(cfg.blockN), dyn,
                                       km.c(aBytes), ValueRange{});
    KernelIds ids;
    ids.tid = launch.getThreadIds().x;
    ids.batch = launch.getBlockIds().z;
    ids.n0 = km.mul(launch.getBlockIds().x, cfg.blockN);
    ids.m0 = km.mul(launch.getBlockIds().y, cfg.blockM);
    ids.a = makeView(b, a, /*rowDim=*/0, ids.batch, cfg.vec);
    ids.b = makeView(b, bm, /*rowDim=*/transposeB ? 0 : 1, ids.batch, cfg.vec);
    ids.c = makeView(b, c, /*rowDim=*/0, ids.batch, cfg.vec);
    ids.k = ids.a.cols;
    Value numTiles = km.ceilDiv(ids.k, cfg.blockK);
    Value shBase = sharedBasePtr(b, dyn);

    // ldmatrix lane offsets (bytes). A (x4: rows lane % 16, k halves
    // lane / 16) and B (x4 over two n tiles: rows (lane / 16) * 8 +
    // lane % 8, k halves (lane / 8) % 2).
    Value tid = x.of(ids.tid);
    Value lane = x.rem(tid, 32), warp = x.div(tid, 32);
    Value wm = x.div(warp, cfg.warpsN), wn = x.rem(warp, cfg.warpsN);
    Value aLd = x.mul(
        x.add(x.mul(x.add(x.mul(wm, warpRows), x.rem(lane, 16)), pitch),
              x.mul(x.div(lane, 16), 8)),
        elemBytes);
    Value bRow = x.add(x.add(x.mul(wn, warpCols), x.mul(x.div(lane, 16), 8)),
                       x.rem(lane, 8));
    Value bLd = x.add(
        x.mul(x.add(x.mul(bRow, pitch), x.mul(x.rem(x.div(lane, 8), 2), 8)),
              elemBytes),
        aBytes);

    auto resType = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
    auto ldType = LLVM::LLVMStructType::getLiteral(ctx, {i32, i32, i32, i32});
    NVVM::MMATypes ptx = isBF16 ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
    auto shape88 = NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8);
    // mma.sync takes bf16 pairs as i32, f16 pairs as vector<2xf16>.
    auto operand = [&](ImplicitLocOpBuilder &b, Value r) -> Value {
      if (isBF16)
        return r;
      return LLVM::BitcastOp::create(b, VectorType::get({2}, elem), r);
    };
    auto ldmatrix = [&](ImplicitLocOpBuilder &b, Value ptr) {
      Value l = NVVM::LdMatrixOp::create(b, ldType, ptr, 4,
                                         NVVM::MMALayout::row, shape88,
                                         NVVM::LdStMatrixEltType::B16);
      SmallVector<Value> regs;
      for (int64_t r = 0; r < 4; ++r)
        regs.push_back(operand(
            b, LLVM::ExtractValueOp::create(b, l, ArrayRef<int64_t>{r})));
      return regs;
    };
    // Inner product of the tiles in `stage` (i32): acc += A * B^T.
    auto compute = [&](ImplicitLocOpBuilder &b, Value stage,
                       ValueRange acc) -> SmallVector<Value> {
      I32Math x{b};
      Value aPtr = gep(b, shBase, i8, x.add(aLd, x.mul(stage, aStageBytes)));
      Value bPtr = gep(b, shBase, i8, x.add(bLd, x.mul(stage, bStageBytes)));
      SmallVector<Value> out(acc.begin(), acc.end());
      for (int64_t kk = 0; kk < cfg.blockK; kk += 16) {
        SmallVector<SmallVector<Value>> afrag, bfrag(nTiles);
        for (int64_t mt = 0; mt < mTiles; ++mt)
          afrag.push_back(ldmatrix(
              b, gep(b, aPtr, i8, (mt * 16 * pitch + kk) * elemBytes)));
        for (int64_t np = 0; np < nTiles / 2; ++np) {
          SmallVector<Value> f = ldmatrix(
              b, gep(b, bPtr, i8, (np * 16 * pitch + kk) * elemBytes));
          bfrag[2 * np] = {f[0], f[1]};
          bfrag[2 * np + 1] = {f[2], f[3]};
        }
        for (int64_t mt = 0; mt < mTiles; ++mt)
          for (int64_t nt = 0; nt < nTiles; ++nt) {
            MutableArrayRef<Value> cfrag(&out[(mt * nTiles + nt) * 4], 4);
            Value d = NVVM::MmaOp::create(
                b, resType, afrag[mt], bfrag[nt], SmallVector<Value>(cfrag),
                ArrayRef<int64_t>{16, 8, 16}, std::nullopt, std::nullopt,
                std::array<NVVM::MMATypes, 2>{ptx, ptx},
                std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                               NVVM::MMALayout::col});
            for (int64_t e = 0; e < 4; ++e)
              cfrag[e] =
                  LLVM::ExtractValueOp::create(b, d, ArrayRef<int64_t>{e});
          }
      }
      return out;
    };

    // cp.async path: per-thread rows, offsets and destinations, computed
    // once (built inside the fast branch only).
    int64_t chunksPerRow = cfg.blockK / cfg.vec;
    auto prepare = [&](ImplicitLocOpBuilder &b, const MatrixView &v, Value r0,
                       int64_t tileRows, int64_t regionBytes,
                       int64_t stageBytes) {
      IndexMath im{b};
      I32Math x{b};
      FastCopies f;
      f.regionBytes = regionBytes;
      f.stageBytes = stageBytes;
      f.rowsPerPass = cfg.threads / chunksPerRow;
      Value row0 = im.div(ids.tid, chunksPerRow);
      Value kc = im.mul(im.rem(ids.tid, chunksPerRow), cfg.vec);
      Value rowLast = im.sub(v.rows, im.c(1));
      for (int64_t i = 0; i < tileRows / f.rowsPerPass; ++i) {
        Value gr = im.add(r0, im.add(row0, i * f.rowsPerPass));
        f.rowIn.push_back(im.lt(gr, v.rows));
        f.rowOff.push_back(
            x.of(im.add(v.off, im.mul(im.min(gr, rowLast), v.sRow))));
      }
      f.dstLane = x.add(
          x.of(im.mul(im.add(im.mul(row0, pitch), kc), elemBytes)),
          regionBytes);
      f.gBase = globalBasePtr(b, v.ptr);
      return f;
    };
    // Issues the copies of k tile [k0, k0 + blockK) of both operands into
    // `stage` (i32): the k chunk (clamped into the matrix) and its byte
    // count (0 beyond K or outside the rows: zero fill).
    auto fastLoad = [&](ImplicitLocOpBuilder &b, ArrayRef<FastCopies> ops,
                        Value stage, Value k0) {
      IndexMath im{b};
      I32Math x{b};
      Value kc = im.mul(im.rem(ids.tid, chunksPerRow), cfg.vec);
      Value gk = im.add(k0, kc);
      Value kLast = im.mul(im.div(im.sub(ids.k, im.c(1)), cfg.vec), cfg.vec);
      Value kOff = x.of(im.min(gk, kLast));
      Value left =
          im.min(im.max(im.sub(ids.k, gk), im.c(0)), im.c(cfg.vec));
      Value bytes = x.mul(x.of(left), elemBytes);
      Value zero = x.c(0);
      for (const FastCopies &f : ops) {
        Value dst = gep(b, shBase, i8,
                        x.add(f.dstLane, x.mul(stage, f.stageBytes)));
        for (size_t i = 0; i < f.rowOff.size(); ++i) {
          Value off = arith::ExtSIOp::create(b, b.getI64Type(),
                                             x.add(f.rowOff[i], kOff));
          Value src = gep(b, f.gBase, elem, off);
          Value n = arith::SelectOp::create(b, f.rowIn[i], bytes, zero);
          NVVM::CpAsyncOp::create(
              b,
              gep(b, dst, i8,
                  static_cast<int32_t>(i * f.rowsPerPass * pitchBytes)),
              src, b.getI32IntegerAttr(16),
              NVVM::LoadCacheModifierKindAttr::get(
                  ctx, NVVM::LoadCacheModifierKind::CG),
              n);
        }
      }
    };

    // The pipelined main loop (see buildKernel), with the tile loads of
    // `load(b, stage index, k0)`.
    auto mainLoop = [&](ImplicitLocOpBuilder &b,
                        function_ref<void(ImplicitLocOpBuilder &, Value, Value)>
                            load) -> SmallVector<Value> {
      return buildPipelinedLoop(
          b, cfg, numTiles, numAcc, load,
          [&](ImplicitLocOpBuilder &b, Value t, ValueRange acc) {
            I32Math x{b};
            return compute(b, x.rem(x.of(t), cfg.stages), acc);
          });
    };

    // Both operands dense along k, aligned, and addressable with i32
    // element offsets: cp.async only; otherwise guarded scalar loads.
    Value fast = km.both(km.both(ids.a.fast, ids.b.fast),
                         km.both(ids.a.small, ids.b.small));
    auto both = scf::IfOp::create(b, SmallVector<Type>(numAcc, f32), fast,
                                  /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&both.getThenRegion().front());
      SmallVector<FastCopies> ops{
          prepare(b, ids.a, ids.m0, cfg.blockM, 0, aStageBytes),
          prepare(b, ids.b, ids.n0, cfg.blockN, aBytes, bStageBytes)};
      scf::YieldOp::create(
          b, mainLoop(b, [&](ImplicitLocOpBuilder &b, Value stage, Value k0) {
            I32Math x{b};
            fastLoad(b, ops, x.of(stage), k0);
          }));
      b.setInsertionPointToStart(&both.getElseRegion().front());
      scf::YieldOp::create(
          b, mainLoop(b, [&](ImplicitLocOpBuilder &b, Value stage, Value k0) {
            loadTile(b, cfg, ids.a, aSm, stage, ids.m0, k0, ids.tid,
                     cfg.blockM, /*assumeFast=*/false, /*rolled=*/true);
            loadTile(b, cfg, ids.b, bSm, stage, ids.n0, k0, ids.tid,
                     cfg.blockN, /*assumeFast=*/false, /*rolled=*/true);
          }));
    }
    ValueRange acc = both.getResults();

    mmaEpilogue(b, ids, acc, c, accumulate, stages, warpRows, warpCols,
                cfg.warpsN, mTiles, nTiles);
    gpu::TerminatorOp::create(b);
  });
}


//===----------------------------------------------------------------------===//
// bf16/f16 on sm_90a: wgmma. Two warpgroups (256 threads) per 128 x blockN
// block tile (blockN 128 or 256); warpgroup g computes rows 64 g .. 64 g +
// 63 with wgmma.mma_async m64nNk16 (A and B K-major from shared memory
// through matrix descriptors, f32 accumulators in registers). k tiles of
// 64 elements: one 128-byte row per tile row, stored with the 128-byte
// swizzle (16-byte chunk c of row r at r * 128 + (c ^ (r % 8)) * 16, tiles
// 1024-byte aligned) by cp.async (or scalar stores on the unaligned path).
// Per k tile: wait for the copies, fence.proxy.async (generic-proxy writes
// made visible to wgmma), barrier, refill the stage freed last iteration,
// four wgmma k16 steps, commit and wait for them.
//===----------------------------------------------------------------------===//
constexpr int64_t kWgmmaBlockK = 64, kWgmmaRowBytes = 128;

/// wgmma groups left in flight at the end of a k tile: 1 overlaps a tile's
/// products with the next tile's barrier and copies (the copies then run
/// stages - 2 tiles ahead); 0 waits for them (stages - 1 tiles ahead).
llvm::cl::opt<int64_t> clWgmmaPending(
    "sessa-gpu-wgmma-pending", llvm::cl::Hidden, llvm::cl::init(1),
    llvm::cl::desc("wgmma groups in flight across k tiles (0 or 1)"));

void buildWgmmaGemm(ImplicitLocOpBuilder &b, Value a, Value bm, Value c,
                    bool transposeB, bool accumulate, const Config &cfg,
                    ArrayRef<sessa::GemmEpilogueStage> stages,
                    bool splitK = false,
                    const sessa::GemmExtraBlocks *extra = nullptr,
                    const sessa::GemmFragmentEpilogue *fragment = nullptr) {
  IndexMath im{b};
  MLIRContext *ctx = b.getContext();
  Type elem = cast<MemRefType>(a.getType()).getElementType();
  bool isBF16 = elem.isBF16();
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), i64 = b.getI64Type(),
       f32 = b.getF32Type();
  const int64_t blockM = 128, blockN = cfg.blockN, blockK = kWgmmaBlockK;
  const int64_t aStageBytes = blockM * kWgmmaRowBytes;
  const int64_t bStageBytes = blockN * kWgmmaRowBytes;
  const int64_t aBytes = cfg.stages * aStageBytes;
  const int64_t tileBytes = aBytes + cfg.stages * bStageBytes;
  const int64_t numAcc = blockN / 2; // per thread: 64 x N / 128
  const int64_t vec = 8;

  GemmSizes sizes = gemmSizes(im, b, c);
  ifThen(b, sizes.nonEmpty, [&](ImplicitLocOpBuilder &b) {
    IndexMath im{b};
    auto space = gpu::AddressSpaceAttr::get(
        ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
    // + 1024: the tiles start at the first 1024-byte aligned address.
    int64_t smem = tileBytes + 1024;
    if (extra)
      smem = std::max(smem, extra->sharedBytes);
    Value smemBytes = arith::ConstantOp::create(
        b, b.getI32IntegerAttr(static_cast<int32_t>(smem)));
    Value gridX = im.ceilDiv(sizes.n, blockN);
    if (extra)
      gridX = im.add(gridX, extra->columns);
    auto launch = gpu::LaunchOp::create(
        b, gridX, im.ceilDiv(sizes.m, blockM),
        sizes.batch, im.c(256), im.c(1), im.c(1), smemBytes);
    launch->setAttr("sessa.gpu_kernel", b.getStringAttr("gemm_wgmma"));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value dyn = gpu::DynamicSharedMemoryOp::create(
        b, MemRefType::get({ShapedType::kDynamic}, i8,
                           MemRefLayoutAttrInterface(), space));
    // The product's tiles; with `extra`, blocks past its columns run the
    // extra body instead.
    auto tiles = [&](ImplicitLocOpBuilder &b) {
    IndexMath km{b};
    KernelIds ids;
    ids.tid = launch.getThreadIds().x;
    ids.batch = launch.getBlockIds().z;
    ids.n0 = km.mul(launch.getBlockIds().x, blockN);
    ids.m0 = km.mul(launch.getBlockIds().y, blockM);
    // Strictly causal fragment products: tiles with no column < row skip.
    auto body = [&](ImplicitLocOpBuilder &b) {
    IndexMath km{b};
    I32Math x{b};
    // Split k: A and B of batch z % batchA, k range of split z / batchA.
    Value abBatch = ids.batch, kBase = km.c(0);
    if (splitK) {
      Value batchA = memref::DimOp::create(b, a, 0);
      abBatch = arith::RemUIOp::create(b, ids.batch, batchA);
      Value split = arith::DivUIOp::create(b, ids.batch, batchA);
      Value splits = arith::CeilDivUIOp::create(
          b, memref::DimOp::create(b, c, 0), batchA);
      Value kFull = memref::DimOp::create(b, a, 2);
      Value per = km.mul(
          km.ceilDiv(arith::CeilDivUIOp::create(b, kFull, splits), blockK),
          blockK);
      kBase = km.min(km.mul(split, per), kFull);
      ids.k = km.min(km.add(kBase, per), kFull);
    }
    ids.a = makeView(b, a, /*rowDim=*/0, abBatch, vec);
    ids.b = makeView(b, bm, /*rowDim=*/transposeB ? 0 : 1, abBatch, vec);
    ids.c = makeView(b, c, /*rowDim=*/0, ids.batch, vec);
    if (splitK) {
      // Loads past the split's end are zero filled.
      ids.a.cols = ids.k;
      ids.b.cols = ids.k;
    } else {
      ids.k = ids.a.cols;
    }
    Value numTiles = km.ceilDiv(km.sub(ids.k, kBase), blockK);
    Value shBase = sharedBasePtr(b, dyn);
    // Shared-window address of the base and the pad to 1024 bytes.
    Value baseAddr = arith::TruncIOp::create(
        b, i32, LLVM::PtrToIntOp::create(b, i64, shBase));
    Value pad = arith::AndIOp::create(
        b, arith::SubIOp::create(b, x.c(1024), arith::AndIOp::create(
                                                   b, baseAddr, x.c(1023))),
        x.c(1023));
    Value tid = x.of(ids.tid);
    Value warp = x.div(tid, 32);
    Value group = x.div(warp, 4);

    auto accType = LLVM::LLVMStructType::getLiteral(
        ctx, SmallVector<Type>(numAcc, f32));
    const int64_t pending =
        cfg.stages >= 3 ? std::clamp<int64_t>(clWgmmaPending.getValue(), 0, 1)
                        : 0;
    // Tiles loaded ahead: the stage refilled at tile t was read by tile
    // t - 1 - pending, whose wgmma group every warp has waited for before
    // this tile's barrier.
    const int64_t ahead = cfg.stages - 1 - pending;
    // The accumulators stay in one !llvm.struct across the k loop (no
    // register access while a group is in flight).
    // `first`: the tile's first k16 step ignores `d` (scale-d 0), which
    // zeroes the accumulators without other instructions writing them
    // (ptxas serializes wgmma when non-wgmma instructions define
    // accumulators of an in-flight group).
    auto compute = [&](ImplicitLocOpBuilder &b, Value stage, Value d,
                       bool first) -> Value {
      I32Math x{b};
      Value aAddr = x.add(
          x.add(baseAddr, pad),
          x.add(x.mul(stage, aStageBytes), x.mul(group, 64 * kWgmmaRowBytes)));
      Value bAddr = x.add(x.add(baseAddr, pad),
                          x.add(x.mul(stage, bStageBytes), x.c(aBytes)));
      Value da = swizzledKMajorDescriptor(b, aAddr),
            db = swizzledKMajorDescriptor(b, bAddr);
      NVVM::WgmmaFenceAlignedOp::create(b);
      for (int64_t ks = 0; ks < blockK / 16; ++ks) {
        // k16 step: 32 bytes further along the (swizzled) rows.
        Value off = arith::ConstantOp::create(b, b.getI64IntegerAttr(2 * ks));
        d = sessa::buildWgmmaKMajor(b, b.getLoc(), accType, d,
                                    arith::AddIOp::create(b, da, off),
                                    arith::AddIOp::create(b, db, off), blockN,
                                    isBF16, first && ks == 0);
      }
      NVVM::WgmmaGroupSyncAlignedOp::create(b);
      NVVM::WgmmaWaitGroupSyncOp::create(b, pending);
      return d;
    };

    // cp.async: thread t copies chunk t % 8 of rows t / 8 + 32 i.
    auto prepare = [&](ImplicitLocOpBuilder &b, const MatrixView &v, Value r0,
                       int64_t tileRows, int64_t regionBytes,
                       int64_t stageBytes) {
      IndexMath im{b};
      I32Math x{b};
      FastCopies f;
      f.regionBytes = regionBytes;
      f.stageBytes = stageBytes;
      f.rowsPerPass = 256 / 8;
      Value row0 = im.div(ids.tid, 8);
      Value rowLast = im.sub(v.rows, im.c(1));
      for (int64_t i = 0; i < tileRows / f.rowsPerPass; ++i) {
        Value gr = im.add(r0, im.add(row0, i * f.rowsPerPass));
        f.rowIn.push_back(im.lt(gr, v.rows));
        f.rowOff.push_back(
            x.of(im.add(v.off, im.mul(im.min(gr, rowLast), v.sRow))));
      }
      Value r = x.of(row0);
      Value chunk = x.rem(tid, 8);
      Value swz = arith::XOrIOp::create(b, chunk, x.rem(r, 8));
      f.dstLane = x.add(x.add(x.mul(r, kWgmmaRowBytes), x.mul(swz, 16)),
                        x.add(pad, x.c(regionBytes)));
      f.gBase = globalBasePtr(b, v.ptr);
      return f;
    };
    auto fastLoad = [&](ImplicitLocOpBuilder &b, ArrayRef<FastCopies> ops,
                        Value stage, Value k0) {
      IndexMath im{b};
      I32Math x{b};
      Value kc = im.mul(im.rem(ids.tid, 8), vec);
      Value gk = im.add(k0, kc);
      Value kLast = im.mul(im.div(im.sub(ids.k, im.c(1)), vec), vec);
      Value kOff = x.of(im.min(gk, kLast));
      Value left = im.min(im.max(im.sub(ids.k, gk), im.c(0)), im.c(vec));
      Value bytes = x.mul(x.of(left), 2);
      Value zero = x.c(0);
      for (const FastCopies &f : ops) {
        Value dst = gep(b, shBase, i8,
                        x.add(f.dstLane, x.mul(stage, f.stageBytes)));
        for (size_t i = 0; i < f.rowOff.size(); ++i) {
          Value off = arith::ExtSIOp::create(b, i64, x.add(f.rowOff[i], kOff));
          Value src = gep(b, f.gBase, elem, off);
          Value n = arith::SelectOp::create(b, f.rowIn[i], bytes, zero);
          NVVM::CpAsyncOp::create(
              b,
              gep(b, dst, i8,
                  static_cast<int32_t>(i * f.rowsPerPass * kWgmmaRowBytes)),
              src, b.getI32IntegerAttr(16),
              NVVM::LoadCacheModifierKindAttr::get(
                  ctx, NVVM::LoadCacheModifierKind::CG),
              n);
        }
      }
    };
    // Scalar path: element (row, kk) of a tile with guarded loads, stored
    // at its swizzled place (a loop over this thread's elements).
    Value flat = memref::ViewOp::create(
        b,
        MemRefType::get({(tileBytes + 1024) / 2}, elem,
                        MemRefLayoutAttrInterface(), space),
        dyn, km.c(0), ValueRange{});
    auto slowLoad = [&](ImplicitLocOpBuilder &b, const MatrixView &v,
                        Value r0, int64_t tileRows, Value region, Value k0) {
      IndexMath im{b};
      int64_t perThread = tileRows * blockK / 256;
      scf::ForOp::create(
          b, im.c(0), im.c(perThread), im.c(1), ValueRange{},
          [&](OpBuilder &nb, Location loc, Value i, ValueRange) {
            ImplicitLocOpBuilder b(loc, nb);
            IndexMath im{b};
            Value e = im.add(ids.tid, im.mul(i, 256));
            Value row = im.div(e, blockK), kk = im.rem(e, blockK);
            Value gr = im.add(r0, row), gk = im.add(k0, kk);
            Value val = loadOrZero(b, v, gr, gk, elem);
            Value swz = arith::XOrIOp::create(b, im.div(kk, 8), im.rem(row, 8));
            // Element index: (region + row * 128 + swz * 16) / 2 + kk % 8.
            Value idx = im.add(
                im.div(im.add(region, im.add(im.mul(row, kWgmmaRowBytes),
                                             im.mul(swz, 16))),
                       2),
                im.rem(kk, 8));
            memref::StoreOp::create(b, val, flat, ValueRange{idx});
            scf::YieldOp::create(b);
          });
    };

    auto mainLoop = [&](ImplicitLocOpBuilder &b,
                        function_ref<void(ImplicitLocOpBuilder &, Value, Value)>
                            load) -> Value {
      IndexMath km{b};
      // Tile 0 is always loaded (all zero fill when K is 0) and computed
      // before the loop, its first step with scale-d 0.
      for (int64_t s = 0; s < ahead; ++s) {
        if (s == 0)
          load(b, km.c(0), km.c(0));
        else
          ifThen(b, km.lt(km.c(s), numTiles), [&](ImplicitLocOpBuilder &b) {
            IndexMath im{b};
            load(b, im.c(s), im.c(s * blockK));
          });
        commitTiles(b);
      }
      auto step = [&](ImplicitLocOpBuilder &b, Value t, Value d,
                      bool first) -> Value {
        IndexMath im{b};
        I32Math x{b};
        // Tile t has landed when at most ahead - 1 newer groups are
        // pending.
        NVVM::CpAsyncWaitGroupOp::create(b, ahead - 1);
        NVVM::FenceProxyOp::create(
            b, NVVM::ProxyKindAttr::get(ctx, NVVM::ProxyKind::async_shared),
            NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
        gpu::BarrierOp::create(b);
        Value next = im.add(t, ahead);
        ifThen(b, im.lt(next, numTiles), [&](ImplicitLocOpBuilder &b) {
          IndexMath im{b};
          load(b, im.rem(next, cfg.stages), im.mul(next, blockK));
        });
        commitTiles(b);
        return compute(b, x.rem(x.of(t), cfg.stages), d, first);
      };
      Value d0 = step(b, km.c(0), LLVM::UndefOp::create(b, accType), true);
      auto loop = scf::ForOp::create(
          b, km.c(1), numTiles, km.c(1), ValueRange{d0},
          [&](OpBuilder &nb, Location loc, Value t, ValueRange acc) {
            ImplicitLocOpBuilder b(loc, nb);
            scf::YieldOp::create(b, step(b, t, acc[0], false));
          });
      // Drain the last group inside this branch.
      NVVM::WgmmaWaitGroupSyncOp::create(b, 0);
      return loop.getResult(0);
    };

    Value fast = km.both(km.both(ids.a.fast, ids.b.fast),
                         km.both(ids.a.small, ids.b.small));
    auto both = scf::IfOp::create(b, TypeRange{accType}, fast,
                                  /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&both.getThenRegion().front());
      SmallVector<FastCopies> ops{
          prepare(b, ids.a, ids.m0, blockM, 0, aStageBytes),
          prepare(b, ids.b, ids.n0, blockN, aBytes, bStageBytes)};
      scf::YieldOp::create(
          b, mainLoop(b, [&](ImplicitLocOpBuilder &b, Value stage, Value k0) {
            I32Math x{b};
            IndexMath im{b};
            fastLoad(b, ops, x.of(stage), im.add(k0, kBase));
          }));
      b.setInsertionPointToStart(&both.getElseRegion().front());
      scf::YieldOp::create(
          b, mainLoop(b, [&](ImplicitLocOpBuilder &b, Value stage, Value k0) {
            IndexMath im{b};
            Value padI = arith::IndexCastUIOp::create(b, b.getIndexType(), pad);
            Value kk = im.add(k0, kBase);
            slowLoad(b, ids.a, ids.m0, blockM,
                     im.add(padI, im.mul(stage, aStageBytes)), kk);
            slowLoad(b, ids.b, ids.n0, blockN,
                     im.add(padI, im.add(im.mul(stage, bStageBytes),
                                         im.c(aBytes))),
                     kk);
          }));
    }
    SmallVector<Value> acc;
    for (int64_t i = 0; i < numAcc; ++i)
      acc.push_back(LLVM::ExtractValueOp::create(b, both.getResult(0),
                                                 ArrayRef<int64_t>{i}));
    if (fragment) {
      // The mmaEpilogue layout with warps of 16 rows x blockN columns.
      IndexMath em{b};
      Value lane = em.rem(ids.tid, 32), warp = em.div(ids.tid, 32);
      Value row0 = em.add(ids.m0, em.add(em.mul(warp, 16), em.div(lane, 4)));
      Value col0 = em.add(ids.n0, em.mul(em.rem(lane, 4), 2));
      fragment->body(b, b.getLoc(), ids.batch, row0, col0, acc);
    } else {
      mmaEpilogue(b, ids, acc, c, accumulate, stages,
                  /*warpRows=*/16, /*warpCols=*/blockN, /*warpsN=*/1,
                  /*mTiles=*/1, /*nTiles=*/blockN / 8);
    }
    };
    if (fragment && fragment->lowerOnly)
      ifThen(b, km.lt(ids.n0, km.add(ids.m0, km.c(blockM - 1))), body);
    else
      body(b);
    };
    if (!extra) {
      tiles(b);
    } else {
      IndexMath km{b};
      Value n = c ? memref::DimOp::create(
                        b, c, cast<MemRefType>(c.getType()).getRank() - 1)
                  : Value();
      Value tilesX = km.ceilDiv(n, blockN);
      Value bx = launch.getBlockIds().x;
      ifThen(b, km.lt(bx, tilesX), tiles, [&](ImplicitLocOpBuilder &b) {
        extra->body(b, b.getLoc(), dyn, launch.getThreadIds().x,
                    arith::SubIOp::create(b, bx, tilesX),
                    launch.getBlockIds().y, launch.getBlockIds().z);
      });
    }
    gpu::TerminatorOp::create(b);
  });
}

//===----------------------------------------------------------------------===//
// bf16/f16 on sm_90a with TMA: a warp-specialised, persistent wgmma kernel.
// 384 threads: warps 0-7 are the two consumer warpgroups of the kernel
// above (warpgroup g computes rows 64 g .. 64 g + 63 of a 128 x blockN tile
// with wgmma.mma_async m64nNk16, the same 128-byte-swizzled K-major shared
// tiles and descriptors, the same epilogue); warpgroup 2 is the producer
// (setmaxnreg gives its registers to the consumers: 40 / 232 a thread;
// ptxas allocates registers by warpgroup, so a single producer warp would
// not leave more), whose thread 256 loads each k tile of A (128 x 64) and B (blockN x 64) with two
// cp.async.bulk.tensor (TMA) copies through tensor maps that the host made
// (sessa_cuda_tensor_map_2d: 128-byte swizzle, zeros outside the matrix, so
// any M, N, K is covered without guards). Stages are handed over with
// mbarriers: full[s] (1 arrival: the producer's arrive.expect_tx of the
// stage's bytes, completed by the copies) and empty[s] (8 arrivals: lane 0
// of each consumer warp once the wgmma group that read the stage has
// completed). A global k-iteration counter `it` gives the stage (it % S)
// and the phase parity ((it / S) & 1). Blocks loop over the output tiles
// (tile = block id, + grid size, ...; n fastest), so the producer loads the
// next tile while the consumers run the epilogue of the current one.
//===----------------------------------------------------------------------===//
constexpr const char *kTensorMapFn = "sessa_cuda_tensor_map_2d";
/// Measurement only (results are wrong): the TMA kernel's consumers skip
/// the epilogue, which shows what the epilogue costs.
llvm::cl::opt<bool> clTmaNoEpilogue(
    "sessa-gpu-tma-no-epilogue", llvm::cl::Hidden, llvm::cl::init(false),
    llvm::cl::desc("TMA GEMM kernel without its epilogue (timing only)"));
/// The TMA kernel prefetches each tile's rows of a full-matrix epilogue
/// input (a residual) into L2 before the tile's main loop.
llvm::cl::opt<bool> clTmaPrefetchResidual(
    "sessa-gpu-tma-prefetch-residual", llvm::cl::Hidden, llvm::cl::init(false),
    llvm::cl::desc("TMA GEMM kernel: L2 prefetch of residual epilogue inputs"));
/// Measurement: the TMA kernel's epilogue computes each stored pair inside
/// its bounds check (as the other kernels) instead of all values first.
llvm::cl::opt<bool> clTmaLateValues(
    "sessa-gpu-tma-late-values", llvm::cl::Hidden, llvm::cl::init(false),
    llvm::cl::desc("TMA GEMM epilogue: values computed inside the guards"));
/// The cooperative schedule for products whose epilogue evaluates a math
/// function (GELU), as before stop 12, and for every product (measurements).
llvm::cl::opt<bool> clTmaMathCooperative(
    "sessa-gpu-tma-math-cooperative", llvm::cl::Hidden, llvm::cl::init(false),
    llvm::cl::desc("TMA GEMM kernel: cooperative schedule for math epilogues"));
/// Thread-block clusters of the TMA kernel (0: the pass option, else 1 or
/// 2 for every TMA launch but fragment epilogues), for measurements with
/// sessa-compile.
llvm::cl::opt<int64_t> clTmaCluster(
    "sessa-gpu-tma-cluster", llvm::cl::Hidden, llvm::cl::init(0),
    llvm::cl::desc("TMA GEMM kernel: CTAs a cluster (1, 2; 0: pass option)"));
llvm::cl::opt<bool> clTmaCooperative(
    "sessa-gpu-tma-cooperative", llvm::cl::Hidden, llvm::cl::init(false),
    llvm::cl::desc("TMA GEMM kernel: cooperative schedule for every product"));
constexpr int64_t kTmaThreads = 384;
/// Registers per thread of the producer and of the consumer warpgroups
/// (setmaxnreg; 128 x 40 + 256 x 232 <= 64 Ki).
constexpr int64_t kProducerRegs = 40, kConsumerRegs = 232;
/// Suspend-time hint of the mbarrier waits (ns).
constexpr int64_t kWaitTicks = 0x989680;

/// The type of sessa_cuda_tensor_map_2d.
LLVM::LLVMFunctionType tensorMapFnType(MLIRContext *ctx) {
  Type i32 = IntegerType::get(ctx, 32), i64 = IntegerType::get(ctx, 64);
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  return LLVM::LLVMFunctionType::get(
      ptrType, {ptrType, i64, i64, i64, i64, i32, i32, i32});
}

/// Host code: the device address (i64, 0 when the runtime cannot make one)
/// of the tensor map of the rank-2 `mem` (rows x k, k innermost expected)
/// for boxes of boxRows x 64 elements.
Value buildTensorMap(ImplicitLocOpBuilder &b, Value mem, int64_t boxRows) {
  MLIRContext *ctx = b.getContext();
  Type i64 = b.getI64Type();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  // The declaration, unless the insertion point is inside an operation not
  // yet attached to the module (declareGemmRuntimeFunctions then).
  if (Operation *parent = b.getInsertionBlock()->getParentOp())
    if (auto module = parent->getParentOfType<ModuleOp>())
      sessa::declareGemmRuntimeFunctions(module);
  LLVM::LLVMFunctionType fnType = tensorMapFnType(ctx);
  IndexMath im{b};
  auto type = cast<MemRefType>(mem.getType());
  int64_t elemBytes = type.getElementTypeBitWidth() / 8;
  auto meta = memref::ExtractStridedMetadataOp::create(b, mem);
  Value ptr = memref::ExtractAlignedPointerAsIndexOp::create(b, mem);
  auto toI64 = [&](Value v) -> Value {
    return arith::IndexCastOp::create(b, i64, v);
  };
  auto c32 = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, b.getI32IntegerAttr(v));
  };
  Value base = LLVM::IntToPtrOp::create(
      b, ptrType, toI64(im.add(ptr, im.mul(meta.getOffset(), elemBytes))));
  auto call = LLVM::CallOp::create(
      b, fnType, kTensorMapFn,
      ValueRange{base, toI64(meta.getSizes()[0]), toI64(meta.getSizes()[1]),
                 toI64(meta.getStrides()[0]), toI64(meta.getStrides()[1]),
                 c32(elemBytes), c32(boxRows), c32(kWgmmaBlockK)});
  return LLVM::PtrToIntOp::create(b, i64, call.getResult());
}

/// Fragment epilogues on the TMA kernel: the output tiles of a batched
/// product (batch slowest, then 128-row blocks, then block-n columns). With
/// `lowerOnly` (M == N, block-n 128 or 256) only the tiles with a column <
/// row are enumerated: row block mt has mt + 1 tiles (block-n 128) or mt /
/// 2 + 1 (256), so a batch has cum(tilesM) of them with cum(r) = r (r + 1)
/// / 2, resp. p (p + 1) (+ p + 1 for odd r), p = r / 2.
struct TmaTileSpace {
  int64_t blockN;
  bool lowerOnly;
  Value tilesN, perBatch;
};

bool tmaFragmentSupported(int64_t blockN, bool lowerOnly) {
  return !lowerOnly || blockN == 128 || blockN == 256;
}

TmaTileSpace tmaTileSpace(ImplicitLocOpBuilder &b, Value m, Value n,
                          int64_t blockN, bool lowerOnly) {
  IndexMath im{b};
  Value tm = im.ceilDiv(m, 128), tn = im.ceilDiv(n, blockN);
  Value per = im.mul(tm, tn);
  if (lowerOnly && blockN == 128) {
    per = im.div(im.mul(tm, im.add(tm, 1)), 2);
  } else if (lowerOnly) {
    Value p = im.div(tm, 2);
    Value even = im.mul(p, im.add(p, 1));
    per = im.select(im.isMultiple(tm, 2), even, im.add(even, im.add(p, 1)));
  }
  return {blockN, lowerOnly, tn, per};
}

/// Tile ordinal `tile` -> (batch, m0, n0). Lower tiles: r = floor((sqrt(k t
/// + 1) - 1) / 2) (k = 8 for block-n 128, 4 for 256; f32, corrected by one
/// step each way) is the row block (128) or row-block pair (256) of the
/// batch's t-th tile.
std::array<Value, 3> decodeTmaTile(ImplicitLocOpBuilder &b,
                                   const TmaTileSpace &s, Value tile) {
  IndexMath im{b};
  Value batch = arith::DivUIOp::create(b, tile, s.perBatch);
  Value t = arith::RemUIOp::create(b, tile, s.perBatch);
  Value mt, nt;
  if (!s.lowerOnly) {
    mt = arith::DivUIOp::create(b, t, s.tilesN);
    nt = arith::RemUIOp::create(b, t, s.tilesN);
  } else {
    bool narrow = s.blockN == 128;
    auto cum = [&](Value r) {
      Value rr = im.mul(r, im.add(r, 1));
      return narrow ? im.div(rr, 2) : rr;
    };
    Type f32 = b.getF32Type(), i64 = b.getI64Type();
    Value tf = arith::UIToFPOp::create(
        b, f32, arith::IndexCastUIOp::create(b, i64, t));
    auto cf = [&](double v) {
      return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
    };
    Value root = math::SqrtOp::create(
        b, arith::AddFOp::create(
               b, arith::MulFOp::create(b, tf, cf(narrow ? 8.0 : 4.0)),
               cf(1.0)));
    Value rf = arith::MulFOp::create(b, arith::SubFOp::create(b, root, cf(1.0)),
                                     cf(0.5));
    Value r = arith::IndexCastUIOp::create(
        b, b.getIndexType(), arith::FPToUIOp::create(b, i64, rf));
    Value up = im.add(r, 1);
    r = im.select(arith::CmpIOp::create(b, arith::CmpIPredicate::ule, cum(up), t),
                  up, r);
    r = im.select(arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, cum(r), t),
                  im.sub(r, im.c(1)), r);
    Value u = im.sub(t, cum(r));
    if (narrow) {
      mt = r;
      nt = u;
    } else {
      Value width = im.add(r, 1);
      mt = im.add(im.mul(r, 2), arith::DivUIOp::create(b, u, width));
      nt = arith::RemUIOp::create(b, u, width);
    }
  }
  return {batch, im.mul(mt, 128), im.mul(nt, s.blockN)};
}

/// One product of a TMA launch (several when grouped: they share A and
/// have the same N): its C, epilogue and the device address of B's tensor
/// map.
struct TmaMember {
  Value c;
  ArrayRef<sessa::GemmEpilogueStage> stages;
  Value mapB;
};

/// Grouped launches: the order of the tiles. By default member-major (all
/// tiles of member 0, then member 1, ...: one B at a time is hot in L2);
/// with this option m-major (the members' tiles of one 128-row block of A
/// consecutive). Measured on the H100 (layer, q/k/v/feedback group of 5 x
/// 8192 x 1024 x 1024): member-major 155.5 us, m-major 164.1-165.1 us
/// (bench/gpu/NOTES-gemm.md, stop 12).
llvm::cl::opt<bool> clGroupMMajor(
    "sessa-gpu-group-m-major", llvm::cl::Hidden, llvm::cl::init(false),
    llvm::cl::desc("Grouped TMA GEMM: m-major tile order"));

void buildWgmmaTmaGemm(ImplicitLocOpBuilder &b, Value a,
                       ArrayRef<TmaMember> members, bool accumulate,
                       const Config &cfg, Value mapA, int64_t blockCount,
                       const sessa::GemmFragmentEpilogue *fragment = nullptr) {
  // Fragment epilogues (the feedback's logits passes) are single products.
  assert((!fragment || members.size() == 1) && "fragment epilogue grouped");
  Value c = members.front().c;
  const int64_t numMembers = members.size();
  IndexMath im{b};
  MLIRContext *ctx = b.getContext();
  Type elem = cast<MemRefType>(a.getType()).getElementType();
  bool isBF16 = elem.isBF16();
  Type i32 = b.getI32Type(), i64 = b.getI64Type(), i8 = b.getI8Type(),
       f32 = b.getF32Type();
  // Ping-pong: each consumer warpgroup owns whole 128 x 128 tiles (two
  // m64n128 accumulators), alternating tiles with the other one, so that
  // one's epilogue runs while the other's products do; 6 stages.
  const bool pingpong = cfg.tmaPingpong;
  const int64_t halves = pingpong ? 2 : 1;
  const int64_t blockM = 128, blockK = kWgmmaBlockK;
  const int64_t blockN = pingpong ? 128 : cfg.blockN;
  const int64_t numStages = pingpong ? 6 : cfg.stages;
  const int64_t aStageBytes = blockM * kWgmmaRowBytes;
  const int64_t bStageBytes = blockN * kWgmmaRowBytes;
  const int64_t aBytes = numStages * aStageBytes;
  const int64_t tileBytes = aBytes + numStages * bStageBytes;
  const int64_t numAcc = blockN / 2;
  const int64_t pending = numStages >= 3 ? 1 : 0;
  // Clusters of `cl` CTAs along M (not for fragment epilogues): the
  // scheduler walks units of cl row blocks x one column block; CTA r of a
  // cluster computes row block cl * unit + r (zeros past M: TMA fills, the
  // epilogue's guards store nothing) and loads rows r * blockN / cl ... of
  // the shared B tile, multicast to every CTA of the cluster.
  const int64_t cl = fragment ? 1 : cfg.tmaCluster;
  const int64_t bSlice = blockN / cl;

  GemmSizes sizes = gemmSizes(im, b, c);
  Value tilesN = im.ceilDiv(sizes.n, blockN);
  Value unitsM = im.ceilDiv(sizes.m, blockM);
  if (cl > 1)
    unitsM = im.ceilDiv(unitsM, cl);
  Value total = im.mul(unitsM, tilesN);
  if (fragment) {
    TmaTileSpace space = tmaTileSpace(b, sizes.m, sizes.n, blockN,
                                      fragment->lowerOnly);
    total = im.mul(sizes.batch, space.perBatch);
  }
  if (numMembers > 1)
    total = im.mul(total, numMembers);
  // Clusters: at most tma-blocks / cl of them (all resident at once on an
  // H100: 66 clusters of 2 such blocks, bench/gpu/cluster_occupancy.py).
  Value grid =
      cl > 1 ? im.mul(im.min(total, im.c(std::max<int64_t>(blockCount / cl, 1))),
                      cl)
             : im.min(total, im.c(blockCount));
  // Tiles (1024-byte aligned), then full[S] and empty[S] (8 bytes each).
  Value smemBytes = arith::ConstantOp::create(
      b, b.getI32IntegerAttr(
             static_cast<int32_t>(tileBytes + 1024 + 16 * numStages +
                                  (pingpong ? 16 : 0))));
  Value clusterX, clusterYZ;
  if (cl > 1) {
    clusterX = im.c(cl);
    clusterYZ = im.c(1);
  }
  auto launch = gpu::LaunchOp::create(
      b, grid, im.c(1), im.c(1), im.c(kTmaThreads), im.c(1), im.c(1),
      smemBytes, /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{},
      /*workgroupAttributions=*/{}, /*privateAttributions=*/{}, clusterX,
      clusterYZ, clusterYZ);
  // MLIR 22's builder creates only the 12 region arguments of a launch
  // without clusters; the parser and the accessors expect the cluster ids
  // and sizes after them (arguments 12-17).
  if (cl > 1)
    for (int i = 0; i < 6; ++i)
      launch.getBody().front().addArgument(b.getIndexType(), b.getLoc());
  launch->setAttr("sessa.gpu_kernel", b.getStringAttr("gemm_wgmma_tma"));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  IndexMath km{b};
  I32Math x{b};
  auto space = gpu::AddressSpaceAttr::get(
      ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
  Value dyn = gpu::DynamicSharedMemoryOp::create(
      b, MemRefType::get({ShapedType::kDynamic}, i8,
                         MemRefLayoutAttrInterface(), space));
  Value zeroIdx = km.c(0);
  // The block's place in the schedule: its cluster (or itself) and the
  // number of clusters (blocks); its rank in the cluster.
  Value bid = launch.getBlockIds().x, gridX = launch.getGridSize().x;
  Value first = bid, stride = gridX, rankIdx;
  if (cl > 1) {
    first = km.div(bid, cl);
    stride = km.div(gridX, cl);
    rankIdx = km.rem(bid, cl);
  }
  KernelIds ids;
  ids.tid = launch.getThreadIds().x;
  ids.batch = zeroIdx;
  // Fragment epilogues: rank-3 operands whose batch is folded into the
  // rows of the tensor maps (tile rows batch * M + m0, batch * N + n0).
  Value mTotal, nTotal, kTotal, numK, tilesNk, unitsMk, totalK;
  std::optional<TmaTileSpace> fragSpace;
  // Views of every member's C (member 0's is ids.c); none for fragments.
  SmallVector<MatrixView> cViews;
  if (fragment) {
    mTotal = memref::DimOp::create(b, c, 1);
    nTotal = memref::DimOp::create(b, c, 2);
    kTotal = memref::DimOp::create(b, a, 2);
    fragSpace = tmaTileSpace(b, mTotal, nTotal, blockN, fragment->lowerOnly);
    tilesNk = fragSpace->tilesN;
    totalK = km.mul(memref::DimOp::create(b, c, 0), fragSpace->perBatch);
  } else {
    ids.c = makeView(b, c, /*rowDim=*/0, zeroIdx, 8);
    mTotal = ids.c.rows;
    nTotal = ids.c.cols;
    kTotal = memref::DimOp::create(b, a, 1);
    tilesNk = km.ceilDiv(nTotal, blockN);
    unitsMk = km.ceilDiv(mTotal, blockM);
    if (cl > 1)
      unitsMk = km.ceilDiv(unitsMk, cl);
    totalK = km.mul(unitsMk, tilesNk);
    cViews.push_back(ids.c);
    for (int64_t g = 1; g < numMembers; ++g)
      cViews.push_back(makeView(b, members[g].c, /*rowDim=*/0, zeroIdx, 8));
    if (numMembers > 1)
      totalK = km.mul(totalK, numMembers);
  }
  // Full-matrix epilogue inputs (a residual) of a single product, with
  // --sessa-gpu-tma-prefetch-residual: their views, for L2 prefetches of
  // each tile's rows before its main loop.
  SmallVector<std::pair<MatrixView, Type>> residualViews;
  if (clTmaPrefetchResidual && !fragment && numMembers == 1)
    for (const sessa::GemmEpilogueStage &st : members.front().stages)
      for (const sessa::GemmEpilogueInput &in : st.inputs)
        if (Epilogue::rowDependent(in))
          residualViews.push_back(
              {makeView(b, in.memref, /*rowDim=*/0, zeroIdx, 8),
               cast<MemRefType>(in.memref.getType()).getElementType()});
  numK = km.ceilDiv(kTotal, blockK);
  // Tile -> (m0, n0, member, batch): n fastest; with several members,
  // member-major (every tile of member 0, then of member 1, ...) or m-major
  // (tiles of one row block of A for every member, then the next one).
  struct TileCoords {
    Value m0, n0, member, batch;
  };
  auto decode = [&](ImplicitLocOpBuilder &b, Value tile) -> TileCoords {
    IndexMath im{b};
    if (fragSpace) {
      std::array<Value, 3> bmn = decodeTmaTile(b, *fragSpace, tile);
      return {bmn[1], bmn[2], Value(), bmn[0]};
    }
    // Row block `unit` (a cluster's first row block: cl * unit + rank).
    auto rowOf = [&](Value unit) -> Value {
      if (cl > 1)
        unit = im.add(im.mul(unit, cl), rankIdx);
      return im.mul(unit, blockM);
    };
    if (numMembers == 1)
      return {rowOf(arith::DivUIOp::create(b, tile, tilesNk)),
              im.mul(arith::RemUIOp::create(b, tile, tilesNk), blockN),
              Value(), zeroIdx};
    Value n0 = im.mul(arith::RemUIOp::create(b, tile, tilesNk), blockN);
    Value rest = arith::DivUIOp::create(b, tile, tilesNk);
    if (clGroupMMajor)
      return {rowOf(im.div(rest, numMembers)), n0, im.rem(rest, numMembers),
              zeroIdx};
    Value tilesM = cl > 1 ? unitsMk : im.ceilDiv(mTotal, blockM);
    return {rowOf(arith::RemUIOp::create(b, rest, tilesM)), n0,
            arith::DivUIOp::create(b, rest, tilesM), zeroIdx};
  };
  Value shBase = sharedBasePtr(b, dyn);
  Value baseAddr = arith::TruncIOp::create(
      b, i32, LLVM::PtrToIntOp::create(b, i64, shBase));
  Value pad = arith::AndIOp::create(
      b, arith::SubIOp::create(b, x.c(1024), arith::AndIOp::create(
                                                 b, baseAddr, x.c(1023))),
      x.c(1023));
  // Barrier `i` (0 .. 2S-1: full then empty) of stage `s` (i32).
  auto barrier = [&](ImplicitLocOpBuilder &b, Value s, bool empty) {
    I32Math x{b};
    Value off = x.add(x.add(pad, x.mul(s, 8)),
                      tileBytes + (empty ? 8 * numStages : 0));
    return gep(b, shBase, i8, off);
  };
  // Ping-pong order barriers order[g] (after the stages' barriers): the
  // other consumer warpgroup arrives (lane 0 of its 4 warps) when its main
  // loop of a tile is done; warpgroup g waits for that before its next
  // tile's main loop. Main loops thus run in tile order, so that every
  // full-barrier wait is at most one phase ahead (a parity wait further
  // ahead would pass at once).
  auto orderBarrier = [&](ImplicitLocOpBuilder &b, Value g) {
    I32Math x{b};
    return gep(b, shBase, i8,
               x.add(x.add(pad, x.mul(g, 8)), tileBytes + 16 * numStages));
  };
  Value tid = x.of(ids.tid);
  Value warp = x.div(tid, 32), lane = x.rem(tid, 32);
  Value group = x.div(warp, 4);
  Value isLane0 = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane,
                                        x.c(0));
  ifThen(b, arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tid, x.c(0)),
         [&](ImplicitLocOpBuilder &b) {
           I32Math x{b};
           for (int64_t s = 0; s < numStages; ++s) {
             NVVM::MBarrierInitOp::create(b, barrier(b, x.c(s), false),
                                          x.c(1), Value());
             // One arrival per consumer warp of a stage (of every CTA of
             // the cluster: all of them write into this stage).
             NVVM::MBarrierInitOp::create(b, barrier(b, x.c(s), true),
                                          x.c((pingpong ? 4 : 8) * cl),
                                          Value());
           }
           if (pingpong)
             for (int64_t g = 0; g < 2; ++g)
               NVVM::MBarrierInitOp::create(b, orderBarrier(b, x.c(g)),
                                            x.c(4), Value());
           NVVM::FenceMbarrierInitOp::create(b);
         });
  gpu::BarrierOp::create(b);
  // Clusters: no copy or remote arrive before every CTA's barriers exist
  // (their init is ordered by fence.mbarrier_init.release.cluster; the
  // relaxed arrive spares the MEMBAR.ALL.GPU of a release one).
  if (cl > 1) {
    NVVM::ClusterArriveRelaxedOp::create(b, b.getUnitAttr());
    NVVM::ClusterWaitOp::create(b, b.getUnitAttr());
  }
  auto stageOf = [&](ImplicitLocOpBuilder &b, Value it) {
    I32Math x{b};
    return x.rem(it, numStages);
  };
  auto parityOf = [&](ImplicitLocOpBuilder &b, Value it) {
    I32Math x{b};
    return arith::AndIOp::create(b, x.div(it, numStages), x.c(1));
  };
  auto wait = [&](ImplicitLocOpBuilder &b, Value bar, Value parity) {
    I32Math x{b};
    NVVM::MBarrierTryWaitParityOp::create(b, bar, parity, x.c(kWaitTicks));
  };
  // The tile loop of this block, carrying `it`; `body(b, m0, n0, it)`
  // returns the next `it`.
  auto tileLoop = [&](ImplicitLocOpBuilder &b,
                      function_ref<Value(ImplicitLocOpBuilder &,
                                         const TileCoords &, Value)>
                          body) {
    I32Math x{b};
    scf::ForOp::create(
        b, first, totalK, stride, ValueRange{x.c(0)},
        [&](OpBuilder &nb, Location loc, Value tile, ValueRange iter) {
          ImplicitLocOpBuilder b(loc, nb);
          IndexMath im{b};
          TileCoords t = decode(b, tile);
          if (fragment) {
            // Rows of the folded maps.
            t.m0 = im.add(t.m0, im.mul(t.batch, mTotal));
            t.n0 = im.add(t.n0, im.mul(t.batch, nTotal));
          }
          scf::YieldOp::create(b, body(b, t, iter[0]));
        });
  };

  auto isProducer =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, group, x.c(2));
  ifThen(
      b, isProducer,
      [&](ImplicitLocOpBuilder &b) {
        NVVM::SetMaxRegisterOp::create(b, kProducerRegs,
                                       NVVM::SetMaxRegisterAction::decrease);
        Value leader = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                             tid, x.c(256));
        ifThen(b, leader, [&](ImplicitLocOpBuilder &b) {
          auto ptrType = LLVM::LLVMPointerType::get(ctx);
          Value descA = LLVM::IntToPtrOp::create(b, ptrType, mapA);
          Value descB0;
          if (numMembers == 1)
            descB0 = LLVM::IntToPtrOp::create(b, ptrType, members[0].mapB);
          tileLoop(b, [&](ImplicitLocOpBuilder &b, const TileCoords &t,
                          Value it0) -> Value {
            I32Math x{b};
            IndexMath im{b};
            Value m0i = x.of(t.m0), n0i = x.of(t.n0);
            // The member's B map.
            Value descB = descB0;
            if (!descB) {
              Value mb = members[numMembers - 1].mapB;
              for (int64_t g = numMembers - 2; g >= 0; --g)
                mb = im.select(im.eq(t.member, im.c(g)), members[g].mapB, mb);
              descB = LLVM::IntToPtrOp::create(b, ptrType, mb);
            }
            auto loop = scf::ForOp::create(
                b, im.c(0), numK, im.c(1), ValueRange{it0},
                [&](OpBuilder &nb, Location loc, Value kt, ValueRange iter) {
                  ImplicitLocOpBuilder b(loc, nb);
                  I32Math x{b};
                  Value it = iter[0];
                  Value s = stageOf(b, it);
                  Value parity = arith::XOrIOp::create(b, parityOf(b, it),
                                                       x.c(1));
                  wait(b, barrier(b, s, true), parity);
                  Value full = barrier(b, s, false);
                  NVVM::MBarrierArriveExpectTxOp::create(
                      b, Type(), full, x.c(aStageBytes + bStageBytes),
                      NVVM::MemScopeKind::CTA, false, Value());
                  Value k0 = x.mul(x.of(kt), blockK);
                  // The destination as a shared::cluster address (this
                  // block's own shared memory: a cluster of one).
                  auto cluster = [&](Value p) -> Value {
                    return LLVM::AddrSpaceCastOp::create(
                        b, LLVM::LLVMPointerType::get(ctx, 7), p);
                  };
                  Value dstA = cluster(gep(b, shBase, i8,
                                           x.add(pad, x.mul(s, aStageBytes))));
                  Value dstB = cluster(gep(
                      b, shBase, i8,
                      x.add(x.add(pad, x.mul(s, bStageBytes)), aBytes)));
                  NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
                      b, dstA, descA, ValueRange{k0, m0i}, full, ValueRange{},
                      Value(), Value(), NVVM::TMALoadMode::TILE, false,
                      NVVM::CTAGroupKindAttr(), Value());
                  // Clusters: this CTA's slice of B's rows, into the same
                  // place of every CTA's stage (their full barriers expect
                  // the whole tile).
                  Value mask, nB = n0i;
                  if (cl > 1) {
                    Value rank = x.of(rankIdx);
                    nB = x.add(n0i, x.mul(rank, bSlice));
                    dstB = cluster(gep(
                        b, shBase, i8,
                        x.add(x.add(x.add(pad, x.mul(s, bStageBytes)), aBytes),
                              x.mul(rank, bSlice * kWgmmaRowBytes))));
                    mask = arith::ConstantOp::create(
                        b, b.getI16IntegerAttr((1 << cl) - 1));
                  }
                  NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
                      b, dstB, descB, ValueRange{k0, nB}, full, ValueRange{},
                      mask, Value(), NVVM::TMALoadMode::TILE, false,
                      NVVM::CTAGroupKindAttr(), Value());
                  scf::YieldOp::create(b, ValueRange{x.add(it, 1)});
                });
            return loop.getResult(0);
          });
        });
      },
      [&](ImplicitLocOpBuilder &b) {
        // Consumers.
        NVVM::SetMaxRegisterOp::create(b, kConsumerRegs,
                                       NVVM::SetMaxRegisterAction::increase);
        auto accType = LLVM::LLVMStructType::getLiteral(
            ctx, SmallVector<Type>(numAcc, f32));
        auto release = [&](ImplicitLocOpBuilder &b, Value it) {
          ifThen(b, isLane0, [&](ImplicitLocOpBuilder &b) {
            Value empty = barrier(b, stageOf(b, it), true);
            NVVM::MBarrierArriveOp::create(b, Type(), empty, Value());
            // Clusters: the other CTAs' producers write into this stage
            // too (multicast): arrive on their empty barriers as well.
            // Default (.release.cta) semantics, as CUTLASS's ClusterBarrier:
            // with .release.cluster ptxas put MEMBAR.ALL.GPU before every
            // such arrive, which made the kernel 2x slower (H100, run 1).
            for (int64_t d = 1; d < cl; ++d) {
              I32Math x{b};
              Value peer = x.rem(x.add(x.of(rankIdx), d), cl);
              Value remote = NVVM::MapaOp::create(
                  b, LLVM::LLVMPointerType::get(ctx, 7), empty, peer);
              NVVM::MBarrierArriveOp::create(b, Type(), remote, Value());
            }
          });
        };
        // One k tile: wait until it has landed, its products as one group
        // (per k16 step one wgmma per 64-row half of the warpgroup's
        // rows), then wait for the previous group and release its stage.
        auto step = [&](ImplicitLocOpBuilder &b, Value it, ValueRange dIn,
                        bool first) -> SmallVector<Value> {
          I32Math x{b};
          SmallVector<Value> d(dIn.begin(), dIn.end());
          Value s = stageOf(b, it);
          wait(b, barrier(b, s, false), parityOf(b, it));
          Value aStage = x.add(x.add(baseAddr, pad), x.mul(s, aStageBytes));
          Value bAddr = x.add(x.add(baseAddr, pad),
                              x.add(x.mul(s, bStageBytes), x.c(aBytes)));
          SmallVector<Value> da;
          for (int64_t h = 0; h < halves; ++h)
            da.push_back(swizzledKMajorDescriptor(
                b, pingpong ? x.add(aStage, h * 64 * kWgmmaRowBytes)
                            : x.add(aStage, x.mul(group, 64 * kWgmmaRowBytes))));
          Value db = swizzledKMajorDescriptor(b, bAddr);
          NVVM::WgmmaFenceAlignedOp::create(b);
          for (int64_t ks = 0; ks < blockK / 16; ++ks) {
            Value off =
                arith::ConstantOp::create(b, b.getI64IntegerAttr(2 * ks));
            for (int64_t h = 0; h < halves; ++h)
              d[h] = sessa::buildWgmmaKMajor(
                  b, b.getLoc(), accType, d[h],
                  arith::AddIOp::create(b, da[h], off),
                  arith::AddIOp::create(b, db, off), blockN, isBF16,
                  first && ks == 0);
          }
          NVVM::WgmmaGroupSyncAlignedOp::create(b);
          NVVM::WgmmaWaitGroupSyncOp::create(b, pending);
          if (pending && !first)
            release(b, arith::SubIOp::create(b, it, x.c(1)));
          if (!pending)
            release(b, it);
          return d;
        };
        // The consumers' tiles: every tile of the block (cooperative), or
        // every other one from the warpgroup's parity on (ping-pong). The
        // tile of ordinal i (in the block's sequence) uses k iterations
        // i * numK ...
        Value firstTile = first, tileStep = stride;
        if (pingpong) {
          firstTile = km.add(first, km.mul(arith::IndexCastUIOp::create(
                                               b, b.getIndexType(), group),
                                           stride));
          tileStep = km.mul(stride, km.c(2));
        }
        scf::ForOp::create(
            b, firstTile, totalK, tileStep, ValueRange{},
            [&](OpBuilder &nb, Location loc, Value tile, ValueRange) {
              ImplicitLocOpBuilder b(loc, nb);
              IndexMath im{b};
              I32Math x{b};
              TileCoords tc = decode(b, tile);
              Value tileBatch = tc.batch, m0 = tc.m0, n0 = tc.n0;
              // The tile's residual rows into L2 while its main loop runs:
              // thread t of the warpgroup prefetches the 128-byte lines of
              // row m0 + t (clamped into the matrix) in the tile's columns.
              for (auto &[v, t] : residualViews) {
                int64_t bytes = t.getIntOrFloatBitWidth() / 8;
                Value row = im.min(im.add(m0, im.rem(ids.tid, 128)),
                                   im.sub(v.rows, im.c(1)));
                Value base = globalBasePtr(b, v.ptr);
                for (int64_t j = 0; j * 128 < blockN * bytes; ++j) {
                  Value col = im.min(im.add(n0, im.c(j * 128 / bytes)),
                                     im.sub(v.cols, im.c(1)));
                  Value idx = im.add(v.off, im.add(im.mul(row, v.sRow),
                                                   im.mul(col, v.sCol)));
                  Value addr = LLVM::GEPOp::create(
                      b, base.getType(), t, base,
                      ValueRange{arith::IndexCastOp::create(
                          b, b.getI64Type(), idx)});
                  NVVM::PrefetchOp::create(
                      b,
                      NVVM::PrefetchCacheLevelAttr::get(
                          b.getContext(), NVVM::PrefetchCacheLevel::L2),
                      NVVM::CacheEvictionPriorityAttr(), addr,
                      /*predicate=*/Value(), /*tensormap=*/UnitAttr());
                }
              }
              Value ordinal =
                  arith::DivUIOp::create(b, im.sub(tile, first), stride);
              Value it0 = x.of(im.mul(ordinal, numK));
              if (pingpong) {
                // The warpgroup's jl-th tile (ordinal 2 jl + g) waits for
                // phase jl - 1 + g of order[g] (none for warpgroup 0's
                // first tile): parity (jl + g + 1) & 1.
                Value jl = x.of(im.div(ordinal, 2));
                Value needed = arith::OrIOp::create(
                    b,
                    arith::CmpIOp::create(b, arith::CmpIPredicate::ne, group,
                                          x.c(0)),
                    arith::CmpIOp::create(b, arith::CmpIPredicate::ne, jl,
                                          x.c(0)));
                ifThen(b, needed, [&](ImplicitLocOpBuilder &b) {
                  I32Math x{b};
                  Value parity = arith::AndIOp::create(
                      b, x.add(x.add(jl, group), 1), x.c(1));
                  wait(b, orderBarrier(b, group), parity);
                });
              }
              SmallVector<Value> undef(
                  halves, LLVM::UndefOp::create(b, accType).getResult());
              SmallVector<Value> init = step(b, it0, undef, true);
              init.push_back(x.add(it0, 1));
              auto loop = scf::ForOp::create(
                  b, im.c(1), numK, im.c(1), init,
                  [&](OpBuilder &nb, Location loc, Value, ValueRange iter) {
                    ImplicitLocOpBuilder b(loc, nb);
                    I32Math x{b};
                    Value it = iter[halves];
                    SmallVector<Value> d =
                        step(b, it, iter.take_front(halves), false);
                    d.push_back(x.add(it, 1));
                    scf::YieldOp::create(b, d);
                  });
              Value itEnd = loop.getResult(halves);
              if (pending) {
                NVVM::WgmmaWaitGroupSyncOp::create(b, 0);
                release(b, arith::SubIOp::create(b, itEnd, x.c(1)));
              }
              if (pingpong) {
                // Main loop done: the other warpgroup's turn.
                ifThen(b, isLane0, [&](ImplicitLocOpBuilder &b) {
                  I32Math x{b};
                  NVVM::MBarrierArriveOp::create(
                      b, Type(),
                      orderBarrier(b, arith::SubIOp::create(b, x.c(1), group)),
                      Value());
                });
              }
              // The epilogue of member g's tile.
              auto epilogueOf = [&](ImplicitLocOpBuilder &b, int64_t g) {
              IndexMath im{b};
              for (int64_t h = 0; h < halves; ++h) {
                SmallVector<Value> acc;
                for (int64_t i = 0; i < numAcc; ++i)
                  acc.push_back(LLVM::ExtractValueOp::create(
                      b, loop.getResult(h), ArrayRef<int64_t>{i}));
                KernelIds tileIds = ids;
                if (!fragment)
                  tileIds.c = cViews[g];
                tileIds.m0 = m0;
                tileIds.n0 = n0;
                if (pingpong) {
                  // Rows 64 h + 16 (warp % 4) + lane / 4 (+ 8) of the
                  // tile: the cooperative mapping of thread
                  // tid % 128 + 128 h.
                  tileIds.tid = im.add(im.rem(ids.tid, 128), 128 * h);
                }
                if (fragment) {
                  // The cp.async kernel's fragment layout: warp w (of the
                  // tile's 8) has rows 16 w .. 16 w + 15.
                  Value lane = im.rem(tileIds.tid, 32);
                  Value row0 = im.add(
                      m0, im.add(im.mul(im.div(tileIds.tid, 32), 16),
                                 im.div(lane, 4)));
                  Value col0 = im.add(n0, im.mul(im.rem(lane, 4), 2));
                  fragment->body(b, b.getLoc(), tileBatch, row0, col0, acc);
                } else if (clTmaNoEpilogue) {
                  // Keep the accumulators alive: one value per thread.
                  Value sum = acc[0];
                  for (int64_t i = 1; i < numAcc; ++i)
                    sum = arith::AddFOp::create(b, sum, acc[i]);
                  ifThen(b, im.eq(im.add(m0, n0), im.c(-1)),
                         [&](ImplicitLocOpBuilder &b) {
                           memref::StoreOp::create(
                               b,
                               fromF32(b, sum,
                                       cast<MemRefType>(c.getType())
                                           .getElementType()),
                               ids.c.flat, ValueRange{ids.c.off});
                         });
                } else {
                  mmaEpilogue(b, tileIds, acc, members[g].c, accumulate,
                              members[g].stages,
                              /*warpRows=*/16, /*warpCols=*/blockN,
                              /*warpsN=*/1, /*mTiles=*/1,
                              /*nTiles=*/blockN / 8,
                              /*valuesFirst=*/!clTmaLateValues);
                }
              }
              };
              // Several members: one epilogue per member, chosen by the
              // tile's member.
              std::function<void(ImplicitLocOpBuilder &, int64_t)> pick =
                  [&](ImplicitLocOpBuilder &b, int64_t g) {
                    if (g == numMembers - 1)
                      return epilogueOf(b, g);
                    IndexMath im{b};
                    ifThen(
                        b, im.eq(tc.member, im.c(g)),
                        [&](ImplicitLocOpBuilder &b) { epilogueOf(b, g); },
                        [&](ImplicitLocOpBuilder &b) { pick(b, g + 1); });
                  };
              pick(b, 0);
              scf::YieldOp::create(b);
            });
      });
  // Clusters: no CTA exits while another may still arrive on its barriers.
  if (cl > 1) {
    NVVM::ClusterArriveOp::create(b, UnitAttr());
    NVVM::ClusterWaitOp::create(b, UnitAttr());
  }
  gpu::TerminatorOp::create(b);
}

/// One product of a grouped host dispatch: B and C, and the epilogue.
struct DispatchMember {
  Value b, c;
  ArrayRef<sessa::GemmEpilogueStage> stages;
};

/// Host code of wgmma products with B[n, k] (rank 2) that share A (one or
/// several: a grouped launch): the TMA kernel over all of them when the
/// runtime makes tensor maps of A and every B, else a cp.async kernel for
/// each.
void buildWgmmaDispatch(ImplicitLocOpBuilder &b, Value a,
                        ArrayRef<DispatchMember> members, bool accumulate,
                        const Config &cfg, int64_t blockCount) {
  IndexMath im{b};
  GemmSizes sizes = gemmSizes(im, b, members.front().c);
  ifThen(b, sizes.nonEmpty, [&](ImplicitLocOpBuilder &b) {
    Value mapA = buildTensorMap(b, a, 128);
    SmallVector<Value> mapsB;
    for (const DispatchMember &m : members)
      mapsB.push_back(buildTensorMap(
          b, m.b, (cfg.tmaPingpong ? 128 : cfg.blockN) / cfg.tmaCluster));
    Value zero = arith::ConstantOp::create(b, b.getI64IntegerAttr(0));
    auto ne = [&](Value v) -> Value {
      return arith::CmpIOp::create(b, arith::CmpIPredicate::ne, v, zero);
    };
    Value all = ne(mapA);
    for (Value mb : mapsB)
      all = arith::AndIOp::create(b, all, ne(mb));
    ifThen(
        b, all,
        [&](ImplicitLocOpBuilder &b) {
          SmallVector<TmaMember> tm;
          for (auto [m, mb] : llvm::zip(members, mapsB))
            tm.push_back({m.c, m.stages, mb});
          buildWgmmaTmaGemm(b, a, tm, accumulate, cfg, mapA, blockCount);
        },
        [&](ImplicitLocOpBuilder &b) {
          for (const DispatchMember &m : members)
            buildWgmmaGemm(b, a, m.b, m.c, /*transposeB=*/true, accumulate,
                           cfg, m.stages);
        });
  });
}

/// Host code of a wgmma product with a fragment epilogue (rank-3 operands,
/// B[b, n, k]): the TMA kernel when each operand's batch folds into its rows
/// (batch stride = rows x row stride, or one batch), the runtime makes the
/// tensor maps of the folded [batch x rows, k] matrices and, for
/// `lowerOnly`, M == N; else the cp.async kernel.
void buildWgmmaFragmentDispatch(ImplicitLocOpBuilder &b, Value a, Value bm,
                                Value c, const Config &cfg,
                                const sessa::GemmFragmentEpilogue *fragment,
                                int64_t blockCount) {
  IndexMath im{b};
  GemmSizes sizes = gemmSizes(im, b, c);
  ifThen(b, sizes.nonEmpty, [&](ImplicitLocOpBuilder &b) {
    IndexMath im{b};
    Value ok = arith::ConstantOp::create(b, b.getBoolAttr(true));
    auto fold = [&](Value mem) -> Value {
      auto type = cast<MemRefType>(mem.getType());
      auto meta = memref::ExtractStridedMetadataOp::create(b, mem);
      ValueRange sz = meta.getSizes(), st = meta.getStrides();
      ok = im.both(ok, arith::OrIOp::create(
                           b, im.eq(sz[0], im.c(1)),
                           im.eq(st[0], im.mul(sz[1], st[1]))));
      int64_t dyn = ShapedType::kDynamic;
      auto viewType = MemRefType::get(
          {dyn, dyn}, type.getElementType(),
          StridedLayoutAttr::get(b.getContext(), dyn, {dyn, dyn}));
      return memref::ReinterpretCastOp::create(
          b, viewType, mem, OpFoldResult(meta.getOffset()),
          ArrayRef<OpFoldResult>{OpFoldResult(im.mul(sz[0], sz[1])),
                                 OpFoldResult(sz[2])},
          ArrayRef<OpFoldResult>{OpFoldResult(st[1]), OpFoldResult(st[2])});
    };
    Value mapA = buildTensorMap(b, fold(a), 128);
    Value mapB = buildTensorMap(b, fold(bm), cfg.tmaPingpong ? 128 : cfg.blockN);
    if (fragment->lowerOnly)
      ok = im.both(ok, im.eq(sizes.m, sizes.n));
    Value zero = arith::ConstantOp::create(b, b.getI64IntegerAttr(0));
    auto ne = [&](Value v) {
      return arith::CmpIOp::create(b, arith::CmpIPredicate::ne, v, zero);
    };
    ifThen(
        b, im.both(ok, im.both(ne(mapA), ne(mapB))),
        [&](ImplicitLocOpBuilder &b) {
          buildWgmmaTmaGemm(b, a, {TmaMember{c, {}, mapB}},
                            /*accumulate=*/false, cfg, mapA, blockCount,
                            fragment);
        },
        [&](ImplicitLocOpBuilder &b) {
          buildWgmmaGemm(b, a, bm, c, /*transposeB=*/true,
                         /*accumulate=*/false, cfg, {}, /*splitK=*/false,
                         nullptr, fragment);
        });
  });
}

//===----------------------------------------------------------------------===//
// Small M (decode): C[m, n] = sum_k A[m, k] * B[n, k] with few rows. The
// product is a stream over B (the weights); the 128x128 tiles above would
// launch only N / 128 blocks. Here a block of kSkinnyWarps warps covers
// kSkinnyRows rows of C and kSkinnyWarps * kSkinnyCols columns; each warp
// owns kSkinnyCols columns (rows of B) and reads them along all of k, lane l
// taking the 16-byte chunks l, l + 32, ... (coalesced 512-byte warp reads,
// clSkinnyUnroll (2) chunks of each column loaded before they are used); A's
// chunks come from L1/L2 (A is small). Lanes hold kSkinnyRows x kSkinnyCols
// f32 partial sums, reduced with a shuffle butterfly; lane r * kSkinnyCols +
// c then stores element (r, c) through the same epilogue as the tiled
// kernels. Operands that are not dense along k and 16-byte aligned (or K not
// a multiple of the chunk) take guarded scalar loads.
//===----------------------------------------------------------------------===//
constexpr int64_t kSkinnyRows = 8, kSkinnyCols = 2, kSkinnyWarps = 4;
/// Chunks of each column a lane loads per step (hidden, for measurements).
/// Measured on an H100 (decode step, B = 8, K = 1024, nine products;
/// bench/results/gpu-h100-20261122-decode): 2 (234 registers) 46 us in all,
/// 4 (255 registers and spills) 51 us, 1 (123 registers) 56 us.
llvm::cl::opt<int64_t> clSkinnyUnroll(
    "sessa-gpu-small-m-unroll", llvm::cl::Hidden, llvm::cl::init(2),
    llvm::cl::desc("16-byte chunks of each B row per lane and step in the "
                   "small-M GEMM (1 to 8)"));

void buildSkinnyGemm(ImplicitLocOpBuilder &b, Value a, Value bm, Value c,
                     bool accumulate, int64_t vec,
                     ArrayRef<sessa::GemmEpilogueStage> stages) {
  IndexMath im{b};
  const int64_t kSkinnyUnroll =
      std::clamp<int64_t>(clSkinnyUnroll.getValue(), 1, 8);
  GemmSizes sizes = gemmSizes(im, b, c);
  bool batched = sizes.batched;
  Value mSize = sizes.m, nSize = sizes.n, batch = sizes.batch;
  ifThen(b, sizes.nonEmpty, [&](ImplicitLocOpBuilder &b) {
    IndexMath im{b};
    int64_t colsPerBlock = kSkinnyWarps * kSkinnyCols;
    auto launch = gpu::LaunchOp::create(
        b, im.ceilDiv(nSize, colsPerBlock), im.ceilDiv(mSize, kSkinnyRows),
        batch, im.c(kSkinnyWarps * 32), im.c(1), im.c(1));
    launch->setAttr("sessa.gpu_kernel", b.getStringAttr("gemm_small_m"));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    IndexMath km{b};
    KernelIds ids;
    ids.tid = launch.getThreadIds().x;
    ids.batch = launch.getBlockIds().z;
    ids.a = makeView(b, a, /*rowDim=*/0, ids.batch, vec);
    ids.b = makeView(b, bm, /*rowDim=*/0, ids.batch, vec);
    ids.c = makeView(b, c, /*rowDim=*/0, ids.batch, vec);
    ids.k = ids.a.cols;
    Value lane = km.rem(ids.tid, 32), warp = km.div(ids.tid, 32);
    ids.m0 = km.mul(launch.getBlockIds().y, kSkinnyRows);
    ids.n0 = km.add(km.mul(launch.getBlockIds().x, colsPerBlock),
                    km.mul(warp, kSkinnyCols));
    // Rows of A and B this thread reads, clamped into the matrices (the
    // results of rows/columns beyond them are never stored).
    SmallVector<Value> aRows, bRows;
    for (int64_t r = 0; r < kSkinnyRows; ++r)
      aRows.push_back(km.min(km.add(ids.m0, r), km.sub(ids.a.rows, km.c(1))));
    for (int64_t j = 0; j < kSkinnyCols; ++j)
      bRows.push_back(km.min(km.add(ids.n0, j), km.sub(ids.b.rows, km.c(1))));
    Value numChunks = km.ceilDiv(ids.k, vec);
    Value perIter = km.c(32 * kSkinnyUnroll);
    Value iters = km.ceilDiv(numChunks, 32 * kSkinnyUnroll);
    Type f32 = b.getF32Type();
    Type elem = cast<MemRefType>(a.getType()).getElementType();
    auto vecType = VectorType::get({vec}, elem);
    Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
    // The `vec` elements k = q * vec + j of row `row` of `v`, as f32: one
    // 16-byte load (fast), or guarded scalar loads (zero beyond K).
    auto loadChunk = [&](ImplicitLocOpBuilder &b, const MatrixView &v,
                         Value row, Value q, bool fast) -> SmallVector<Value> {
      IndexMath im{b};
      SmallVector<Value> out;
      Value k0 = im.mul(q, vec);
      if (fast) {
        Value idx = im.add(v.off, im.add(im.mul(row, v.sRow), k0));
        Value x = vector::LoadOp::create(b, vecType, v.flat, ValueRange{idx},
                                         /*nontemporal=*/false,
                                         llvm::MaybeAlign(16));
        for (int64_t j = 0; j < vec; ++j)
          out.push_back(toF32(b, vector::ExtractOp::create(b, x, j)));
        return out;
      }
      for (int64_t j = 0; j < vec; ++j) {
        Value k = im.add(k0, j);
        out.push_back(ifValue(
            b, im.lt(k, v.cols), f32,
            [&](ImplicitLocOpBuilder &b) -> Value {
              IndexMath im{b};
              Value idx = im.add(v.off, im.add(im.mul(row, v.sRow),
                                               im.mul(k, v.sCol)));
              return toF32(b, memref::LoadOp::create(b, v.flat, idx));
            },
            [&](ImplicitLocOpBuilder &) -> Value { return zero; }));
      }
      return out;
    };
    int64_t numAcc = kSkinnyRows * kSkinnyCols;
    // One step of kSkinnyUnroll chunks per lane from chunk `base` on: all B
    // chunks first (so that they are in flight together), then A's and the
    // FMAs. With `guarded`, chunks at or beyond numChunks are skipped (B's
    // address clamped); otherwise all are inside.
    auto unrolledStep = [&](ImplicitLocOpBuilder &b, Value base, bool fast,
                            bool guarded, ValueRange acc) {
      IndexMath im{b};
      Value lastChunk = im.sub(numChunks, im.c(1));
      SmallVector<Value> qs, inside;
      SmallVector<SmallVector<SmallVector<Value>>> bv(kSkinnyUnroll);
      for (int64_t u = 0; u < kSkinnyUnroll; ++u) {
        Value q = im.add(base, 32 * u);
        inside.push_back(guarded ? im.lt(q, numChunks) : Value());
        qs.push_back(guarded ? im.min(q, lastChunk) : q);
        for (int64_t j = 0; j < kSkinnyCols; ++j)
          bv[u].push_back(loadChunk(b, ids.b, bRows[j], qs[u], fast));
      }
      SmallVector<Value> cur(acc.begin(), acc.end());
      auto fmas = [&](ImplicitLocOpBuilder &b, int64_t u,
                      SmallVector<Value> next) {
        SmallVector<SmallVector<Value>> av;
        for (int64_t r = 0; r < kSkinnyRows; ++r)
          av.push_back(loadChunk(b, ids.a, aRows[r], qs[u], fast));
        for (int64_t r = 0; r < kSkinnyRows; ++r)
          for (int64_t j = 0; j < kSkinnyCols; ++j) {
            Value &sum = next[r * kSkinnyCols + j];
            for (int64_t e = 0; e < vec; ++e)
              sum = LLVM::FMAOp::create(b, av[r][e], bv[u][j][e], sum);
          }
        return next;
      };
      for (int64_t u = 0; u < kSkinnyUnroll; ++u) {
        if (!guarded) {
          cur = fmas(b, u, cur);
          continue;
        }
        auto step = scf::IfOp::create(b, SmallVector<Type>(numAcc, f32),
                                      inside[u], /*withElse=*/true);
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(&step.getThenRegion().front());
        scf::YieldOp::create(b, fmas(b, u, cur));
        b.setInsertionPointToStart(&step.getElseRegion().front());
        scf::YieldOp::create(b, cur);
        cur.assign(step.getResults().begin(), step.getResults().end());
      }
      return cur;
    };
    // Full steps (every chunk inside K) without guards, then at most one
    // guarded step for the rest.
    Value fullIters = km.div(numChunks, 32 * kSkinnyUnroll);
    auto mainLoop = [&](ImplicitLocOpBuilder &b,
                        bool fast) -> SmallVector<Value> {
      IndexMath km{b};
      // Iterations [from, to) of unrolled steps, bounds-checked or not.
      auto steps = [&](Value from, Value to, ValueRange init, bool guarded) {
        return scf::ForOp::create(
                   b, from, to, km.c(1), init,
                   [&](OpBuilder &nb, Location loc, Value it, ValueRange acc) {
                     ImplicitLocOpBuilder b(loc, nb);
                     IndexMath im{b};
                     Value base = im.add(im.mul(it, perIter), lane);
                     scf::YieldOp::create(
                         b, unrolledStep(b, base, fast, guarded, acc));
                   })
            .getResults();
      };
      ValueRange full = steps(km.c(0), fullIters,
                              SmallVector<Value>(numAcc, zero), false);
      return SmallVector<Value>(steps(fullIters, iters, full, true));
    };
    Value kDense = km.isMultiple(ids.k, vec);
    Value fast = km.both(kDense, km.both(ids.a.fast, ids.b.fast));
    auto both = scf::IfOp::create(b, SmallVector<Type>(numAcc, f32), fast,
                                  /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&both.getThenRegion().front());
      scf::YieldOp::create(b, mainLoop(b, /*fast=*/true));
      b.setInsertionPointToStart(&both.getElseRegion().front());
      scf::YieldOp::create(b, mainLoop(b, /*fast=*/false));
    }
    // Butterfly: every lane ends with the warp's sums.
    SmallVector<Value> sums;
    for (Value v : both.getResults()) {
      for (int64_t offset = 16; offset > 0; offset /= 2) {
        auto shuffle = gpu::ShuffleOp::create(b, v, offset, 32,
                                              gpu::ShuffleMode::XOR);
        v = arith::AddFOp::create(b, v, shuffle.getShuffleResult());
      }
      sums.push_back(v);
    }
    // Lane i < kSkinnyRows * kSkinnyCols stores element (m0 + i / cols,
    // n0 + i % cols): one branch, so that the epilogue's loads (a bias) of
    // all storing lanes are in flight together.
    Value mine = sums[0];
    for (int64_t i = 1; i < numAcc; ++i)
      mine = km.select(km.eq(lane, km.c(i)), sums[i], mine);
    Epilogue epi{stages, ids, batched,
                 cast<MemRefType>(c.getType()).getElementType()};
    ifThen(b, km.lt(lane, km.c(numAcc)), [&](ImplicitLocOpBuilder &b) {
      IndexMath im{b};
      Value row = im.add(ids.m0, im.div(lane, kSkinnyCols));
      Value col = im.add(ids.n0, im.rem(lane, kSkinnyCols));
      SmallVector<Value> pre = epi.preload(b, col);
      storeC(b, epi, row, col, mine, accumulate, pre);
    });
    gpu::TerminatorOp::create(b);
  });
}

bool isHalf(Type t) { return t.isF16() || t.isBF16(); }

/// The kernel configuration for operands of `elem` with `options` applied
/// (0 = default).
Config makeConfig(Type elem, const sessa::GemmOptions &options) {
  Config cfg;
  sessa::GemmTiling t = sessa::getGemmTiling(elem, options);
  cfg.blockM = t.blockM;
  cfg.blockN = t.blockN;
  cfg.blockK = t.blockK;
  cfg.threads = t.threads;
  cfg.stages = t.stages;
  cfg.warpsM = t.blockM / 64;
  cfg.warpsN = t.threads / 32 / cfg.warpsM;
  cfg.mTiles = 4;
  cfg.nTiles = t.blockN / cfg.warpsN / 8;
  // Padding of shared rows (16 bytes) keeps ldmatrix / 16-byte row reads
  // conflict-free; one 16-byte copy moves `vec` elements.
  cfg.vec = 16 / (elem.getIntOrFloatBitWidth() / 8);
  cfg.pad = cfg.vec;
  cfg.tmaPingpong = (options.tmaPingpong || clTmaPingpong) && !clTmaCooperative;
  // tma-cluster: 2 always, 1 never, 0 (auto) only for grouped launches
  // without math epilogues (buildGroupedGemmLaunch).
  cfg.tmaCluster = clTmaCluster == 1 || clTmaCluster == 2
                       ? clTmaCluster
                       : (options.tmaCluster == 2 ? 2 : 1);
  return cfg;
}

/// Whether an epilogue stage evaluates a math-dialect function.
bool hasMathEpilogue(ArrayRef<sessa::GemmEpilogueStage> epilogue) {
  for (const sessa::GemmEpilogueStage &stage : epilogue) {
    WalkResult r = stage.body->walk([](Operation *op) {
      return isa_and_nonnull<math::MathDialect>(op->getDialect())
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (r.wasInterrupted())
      return true;
  }
  return false;
}

} // namespace

Value mlir::sessa::buildWgmmaKMajor(OpBuilder &b, Location loc, Type accType,
                                    Value acc, Value descA, Value descB,
                                    int64_t n, bool bf16, bool zeroAcc) {
  MLIRContext *ctx = b.getContext();
  auto type = bf16 ? NVVM::WGMMATypes::bf16 : NVVM::WGMMATypes::f16;
  return NVVM::WgmmaMmaAsyncOp::create(
      b, loc, accType, acc, descA, descB,
      NVVM::MMAShapeAttr::get(ctx, 64, n, 16),
      NVVM::WGMMATypesAttr::get(ctx, type),
      NVVM::WGMMATypesAttr::get(ctx, type),
      NVVM::WGMMATypesAttr::get(ctx, NVVM::WGMMATypes::f32),
      NVVM::WGMMAScaleOutAttr::get(ctx, zeroAcc ? NVVM::WGMMAScaleOut::zero
                                                : NVVM::WGMMAScaleOut::one),
      NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
      NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
      NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
      NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col),
      NVVM::MMAIntOverflowAttr());
}

/// The tiling for operands of `elemBytes` bytes (2: tensor cores).
static mlir::sessa::GemmTiling
tilingFor(int64_t elemBytes, const mlir::sessa::GemmOptions &options) {
  // Defaults measured on an H100 at M=8192, N=1024/2048, K=1024
  // (bench/gpu/NOTES-gemm.md): f32 32/3 beat 16/2 and 16/4; bf16/f16 see
  // the run-4 section there.
  mlir::sessa::GemmTiling t{128, 128, 32, 256, 3};
  if (elemBytes == 2 && options.wgmma) {
    // wgmma: 128 x (128 or 256) x 64, two warpgroups, 4 stages, 128-byte
    // rows without padding (+1 KiB to align the tiles).
    t = mlir::sessa::GemmTiling{128, options.blockN ? options.blockN : 256,
                                64, 256, options.stages ? options.stages : 4};
    t.smemBytes = t.stages * (t.blockM + t.blockN) * 128 + 1024;
    return t;
  }
  if (elemBytes == 2) {
    t = mlir::sessa::GemmTiling{128, 256, 64, 256, 3};
    t = mlir::sessa::GemmTiling{128, 256, 64, 256, 3};
    if (options.blockM)
      t.blockM = options.blockM;
    if (options.blockN)
      t.blockN = options.blockN;
    if (options.warps)
      t.threads = options.warps * 32;
  }
  if (options.blockK)
    t.blockK = options.blockK;
  if (options.stages)
    t.stages = options.stages;
  t.smemBytes = t.stages * (t.blockM + t.blockN) *
                (t.blockK + 16 / elemBytes) * elemBytes;
  return t;
}

mlir::sessa::GemmTiling
mlir::sessa::getGemmTiling(Type operandElementType,
                           const GemmOptions &options) {
  return tilingFor(operandElementType.getIntOrFloatBitWidth() / 8, options);
}

LogicalResult mlir::sessa::verifyGemmOptions(const GemmOptions &options,
                                             std::string &message) {
  if (options.blockK < 0 || options.blockK % 16 || options.blockK > 128) {
    message = "block-k must be 0 (default) or a multiple of 16 up to 128";
    return failure();
  }
  if (options.stages != 0 && (options.stages < 2 || options.stages > 8)) {
    message = "stages must be 0 (default) or between 2 and 8";
    return failure();
  }
  if (options.tmaBlocks < 1) {
    message = "tma-blocks must be positive";
    return failure();
  }
  if (options.tmaCluster < 0 || options.tmaCluster > 2) {
    message = "tma-cluster must be 0 (auto), 1 or 2";
    return failure();
  }
  if (options.smallM < 0) {
    message = "small-m must be 0 (off) or positive";
    return failure();
  }
  if (options.wgmma) {
    if ((options.blockM && options.blockM != 128) ||
        (options.blockN && options.blockN != 64 && options.blockN != 128 &&
         options.blockN != 256) ||
        (options.blockK && options.blockK != 64) ||
        (options.warps && options.warps != 8)) {
      message = "wgmma tiles are 128 x (64, 128 or 256) x 64 with 8 warps";
      return failure();
    }
    if (tilingFor(2, options).smemBytes > 227 * 1024) {
      message = "tiles need more than 227 KiB of shared memory";
      return failure();
    }
    return success();
  }
  auto tileOK = [](int64_t v) { return v == 0 || v == 64 || v == 128 || v == 256; };
  if (!tileOK(options.blockM) || !tileOK(options.blockN)) {
    message = "block-m and block-n must be 0 (default), 64, 128 or 256";
    return failure();
  }
  if (options.warps != 0 && options.warps != 4 && options.warps != 8) {
    message = "warps must be 0 (default), 4 or 8";
    return failure();
  }
  // Tensor-core warp grid: warp tiles of 64 rows; each warp's columns a
  // multiple of 16 (ldmatrix x4 covers two n tiles of 8), at most 64.
  GemmTiling t = tilingFor(2, options);
  int64_t warps = t.threads / 32, warpsM = t.blockM / 64;
  int64_t warpCols = warpsM && warps % warpsM == 0
                         ? t.blockN / (warps / warpsM) : 0;
  if (!warpsM || warps % warpsM || warpCols % 16 || warpCols == 0 ||
      warpCols > 64) {
    message = "block-m / 64 must divide warps and each warp's block-n "
              "share must be 16, 32, 48 or 64 columns";
    return failure();
  }
  if ((t.blockM * t.blockK / 8) % t.threads ||
      (t.blockN * t.blockK / 8) % t.threads || t.threads % (t.blockK / 8)) {
    message = "block-k does not divide into 16-byte copies per thread";
    return failure();
  }
  if (t.smemBytes > 227 * 1024) {
    message = "tiles need more than 227 KiB of shared memory";
    return failure();
  }
  return success();
}

bool mlir::sessa::isSupportedGemm(Value a, Value b, Value c, bool transposeB) {
  (void)transposeB;
  auto at = dyn_cast<MemRefType>(a.getType());
  auto bt = dyn_cast<MemRefType>(b.getType());
  auto ct = dyn_cast<MemRefType>(c.getType());
  if (!at || !bt || !ct)
    return false;
  int64_t rank = ct.getRank();
  if ((rank != 2 && rank != 3) || at.getRank() != rank ||
      bt.getRank() != rank)
    return false;
  // Host memory spaces only (no workgroup/private operands).
  if (at.getMemorySpace() || bt.getMemorySpace() || ct.getMemorySpace())
    return false;
  Type ae = at.getElementType(), be = bt.getElementType(),
       ce = ct.getElementType();
  if (ae != be || !(ae.isF32() || isHalf(ae)))
    return false;
  return ce.isF32() || isHalf(ce);
}

void mlir::sessa::declareGemmRuntimeFunctions(ModuleOp module) {
  if (module.lookupSymbol<LLVM::LLVMFuncOp>(kTensorMapFn))
    return;
  OpBuilder mb(module.getContext());
  mb.setInsertionPointToStart(module.getBody());
  LLVM::LLVMFuncOp::create(mb, module.getLoc(), kTensorMapFn,
                           tensorMapFnType(module.getContext()));
}

LogicalResult mlir::sessa::buildGemmLaunch(OpBuilder &builder, Location loc,
                                           Value a, Value b, Value c,
                                           bool transposeB, bool accumulate,
                                           const GemmOptions &options,
                                           ArrayRef<GemmEpilogueStage> epilogue,
                                           const GemmExtraBlocks *extra,
                                           const GemmFragmentEpilogue *fragment) {
  std::string message;
  if (!isSupportedGemm(a, b, c, transposeB) ||
      failed(verifyGemmOptions(options, message)))
    return failure();
  Type elemA = cast<MemRefType>(a.getType()).getElementType();
  // Split k and extra blocks: wgmma kernels only (rank-3 operands for the
  // split), never the small-M kernel.
  if ((options.splitK || extra) &&
      (!options.wgmma || elemA.isF32() || options.smallM != 0 ||
       (options.splitK && (cast<MemRefType>(c.getType()).getRank() != 3 ||
                           accumulate))))
    return failure();
  auto cType = cast<MemRefType>(c.getType());
  // Fragment epilogues: the cp.async wgmma kernel (rank 3), nothing else.
  if (fragment && (!options.wgmma || elemA.isF32() || cType.getRank() != 3 ||
                   !fragment->body || accumulate || !epilogue.empty() ||
                   extra))
    return failure();
  if (!epilogue.empty() &&
      (accumulate ||
       failed(verifyGemmEpilogue(epilogue, cType.getRank(), message)) ||
       epilogue.back().body->getTerminator()->getOperand(0).getType() !=
           cType.getElementType()))
    return failure();
  ImplicitLocOpBuilder ib(loc, builder);
  Type elem = cast<MemRefType>(a.getType()).getElementType();
  Config cfg = makeConfig(elem, options);
  // Ping-pong lets one consumer warpgroup's epilogue overlap the other's
  // products. Epilogues evaluating a math function (GELU's erf) used to stay
  // cooperative (run 10: 54 against 43 us); with all values computed before
  // the stores, ping-pong measured on par alone and better in the layer as
  // a whole (bench/gpu/NOTES-gemm.md, stop 12). The hidden option
  // --sessa-gpu-tma-math-cooperative restores the old choice.
  if (cfg.tmaPingpong && !clTmaPingpong && clTmaMathCooperative &&
      hasMathEpilogue(epilogue))
    cfg.tmaPingpong = false;
  // Fragment epilogues see block-n columns a tile: ping-pong (128) only
  // when that is the product's block-n.
  if (fragment && cfg.blockN != 128)
    cfg.tmaPingpong = false;
  auto tiled = [&](ImplicitLocOpBuilder &ib) {
    if (elem.isF32())
      buildF32Gemm(ib, a, b, c, transposeB, accumulate, cfg, epilogue);
    else if (options.wgmma && options.tma && transposeB &&
             cType.getRank() == 2)
      buildWgmmaDispatch(ib, a, {DispatchMember{b, c, epilogue}}, accumulate,
                         cfg, options.tmaBlocks);
    else if (fragment && options.tma && transposeB &&
             tmaFragmentSupported(cfg.blockN, fragment->lowerOnly))
      buildWgmmaFragmentDispatch(ib, a, b, c, cfg, fragment,
                                 options.tmaBlocks);
    else if (options.wgmma)
      buildWgmmaGemm(ib, a, b, c, transposeB, accumulate, cfg, epilogue,
                     options.splitK, extra, fragment);
    else
      buildMmaGemm(ib, a, b, c, transposeB, accumulate, cfg, epilogue);
  };
  auto skinny = [&](ImplicitLocOpBuilder &ib) {
    buildSkinnyGemm(ib, a, b, c, accumulate, cfg.vec, epilogue);
  };
  // Small M (B[n, k] only): the choice is made on the host from C's rows,
  // at compile time when they are static.
  int64_t mDim = cType.getRank() - 2;
  if (!transposeB || options.smallM == 0 ||
      (!cType.isDynamicDim(mDim) && cType.getDimSize(mDim) > options.smallM)) {
    tiled(ib);
  } else if (!cType.isDynamicDim(mDim)) {
    skinny(ib);
  } else {
    IndexMath im{ib};
    Value m = memref::DimOp::create(ib, c, mDim);
    ifThen(ib, im.gt(m, im.c(options.smallM)), tiled, skinny);
  }
  builder.setInsertionPoint(ib.getInsertionBlock(), ib.getInsertionPoint());
  return success();
}

bool mlir::sessa::isGroupableGemm(Value a, ArrayRef<GemmGroupMember> members,
                                  const GemmOptions &options) {
  std::string message;
  if (members.empty() || !options.wgmma || !options.tma || options.splitK ||
      failed(verifyGemmOptions(options, message)))
    return false;
  auto aType = cast<MemRefType>(a.getType());
  if (aType.getRank() != 2 || !isHalf(aType.getElementType()))
    return false;
  auto bType0 = cast<MemRefType>(members.front().b.getType());
  for (const GemmGroupMember &m : members) {
    auto bType = cast<MemRefType>(m.b.getType());
    auto cType = cast<MemRefType>(m.c.getType());
    if (!isSupportedGemm(a, m.b, m.c, /*transposeB=*/true) ||
        cType.getRank() != 2 || !bType.hasStaticShape() ||
        bType.getShape() != bType0.getShape() ||
        (!cType.isDynamicDim(1) && cType.getDimSize(1) != bType.getDimSize(0)))
      return false;
    if (!m.epilogue.empty() &&
        (failed(verifyGemmEpilogue(m.epilogue, 2, message)) ||
         m.epilogue.back().body->getTerminator()->getOperand(0).getType() !=
             cType.getElementType()))
      return false;
  }
  return true;
}

LogicalResult mlir::sessa::buildGroupedGemmLaunch(
    OpBuilder &builder, Location loc, Value a,
    ArrayRef<GemmGroupMember> members, const GemmOptions &options) {
  if (!isGroupableGemm(a, members, options))
    return failure();
  if (members.size() == 1)
    return buildGemmLaunch(builder, loc, a, members[0].b, members[0].c,
                           /*transposeB=*/true, /*accumulate=*/false, options,
                           members[0].epilogue);
  ImplicitLocOpBuilder ib(loc, builder);
  Type elem = cast<MemRefType>(a.getType()).getElementType();
  Config cfg = makeConfig(elem, options);
  bool math = llvm::any_of(members, [](const GemmGroupMember &m) {
    return hasMathEpilogue(m.epilogue);
  });
  if (cfg.tmaPingpong && !clTmaPingpong && clTmaMathCooperative && math)
    cfg.tmaPingpong = false;
  // tma-cluster=0 (auto): 2-CTA clusters with B multicast for groups whose
  // epilogues evaluate no math function. Measured on the H100 (layer,
  // bench/gpu/NOTES-gemm.md, stop 13): the q/k/v group 94-97 -> 91-92 us and
  // the feedback pair 64-66 -> 62-63 us (-4 to -5%), while the GELU pair
  // (+0.5 to +3.7 us) and the single out_proj / W_out launches (+0.4 to
  // +1.4 us each) were slower with clusters.
  if (clTmaCluster == 0 && options.tmaCluster == 0 && !math)
    cfg.tmaCluster = 2;
  auto tiled = [&](ImplicitLocOpBuilder &ib) {
    SmallVector<DispatchMember> dm;
    for (const GemmGroupMember &m : members)
      dm.push_back({m.b, m.c, m.epilogue});
    buildWgmmaDispatch(ib, a, dm, /*accumulate=*/false, cfg,
                       options.tmaBlocks);
  };
  auto skinny = [&](ImplicitLocOpBuilder &ib) {
    for (const GemmGroupMember &m : members)
      buildSkinnyGemm(ib, a, m.b, m.c, /*accumulate=*/false, cfg.vec,
                      m.epilogue);
  };
  auto cType = cast<MemRefType>(members.front().c.getType());
  if (options.smallM == 0 ||
      (!cType.isDynamicDim(0) && cType.getDimSize(0) > options.smallM)) {
    tiled(ib);
  } else if (!cType.isDynamicDim(0)) {
    skinny(ib);
  } else {
    IndexMath im{ib};
    Value m = memref::DimOp::create(ib, members.front().c, 0);
    ifThen(ib, im.gt(m, im.c(options.smallM)), tiled, skinny);
  }
  builder.setInsertionPoint(ib.getInsertionBlock(), ib.getInsertionPoint());
  return success();
}

LogicalResult
mlir::sessa::verifyGemmEpilogue(ArrayRef<GemmEpilogueStage> stages,
                                int64_t rank, std::string &message) {
  Type carried;
  for (const GemmEpilogueStage &st : stages) {
    Block *body = st.body;
    if (!body || st.carriedArg >= body->getNumArguments() ||
        body->getArgument(st.carriedArg).getType() != st.carriedType ||
        (carried && carried != st.carriedType)) {
      message = "epilogue stage without a matching carried argument";
      return failure();
    }
    Operation *term = body->getTerminator();
    if (!term || term->getNumOperands() != 1) {
      message = "epilogue body must yield one value";
      return failure();
    }
    for (Operation &op : body->without_terminator()) {
      StringRef dialect = op.getDialect() ? op.getDialect()->getNamespace()
                                          : StringRef();
      if (op.getNumRegions() || !isPure(&op) ||
          (dialect != "arith" && dialect != "math")) {
        message = "epilogue body may only hold pure arith/math ops";
        return failure();
      }
    }
    for (const GemmEpilogueInput &in : st.inputs) {
      auto type = dyn_cast<MemRefType>(in.memref.getType());
      if (!type || type.getMemorySpace() || in.arg >= body->getNumArguments() ||
          in.arg == st.carriedArg ||
          body->getArgument(in.arg).getType() != type.getElementType() ||
          in.map.getNumDims() != rank || in.map.getNumSymbols() ||
          in.map.getNumResults() != type.getRank()) {
        message = "epilogue input does not match its block argument or map";
        return failure();
      }
      bool usesRow = false;
      for (AffineExpr e : in.map.getResults()) {
        if (auto d = dyn_cast<AffineDimExpr>(e))
          usesRow |= d.getPosition() == rank - 2;
        else if (!isa<AffineConstantExpr>(e)) {
          message = "epilogue input maps may only hold dimensions and "
                    "constants";
          return failure();
        }
      }
      if (usesRow && !in.map.isIdentity()) {
        message = "epilogue inputs must be row broadcasts or full matrices";
        return failure();
      }
    }
    carried = term->getOperand(0).getType();
  }
  return success();
}
