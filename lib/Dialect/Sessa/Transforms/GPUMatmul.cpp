//===- GPUMatmul.cpp - Matrix products on memrefs as GPU GEMM kernels -----===//
//
// Matches, in host code on memrefs, the products
//   C[(b,) m, n] += A[(b,) m, k] * B[(b,) n, k]   or   ... * B[(b,) k, n]
// written as linalg.generic (body: mulf and addf, optionally with extf of the
// operands and truncf of the result), linalg.matmul or linalg.batch_matmul
// (with these indexing maps), and replaces each by buildGemmLaunch. A
// `linalg.fill 0` of C just before the product (nothing in between touches
// memory) folds into the kernel, which then overwrites C.
//
// Epilogue fusion: when such an overwritten C is a temporary (a memref.alloc
// used only by the fill, the product, deallocs and one consumer) read by a
// later elementwise linalg.generic of the same block (all parallel, C read
// with the identity map, its other inputs row broadcasts like a bias
// (m, n) -> (n), its output written with the identity map
// and not read; only allocations and pure ops in between; that output
// provably not sharing memory with A, B or the inputs: distinct roots, one
// of them a memref.alloc or an `llvm.noalias` argument, or an entry output
// and an argument of another type, EntryPointABI.h), the kernel
// applies that generic's body to each element in registers and writes the
// generic's output instead; the generic and C's temporary disappear. This
// repeats along a chain of such generics (e.g. GELU, then a cast to bf16).
// With `fuse-matrix-inputs` (wgmma + TMA only) an input may also be a full
// matrix read at the element the generic writes (identity map: the
// layer's residual `y = x + acc + bias`): the thread that stores an
// element reads it first, so the output may also be the very same memory
// as that input (the same views of the same buffer, or of an entry output
// and an argument of its type: `y` passed as `x`), never a partial overlap.
//
// Grouping (option `group`, with wgmma and TMA): overwriting rank-2
// products with B[n, k] that read the same A and whose B have one static
// shape become one launch (buildGroupedGemmLaunch) where the first of them
// ran. A later product joins when no op between that position and its own
// (other than group members and the ops moved up) uses memory with the
// root of its A, B, output or epilogue inputs, and the values it needs are
// available there or can move up (allocations and pure ops without
// regions, with their operands). Unless `group-past-kernels` is set, the
// ops in between must moreover be allocations or pure ops, so that no
// output is allocated earlier than before (the memory peak stays).
//
//===----------------------------------------------------------------------===//
#include "sessa/Dialect/Sessa/Transforms/GemmKernel.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"
#include "NoAliasArgument.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/CommandLine.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSAGPUMATMUL
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {

struct Product {
  linalg::LinalgOp op;
  bool transposeB;
  linalg::FillOp zeroFill; // folded into the kernel when set
  // Fused epilogue: consumer generics in order and the temporaries between
  // them (C first); the kernel writes `out`.
  SmallVector<linalg::GenericOp> consumers;
  SmallVector<Value> temporaries;
  Value out;
  SmallVector<sessa::GemmEpilogueStage> stages;

  Value a() { return op.getDpsInputs()[0]; }
  Value b() { return op.getDpsInputs()[1]; }
  /// What the kernel writes.
  Value c() { return consumers.empty() ? op.getDpsInits()[0] : out; }
  /// Where its kernel runs (the last consumer, or the product).
  Operation *last() {
    return consumers.empty() ? op.getOperation()
                             : consumers.back().getOperation();
  }
  /// The ops the kernel replaces.
  void ops(SmallPtrSetImpl<Operation *> &set) {
    set.insert(op);
    if (zeroFill)
      set.insert(zeroFill);
    for (linalg::GenericOp g : consumers)
      set.insert(g);
  }
};

/// Skips an `arith.extf` of a value (a widened operand).
Value throughExtF(Value v) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    return ext.getIn();
  return v;
}

