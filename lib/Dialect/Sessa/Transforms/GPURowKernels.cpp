//===- GPURowKernels.cpp - Chains of row ops as one kernel a row ----------===//
//
// A LayerNorm or a gate, decomposed into linalg on [M, W] rows, is a chain
// of small generics: row reductions over the innermost dimension (sums,
// sums of squares, dot products with a vector), elementwise ops on the
// per-row results (mean = sum / W, tanh), elementwise ops on the rows that
// read those per-row values and per-column vectors (normalize, scale,
// shift, cast), and conversions of the per-column vectors. Launched one
// kernel each, they cost several launches of 1-3 us for a decode step and
// pass every intermediate [M, W] buffer through memory. fuseRowChains turns
// such a chain into one kernel: one block a row (grid-stride), the W
// columns spread over the threads (T threads, E = W / T columns each,
// column c = tid + k*T: coalesced), every intermediate value held in
// registers, each reduction a warp butterfly plus one shared-memory step
// across the warps. When W is a multiple of 32 V, V = 16 bytes of the
// widest element type the chain moves through memory by columns, a thread
// holds runs of V consecutive columns (run j at column (tid + j*T) * V) and
// moves each run with one 16-byte vector load or store when every such
// buffer is aligned at run time (the same kernel with scalar accesses
// otherwise); T = 32 (one warp a row: no shared memory, no barrier, E / V
// loads in flight a lane) when E = W / 32 fits in registers. An operand
// that several chain members read is loaded once a row.
//
// What a chain is. Consecutive generics in a block of host code (only
// allocations and ops without memory effects between them, and linalg.fill
// ops that fold into the next reduction as its starting value), each of one
// of these kinds, for the chain's width W (a static multiple of 32, the
// innermost size of its first reduction):
//   - Full:   all loops parallel, the innermost of static size W and the
//             outer ones not all of static size 1: the element (r, c) of
//             the [M, W] rows, r the linearized outer loops;
//   - Reduce: the outer loops parallel, the innermost a reduction of static
//             size W matching matchWarpReduction, output indexed by the
//             outer loops: one value a row;
//   - Col:    all loops parallel, the outer ones of static size 1, the
//             innermost W: a vector over the columns, the same for all rows;
//   - Row:    all loops parallel otherwise: one value a row (r the
//             linearized loops).
// A buffer that a chain op writes (its outputs must be memref.allocs or
// `llvm.noalias` function arguments, seen through collapse/expand_shape,
// casts and whole-buffer subviews, which keep the row-major order of the
// elements) is an intermediate of the
// space the writer gives it (Full, Row or Col). A later chain op reads it
// from registers, so it must read it as that space: Full through the
// identity map of a Full/Reduce op, Row through the map to the outer loops
// (or the identity map of a Row op), Col through the map to the innermost
// loop (or the identity map of a Col op); otherwise the chain ends before
// that op. Every Full/Reduce/Row op after the chain's first one must read a
// Full or Row intermediate: that is what proves it has the same M rows.
// Other operands are loaded through the op's own indexing map; a buffer a
// chain op reads from memory is never written by the chain (and the other
// way round), and no op writes a buffer twice. A chain of at least two ops
// with a Full or Reduce op becomes a kernel ("row_fusion"); intermediates
// used after the chain are stored (Full: each thread its columns; Row:
// thread 0; Col: block 0), the others never reach memory, and their
// allocations are erased when nothing else uses them.
//
//===----------------------------------------------------------------------===//
#include "GPULinalgKernels.h"
#include "NoAliasArgument.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::gpumap;

namespace {

/// Most columns a thread holds per intermediate (W <= 32 * block size).
constexpr int64_t kMaxColumnsPerThread = 32;

enum class Kind { Full, Reduce, Col, Row };
enum class Space { Full, Row, Col };

/// The buffer whose elements, in row-major order, are those of `v` in
/// row-major order: `v` seen through collapse/expand_shape, casts and
/// subviews covering their whole source. Null when `v` is some other view.
Value linearRoot(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto c = dyn_cast<memref::CollapseShapeOp>(def)) {
      v = c.getSrc();
    } else if (auto e = dyn_cast<memref::ExpandShapeOp>(def)) {
      v = e.getSrc();
    } else if (auto c = dyn_cast<memref::CastOp>(def)) {
      v = c.getSource();
    } else if (auto sv = dyn_cast<memref::SubViewOp>(def)) {
      MemRefType src = sv.getSourceType();
      if (!src.hasStaticShape() || !sv.hasZeroOffset() || !sv.hasUnitStride())
        return nullptr;
      for (auto [i, size] : llvm::enumerate(sv.getStaticSizes()))
        if (size != src.getDimSize(i))
          return nullptr;
      v = sv.getSource();
    } else if (isa<memref::AllocOp>(def)) {
      return v;
    } else {
      return nullptr;
    }
  }
  return v; // a block argument
}

