//===- GPULinalgKernels.cpp - linalg ops on memrefs as gpu.launch ---------===//
//
// Three kernel shapes, all 1-D launches of `blockSize` threads:
//  - elementwise: one thread per point of the iteration space (linearized,
//    innermost loop fastest), grid-stride; or, when every operand that the
//    innermost loop indexes is a contiguous identity-layout buffer indexed
//    by it last, one thread per chunk of V consecutive innermost points
//    (V = 16 bytes of the narrowest such element type): each such operand
//    moved by one vector load/store (16 bytes a bf16 chunk), the others
//    loaded once a chunk, the payload applied V times in registers; buffers
//    not 16-byte aligned at run time take the scalar loop;
//  - warp_reduction: one warp per output element for a single innermost
//    reduction loop that is the innermost (contiguous) index of every input
//    reading it, combined with addf / maximumf / maxnumf: lanes reduce a
//    strided part of the row, then a shuffle-xor butterfly;
//  - thread_per_output: one thread per output element (the parallel loops),
//    the reduction loops inside carrying the outputs in registers;
//  - row_copy (buildRowCopy; linalg.copy and copies between strided views):
//    a 2-D launch, rows of contiguous elements on grid y, 16-byte chunks of
//    a row on threads and grid x.
//
//===----------------------------------------------------------------------===//
#include "GPULinalgKernels.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

#include <limits>

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::gpumap;

bool gpumap::isInDeviceCode(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() ||
         op->getParentOfType<gpu::GPUFuncOp>() ||
         op->getParentOfType<gpu::GPUModuleOp>();
}

namespace mlir::sessa::gpumap {

Value cIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value product(OpBuilder &b, Location loc, ArrayRef<Value> sizes) {
  if (sizes.empty())
    return cIndex(b, loc, 1);
  Value p = sizes.front();
  for (Value s : sizes.drop_front())
    p = arith::MulIOp::create(b, loc, p, s);
  return p;
}

/// Row-major delinearization of `linear` over `sizes` (last fastest).
SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                               ArrayRef<Value> sizes) {
  SmallVector<Value> ivs(sizes.size());
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i > 0; --i) {
    ivs[i] = arith::RemUIOp::create(b, loc, linear, sizes[i]);
    linear = arith::DivUIOp::create(b, loc, linear, sizes[i]);
  }
  if (!sizes.empty())
    ivs[0] = linear;
  return ivs;
}

SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ValueRange ivs) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults())
    indices.push_back(affine::expandAffineExpr(b, loc, e, ivs, {}));
  return indices;
}

void emitPayload(OpBuilder &b, Location loc, linalg::LinalgOp op,
                 ValueRange ivs, ArrayRef<Value> outValues, IRMapping &map,
                 Operation *skip, ArrayRef<Value> inValues) {
  for (auto [i, in] : llvm::enumerate(op.getDpsInputOperands())) {
    BlockArgument arg = op.getMatchingBlockArgument(in);
    if (arg.use_empty())
      continue;
    if (i < inValues.size() && inValues[i]) {
      map.map(arg, inValues[i]);
      continue;
    }
    if (op.isScalar(in)) {
      map.map(arg, in->get());
      continue;
    }
    map.map(arg, memref::LoadOp::create(
                     b, loc, in->get(),
                     applyMap(b, loc, op.getMatchingIndexingMap(in), ivs)));
  }
  for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable()))
    if (outValues[i])
      map.map(op.getMatchingBlockArgument(&init), outValues[i]);
  for (Operation &inner : op.getBlock()->without_terminator()) {
    if (&inner == skip)
      continue;
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      map.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(inner, map);
  }
}

SmallVector<Value> yielded(linalg::LinalgOp op, IRMapping &map) {
  SmallVector<Value> values;
  for (Value v : op.getBlock()->getTerminator()->getOperands())
    values.push_back(map.lookupOrDefault(v));
  return values;
}

/// A 1-D launch of `blocks` x `blockSize`, marked with the kernel kind.
gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, Value blocks,
                           int64_t blockSize, StringRef kind) {
  Value one = cIndex(b, loc, 1);
  auto launch = gpu::LaunchOp::create(b, loc, blocks, one, one,
                                      cIndex(b, loc, blockSize), one, one);
  launch->setAttr(kKernelAttrName, b.getStringAttr(kind));
  Block &body = launch.getBody().front();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&body);
  gpu::TerminatorOp::create(b, loc);
  return launch;
}