/// Whether the body computes out + a * b in f32 (extf of a, b and out and a
/// final truncf allowed, nothing else).
bool isMulAddBody(Block &body) {
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!yield || yield.getValues().size() != 1 || body.getNumArguments() != 3)
    return false;
  Value result = yield.getValues()[0];
  if (auto trunc = result.getDefiningOp<arith::TruncFOp>())
    result = trunc.getIn();
  auto add = result.getDefiningOp<arith::AddFOp>();
  if (!add || !add.getType().isF32())
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1),
        c = body.getArgument(2);
  auto mul = add.getRhs().getDefiningOp<arith::MulFOp>();
  Value acc = add.getLhs();
  if (!mul || throughExtF(acc) != c) {
    mul = add.getLhs().getDefiningOp<arith::MulFOp>();
    acc = add.getRhs();
  }
  if (!mul || throughExtF(acc) != c || !mul.getType().isF32())
    return false;
  Value x = throughExtF(mul.getLhs()), y = throughExtF(mul.getRhs());
  if (!((x == a && y == b) || (x == b && y == a)))
    return false;
  // Nothing else is computed: only the matched conversions, one mulf and
  // one addf.
  int muls = 0, adds = 0;
  for (Operation &op : body.without_terminator()) {
    if (!isa<arith::ExtFOp, arith::TruncFOp, arith::MulFOp, arith::AddFOp>(op))
      return false;
    muls += isa<arith::MulFOp>(op);
    adds += isa<arith::AddFOp>(op);
  }
  return muls == 1 && adds == 1;
}

/// Whether the indexing maps are those of a (batched) product with A[m, k],
/// C[m, n] and B[n, k] (sets transposeB) or B[k, n].
bool hasProductMaps(linalg::LinalgOp op, bool &transposeB) {
  unsigned loops = op.getNumLoops();
  if (loops != 3 && loops != 4)
    return false;
  bool batched = loops == 4;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned i = 0; i + 1 < loops; ++i)
    if (iters[i] != utils::IteratorType::parallel)
      return false;
  if (iters.back() != utils::IteratorType::reduction)
    return false;
  MLIRContext *ctx = op->getContext();
  SmallVector<AffineExpr> d;
  for (unsigned i = 0; i < loops; ++i)
    d.push_back(getAffineDimExpr(i, ctx));
  unsigned base = batched ? 1 : 0;
  AffineExpr m = d[base], n = d[base + 1], k = d[base + 2];
  auto map = [&](AffineExpr x, AffineExpr y) {
    SmallVector<AffineExpr> r;
    if (batched)
      r.push_back(d[0]);
    r.push_back(x);
    r.push_back(y);
    return AffineMap::get(loops, 0, r, ctx);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps.size() != 3 || maps[0] != map(m, k) || maps[2] != map(m, n))
    return false;
  if (maps[1] == map(n, k))
    transposeB = true;
  else if (maps[1] == map(k, n))
    transposeB = false;
  else
    return false;
  return true;
}

/// Whether `op` is a product this pass replaces.
bool matchProduct(linalg::LinalgOp op, bool &transposeB) {
  if (op->getParentOfType<gpu::LaunchOp>() ||
      op->getParentOfType<gpu::GPUModuleOp>())
    return false;
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return false;
  if (!hasProductMaps(op, transposeB))
    return false;
  if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
    if (!isMulAddBody(generic.getRegion().front()))
      return false;
  } else if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op.getOperation())) {
    return false;
  }
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  return sessa::isSupportedGemm(a, b, c, transposeB);
}

/// Whether `v` is a float constant +0.0.
bool isZero(Value v) {
  FloatAttr attr;
  if (auto cst = v.getDefiningOp<arith::ConstantOp>())
    attr = dyn_cast<FloatAttr>(cst.getValue());
  return attr && attr.getValue().isZero() && !attr.getValue().isNegative();
}

/// Whether `op` has no memory effects or only allocates.
bool allocatesOrPure(Operation *op) {
  if (isMemoryEffectFree(op))
    return true;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  return effects && effects.onlyHasEffect<MemoryEffects::Allocate>();
}

/// The `linalg.fill 0` of the product's C that can fold into the kernel: the
/// closest earlier op of the block that has memory effects other than
/// allocation, when that is a fill of the same C with +0.
linalg::FillOp findZeroFill(Operation *product, Value c) {
  for (Operation *op = product->getPrevNode(); op; op = op->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(op)) {
      if (fill.hasPureBufferSemantics() && fill.getOutputs()[0] == c &&
          isZero(fill.getInputs()[0]))
        return fill;
      return nullptr;
    }
    if (allocatesOrPure(op))
      continue;
    return nullptr;
  }
  return nullptr;
}

/// Whether only allocations and ops without memory effects lie strictly
/// between `from` and `to` (same block, `from` first).
bool onlyAllocationsBetween(Operation *from, Operation *to) {
  for (Operation *op = from->getNextNode(); op && op != to;
       op = op->getNextNode()) {
    if (!allocatesOrPure(op))
      return false;
  }
  return true;
}