/// The buffer `v` is a view of (through any view op).
Value baseOf(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view || view.getViewDest() != v)
      break;
    v = view.getViewSource();
  }
  return v;
}

/// Size `i` of memref `v`, read through the shapes of the allocations and
/// reshapes `v` is a view of (no memref.dim of an intermediate that the
/// chain may erase); memref.dim at the bottom.
Value resolvedSize(OpBuilder &b, Location loc, Value v, int64_t i) {
  auto type = cast<MemRefType>(v.getType());
  if (!type.isDynamicDim(i))
    return cIndex(b, loc, type.getDimSize(i));
  Operation *def = v.getDefiningOp();
  if (auto alloc = dyn_cast_or_null<memref::AllocOp>(def))
    return getValueOrCreateConstantIndexOp(b, loc, alloc.getMixedSizes()[i]);
  if (auto expand = dyn_cast_or_null<memref::ExpandShapeOp>(def))
    return getValueOrCreateConstantIndexOp(b, loc,
                                           expand.getMixedOutputShape()[i]);
  if (auto collapse = dyn_cast_or_null<memref::CollapseShapeOp>(def)) {
    SmallVector<Value> sizes;
    for (int64_t d : collapse.getReassociationIndices()[i])
      sizes.push_back(resolvedSize(b, loc, collapse.getSrc(), d));
    return product(b, loc, sizes);
  }
  if (auto c = dyn_cast_or_null<memref::CastOp>(def))
    return resolvedSize(b, loc, c.getSource(), i);
  return memref::DimOp::create(b, loc, v, i);
}

/// The sizes of `op`'s loops, each from the first operand dimension that
/// it indexes alone (as linalg's own loop ranges), resolved as above.
SmallVector<Value> loopSizes(OpBuilder &b, Location loc, linalg::GenericOp op) {
  SmallVector<Value> sizes(op.getNumLoops());
  for (OpOperand &operand : op->getOpOperands()) {
    if (op.isScalar(&operand))
      continue;
    for (auto [i, e] :
         llvm::enumerate(op.getMatchingIndexingMap(&operand).getResults())) {
      auto d = dyn_cast<AffineDimExpr>(e);
      if (d && !sizes[d.getPosition()])
        sizes[d.getPosition()] = resolvedSize(b, loc, operand.get(), i);
    }
  }
  return sizes;
}

/// Whether the chain can step over `op` (it has no effect on memory other
/// than allocating).
bool isTransparent(Operation &op) {
  if (isa<memref::AllocOp>(op))
    return true;
  return op.getNumRegions() == 0 && isMemoryEffectFree(&op);
}

bool isDimPrefix(AffineMap map, unsigned count) {
  if (map.getNumResults() != count)
    return false;
  for (unsigned i = 0; i < count; ++i) {
    auto d = dyn_cast<AffineDimExpr>(map.getResult(i));
    if (!d || d.getPosition() != i)
      return false;
  }
  return true;
}

/// The kind of `op` in a chain of width `width`, if it can be in one.
std::optional<Kind> classify(linalg::GenericOp op, int64_t width) {
  if (!op.hasPureBufferSemantics() || isInDeviceCode(op) ||
      op.getBlock()->getNumArguments() != op->getNumOperands())
    return std::nullopt;
  unsigned n = op.getNumLoops();
  if (n == 0)
    return std::nullopt;
  for (Operation &inner : op.getBlock()->without_terminator())
    if (inner.getNumRegions() != 0 || !isMemoryEffectFree(&inner))
      return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto outerAllOne = llvm::all_of(ArrayRef<int64_t>(ranges).drop_back(),
                                  [](int64_t s) { return s == 1; });
  if (op.getNumReductionLoops() == 1) {
    if (n < 2 || ranges[n - 1] != width ||
        op.getIteratorTypesArray()[n - 1] != utils::IteratorType::reduction ||
        !matchWarpReduction(op) ||
        !isDimPrefix(op.getMatchingIndexingMap(op.getDpsInitOperand(0)), n - 1))
      return std::nullopt;
    return Kind::Reduce;
  }
  if (op.getNumParallelLoops() != n)
    return std::nullopt;
  for (OpOperand &init : op.getDpsInitsMutable())
    if (!op.getMatchingIndexingMap(&init).isIdentity())
      return std::nullopt;
  if (ranges[n - 1] == width)
    return outerAllOne ? Kind::Col : Kind::Full;
  return Kind::Row;
}