/// Inside a 1-D launch: this thread's global index and the number of
/// threads of the grid (the start and step of a grid-stride loop).
std::pair<Value, Value> globalThread(OpBuilder &b, Location loc,
                                     gpu::LaunchOp launch) {
  Value global = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                            launch.getBlockSize().x),
      launch.getThreadIds().x);
  Value threads = arith::MulIOp::create(b, loc, launch.getGridSize().x,
                                        launch.getBlockSize().x);
  return {global, threads};
}

/// min(max(ceil(work / perBlock), 1), maxBlocks).
Value gridSize(OpBuilder &b, Location loc, Value work, int64_t perBlock,
               int64_t maxBlocks) {
  Value blocks =
      arith::CeilDivUIOp::create(b, loc, work, cIndex(b, loc, perBlock));
  blocks = arith::MaxUIOp::create(b, loc, blocks, cIndex(b, loc, 1));
  return arith::MinUIOp::create(b, loc, blocks, cIndex(b, loc, maxBlocks));
}

std::optional<WarpReduction> matchWarpReduction(linalg::LinalgOp op) {
  unsigned n = op.getNumLoops();
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 1 ||
      op.getIteratorTypesArray()[n - 1] != utils::IteratorType::reduction)
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  auto type = cast<MemRefType>(init->get().getType());
  if (!type.getElementType().isF32() ||
      op.getMatchingIndexingMap(init).isFunctionOfDim(n - 1))
    return std::nullopt;
  // The reduction index is the contiguous (innermost) one of every input.
  AffineExpr r = getAffineDimExpr(n - 1, op.getContext());
  for (OpOperand *in : op.getDpsInputOperands()) {
    if (op.isScalar(in))
      continue;
    AffineMap map = op.getMatchingIndexingMap(in);
    if (map.isFunctionOfDim(n - 1) &&
        (map.getNumResults() == 0 || map.getResults().back() != r))
      return std::nullopt;
  }
  BlockArgument outArg = op.getMatchingBlockArgument(init);
  if (!outArg.hasOneUse())
    return std::nullopt;
  Value result = op.getBlock()->getTerminator()->getOperand(0);
  Operation *comb = result.getDefiningOp();
  if (!comb || comb->getBlock() != op.getBlock() || !result.hasOneUse() ||
      comb->getNumOperands() != 2)
    return std::nullopt;
  WarpReduction red;
  red.combinerOp = comb;
  if (isa<arith::AddFOp>(comb))
    red.combiner = Combiner::Add;
  else if (isa<arith::MaximumFOp>(comb))
    red.combiner = Combiner::Maximum;
  else if (isa<arith::MaxNumFOp>(comb))
    red.combiner = Combiner::MaxNum;
  else
    return std::nullopt;
  if (comb->getOperand(0) == outArg)
    red.other = comb->getOperand(1);
  else if (comb->getOperand(1) == outArg)
    red.other = comb->getOperand(0);
  else
    return std::nullopt;
  return red;
}

Value combine(OpBuilder &b, Location loc, Combiner c, Value x, Value y) {
  switch (c) {
  case Combiner::Add:
    return arith::AddFOp::create(b, loc, x, y);
  case Combiner::Maximum:
    return arith::MaximumFOp::create(b, loc, x, y);
  case Combiner::MaxNum:
    return arith::MaxNumFOp::create(b, loc, x, y);
  }
  llvm_unreachable("unknown combiner");
}

Value identity(OpBuilder &b, Location loc, Combiner c) {
  double v = c == Combiner::Add ? 0.0 : -std::numeric_limits<double>::infinity();
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

} // namespace mlir::sessa::gpumap