/// The buffer a memref view is taken of.
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether `x` and `y` may share memory: not when their roots are distinct
/// and at least one of them is a fresh allocation or an `llvm.noalias`
/// function argument, or when the entry-point ABI says so (an output
/// argument and another argument of a different type, EntryPointABI.h).
bool mayAlias(Value x, Value y) {
  Value rx = rootOf(x), ry = rootOf(y);
  if (rx == ry)
    return true;
  auto distinct = [](Value v) {
    return v.getDefiningOp<memref::AllocOp>() || sessa::isNoAliasArgument(v);
  };
  if (distinct(rx) || distinct(ry))
    return false;
  return !sessa::disjointByEntryABI(rx, ry);
}

/// Whether `x` and `y` are the same chain of views (same ops, attributes,
/// result types and other operands) of their roots.
bool sameViewChain(Value x, Value y) {
  while (true) {
    auto vx = x.getDefiningOp<ViewLikeOpInterface>();
    auto vy = y.getDefiningOp<ViewLikeOpInterface>();
    if (!vx || !vy)
      return !vx && !vy && x.getType() == y.getType();
    Operation *ox = vx.getOperation(), *oy = vy.getOperation();
    if (ox->getName() != oy->getName() ||
        ox->getAttrDictionary() != oy->getAttrDictionary() ||
        ox->getResultTypes() != oy->getResultTypes() ||
        ox->getNumOperands() != oy->getNumOperands() ||
        ox->getNumResults() != 1 || ox->getNumRegions() != 0)
      return false;
    Value sx = vx.getViewSource(), sy = vy.getViewSource();
    for (auto [a, b] : llvm::zip(ox->getOperands(), oy->getOperands()))
      if (a != sx && a != b)
        return false;
    if (!llvm::is_contained(oy->getOperands(), sy))
      return false;
    x = sx;
    y = sy;
  }
}

/// Whether the kernel may read `in` at each element of the product's index
/// space just before the same thread writes `out` at that element (a
/// residual input of the epilogue, identity maps): when they share no
/// memory, or when they are the same views of what is the same buffer or
/// two arguments that are, by the entry-point ABI, disjoint or the very same
/// buffer (an output passed as an input's memory: then every element is
/// read before it is overwritten, by the thread that overwrites it).
bool pointwiseReadIsSafe(Value out, Value in) {
  if (!mayAlias(out, in))
    return true;
  Value ro = rootOf(out), ri = rootOf(in);
  if (ro != ri && !sessa::disjointOrSameByEntryABI(ro, ri))
    return false;
  return sameViewChain(out, in);
}

/// The elementwise generic that consumes the temporary `c` written by
/// `writer` and can become an epilogue stage (see the file comment), with
/// the stage filled in; null otherwise. `allowed` is another user of `c`
/// that goes away with the fusion (the zero fill).
linalg::GenericOp findConsumer(Operation *writer, Value c, Operation *allowed,
                               bool matrixInputs,
                               sessa::GemmEpilogueStage &stage) {
  if (!c.getDefiningOp<memref::AllocOp>())
    return nullptr;
  linalg::GenericOp consumer;
  for (Operation *user : c.getUsers()) {
    if (user == writer || user == allowed || isa<memref::DeallocOp>(user))
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (!generic || (consumer && consumer != generic))
      return nullptr;
    consumer = generic;
  }
  if (!consumer || consumer->getBlock() != writer->getBlock() ||
      !writer->isBeforeInBlock(consumer) ||
      !onlyAllocationsBetween(writer, consumer))
    return nullptr;
  auto cType = cast<MemRefType>(c.getType());
  int64_t rank = cType.getRank();
  if (!consumer.hasPureBufferSemantics() || consumer.getNumDpsInits() != 1 ||
      consumer.getNumLoops() != rank ||
      consumer.getNumParallelLoops() != rank)
    return nullptr;
  OpOperand *init = consumer.getDpsInitOperand(0);
  if (!consumer.getMatchingIndexingMap(init).isIdentity() ||
      consumer.payloadUsesValueFromOperand(init))
    return nullptr;
  Block &body = consumer.getRegion().front();
  stage = sessa::GemmEpilogueStage();
  stage.body = &body;
  stage.carriedType = cType.getElementType();
  bool seenC = false;
  for (OpOperand *in : consumer.getDpsInputOperands()) {
    AffineMap map = consumer.getMatchingIndexingMap(in);
    unsigned arg = consumer.getMatchingBlockArgument(in).getArgNumber();
    if (in->get() == c) {
      if (seenC || !map.isIdentity())
        return nullptr;
      seenC = true;
      stage.carriedArg = arg;
      continue;
    }
    if (!isa<MemRefType>(in->get().getType()))
      return nullptr;
    // Inputs without the m dimension (row broadcasts: bias[n]), and with
    // `matrixInputs` full matrices read at the stored element (identity
    // map: a residual). Without it: in the mma.sync kernel a residual read
    // per element cost more (+50 us at 8192x1024x1024,
    // bench/gpu/NOTES-gemm.md) than the separate kernel; the TMA kernel
    // loads them as pairs before its stores.
    bool usesM = llvm::any_of(map.getResults(), [&](AffineExpr e) {
      auto d = dyn_cast<AffineDimExpr>(e);
      return d && d.getPosition() == rank - 2;
    });
    if (usesM && !(matrixInputs && map.isIdentity()))
      return nullptr;
    stage.inputs.push_back({in->get(), map, arg});
  }
  std::string message;
  if (!seenC || failed(sessa::verifyGemmEpilogue(stage, rank, message)))
    return nullptr;
  return consumer;
}

