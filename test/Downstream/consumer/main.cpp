// A downstream program: parse, verify and print a module that uses the sessa
// dialect, through the installed Sessa::Dialect library.
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include "sessa/Dialect/Sessa/IR/SessaDialect.h"
#include "sessa/Dialect/Sessa/IR/SessaOps.h"

static const char kModule[] = R"mlir(
func.func @gqa(%q: tensor<1x3x8x64xf32>, %k: tensor<1x8x2x64xf32>,
               %v: tensor<1x8x2x64xf32>) -> tensor<1x3x8x64xf32> {
  %o = sessa.attention %q, %k, %v
      : tensor<1x3x8x64xf32>, tensor<1x8x2x64xf32>, tensor<1x8x2x64xf32>
  return %o : tensor<1x3x8x64xf32>
}
)mlir";

int main() {
  mlir::DialectRegistry registry;
  registry.insert<mlir::sessa::SessaDialect, mlir::func::FuncDialect>();
  mlir::MLIRContext context(registry);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
  if (!module) {
    llvm::errs() << "error: could not parse the module\n";
    return 1;
  }
  if (mlir::failed(mlir::verify(*module))) {
    llvm::errs() << "error: the module does not verify\n";
    return 1;
  }

  // Use the op classes too, not only the parser: the effective scale comes
  // from code in libSessaDialect (d^-1/2 = 0.125 for d = 64).
  int count = 0;
  module->walk([&](mlir::sessa::AttentionOp op) {
    ++count;
    llvm::outs() << "sessa.attention scale = " << op.getEffectiveScale()
                 << "\n";
  });
  if (count != 1) {
    llvm::errs() << "error: expected one sessa.attention, found " << count
                 << "\n";
    return 1;
  }

  module->print(llvm::outs());
  llvm::outs() << "\n";
  return 0;
}