namespace {

/// One warp per output element (see matchWarpReduction).
gpu::LaunchOp buildWarpReduction(OpBuilder &b, Location loc,
                                 linalg::LinalgOp op, ArrayRef<Value> sizes,
                                 const WarpReduction &red,
                                 const KernelOptions &options,
                                 Value initValue) {
  ArrayRef<Value> rowSizes = sizes.drop_back();
  Value width = sizes.back();
  Value rows = product(b, loc, rowSizes);
  Value blocks = gridSize(b, loc, rows, options.blockSize / kWarpSize,
                          options.maxBlocks);
  gpu::LaunchOp launch =
      createLaunch(b, loc, blocks, options.blockSize, "warp_reduction");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value warpSize = cIndex(b, loc, kWarpSize);
  Value thread = launch.getThreadIds().x;
  auto [global, threads] = globalThread(b, loc, launch);
  Value warp = arith::DivUIOp::create(b, loc, global, warpSize);
  Value lane = arith::RemUIOp::create(b, loc, thread, warpSize);
  Value numWarps = arith::DivUIOp::create(b, loc, threads, warpSize);
  OpOperand *init = op.getDpsInitOperand(0);
  scf::ForOp::create(
      b, loc, warp, rows, numWarps, ValueRange{},
      [&](OpBuilder &rb, Location rl, Value row, ValueRange) {
        SmallVector<Value> ivs = delinearize(rb, rl, row, rowSizes);
        ivs.push_back(Value());
        auto partial = scf::ForOp::create(
            rb, rl, lane, width, warpSize,
            ValueRange{identity(rb, rl, red.combiner)},
            [&](OpBuilder &kb, Location kl, Value k, ValueRange acc) {
              SmallVector<Value> kIvs = ivs;
              kIvs.back() = k;
              IRMapping map;
              emitPayload(kb, kl, op, kIvs, {Value()}, map, red.combinerOp);
              Value v = map.lookupOrDefault(red.other);
              scf::YieldOp::create(
                  kb, kl, combine(kb, kl, red.combiner, acc[0], v));
            });
        Value total = partial.getResult(0);
        for (int64_t offset = kWarpSize / 2; offset > 0; offset /= 2) {
          auto shuffle = gpu::ShuffleOp::create(rb, rl, total, offset,
                                                kWarpSize,
                                                gpu::ShuffleMode::XOR);
          total = combine(rb, rl, red.combiner, total,
                          shuffle.getShuffleResult());
        }
        Value first = arith::CmpIOp::create(rb, rl, arith::CmpIPredicate::eq,
                                            lane, cIndex(rb, rl, 0));
        scf::IfOp::create(rb, rl, first, [&](OpBuilder &ib, Location il) {
          SmallVector<Value> outIvs = ivs;
          outIvs.back() = cIndex(ib, il, 0);
          SmallVector<Value> at =
              applyMap(ib, il, op.getMatchingIndexingMap(init), outIvs);
          Value old =
              initValue ? initValue
                        : memref::LoadOp::create(ib, il, init->get(), at)
                              .getResult();
          memref::StoreOp::create(ib, il,
                                  combine(ib, il, red.combiner, old, total),
                                  init->get(), at);
          scf::YieldOp::create(ib, il);
        });
        scf::YieldOp::create(rb, rl);
      });
  return launch;
}

/// One thread per point of the parallel loops, reductions inside.
gpu::LaunchOp buildThreadPerOutput(OpBuilder &b, Location loc,
                                   linalg::LinalgOp op, ArrayRef<Value> sizes,
                                   const KernelOptions &options,
                                   ArrayRef<Value> initValues) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> parallel, reduction;
  for (auto [i, it] : llvm::enumerate(iterators))
    ((it == utils::IteratorType::parallel) ? parallel : reduction).push_back(i);
  SmallVector<Value> parallelSizes;
  for (unsigned d : parallel)
    parallelSizes.push_back(sizes[d]);
  Value work = product(b, loc, parallelSizes);
  Value blocks =
      gridSize(b, loc, work, options.blockSize, options.maxBlocks);
  gpu::LaunchOp launch =
      createLaunch(b, loc, blocks, options.blockSize,
                   reduction.empty() ? "elementwise" : "thread_per_output");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  auto [start, stride] = globalThread(b, loc, launch);
  scf::ForOp::create(
      b, loc, start, work, stride, ValueRange{},
      [&](OpBuilder &pb, Location pl, Value linear, ValueRange) {
        SmallVector<Value> ivs(sizes.size());
        for (auto [d, iv] :
             llvm::zip(parallel, delinearize(pb, pl, linear, parallelSizes)))
          ivs[d] = iv;
        // Output maps only read parallel loops (checked by the caller).
        Value zero = cIndex(pb, pl, 0);
        SmallVector<Value> outIvs = ivs;
        for (unsigned d : reduction)
          outIvs[d] = zero;
        SmallVector<SmallVector<Value>> outAt;
        SmallVector<Value> outValues;
        for (OpOperand &init : op.getDpsInitsMutable()) {
          outAt.push_back(
              applyMap(pb, pl, op.getMatchingIndexingMap(&init), outIvs));
          bool needed =
              !reduction.empty() || op.payloadUsesValueFromOperand(&init);
          unsigned i = outValues.size();
          Value known = i < initValues.size() ? initValues[i] : Value();
          outValues.push_back(
              !needed ? Value()
              : known ? known
                      : memref::LoadOp::create(pb, pl, init.get(),
                                               outAt.back())
                            .getResult());
        }
        // Nested reduction loops carrying the outputs.
        std::function<SmallVector<Value>(OpBuilder &, Location, unsigned,
                                         ArrayRef<Value>)>
            nest = [&](OpBuilder &nb, Location nl, unsigned depth,
                       ArrayRef<Value> carried) -> SmallVector<Value> {
          if (depth == reduction.size()) {
            IRMapping map;
            emitPayload(nb, nl, op, ivs, carried, map);
            return yielded(op, map);
          }
          auto loop = scf::ForOp::create(
              nb, nl, cIndex(nb, nl, 0), sizes[reduction[depth]],
              cIndex(nb, nl, 1), carried,
              [&](OpBuilder &lb, Location ll, Value iv, ValueRange args) {
                ivs[reduction[depth]] = iv;
                SmallVector<Value> next = nest(
                    lb, ll, depth + 1, SmallVector<Value>(args.begin(),
                                                          args.end()));
                scf::YieldOp::create(lb, ll, next);
              });
          return SmallVector<Value>(loop.getResults().begin(),
                                    loop.getResults().end());
        };
        SmallVector<Value> results = nest(pb, pl, 0, outValues);
        for (auto [init, value, at] :
             llvm::zip(op.getDpsInitsMutable(), results, outAt))
          memref::StoreOp::create(pb, pl, value, init.get(), at);
        scf::YieldOp::create(pb, pl);
      });
  return launch;
}