/// Finds the chain of consumers of `p`'s C that fuse into its kernel, with
/// their stages.
void findEpilogue(Product &p, SmallVectorImpl<sessa::GemmEpilogueStage> &stages,
                  bool matrixInputs) {
  if (!p.zeroFill)
    return;
  Value a = p.op.getDpsInputs()[0], bm = p.op.getDpsInputs()[1];
  Value c = p.op.getDpsInits()[0];
  Operation *writer = p.op;
  Operation *allowed = p.zeroFill;
  while (true) {
    sessa::GemmEpilogueStage stage;
    linalg::GenericOp consumer =
        findConsumer(writer, c, allowed, matrixInputs, stage);
    if (!consumer)
      break;
    Value out = consumer.getDpsInits()[0];
    Type outElem = cast<MemRefType>(out.getType()).getElementType();
    if (!sessa::isSupportedGemm(a, bm, out, p.transposeB) ||
        mayAlias(out, a) || mayAlias(out, bm) || rootOf(out) == rootOf(c) ||
        llvm::any_of(p.temporaries,
                     [&](Value t) { return rootOf(out) == rootOf(t); }))
      break;
    // Row broadcasts are read by every row's thread: disjoint from the
    // output. Full-matrix inputs are read at the stored element only, by
    // the thread that stores it: disjoint, or the very same elements.
    bool aliased = false;
    auto check = [&](const sessa::GemmEpilogueInput &in) {
      aliased |= in.map.isIdentity() ? !pointwiseReadIsSafe(out, in.memref)
                                     : mayAlias(out, in.memref);
    };
    for (const sessa::GemmEpilogueStage &s : stages)
      llvm::for_each(s.inputs, check);
    llvm::for_each(stage.inputs, check);
    if (aliased || !(outElem.isF32() || outElem.isF16() || outElem.isBF16()))
      break;
    stages.push_back(stage);
    p.consumers.push_back(consumer);
    p.temporaries.push_back(c);
    p.out = out;
    writer = consumer;
    allowed = nullptr;
    c = out;
  }
}

/// Measurements: no grouped launches regardless of the pass option.
llvm::cl::opt<bool> clNoGroup(
    "sessa-gpu-no-group", llvm::cl::Hidden, llvm::cl::init(false),
    llvm::cl::desc("sessa-gpu-matmul: one launch per product (no groups)"));

/// Collects into `moves` (in an order that keeps definitions first) the
/// ops that must move above `at` for `v` to be available there: defined
/// in `at`'s block after it, allocations or pure ops without regions
/// whose operands are available or movable. False when `v` cannot be made
/// available.
bool hoistable(Value v, Operation *at, DominanceInfo &dom,
               llvm::SetVector<Operation *> &moves) {
  if (dom.properlyDominates(v, at))
    return true;
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != at->getBlock() || def->getNumRegions())
    return false;
  if (moves.contains(def))
    return true;
  auto effects = dyn_cast<MemoryEffectOpInterface>(def);
  if (!isMemoryEffectFree(def) &&
      !(effects && effects.onlyHasEffect<MemoryEffects::Allocate>()))
    return false;
  for (Value operand : def->getOperands())
    if (!hoistable(operand, at, dom, moves))
      return false;
  moves.insert(def);
  return true;
}

