//===- SessaDialect.td - Sessa dialect definition ----------*- tablegen -*-===//
//
// The `sessa` dialect: Selective State Space Attention on ranked tensors.
//
//===----------------------------------------------------------------------===//

#ifndef SESSA_DIALECT_SESSA_IR_SESSADIALECT_TD
#define SESSA_DIALECT_SESSA_IR_SESSADIALECT_TD

include "mlir/IR/OpBase.td"

def Sessa_Dialect : Dialect {
  let name = "sessa";
  let cppNamespace = "::mlir::sessa";
  let summary = "Selective State Space Attention (Sessa) layers and their primitives";
  let description = [{
    The `sessa` dialect models the Sessa decoder layer (Horbatko 2026,
    arXiv 2604.18580) and the primitives it is built from: rotary position
    embedding, causal grouped-query attention, the gated strictly-causal
    feedback attention (the Sessa recurrence), and a Mamba-style selective
    scan. Every op works on ranked tensors with value semantics; layouts are
    token-major (`[B, T, ...]`). Element types are f32, f16 and bf16, one per
    op; the precision of accumulation is the lowering's choice (f32 at least).

    Ops do not take destination (`outs`) operands: every op is a pure
    function of its inputs whose result shapes are reified from the operand
    shapes (`ReifyRankedShapedTypeOpInterface`), so bufferization decides
    where results live and tiling transforms can build their own
    destinations.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

class Sessa_Op<string mnemonic, list<Trait> traits = []>
    : Op<Sessa_Dialect, mnemonic, traits>;

def Sessa_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;

#endif // SESSA_DIALECT_SESSA_IR_SESSADIALECT_TD
