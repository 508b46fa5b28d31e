//===- ShapeSpec.h - Symbolic shapes of sessa ops ---------------*- C++ -*-===//
//
// Every sessa op states the shape of each operand and result with symbols
// ("B", "T", "S", "Hk", "2*D", "P+T", ...): dimensions with the same symbol
// must be equal. The op verifiers check these statically; the ahead-of-time
// compiler uses them to tie the dynamic dimensions of an entry point's
// inputs and outputs together so the runtime can check them before a call.
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_DIALECT_SESSA_IR_SHAPESPEC_H
#define SESSA_DIALECT_SESSA_IR_SHAPESPEC_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir::sessa {

struct ShapeSpecEntry {
  Value value;
  /// "operand 'key'" or "result 'y'".
  std::string label;
  /// One symbol per dimension. A symbol "X+Y" is the sum of X and Y.
  llvm::SmallVector<std::string, 4> dims;
};

/// The symbolic shapes of a sessa op's operands and results, in the order
/// the verifier checks them; empty for other ops. Optional operands and
/// results that are absent are left out.
llvm::SmallVector<ShapeSpecEntry> getShapeSpec(Operation *op);

} // namespace mlir::sessa

#endif // SESSA_DIALECT_SESSA_IR_SHAPESPEC_H