/// Chunks of consecutive innermost points for an elementwise op: the
/// number of points a thread handles (V) and, per operand (inputs then
/// outputs), whether the innermost loop indexes it (its last index, a
/// vector access) or not (one scalar access a chunk). V == 0 when the op
/// does not qualify.
struct ElementwiseChunks {
  int64_t vec = 0;
  SmallVector<bool> vectorOperand;
};

ElementwiseChunks elementwiseChunks(linalg::LinalgOp op,
                                    ArrayRef<Value> sizes) {
  ElementwiseChunks none, c;
  unsigned n = op.getNumLoops();
  if (!isa<linalg::GenericOp>(*op) || n == 0 || op.getNumReductionLoops() != 0)
    return none;
  std::optional<int64_t> inner = getConstantIntValue(sizes.back());
  if (!inner || *inner <= 0)
    return none;
  AffineExpr last = getAffineDimExpr(n - 1, op.getContext());
  int64_t minBytes = 16;
  for (OpOperand &operand : op->getOpOperands()) {
    bool isVec = false;
    if (!op.isScalar(&operand)) {
      auto type = dyn_cast<MemRefType>(operand.get().getType());
      AffineMap map = op.getMatchingIndexingMap(&operand);
      if (!type || type.getMemorySpace())
        return none;
      if (map.isFunctionOfDim(n - 1)) {
        // Indexed by the innermost loop: only as its last index, alone.
        if (map.getNumResults() == 0 || map.getResults().back() != last ||
            !type.getLayout().isIdentity())
          return none;
        for (AffineExpr e : map.getResults().drop_back())
          if (e.isFunctionOfDim(n - 1))
            return none;
        Type elem = type.getElementType();
        if (!elem.isIntOrFloat() || elem.getIntOrFloatBitWidth() % 8 != 0)
          return none;
        int64_t bytes = elem.getIntOrFloatBitWidth() / 8;
        if (bytes > 16 || 16 % bytes != 0)
          return none;
        minBytes = std::min(minBytes, bytes);
        isVec = true;
      } else if (op.isDpsInit(&operand)) {
        return none; // an output must be written at every point
      }
    }
    c.vectorOperand.push_back(isVec);
  }
  if (!llvm::is_contained(c.vectorOperand, true))
    return none;
  c.vec = 16 / minBytes;
  while (c.vec > 1 && *inner % c.vec != 0)
    c.vec /= 2;
  if (c.vec < 2)
    return none;
  return c;
}

/// Whether `mem`'s first element is `bytes`-aligned (aligned pointer plus
/// offset), inside a kernel.
Value isAlignedTo(OpBuilder &b, Location loc, Value mem, int64_t bytes) {
  auto type = cast<MemRefType>(mem.getType());
  int64_t elemBytes = type.getElementTypeBitWidth() / 8;
  Value ptr = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, mem);
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, mem);
  Value at = arith::AddIOp::create(
      b, loc, ptr,
      arith::MulIOp::create(b, loc, meta.getOffset(),
                            cIndex(b, loc, elemBytes)));
  return arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq,
      arith::RemUIOp::create(b, loc, at, cIndex(b, loc, bytes)),
      cIndex(b, loc, 0));
}