/// The space in which an op of kind `kind` with `n` loops reads an operand
/// through `map`, if it reads it as a whole space.
std::optional<Space> accessSpace(Kind kind, AffineMap map, unsigned n) {
  switch (kind) {
  case Kind::Row:
    return map.isIdentity() ? std::optional(Space::Row) : std::nullopt;
  case Kind::Col:
    return map.isIdentity() ? std::optional(Space::Col) : std::nullopt;
  case Kind::Full:
  case Kind::Reduce:
    if (map.isIdentity())
      return Space::Full;
    if (isDimPrefix(map, n - 1))
      return Space::Row;
    if (map.getNumResults() == 1 &&
        map.getResult(0) == getAffineDimExpr(n - 1, map.getContext()))
      return Space::Col;
    return std::nullopt;
  }
  llvm_unreachable("unknown kind");
}

Space outputSpace(Kind kind) {
  switch (kind) {
  case Kind::Full:
    return Space::Full;
  case Kind::Col:
    return Space::Col;
  case Kind::Reduce:
  case Kind::Row:
    return Space::Row;
  }
  llvm_unreachable("unknown kind");
}

struct Member {
  linalg::GenericOp op;
  Kind kind;
  std::optional<WarpReduction> red; // Reduce
  linalg::FillOp fill;              // Reduce: its starting value, if folded
};

struct Chain {
  int64_t width = 0;
  SmallVector<Member> members;
  /// Intermediates (linear roots) written by the chain, with their space.
  DenseMap<Value, Space> written;
  /// Bases of the buffers the chain writes, and of those it reads from memory.
  DenseSet<Value> writtenBases, readBases;
  bool hasRows = false;

  bool empty() const { return members.empty(); }
  bool worthwhile() const {
    return members.size() >= 2 && llvm::any_of(members, [](const Member &m) {
             return m.kind == Kind::Full || m.kind == Kind::Reduce;
           });
  }

  /// Adds `op` (with `fill` folded into it as a reduction's starting value)
  /// if the chain can take it; false, with the chain unchanged, otherwise.
  bool tryAdd(linalg::GenericOp op, linalg::FillOp fill) {
    std::optional<Kind> kind = classify(op, width);
    if (!kind)
      return false;
    unsigned n = op.getNumLoops();
    Member m{op, *kind, std::nullopt, nullptr};
    bool rowKind = *kind != Kind::Col;
    bool linked = !rowKind || !hasRows;
    DenseSet<Value> reads;
    for (OpOperand *in : op.getDpsInputOperands()) {
      if (op.isScalar(in) || op.getMatchingBlockArgument(in).use_empty())
        continue;
      Value root = linearRoot(in->get());
      if (root && written.count(root)) {
        std::optional<Space> space =
            accessSpace(*kind, op.getMatchingIndexingMap(in), n);
        if (!space || *space != written.lookup(root))
          return false;
        linked |= *space != Space::Col;
        continue;
      }
      Value base = baseOf(in->get());
      if (writtenBases.count(base))
        return false;
      reads.insert(base);
    }
    SmallVector<Value> roots;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      Value root = linearRoot(init.get());
      Value base = baseOf(init.get());
      if (!root ||
          !(root.getDefiningOp<memref::AllocOp>() || isNoAliasArgument(root)) ||
          written.count(root) || readBases.count(base) || reads.count(base) ||
          llvm::is_contained(roots, root))
        return false;
      roots.push_back(root);
    }
    if (*kind == Kind::Reduce) {
      m.red = matchWarpReduction(op);
      if (!fill || fill.getDpsInits()[0] != op.getDpsInits()[0] ||
          !fill.getDpsInputs()[0].getType().isF32())
        return false;
      m.fill = fill;
    } else {
      if (fill)
        return false;
      for (OpOperand &init : op.getDpsInitsMutable())
        if (op.payloadUsesValueFromOperand(&init))
          return false;
    }
    if (!linked)
      return false;
    hasRows |= rowKind;
    for (Value root : roots)
      written[root] = outputSpace(*kind);
    for (Value init : op.getDpsInits())
      writtenBases.insert(baseOf(init));
    readBases.insert(reads.begin(), reads.end());
    members.push_back(m);
    return true;
  }
};

/// The static innermost size of the first row reduction in `ops`, else of
/// the first op; 0 if none (or not a multiple of 32).
int64_t chainWidth(ArrayRef<linalg::GenericOp> ops) {
  int64_t width = 0;
  for (linalg::GenericOp op : ops) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (ranges.empty())
      continue;
    if (op.getNumReductionLoops() == 1 && matchWarpReduction(op)) {
      width = ranges.back();
      break;
    }
    if (!width)
      width = ranges.back();
  }
  if (ShapedType::isDynamic(width) || width <= 0 || width % kWarpSize != 0)
    return 0;
  return width;
}

