//===- ShapeSpec.cpp - Symbolic shapes of sessa ops (SPEC relations) ------===//
#include "sessa/Dialect/Sessa/IR/ShapeSpec.h"
#include "sessa/Dialect/Sessa/IR/SessaOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sessa;

namespace {
class SpecBuilder {
public:
  SpecBuilder &operand(Value v, llvm::StringRef name,
                       std::initializer_list<const char *> dims) {
    return add(v, ("operand '" + name + "'").str(), dims);
  }
  SpecBuilder &result(Value v, llvm::StringRef name,
                      std::initializer_list<const char *> dims) {
    return add(v, ("result '" + name + "'").str(), dims);
  }
  SmallVector<ShapeSpecEntry> take() { return std::move(entries); }

private:
  SpecBuilder &add(Value v, std::string label,
                   std::initializer_list<const char *> dims) {
    if (!v)
      return *this;
    ShapeSpecEntry e{v, std::move(label), {}};
    for (const char *d : dims)
      e.dims.push_back(d);
    entries.push_back(std::move(e));
    return *this;
  }
  SmallVector<ShapeSpecEntry> entries;
};
} // namespace

SmallVector<ShapeSpecEntry> mlir::sessa::getShapeSpec(Operation *op) {
  SpecBuilder s;
  llvm::TypeSwitch<Operation *>(op)
      .Case<RopeOp>([&](RopeOp o) {
        s.operand(o.getInput(), "input", {"B", "T", "H", "d"})
            .result(o.getResult(), "result", {"B", "T", "H", "d"});
      })
      .Case<AttentionOp>([&](AttentionOp o) {
        s.operand(o.getQuery(), "query", {"B", "T", "H", "d"})
            .operand(o.getKey(), "key", {"B", "S", "Hk", "d"})
            .operand(o.getValue(), "value", {"B", "S", "Hk", "d"})
            .result(o.getResult(), "result", {"B", "T", "H", "d"});
      })
      .Case<FeedbackAttentionOp>([&](FeedbackAttentionOp o) {
        s.operand(o.getF(), "f", {"B", "T", "Hb", "dv"})
            .operand(o.getQb(), "qb", {"B", "T", "Hb", "dk"})
            .operand(o.getKb(), "kb", {"B", "T", "Hb", "dk"})
            .operand(o.getGamma(), "gamma", {"B", "T", "Hb"})
            .operand(o.getKbPrev(), "kb_prev", {"B", "P", "Hb", "dk"})
            .operand(o.getSPrev(), "s_prev", {"B", "P", "Hb", "dv"})
            .result(o.getResult(), "result", {"B", "T", "Hb", "dv"});
      })
      .Case<SelectiveScanOp>([&](SelectiveScanOp o) {
        s.operand(o.getU(), "u", {"B", "T", "Dm"})
            .operand(o.getDelta(), "delta", {"B", "T", "Dm"})
            .operand(o.getA(), "A", {"Dm", "N"})
            .operand(o.getB(), "B", {"B", "T", "G", "N"})
            .operand(o.getC(), "C", {"B", "T", "G", "N"})
            .operand(o.getD(), "D", {"Dm"})
            .operand(o.getZ(), "z", {"B", "T", "Dm"})
            .operand(o.getDeltaBias(), "delta_bias", {"Dm"})
            .operand(o.getH0(), "h0", {"B", "Dm", "N"})
            .result(o.getY(), "y", {"B", "T", "Dm"})
            .result(o.getLastState(), "last_state", {"B", "Dm", "N"});
      })
      .Case<LayerOp>([&](LayerOp o) {
        s.operand(o.getX(), "x", {"B", "T", "D"})
            .operand(o.getLnWeight(), "ln_weight", {"D"})
            .operand(o.getLnBias(), "ln_bias", {"D"})
            .operand(o.getWIn(), "w_in", {"2*D", "D"})
            .operand(o.getBIn(), "b_in", {"2*D"})
            .operand(o.getQWeight(), "q_weight", {"D", "D"})
            .operand(o.getQBias(), "q_bias", {"D"})
            .operand(o.getKWeight(), "k_weight", {"Hk*d", "D"})
            .operand(o.getKBias(), "k_bias", {"Hk*d"})
            .operand(o.getVWeight(), "v_weight", {"Hk*d", "D"})
            .operand(o.getVBias(), "v_bias", {"Hk*d"})
            .operand(o.getFbWeight(), "fb_weight", {"2*D", "D"})
            .operand(o.getFbBias(), "fb_bias", {"2*D"})
            .operand(o.getOutProj(), "out_proj", {"D", "D"})
            .operand(o.getGammaCtx(), "gamma_ctx", {"1", "D"})
            .operand(o.getGammaBias(), "gamma_bias", {"1"})
            .operand(o.getWOut(), "w_out", {"D", "D"})
            .operand(o.getBOut(), "b_out", {"D"})
            .operand(o.getKCache(), "k_cache", {"B", "P", "Hk", "d"})
            .operand(o.getVCache(), "v_cache", {"B", "P", "Hk", "d"})
            .operand(o.getKbCache(), "kb_cache", {"B", "P", "1", "D"})
            .operand(o.getSCache(), "s_cache", {"B", "P", "1", "D"})
            .result(o.getY(), "y", {"B", "T", "D"});
        ValueRange out = o.getCacheOut();
        if (out.size() == 4)
          s.result(out[0], "k_cache_out", {"B", "P+T", "Hk", "d"})
              .result(out[1], "v_cache_out", {"B", "P+T", "Hk", "d"})
              .result(out[2], "kb_cache_out", {"B", "P+T", "1", "D"})
              .result(out[3], "s_cache_out", {"B", "P+T", "1", "D"});
      })
      .Default([](Operation *) {});
  return s.take();
}