/// The vectorized elementwise kernel (see the file comment), or null when
/// `op` does not qualify.
gpu::LaunchOp buildVectorizedElementwise(OpBuilder &b, Location loc,
                                         linalg::LinalgOp op,
                                         ArrayRef<Value> sizes,
                                         const KernelOptions &options) {
  ElementwiseChunks chunks = elementwiseChunks(op, sizes);
  if (chunks.vec == 0)
    return nullptr;
  int64_t vec = chunks.vec;
  Value work = product(b, loc, sizes);
  Value numChunks =
      arith::DivUIOp::create(b, loc, work, cIndex(b, loc, vec));
  Value blocks =
      gridSize(b, loc, numChunks, options.blockSize, options.maxBlocks);
  gpu::LaunchOp launch =
      createLaunch(b, loc, blocks, options.blockSize, "elementwise_vector");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  std::pair<Value, Value> thread = globalThread(b, loc, launch);
  Value start = thread.first, stride = thread.second;
  unsigned numInputs = op.getNumDpsInputs();
  SmallVector<OpOperand *> operands;
  for (OpOperand &operand : op->getOpOperands())
    operands.push_back(&operand);
  // 16-byte accesses (or the whole chunk, when smaller) need every vector
  // operand aligned to them.
  Value aligned;
  for (auto [operand, isVec] : llvm::zip(operands, chunks.vectorOperand)) {
    if (!isVec)
      continue;
    auto type = cast<MemRefType>(operand->get().getType());
    int64_t bytes =
        std::min<int64_t>(16, vec * type.getElementTypeBitWidth() / 8);
    Value a = isAlignedTo(b, loc, operand->get(), bytes);
    aligned = aligned ? arith::AndIOp::create(b, loc, aligned, a).getResult()
                      : a;
  }
  auto chunkLoop = [&](OpBuilder &lb, Location ll, bool vectorized) {
    Value loopStart = start, loopStep = stride, loopEnd = numChunks;
    if (!vectorized) {
      loopEnd = work; // one point a thread, as the scalar kernel
    }
    scf::ForOp::create(
        lb, ll, loopStart, loopEnd, loopStep, ValueRange{},
        [&](OpBuilder &pb, Location pl, Value q, ValueRange) {
          if (!vectorized) {
            SmallVector<Value> ivs = delinearize(pb, pl, q, sizes);
            SmallVector<Value> outValues;
            for (OpOperand &init : op.getDpsInitsMutable())
              outValues.push_back(
                  op.payloadUsesValueFromOperand(&init)
                      ? memref::LoadOp::create(
                            pb, pl, init.get(),
                            applyMap(pb, pl, op.getMatchingIndexingMap(&init),
                                     ivs))
                            .getResult()
                      : Value());
            IRMapping map;
            emitPayload(pb, pl, op, ivs, outValues, map);
            for (auto [init, v] :
                 llvm::zip(op.getDpsInitsMutable(), yielded(op, map)))
              memref::StoreOp::create(
                  pb, pl, v, init.get(),
                  applyMap(pb, pl, op.getMatchingIndexingMap(&init), ivs));
            scf::YieldOp::create(pb, pl);
            return;
          }
          Value first =
              arith::MulIOp::create(pb, pl, q, cIndex(pb, pl, vec));
          SmallVector<Value> ivs = delinearize(pb, pl, first, sizes);
          // Every operand read once a chunk: vectors (unpacked) or scalars.
          SmallVector<SmallVector<Value>> values(operands.size());
          for (auto [i, operand] : llvm::enumerate(operands)) {
            bool needed =
                op.isDpsInput(operand)
                    ? !op.getMatchingBlockArgument(operand).use_empty()
                    : op.payloadUsesValueFromOperand(operand);
            if (!needed || op.isScalar(operand))
              continue;
            SmallVector<Value> at = applyMap(
                pb, pl, op.getMatchingIndexingMap(operand), ivs);
            if (!chunks.vectorOperand[i]) {
              values[i].assign(
                  vec, memref::LoadOp::create(pb, pl, operand->get(), at));
              continue;
            }
            auto type = cast<MemRefType>(operand->get().getType());
            auto vecType = VectorType::get({vec}, type.getElementType());
            int64_t bytes =
                std::min<int64_t>(16, vec * type.getElementTypeBitWidth() / 8);
            Value v = vector::LoadOp::create(pb, pl, vecType, operand->get(),
                                             at, /*nontemporal=*/false,
                                             llvm::MaybeAlign(bytes));
            for (int64_t k = 0; k < vec; ++k)
              values[i].push_back(vector::ExtractOp::create(pb, pl, v, k));
          }
          // The payload at each of the V points.
          SmallVector<SmallVector<Value>> results(op.getNumDpsInits());
          for (int64_t k = 0; k < vec; ++k) {
            SmallVector<Value> kIvs = ivs;
            kIvs.back() = k ? arith::AddIOp::create(pb, pl, ivs.back(),
                                                    cIndex(pb, pl, k))
                                  .getResult()
                            : ivs.back();
            SmallVector<Value> inValues, outValues;
            for (unsigned i = 0; i < operands.size(); ++i) {
              Value v = values[i].empty() ? Value() : values[i][k];
              (i < numInputs ? inValues : outValues).push_back(v);
            }
            IRMapping map;
            emitPayload(pb, pl, op, kIvs, outValues, map, nullptr, inValues);
            for (auto [j, v] : llvm::enumerate(yielded(op, map)))
              results[j].push_back(v);
          }
          for (auto [j, init] : llvm::enumerate(op.getDpsInitsMutable())) {
            auto type = cast<MemRefType>(init.get().getType());
            auto vecType = VectorType::get({vec}, type.getElementType());
            int64_t bytes =
                std::min<int64_t>(16, vec * type.getElementTypeBitWidth() / 8);
            Value v = vector::FromElementsOp::create(pb, pl, vecType,
                                                     results[j]);
            vector::StoreOp::create(
                pb, pl, v, init.get(),
                applyMap(pb, pl, op.getMatchingIndexingMap(&init), ivs),
                /*nontemporal=*/false, llvm::MaybeAlign(bytes));
          }
          scf::YieldOp::create(pb, pl);
        });
  };
  scf::IfOp::create(
      b, loc, aligned,
      [&](OpBuilder &tb, Location tl) {
        chunkLoop(tb, tl, /*vectorized=*/true);
        scf::YieldOp::create(tb, tl);
      },
      [&](OpBuilder &eb, Location el) {
        chunkLoop(eb, el, /*vectorized=*/false);
        scf::YieldOp::create(eb, el);
      });
  return launch;
}