/// Whether product `p` can join a grouped launch placed before `at` (the
/// group's first kernel position; `members` are the ops of the group so
/// far, including p's): what p's kernel reads or writes (A, B, its output,
/// epilogue inputs) is not used by the ops between `at` and p's last op
/// other than members and ops that move up, and every value p's kernel
/// needs is available at `at` or movable there (added to `moves`).
/// The memrefs a product's kernel reads besides A: B and epilogue inputs.
SmallVector<Value> readsBesidesA(Product &p) {
  SmallVector<Value> r{p.b()};
  for (const sessa::GemmEpilogueStage &st : p.stages)
    for (const sessa::GemmEpilogueInput &in : st.inputs)
      r.push_back(in.memref);
  return r;
}

bool canJoin(Product &p, ArrayRef<Product *> group, Operation *at,
             DominanceInfo &dom, const SmallPtrSetImpl<Operation *> &members,
             llvm::SetVector<Operation *> &moves, bool pastKernels) {
  Operation *last = p.last();
  if (last->getBlock() != at->getBlock() || !at->isBeforeInBlock(p.op))
    return false;
  // The members' tiles run in any order: no member may write what another
  // reads or writes.
  for (Product *q : group) {
    if (mayAlias(p.c(), q->c()))
      return false;
    for (Value r : readsBesidesA(*q))
      if (mayAlias(p.c(), r))
        return false;
    for (Value r : readsBesidesA(p))
      if (mayAlias(q->c(), r))
        return false;
  }
  llvm::SetVector<Operation *> mine;
  SmallVector<Value> needed{p.b(), p.c()};
  for (const sessa::GemmEpilogueStage &st : p.stages) {
    for (const sessa::GemmEpilogueInput &in : st.inputs)
      needed.push_back(in.memref);
    // Values the body captures from outside.
    st.body->walk([&](Operation *op) {
      for (Value operand : op->getOperands())
        if (operand.getParentBlock() != st.body &&
            !st.body->getParentOp()->isAncestor(operand.getParentBlock()->getParentOp()))
          needed.push_back(operand);
    });
  }
  for (Value v : needed)
    if (!hoistable(v, at, dom, mine))
      return false;
  SmallPtrSet<Value, 8> roots;
  roots.insert(rootOf(p.a()));
  roots.insert(rootOf(p.b()));
  roots.insert(rootOf(p.c()));
  for (const sessa::GemmEpilogueStage &st : p.stages)
    for (const sessa::GemmEpilogueInput &in : st.inputs)
      roots.insert(rootOf(in.memref));
  for (Operation *op = at; op && op != last; op = op->getNextNode()) {
    if (members.contains(op) || mine.contains(op) || moves.contains(op))
      continue;
    // Without pastKernels, only allocations and pure ops may lie between
    // the group and p: moving p's kernel above other work would keep its
    // output alive longer (a higher memory peak).
    if (!pastKernels && !allocatesOrPure(op)) {
      // Frees of the members' fused temporaries go away with the fusion.
      auto fusedTemporary = [&](Value v) {
        auto isIn = [&](Product &q) {
          return llvm::is_contained(q.temporaries, v);
        };
        return isIn(p) || llvm::any_of(group, [&](Product *q) {
                 return isIn(*q);
               });
      };
      auto dealloc = dyn_cast<memref::DeallocOp>(op);
      if (!dealloc || !fusedTemporary(dealloc.getMemref()))
        return false;
    }
    WalkResult r = op->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (isa<BaseMemRefType>(operand.getType()) &&
            roots.contains(rootOf(operand)))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (r.wasInterrupted())
      return false;
  }
  moves.insert(mine.begin(), mine.end());
  return true;
}

