//===- DropOutputMarks.cpp - Remove the sessa.output argument marks -------===//
#include "sessa/Dialect/Sessa/Transforms/EntryPointABI.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSADROPOUTPUTMARKS
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
struct SessaDropOutputMarksPass
    : mlir::sessa::impl::SessaDropOutputMarksBase<SessaDropOutputMarksPass> {
  void runOnOperation() override {
    getOperation()->walk([](FunctionOpInterface func) {
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        func.removeArgAttr(i, sessa::kOutputArgAttrName);
    });
  }
};
} // namespace
