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
//===----------------------------------------------------------------------===//
#include "sessa/Dialect/Sessa/Transforms/GemmKernel.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

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
    if (isMemoryEffectFree(op))
      continue;
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (effects && effects.onlyHasEffect<MemoryEffects::Allocate>())
      continue;
    return nullptr;
  }
  return nullptr;
}

struct SessaGPUMatmulPass
    : mlir::sessa::impl::SessaGPUMatmulBase<SessaGPUMatmulPass> {
  using Base::Base;

  void runOnOperation() override {
    sessa::GemmOptions options;
    options.blockK = blockK;
    options.stages = stages;
    std::string message;
    if (failed(sessa::verifyGemmOptions(options, message))) {
      getOperation().emitError("sessa-gpu-matmul: ") << message;
      return signalPassFailure();
    }
    SmallVector<Product> products;
    getOperation()->walk([&](linalg::LinalgOp op) {
      bool transposeB = false;
      if (matchProduct(op, transposeB))
        products.push_back(
            {op, transposeB, findZeroFill(op, op.getDpsInits()[0])});
    });
    for (Product &p : products) {
      OpBuilder b(p.op);
      Value a = p.op.getDpsInputs()[0], bm = p.op.getDpsInputs()[1],
            c = p.op.getDpsInits()[0];
      if (failed(sessa::buildGemmLaunch(b, p.op.getLoc(), a, bm, c,
                                        p.transposeB,
                                        /*accumulate=*/!p.zeroFill,
                                        options))) {
        p.op.emitOpError("could not be built as a GPU GEMM");
        return signalPassFailure();
      }
      p.op->erase();
      if (p.zeroFill)
        p.zeroFill->erase();
    }
  }
};

} // namespace