struct SessaGPUMatmulPass
    : mlir::sessa::impl::SessaGPUMatmulBase<SessaGPUMatmulPass> {
  using Base::Base;

  void runOnOperation() override {
    sessa::GemmOptions options;
    options.blockK = blockK;
    options.stages = stages;
    options.smallM = smallM;
    options.blockM = blockM;
    options.blockN = blockN;
    options.warps = warps;
    options.wgmma = wgmma;
    options.tma = tma;
    options.tmaBlocks = tmaBlocks;
    options.tmaPingpong = tmaPingpong;
    options.tmaCluster = tmaCluster;
    std::string message;
    if (failed(sessa::verifyGemmOptions(options, message))) {
      getOperation().emitError("sessa-gpu-matmul: ") << message;
      return signalPassFailure();
    }
    std::vector<Product> products;
    getOperation()->walk([&](linalg::LinalgOp op) {
      bool transposeB = false;
      if (!matchProduct(op, transposeB))
        return;
      Product p;
      p.op = op;
      p.transposeB = transposeB;
      p.zeroFill = findZeroFill(op, op.getDpsInits()[0]);
      products.push_back(std::move(p));
    });
    // Full-matrix epilogue inputs only where the kernel reads them as
    // pairs before its stores (the TMA kernel).
    bool matrixInputs = fuseMatrixInputs && options.wgmma && options.tma;
    for (Product &p : products)
      if (fuseEpilogue)
        findEpilogue(p, p.stages, matrixInputs);
    // Groups of products that share A (each a list of indices into
    // `products`, in program order); ops to move above the group's launch.
    DominanceInfo dom(getOperation());
    auto groupable = [&](Product &p) {
      auto bType = cast<MemRefType>(p.b().getType());
      return group && !clNoGroup && options.wgmma && options.tma && p.zeroFill &&
             p.transposeB && cast<MemRefType>(p.c().getType()).getRank() == 2 &&
             bType.hasStaticShape();
    };
    SmallVector<bool> taken(products.size(), false);
    for (size_t i = 0; i < products.size(); ++i) {
      if (taken[i])
        continue;
      Product &first = products[i];
      SmallVector<size_t> groupIdx{i};
      llvm::SetVector<Operation *> moves;
      SmallPtrSet<Operation *, 16> memberOps;
      first.ops(memberOps);
      Operation *at = first.last();
      if (groupable(first)) {
        for (size_t j = i + 1; j < products.size(); ++j) {
          Product &p = products[j];
          if (taken[j] || !groupable(p) || p.a() != first.a())
            continue;
          SmallPtrSet<Operation *, 16> withP(memberOps.begin(), memberOps.end());
          p.ops(withP);
          llvm::SetVector<Operation *> tryMoves(moves.begin(), moves.end());
          SmallVector<Product *> group;
          for (size_t k : groupIdx)
            group.push_back(&products[k]);
          if (!canJoin(p, group, at, dom, withP, tryMoves, groupPastKernels))
            continue;
          SmallVector<sessa::GemmGroupMember> trial;
          for (size_t k : groupIdx)
            trial.push_back({products[k].b(), products[k].c(),
                             products[k].stages});
          trial.push_back({p.b(), p.c(), p.stages});
          if (!sessa::isGroupableGemm(first.a(), trial, options))
            continue;
          groupIdx.push_back(j);
          memberOps = std::move(withP);
          moves = std::move(tryMoves);
        }
      }
      for (size_t k : groupIdx)
        taken[k] = true;
      for (Operation *op : moves)
        op->moveBefore(at);
      OpBuilder b(at);
      if (groupIdx.size() > 1) {
        SmallVector<sessa::GemmGroupMember> members;
        for (size_t k : groupIdx)
          members.push_back({products[k].b(), products[k].c(),
                             products[k].stages});
        if (failed(sessa::buildGroupedGemmLaunch(b, first.op.getLoc(),
                                                 first.a(), members,
                                                 options))) {
          first.op.emitOpError("could not be built as a grouped GPU GEMM");
          return signalPassFailure();
        }
      } else if (failed(sessa::buildGemmLaunch(
                     b, first.op.getLoc(), first.a(), first.b(), first.c(),
                     first.transposeB,
                     /*accumulate=*/!first.zeroFill, options, first.stages))) {
        first.op.emitOpError("could not be built as a GPU GEMM");
        return signalPassFailure();
      }
      for (size_t k : groupIdx)
        eraseProduct(products[k]);
    }
  }

  /// Erases the ops that a product's kernel replaces.
  static void eraseProduct(Product &p) {
      for (linalg::GenericOp consumer : llvm::reverse(p.consumers))
        consumer->erase();
      p.op->erase();
      if (p.zeroFill)
        p.zeroFill->erase();
      // The temporaries are now used by nothing but deallocs.
      for (Value t : p.temporaries) {
        for (Operation *user : llvm::make_early_inc_range(t.getUsers()))
          user->erase();
        t.getDefiningOp()->erase();
      }
  }
};

} // namespace
