//===- CompilerCore.cpp - Parse, run pipelines, compile (for Python) ------===//
//
// Compiled without RTTI, like MLIR and LLVM; see CompilerCore.h.
//
//===----------------------------------------------------------------------===//
#include "CompilerCore.h"

#include "sessa/Compiler/Compiler.h"
#include "sessa/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace sessa_py {
namespace {

/// Every dialect the compiler knows (upstream + sessa), and every pass and
/// pipeline (upstream, sessa conversion/transforms, sessa-cpu-pipeline),
/// registered once per process.
const DialectRegistry &registry() {
  static DialectRegistry *reg = [] {
    sessa::registerSessaPipelines();
    auto *r = new DialectRegistry();
    sessa::registerCompilerDialects(*r);
    return r;
  }();
  return *reg;
}

/// Renders a diagnostic the way mlir-opt prints it (emitDiagnostic is
/// protected upstream).
struct Renderer : SourceMgrDiagnosticHandler {
  using SourceMgrDiagnosticHandler::emitDiagnostic;
  using SourceMgrDiagnosticHandler::SourceMgrDiagnosticHandler;
};

/// One MLIR context with `text` in a source manager and every diagnostic
/// collected, rendered like mlir-opt prints them (location, message, the
/// source line and a caret, then attached notes).
class Session {
public:
  Session(const std::string &text, const std::string &sourceName)
      : context(registry()), stream(buffer),
        sourceHandler(sourceMgr, &context, stream) {
    // Messages name the op by location and source line; the generic form
    // of the op that MLIR appends by default is noise for Python users.
    context.printOpOnDiagnostic(false);
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(text, sourceName), llvm::SMLoc());
    // Registered after the source manager's handler, so it runs first; it
    // renders through that handler into `buffer`, one diagnostic at a time.
    handlerId = context.getDiagEngine().registerHandler([this](Diagnostic &d) {
      sourceHandler.emitDiagnostic(d);
      stream.flush();
      while (!buffer.empty() && buffer.back() == '\n')
        buffer.pop_back();
      diagnostics.push_back(buffer);
      buffer.clear();
      return success();
    });
  }
  ~Session() { context.getDiagEngine().eraseHandler(handlerId); }

  OwningOpRef<ModuleOp> parse() {
    return parseSourceFile<ModuleOp>(sourceMgr, &context);
  }

  Result fail(const std::string &fallback) {
    Result r;
    r.ok = false;
    r.diagnostics = std::move(diagnostics);
    if (r.diagnostics.empty())
      r.diagnostics.push_back(fallback);
    return r;
  }
  Result succeed(std::string output) {
    Result r;
    r.ok = true;
    r.output = std::move(output);
    r.diagnostics = std::move(diagnostics); // warnings and remarks
    return r;
  }

  MLIRContext context;
  llvm::SourceMgr sourceMgr;

private:
  std::string buffer;
  llvm::raw_string_ostream stream;
  Renderer sourceHandler;
  DiagnosticEngine::HandlerID handlerId;
  std::vector<std::string> diagnostics;
};

std::string print(ModuleOp module, bool generic) {
  std::string out;
  llvm::raw_string_ostream os(out);
  OpPrintingFlags flags;
  if (generic)
    flags.printGenericOpForm();
  module->print(os, flags);
  os.flush();
  return out;
}

} // namespace

Result parse(const std::string &text, const std::string &sourceName,
             bool generic) {
  Session s(text, sourceName);
  OwningOpRef<ModuleOp> module = s.parse();
  if (!module)
    return s.fail("the module does not parse or verify");
  return s.succeed(print(*module, generic));
}

Result runPipeline(const std::string &text, const std::string &pipeline,
                   const std::string &sourceName, bool generic) {
  Session s(text, sourceName);
  OwningOpRef<ModuleOp> module = s.parse();
  if (!module)
    return s.fail("the module does not parse or verify");
  PassManager pm(&s.context, ModuleOp::getOperationName());
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  StringRef spec = StringRef(pipeline).trim();
  // "builtin.module(a,b)" is the anchored form of "a,b" on the module.
  if (spec.consume_front("builtin.module(")) {
    if (!spec.consume_back(")")) {
      Result r;
      r.diagnostics.push_back("invalid pass pipeline '" + pipeline +
                              "': unbalanced parentheses");
      return r;
    }
  }
  LogicalResult parsed = parsePassPipeline(spec, pm, errorStream);
  if (failed(parsed)) {
    errorStream.flush();
    Result r;
    r.diagnostics.push_back("invalid pass pipeline '" + pipeline +
                            "': " + StringRef(error).trim().str());
    return r;
  }
  if (failed(pm.run(*module)))
    return s.fail("the pass pipeline '" + pipeline + "' failed");
  return s.succeed(print(*module, generic));
}

Result compile(const std::string &text, const CompileArgs &args) {
  Session s(text, args.sourceName);
  s.context.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module = s.parse();
  if (!module)
    return s.fail("the module does not parse or verify");
  sessa::CompileOptions options;
  options.target = args.target;
  options.name = args.name;
  options.outputDir = args.outputDir;
  options.cpu = args.cpu;
  options.features = args.features;
  options.optLevel = args.optLevel;
  options.runtimeLibrary = args.runtimeLibrary;
  options.linker = args.linker;
  options.keepLLVMIR = args.keepLLVMIR;
  options.pipeline.openmp = args.openmp;
  options.cudaChip = args.cudaChip;
  options.cudaFeatures = args.cudaFeatures;
  options.cudaToolkit = args.cudaToolkit;
  options.cudaRuntimeLibrary = args.cudaRuntimeLibrary;
  if (failed(sessa::compileArtifact(*module, options)))
    return s.fail("compilation failed");
  return s.succeed(args.outputDir);
}

std::string mlirVersion() {
  return "MLIR " + std::to_string(LLVM_VERSION_MAJOR) + "." +
         std::to_string(LLVM_VERSION_MINOR) + "." +
         std::to_string(LLVM_VERSION_PATCH);
}

bool targetAvailable(const std::string &target) {
  return sessa::isTargetAvailable(target);
}

} // namespace sessa_py