/// How many innermost dimensions of `type` are provably contiguous (each
/// one's stride the product of the sizes inside it, the innermost stride 1).
int64_t contiguousInnerDims(MemRefType type) {
  int64_t rank = type.getRank();
  if (type.getLayout().isIdentity())
    return rank;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return 0;
  int64_t expected = 1, count = 0;
  for (int64_t i = rank - 1; i >= 0; --i) {
    if (expected == ShapedType::kDynamic || strides[i] != expected)
      break;
    ++count;
    expected = type.isDynamicDim(i) ? ShapedType::kDynamic
                                    : expected * type.getDimSize(i);
  }
  return count;
}

/// A memref as seen from inside a kernel: a flat view of its buffer, its
/// offset, sizes and strides, and its aligned pointer as an index.
struct FlatView {
  Value flat, offset, ptr;
  SmallVector<Value> sizes, strides;
};

FlatView makeFlatView(OpBuilder &b, Location loc, Value mem) {
  auto type = cast<MemRefType>(mem.getType());
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, mem);
  FlatView v;
  v.offset = meta.getOffset();
  v.sizes.assign(meta.getSizes().begin(), meta.getSizes().end());
  v.strides.assign(meta.getStrides().begin(), meta.getStrides().end());
  // Extent of the buffer the view touches: offset + 1 + sum (size-1)*stride.
  Value one = cIndex(b, loc, 1), zero = cIndex(b, loc, 0);
  Value extent = arith::AddIOp::create(b, loc, v.offset, one);
  for (auto [size, stride] : llvm::zip(v.sizes, v.strides)) {
    Value last = arith::MaxSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, size, one), zero);
    extent = arith::AddIOp::create(
        b, loc, extent, arith::MulIOp::create(b, loc, last, stride));
  }
  auto flatType =
      MemRefType::get({ShapedType::kDynamic}, type.getElementType());
  v.flat = memref::ReinterpretCastOp::create(
      b, loc, flatType, meta.getBaseBuffer(), OpFoldResult(b.getIndexAttr(0)),
      ArrayRef<OpFoldResult>{extent},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  v.ptr = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, mem);
  return v;
}

Value isMultipleOf(OpBuilder &b, Location loc, Value x, int64_t m) {
  return arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq,
      arith::RemUIOp::create(b, loc, x, cIndex(b, loc, m)), cIndex(b, loc, 0));
}

} // namespace