/// Whether the contents of `root` are used outside `chainOps` (by anything
/// but views of it, their sizes, and deallocations).
bool usedOutside(Value root, const DenseSet<Operation *> &chainOps) {
  SmallVector<Value> work{root};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (chainOps.contains(user) ||
          isa<memref::DimOp, memref::DeallocOp>(user))
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == v) {
          work.push_back(view.getViewDest());
          continue;
        }
      }
      return true;
    }
  }
  return false;
}

/// Erases `root` and its views when nothing but views, their sizes and
/// deallocations use them (sizes are read from the allocation's shape
/// instead).
void eraseIfDead(RewriterBase &rewriter, Value root) {
  SmallVector<Operation *> ops;
  SmallVector<memref::DimOp> dims;
  SmallVector<Value> work{root};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (isa<memref::DeallocOp>(user)) {
        ops.push_back(user);
        continue;
      }
      if (auto dim = dyn_cast<memref::DimOp>(user)) {
        if (!dim.getConstantIndex())
          return;
        dims.push_back(dim);
        continue;
      }
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if (!view || view.getViewSource() != v)
        return;
      ops.push_back(user);
      work.push_back(view.getViewDest());
    }
  }
  for (memref::DimOp dim : dims) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(dim);
    rewriter.replaceOp(dim,
                       resolvedSize(rewriter, dim.getLoc(), dim.getSource(),
                                    *dim.getConstantIndex()));
  }
  // Users after their sources: erase in reverse.
  for (Operation *op : llvm::reverse(ops))
    rewriter.eraseOp(op);
  rewriter.eraseOp(root.getDefiningOp());
}

/// Threads a row: the most, up to `blockSize`, that divide `width` (a
/// multiple of 32) in whole warps.
int64_t threadsFor(int64_t width, int64_t blockSize) {
  int64_t threads = std::min(blockSize, width) / kWarpSize * kWarpSize;
  while (width % threads != 0)
    threads -= kWarpSize;
  return threads;
}

/// Whether `op` reads (or writes) `operand` through the innermost loop as
/// its last index alone, from a contiguous identity-layout buffer: one
/// vector access covers V consecutive columns.
bool isColumnVectorAccess(linalg::GenericOp op, OpOperand &operand) {
  if (op.isScalar(&operand))
    return false;
  auto type = dyn_cast<MemRefType>(operand.get().getType());
  if (!type || !type.getLayout().isIdentity() || type.getMemorySpace())
    return false;
  Type elem = type.getElementType();
  if (!elem.isIntOrFloat() || elem.getIntOrFloatBitWidth() % 8 != 0 ||
      elem.getIntOrFloatBitWidth() > 128)
    return false;
  unsigned n = op.getNumLoops();
  AffineMap map = op.getMatchingIndexingMap(&operand);
  AffineExpr last = getAffineDimExpr(n - 1, op.getContext());
  if (map.getNumResults() == 0 || map.getResults().back() != last)
    return false;
  for (AffineExpr e : map.getResults().drop_back())
    if (e.isFunctionOfDim(n - 1))
      return false;
  return true;
}

/// The operands of the chain's members that go through memory by columns:
/// inputs not written by the chain (and used), stored outputs.
SmallVector<Value> columnMemoryOperands(const Chain &chain,
                                        const DenseSet<Value> &stored) {
  SmallVector<Value> buffers;
  for (const Member &m : chain.members) {
    if (m.kind == Kind::Row)
      continue;
    linalg::GenericOp op = m.op;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isColumnVectorAccess(op, operand))
        continue;
      Value root = linearRoot(operand.get());
      bool written = root && chain.written.count(root);
      if (op.isDpsInput(&operand)
              ? written || op.getMatchingBlockArgument(&operand).use_empty()
              : !(root && stored.contains(root)))
        continue;
      if (!llvm::is_contained(buffers, operand.get()))
        buffers.push_back(operand.get());
    }
  }
  return buffers;
}

/// Columns a thread moves with one vector access (V, 16 bytes of the
/// widest element type among `buffers`, the chain's operands in memory by
/// columns, when W is a multiple of 32 V), and threads a row: T threads
/// hold E = W / T columns each, E a multiple of V (runs of V consecutive
/// columns, run j of thread t at column (t + j*T) * V); one warp a row
/// when E = W / 32 fits in registers. V = 1 (column c = t + k*T, the most
/// threads up to the block size) otherwise.
std::pair<int64_t, int64_t> chainVectorWidth(const Chain &chain,
                                              int64_t blockSize,
                                              ArrayRef<Value> buffers) {
  int64_t width = chain.width;
  int64_t maxBytes = 0;
  for (Value buffer : buffers)
    maxBytes = std::max<int64_t>(
        maxBytes, cast<MemRefType>(buffer.getType()).getElementTypeBitWidth() /
                      8);
  int64_t scalarThreads = threadsFor(width, blockSize);
  if (maxBytes == 0 || maxBytes > 16)
    return {1, scalarThreads};
  // Whole 16-byte accesses only (narrower ones buy little over the
  // scalar mapping, which keeps more threads a row).
  int64_t vec = 16 / maxBytes;
  if (vec == 1 || width % (vec * kWarpSize) != 0)
    return {1, scalarThreads};
  // One warp a row when its lanes can hold the row: no shared memory, no
  // barrier, each lane E / V vector loads in flight.
  if (width / kWarpSize <= kMaxColumnsPerThread)
    return {vec, kWarpSize};
  int64_t threads = std::min(blockSize, width / vec) / kWarpSize * kWarpSize;
  while (threads >= kWarpSize && width % (threads * vec) != 0)
    threads -= kWarpSize;
  if (threads < kWarpSize || width / threads > kMaxColumnsPerThread)
    return {1, scalarThreads};
  return {vec, threads};
}