FailureOr<gpu::LaunchOp> gpumap::buildRowCopy(OpBuilder &b, Location loc,
                                              Value src, Value dst,
                                              const KernelOptions &options) {
  auto srcType = dyn_cast<MemRefType>(src.getType());
  auto dstType = dyn_cast<MemRefType>(dst.getType());
  if (!srcType || !dstType || srcType.getRank() != dstType.getRank() ||
      srcType.getElementType() != dstType.getElementType() ||
      srcType.getRank() == 0 || srcType.getMemorySpace() ||
      dstType.getMemorySpace())
    return failure();
  Type elem = srcType.getElementType();
  if (!elem.isIntOrFloat())
    return failure();
  unsigned bits = elem.getIntOrFloatBitWidth();
  if (bits % 8 || 16 % (bits / 8))
    return failure();
  int64_t elemBytes = bits / 8, vec = 16 / elemBytes;
  int64_t rank = srcType.getRank();
  int64_t inner =
      std::min(contiguousInnerDims(srcType), contiguousInnerDims(dstType));
  if (inner == 0)
    return failure();
  int64_t outer = rank - inner;

  // Host: rows on grid y (at most 65535, grid-stride), the 16-byte chunks of
  // a row on threads and grid x.
  SmallVector<Value> hostSizes;
  for (int64_t i = 0; i < rank; ++i)
    hostSizes.push_back(
        srcType.isDynamicDim(i)
            ? memref::DimOp::create(b, loc, src, i).getResult()
            : cIndex(b, loc, srcType.getDimSize(i)));
  Value hostRows = product(b, loc, ArrayRef<Value>(hostSizes).take_front(outer));
  Value hostRowLen =
      product(b, loc, ArrayRef<Value>(hostSizes).drop_front(outer));
  Value chunks =
      arith::CeilDivUIOp::create(b, loc, hostRowLen, cIndex(b, loc, vec));
  Value gridX = gridSize(b, loc, chunks, options.blockSize, options.maxBlocks);
  Value gridY = gridSize(b, loc, hostRows, 1, 65535);
  Value one = cIndex(b, loc, 1);
  auto launch = gpu::LaunchOp::create(b, loc, gridX, gridY, one,
                                      cIndex(b, loc, options.blockSize), one,
                                      one);
  launch->setAttr(kKernelAttrName, b.getStringAttr("row_copy"));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  FlatView s = makeFlatView(b, loc, src), d = makeFlatView(b, loc, dst);
  ArrayRef<Value> outerSizes = ArrayRef<Value>(s.sizes).take_front(outer);
  Value rows = product(b, loc, outerSizes);
  Value rowLen = product(b, loc, ArrayRef<Value>(s.sizes).drop_front(outer));
  Value numChunks =
      arith::CeilDivUIOp::create(b, loc, rowLen, cIndex(b, loc, vec));
  // 16-byte moves: every chunk start aligned in both buffers.
  Value fast = arith::AndIOp::create(
      b, loc, isMultipleOf(b, loc, rowLen, vec),
      arith::AndIOp::create(b, loc, isMultipleOf(b, loc, s.ptr, 16),
                            isMultipleOf(b, loc, d.ptr, 16)));
  fast = arith::AndIOp::create(
      b, loc, fast,
      arith::AndIOp::create(b, loc, isMultipleOf(b, loc, s.offset, vec),
                            isMultipleOf(b, loc, d.offset, vec)));
  for (int64_t i = 0; i < outer; ++i)
    fast = arith::AndIOp::create(
        b, loc, fast,
        arith::AndIOp::create(b, loc, isMultipleOf(b, loc, s.strides[i], vec),
                              isMultipleOf(b, loc, d.strides[i], vec)));
  auto [first, step] = globalThread(b, loc, launch);
  Value vecLen = cIndex(b, loc, vec);
  auto copyRows = [&](OpBuilder &b, Location loc, bool vectorized) {
    scf::ForOp::create(
        b, loc, launch.getBlockIds().y, rows, launch.getGridSize().y,
        ValueRange{},
        [&](OpBuilder &rb, Location rl, Value row, ValueRange) {
          SmallVector<Value> ivs = delinearize(rb, rl, row, outerSizes);
          Value sBase = s.offset, dBase = d.offset;
          for (int64_t i = 0; i < outer; ++i) {
            sBase = arith::AddIOp::create(
                rb, rl, sBase,
                arith::MulIOp::create(rb, rl, ivs[i], s.strides[i]));
            dBase = arith::AddIOp::create(
                rb, rl, dBase,
                arith::MulIOp::create(rb, rl, ivs[i], d.strides[i]));
          }
          scf::ForOp::create(
              rb, rl, first, numChunks, step, ValueRange{},
              [&](OpBuilder &cb, Location cl, Value chunk, ValueRange) {
                Value e = arith::MulIOp::create(cb, cl, chunk, vecLen);
                if (vectorized) {
                  auto type = VectorType::get({vec}, elem);
                  Value from = arith::AddIOp::create(cb, cl, sBase, e);
                  Value to = arith::AddIOp::create(cb, cl, dBase, e);
                  Value v = vector::LoadOp::create(
                      cb, cl, type, s.flat, ValueRange{from},
                      /*nontemporal=*/false, llvm::MaybeAlign(16));
                  vector::StoreOp::create(cb, cl, v, d.flat, ValueRange{to},
                                          /*nontemporal=*/false,
                                          llvm::MaybeAlign(16));
                } else {
                  for (int64_t j = 0; j < vec; ++j) {
                    Value k = arith::AddIOp::create(cb, cl, e,
                                                    cIndex(cb, cl, j));
                    Value inside = arith::CmpIOp::create(
                        cb, cl, arith::CmpIPredicate::ult, k, rowLen);
                    scf::IfOp::create(
                        cb, cl, inside, [&](OpBuilder &ib, Location il) {
                          Value from = arith::AddIOp::create(ib, il, sBase, k);
                          Value to = arith::AddIOp::create(ib, il, dBase, k);
                          Value x = memref::LoadOp::create(ib, il, s.flat,
                                                           ValueRange{from});
                          memref::StoreOp::create(ib, il, x, d.flat,
                                                  ValueRange{to});
                          scf::YieldOp::create(ib, il);
                        });
                  }
                }
                scf::YieldOp::create(cb, cl);
              });
          scf::YieldOp::create(rb, rl);
        });
  };
  scf::IfOp::create(
      b, loc, fast,
      [&](OpBuilder &tb, Location tl) {
        copyRows(tb, tl, /*vectorized=*/true);
        scf::YieldOp::create(tb, tl);
      },
      [&](OpBuilder &eb, Location el) {
        copyRows(eb, el, /*vectorized=*/false);
        scf::YieldOp::create(eb, el);
      });
  gpu::TerminatorOp::create(b, loc);
  return launch;
}