/// Builds the kernel of `chain` before its last op and erases the chain.
void buildChainKernel(RewriterBase &rewriter, Chain &chain,
                      const KernelOptions &options) {
  Operation *last = chain.members.back().op;
  Location loc = last->getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(last);
  OpBuilder &b = rewriter;

  int64_t width = chain.width;

  // Host: every member's loop sizes; the rows are those of the first op
  // over rows.
  SmallVector<SmallVector<Value>> sizes;
  Value rows;
  for (Member &m : chain.members) {
    SmallVector<Value> s = loopSizes(b, loc, m.op);
    if (!rows && m.kind != Kind::Col)
      rows = product(b, loc,
                     m.kind == Kind::Row ? ArrayRef<Value>(s)
                                         : ArrayRef<Value>(s).drop_back());
    sizes.push_back(std::move(s));
  }
  DenseSet<Operation *> chainOps;
  for (Member &m : chain.members) {
    chainOps.insert(m.op);
    if (m.fill)
      chainOps.insert(m.fill);
  }
  DenseSet<Value> stored;
  for (auto &[root, space] : chain.written)
    if (!root.getDefiningOp<memref::AllocOp>() || usedOutside(root, chainOps))
      stored.insert(root);

  SmallVector<Value> memoryOperands = columnMemoryOperands(chain, stored);
  std::pair<int64_t, int64_t> vecThreads =
      chainVectorWidth(chain, options.blockSize, memoryOperands);
  int64_t vec = vecThreads.first, threads = vecThreads.second;
  int64_t perThread = width / threads;
  int64_t numWarps = threads / kWarpSize;

  int64_t numReductions = llvm::count_if(
      chain.members, [](const Member &m) { return m.kind == Kind::Reduce; });
  SmallVector<Type> workgroup;
  if (numWarps > 1 && numReductions > 0)
    workgroup.push_back(MemRefType::get(
        {numReductions * numWarps}, b.getF32Type(), MemRefLayoutAttrInterface(),
        gpu::AddressSpaceAttr::get(
            b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace())));
  Value one = cIndex(b, loc, 1);
  Value grid = gridSize(b, loc, rows, 1, options.maxBlocks);
  auto launch = gpu::LaunchOp::create(
      b, loc, grid, one, one, cIndex(b, loc, threads), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{}, workgroup);
  launch->setAttr(kKernelAttrName, b.getStringAttr("row_fusion"));
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  Value tid = launch.getThreadIds().x;
  Value zero = cIndex(b, loc, 0);
  Value warpSize = cIndex(b, loc, kWarpSize);
  Value lane = arith::RemUIOp::create(b, loc, tid, warpSize);
  Value warp = arith::DivUIOp::create(b, loc, tid, warpSize);
  Value smem;
  if (!workgroup.empty())
    smem = launch.getWorkgroupAttributions()[0];
  // Column k of this thread: tid + k*T, or with runs of V columns,
  // (tid + (k/V)*T) * V + k%V.
  SmallVector<Value> cols;
  for (int64_t k = 0; k < perThread; ++k) {
    Value run = arith::AddIOp::create(b, loc, tid,
                                      cIndex(b, loc, (k / vec) * threads));
    cols.push_back(vec == 1 ? run
                            : arith::AddIOp::create(
                                  b, loc,
                                  arith::MulIOp::create(b, loc, run,
                                                        cIndex(b, loc, vec)),
                                  cIndex(b, loc, k % vec))
                                  .getResult());
  }

  // Values held per intermediate root: E columns (Full, Col) or one (Row).
  DenseMap<Value, SmallVector<Value>> held;
  int64_t slot = 0;
  // Whether memory accesses by columns are vector accesses (the buffers
  // are aligned), and the columns already loaded from memory (an operand
  // read by several members is loaded once), for the column vectors and
  // for the current row.
  bool vectorized = false;
  using LoadKey = std::pair<Value, AffineMap>;
  DenseMap<LoadKey, SmallVector<Value>> colLoads, rowLoads;

  auto whenTrue = [&](OpBuilder &ob, Value cond,
                      function_ref<void(OpBuilder &)> fn) {
    scf::IfOp::create(ob, loc, cond, [&](OpBuilder &ib, Location) {
      fn(ib);
      scf::YieldOp::create(ib, loc);
    });
  };
  auto isZero = [&](OpBuilder &ob, Value v) {
    return arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::eq, v,
                                 cIndex(ob, loc, 0));
  };

  // Block-wide combination of one value a thread; every thread gets it.
  auto blockReduce = [&](OpBuilder &ob, Combiner c, Value v) -> Value {
    for (int64_t offset = kWarpSize / 2; offset > 0; offset /= 2) {
      auto shuffle = gpu::ShuffleOp::create(ob, loc, v, offset, kWarpSize,
                                            gpu::ShuffleMode::XOR);
      v = combine(ob, loc, c, v, shuffle.getShuffleResult());
    }
    if (numWarps == 1)
      return v;
    Value base = cIndex(ob, loc, slot * numWarps);
    whenTrue(ob, isZero(ob, lane), [&](OpBuilder &ib) {
      memref::StoreOp::create(
          ib, loc, v, smem,
          ValueRange{arith::AddIOp::create(ib, loc, base, warp)});
    });
    gpu::BarrierOp::create(ob, loc);
    Value total;
    for (int64_t w = 0; w < numWarps; ++w) {
      Value x = memref::LoadOp::create(
          ob, loc, smem, ValueRange{cIndex(ob, loc, slot * numWarps + w)});
      total = total ? combine(ob, loc, c, total, x) : x;
    }
    return total;
  };

  // The inputs of `m` that are held intermediates, at column k.
  auto heldInputs = [&](Member m, int64_t k) {
    SmallVector<Value> values;
    for (OpOperand *in : m.op.getDpsInputOperands()) {
      Value root = m.op.isScalar(in) ? Value() : linearRoot(in->get());
      auto it = root ? held.find(root) : held.end();
      if (it == held.end())
        values.push_back(Value());
      else
        values.push_back(it->second.size() == 1 ? it->second[0]
                                                : it->second[k]);
    }
    return values;
  };

  // Emits `m` at row `r` (null for Col), its results held; stores those
  // used after the chain.
  Value blockId = launch.getBlockIds().x;
  auto emitMember = [&](OpBuilder &ob, Member m, ArrayRef<Value> s, Value r) {
    linalg::GenericOp op = m.op;
    unsigned n = op.getNumLoops();
    SmallVector<Value> noOutputs(op.getNumDpsInits());
    auto storeAt = [&](OpBuilder &sb, OpOperand &init, Value v,
                       ArrayRef<Value> ivs) {
      memref::StoreOp::create(
          sb, loc, v, init.get(),
          applyMap(sb, loc, op.getMatchingIndexingMap(&init), ivs));
    };
    if (m.kind == Kind::Row) {
      SmallVector<Value> ivs = delinearize(ob, loc, r, s);
      IRMapping map;
      emitPayload(ob, loc, op, ivs, noOutputs, map, nullptr, heldInputs(m, 0));
      SmallVector<Value> values = yielded(op, map);
      for (OpOperand &init : op.getDpsInitsMutable()) {
        Value v = values[init.getOperandNumber() - op.getNumDpsInputs()];
        Value root = linearRoot(init.get());
        held[root] = {v};
        if (stored.contains(root))
          whenTrue(ob, isZero(ob, tid),
                   [&](OpBuilder &ib) { storeAt(ib, init, v, ivs); });
      }
      return;
    }
    SmallVector<Value> lead;
    if (m.kind == Kind::Col)
      lead.assign(n - 1, zero);
    else
      lead = delinearize(ob, loc, r, s.drop_back());
    Value partial = m.red ? identity(ob, loc, m.red->combiner) : Value();
    SmallVector<SmallVector<Value>> results(op.getNumDpsInits());
    SmallVector<SmallVector<Value>> ivsAt;
    for (int64_t k = 0; k < perThread; ++k) {
      SmallVector<Value> ivs = lead;
      ivs.push_back(cols[k]);
      ivsAt.push_back(std::move(ivs));
    }
    // The operands read from memory, every column of this thread, loaded
    // once per (buffer, map) (vector loads of runs of V columns when
    // vectorized and the operand is accessed by columns).
    auto &loads = m.kind == Kind::Col ? colLoads : rowLoads;
    SmallVector<Value> noHeld = heldInputs(m, 0);
    SmallVector<SmallVector<Value>> fromMemory(noHeld.size());
    for (auto [i, in] : llvm::enumerate(op.getDpsInputOperands())) {
      if (noHeld[i] || op.isScalar(in) ||
          op.getMatchingBlockArgument(in).use_empty())
        continue;
      AffineMap inMap = op.getMatchingIndexingMap(in);
      LoadKey key{in->get(), inMap};
      auto it = loads.find(key);
      if (it != loads.end()) {
        fromMemory[i] = it->second;
        continue;
      }
      SmallVector<Value> values;
      if (!inMap.isFunctionOfDim(n - 1)) {
        values.assign(perThread,
                      memref::LoadOp::create(
                          ob, loc, in->get(),
                          applyMap(ob, loc, inMap, ivsAt[0])));
      } else if (vectorized && vec > 1 && isColumnVectorAccess(op, *in)) {
        auto type = cast<MemRefType>(in->get().getType());
        auto vecType = VectorType::get({vec}, type.getElementType());
        int64_t bytes = vec * type.getElementTypeBitWidth() / 8;
        for (int64_t k = 0; k < perThread; k += vec) {
          Value v = vector::LoadOp::create(
              ob, loc, vecType, in->get(),
              applyMap(ob, loc, inMap, ivsAt[k]), /*nontemporal=*/false,
              llvm::MaybeAlign(bytes));
          for (int64_t e = 0; e < vec; ++e)
            values.push_back(vector::ExtractOp::create(ob, loc, v, e));
        }
      } else {
        for (int64_t k = 0; k < perThread; ++k)
          values.push_back(memref::LoadOp::create(
              ob, loc, in->get(), applyMap(ob, loc, inMap, ivsAt[k])));
      }
      loads[key] = values;
      fromMemory[i] = std::move(values);
    }
    for (int64_t k = 0; k < perThread; ++k) {
      ArrayRef<Value> ivs = ivsAt[k];
      SmallVector<Value> inValues = heldInputs(m, k);
      for (auto [i, v] : llvm::enumerate(inValues))
        if (!v && !fromMemory[i].empty())
          v = fromMemory[i][k];
      IRMapping map;
      emitPayload(ob, loc, op, ivs, noOutputs, map,
                  m.red ? m.red->combinerOp : nullptr, inValues);
      if (m.red) {
        partial = combine(ob, loc, m.red->combiner, partial,
                          map.lookupOrDefault(m.red->other));
      } else {
        for (auto [j, v] : llvm::enumerate(yielded(op, map)))
          results[j].push_back(v);
      }
    }
    if (m.red) {
      Value total = blockReduce(ob, m.red->combiner, partial);
      ++slot;
      Value v =
          combine(ob, loc, m.red->combiner, m.fill.getDpsInputs()[0], total);
      OpOperand &init = *op.getDpsInitOperand(0);
      Value root = linearRoot(init.get());
      held[root] = {v};
      if (stored.contains(root))
        whenTrue(ob, isZero(ob, tid),
                 [&](OpBuilder &ib) { storeAt(ib, init, v, ivsAt[0]); });
      return;
    }
    for (OpOperand &init : op.getDpsInitsMutable()) {
      unsigned j = init.getOperandNumber() - op.getNumDpsInputs();
      Value root = linearRoot(init.get());
      held[root] = results[j];
      if (!stored.contains(root))
        continue;
      auto storeAll = [&](OpBuilder &sb) {
        if (vectorized && vec > 1 && isColumnVectorAccess(op, init)) {
          auto type = cast<MemRefType>(init.get().getType());
          auto vecType = VectorType::get({vec}, type.getElementType());
          int64_t bytes = vec * type.getElementTypeBitWidth() / 8;
          for (int64_t k = 0; k < perThread; k += vec) {
            Value v = vector::FromElementsOp::create(
                sb, loc, vecType, ArrayRef<Value>(results[j]).slice(k, vec));
            vector::StoreOp::create(
                sb, loc, v, init.get(),
                applyMap(sb, loc, op.getMatchingIndexingMap(&init), ivsAt[k]),
                /*nontemporal=*/false, llvm::MaybeAlign(bytes));
          }
          return;
        }
        for (int64_t k = 0; k < perThread; ++k)
          storeAt(sb, init, results[j][k], ivsAt[k]);
      };
      // A column vector is the same for every row: block 0 stores it.
      if (m.kind == Kind::Col)
        whenTrue(ob, isZero(ob, blockId), storeAll);
      else
        storeAll(ob);
    }
  };

  // Column vectors first (they do not depend on the row), then the rows.
  auto emitBody = [&](OpBuilder &bb) {
    held.clear();
    colLoads.clear();
    slot = 0;
    for (auto [m, s] : llvm::zip(chain.members, sizes))
      if (m.kind == Kind::Col)
        emitMember(bb, m, s, Value());
    scf::ForOp::create(bb, loc, blockId, rows, launch.getGridSize().x,
                       ValueRange{},
                       [&](OpBuilder &rb, Location, Value r, ValueRange) {
                         rowLoads.clear();
                         int64_t rowSlot = slot;
                         for (auto [m, s] : llvm::zip(chain.members, sizes))
                           if (m.kind != Kind::Col)
                             emitMember(rb, m, s, r);
                         slot = rowSlot;
                         // The next row reuses the shared-memory slots.
                         if (smem)
                           gpu::BarrierOp::create(rb, loc);
                         scf::YieldOp::create(rb, loc);
                       });
  };
  // The buffers accessed by vectors: those read from memory or stored by
  // columns. Vector accesses when all are aligned at run time.
  SmallVector<std::pair<Value, int64_t>> vectorBuffers;
  if (vec > 1)
    for (Value buffer : memoryOperands)
      vectorBuffers.push_back(
          {buffer,
           vec * cast<MemRefType>(buffer.getType()).getElementTypeBitWidth() /
               8});
  if (vectorBuffers.empty()) {
    emitBody(b);
  } else {
    Value aligned;
    for (auto [buffer, bytes] : vectorBuffers) {
      auto type = cast<MemRefType>(buffer.getType());
      Value ptr = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
      auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
      Value at = arith::AddIOp::create(
          b, loc, ptr,
          arith::MulIOp::create(
              b, loc, meta.getOffset(),
              cIndex(b, loc, type.getElementTypeBitWidth() / 8)));
      Value ok = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          arith::RemUIOp::create(b, loc, at, cIndex(b, loc, bytes)),
          cIndex(b, loc, 0));
      aligned = aligned ? arith::AndIOp::create(b, loc, aligned, ok).getResult()
                        : ok;
    }
    scf::IfOp::create(
        b, loc, aligned,
        [&](OpBuilder &tb, Location) {
          vectorized = true;
          emitBody(tb);
          scf::YieldOp::create(tb, loc);
        },
        [&](OpBuilder &eb, Location) {
          vectorized = false;
          emitBody(eb);
          scf::YieldOp::create(eb, loc);
        });
  }
  gpu::TerminatorOp::create(b, loc);

  for (Member &m : chain.members) {
    rewriter.eraseOp(m.op);
    if (m.fill)
      rewriter.eraseOp(m.fill);
  }
  for (auto &[root, space] : chain.written)
    if (!stored.contains(root))
      eraseIfDead(rewriter, root);
}

/// The generics from `begin` on in its block that a chain could reach:
/// up to the first op that is neither a generic, a fill nor transparent.
SmallVector<linalg::GenericOp> reachableGenerics(Block::iterator begin,
                                                 Block::iterator end) {
  SmallVector<linalg::GenericOp> ops;
  for (Operation &op : llvm::make_range(begin, end)) {
    if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
      ops.push_back(generic);
      continue;
    }
    if (!isa<linalg::FillOp>(op) && !isTransparent(op))
      break;
  }
  return ops;
}

void findChains(Block &block, SmallVectorImpl<Chain> &chains) {
  Chain chain;
  auto flush = [&] {
    if (chain.worthwhile())
      chains.push_back(std::move(chain));
    chain = Chain();
  };
  for (auto it = block.begin(); it != block.end(); ++it) {
    Operation &op = *it;
    if (auto fill = dyn_cast<linalg::FillOp>(op)) {
      // Decided with the op it folds into; any other fill ends the chain.
      auto next = dyn_cast_or_null<linalg::GenericOp>(op.getNextNode());
      if (!next || fillOverwrittenBy(next) != fill)
        flush();
      continue;
    }
    if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
      auto fill = dyn_cast_or_null<linalg::FillOp>(op.getPrevNode());
      if (fill && fillOverwrittenBy(generic) != fill)
        fill = nullptr;
      if (!chain.empty() && chain.tryAdd(generic, fill))
        continue;
      flush();
      chain.width = chainWidth(reachableGenerics(it, block.end()));
      if (chain.width == 0 || !chain.tryAdd(generic, fill))
        chain = Chain();
      continue;
    }
    if (!isTransparent(op))
      flush();
  }
  flush();
}

} // namespace

LogicalResult gpumap::fuseRowChains(RewriterBase &rewriter, Operation *root,
                                    const KernelOptions &options) {
  SmallVector<Chain> chains;
  root->walk([&](Block *block) {
    Operation *parent = block->getParentOp();
    if (parent &&
        (isa<gpu::LaunchOp, gpu::GPUFuncOp, gpu::GPUModuleOp>(parent) ||
         isInDeviceCode(parent)))
      return;
    findChains(*block, chains);
  });
  for (Chain &chain : chains) {
    // Too many columns a thread to hold in registers: the ops stay apart.
    if (chain.width / threadsFor(chain.width, options.blockSize) >
        kMaxColumnsPerThread)
      continue;
    buildChainKernel(rewriter, chain, options);
  }
  return success();
}