linalg::FillOp gpumap::fillOverwrittenBy(linalg::LinalgOp op) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
  if (!fill || !fill.hasPureBufferSemantics() || isa<linalg::FillOp>(*op))
    return nullptr;
  Value filled = fill.getDpsInits()[0];
  for (OpOperand &init : op.getDpsInitsMutable()) {
    auto type = dyn_cast<MemRefType>(init.get().getType());
    AffineMap map = op.getMatchingIndexingMap(&init);
    if (init.get() == filled && type && map.isProjectedPermutation() &&
        map.getNumResults() == type.getRank())
      return fill;
  }
  return nullptr;
}

FailureOr<gpu::LaunchOp>
gpumap::buildLinalgKernel(RewriterBase &rewriter, linalg::LinalgOp op,
                          const KernelOptions &options,
                          ArrayRef<Value> initValues) {
  if (!op.hasPureBufferSemantics())
    return op->emitOpError()
           << "has tensor operands; a GPU kernel needs buffers (bufferize "
              "first)";
  for (OpOperand &init : op.getDpsInitsMutable()) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray()))
      if (!(it == utils::IteratorType::parallel) && map.isFunctionOfDim(d))
        return op->emitOpError()
               << "writes its output #" << init.getOperandNumber() -
                                               op.getNumDpsInputs()
               << " through reduction loop d" << d
               << "; no GPU kernel for that";
  }
  if (op.getBlock()->getNumArguments() != op->getNumOperands())
    return op->emitOpError() << "has a payload whose arguments do not "
                                "match its operands; no GPU kernel for that";

  Location loc = op.getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  // Copies: rows of contiguous elements, 16 bytes a thread.
  if (linalg::isaCopyOpInterface(op)) {
    FailureOr<gpu::LaunchOp> copy =
        buildRowCopy(rewriter, loc, op.getDpsInputs()[0],
                     op.getDpsInits()[0], options);
    if (succeeded(copy)) {
      rewriter.eraseOp(op);
      return *copy;
    }
  }
  SmallVector<Value> sizes;
  for (Range range : op.createLoopRanges(rewriter, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, range.size));

  gpu::LaunchOp launch;
  if (std::optional<WarpReduction> red = matchWarpReduction(op))
    launch = buildWarpReduction(rewriter, loc, op, sizes, *red, options,
                                initValues.empty() ? Value() : initValues[0]);
  else if (!initValues.empty() ||
           !(launch = buildVectorizedElementwise(rewriter, loc, op, sizes,
                                                 options)))
    launch = buildThreadPerOutput(rewriter, loc, op, sizes, options,
                                  initValues);
  rewriter.eraseOp(op);
  return launch;
}
