//===- Compiler.cpp - sessa module -> artifact directory ------------------===//
#include "sessa/Compiler/Compiler.h"
#include "ArtifactGlue.h"
#include "sessa/Compiler/EntrySignature.h"
#include "sessa/Dialect/Sessa/IR/SessaDialect.h"
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::sessa;

#ifndef SESSA_OPENMP_LIBRARY_DIR
#define SESSA_OPENMP_LIBRARY_DIR ""
#endif

void mlir::sessa::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<SessaDialect>();
}

namespace {
bool isCIdentifier(StringRef s) {
  if (s.empty() || !(isalpha(s[0]) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) { return isalnum(c) || c == '_'; });
}

/// Files written under temporary names and renamed into place at the end,
/// or removed if anything fails.
class StagedFiles {
public:
  explicit StagedFiles(std::string dir) : dir(std::move(dir)) {}
  ~StagedFiles() {
    for (auto &[tmp, final] : files)
      llvm::sys::fs::remove(tmp);
  }
  /// A temporary path that becomes `finalName` on commit().
  FailureOr<std::string> stage(StringRef finalName, std::string &error) {
    SmallString<256> model(dir);
    llvm::sys::path::append(model, "." + finalName + ".tmp-%%%%%%");
    SmallString<256> tmp;
    if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, tmp)) {
      error = "cannot create a file in '" + dir + "': " + ec.message();
      return failure();
    }
    SmallString<256> final(dir);
    llvm::sys::path::append(final, finalName);
    files.push_back({std::string(tmp), std::string(final)});
    return std::string(tmp);
  }
  LogicalResult write(StringRef finalName, StringRef contents,
                      std::string &error) {
    FailureOr<std::string> tmp = stage(finalName, error);
    if (failed(tmp))
      return failure();
    std::error_code ec;
    llvm::raw_fd_ostream os(*tmp, ec);
    if (!ec) {
      os << contents;
      os.close();
      ec = os.error();
    }
    if (ec) {
      error = "cannot write '" + *tmp + "': " + ec.message();
      return failure();
    }
    return success();
  }
  LogicalResult commit(std::string &error) {
    for (auto &[tmp, final] : files)
      if (std::error_code ec = llvm::sys::fs::rename(tmp, final)) {
        error = "cannot rename '" + tmp + "' to '" + final + "': " +
                ec.message();
        return failure();
      }
    files.clear();
    return success();
  }

private:
  std::string dir;
  std::vector<std::pair<std::string, std::string>> files;
};

std::string findRuntimeLibrary(const CompileOptions &options) {
  if (!options.runtimeLibrary.empty())
    return options.runtimeLibrary;
  std::string exe = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&findRuntimeLibrary));
  SmallString<256> path(llvm::sys::path::parent_path(
      llvm::sys::path::parent_path(exe)));
  llvm::sys::path::append(path, "lib", "libSessaRuntime.a");
  return std::string(path);
}

FailureOr<std::string> findLinker(const CompileOptions &options,
                                  std::string &error) {
  if (!options.linker.empty())
    return options.linker;
  if (const char *env = std::getenv("SESSA_CC"); env && *env)
    return std::string(env);
  for (StringRef name : {"clang-22", "clang", "cc"})
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
  error = "no C compiler driver found to link the shared library (tried "
          "$SESSA_CC, clang-22, clang, cc)";
  return failure();
}

std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CompileOptions &options, std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu.empty() || options.cpu == "native"
                        ? llvm::sys::getHostCPUName().str()
                        : options.cpu;
  std::string features = options.features;
  if (features.empty() && (options.cpu.empty() || options.cpu == "native")) {
    llvm::SmallVector<std::string> list;
    for (auto &f : llvm::sys::getHostCPUFeatures())
      list.push_back((f.second ? "+" : "-") + f.first().str());
    features = llvm::join(list, ",");
  }
  llvm::CodeGenOptLevel level =
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                              : llvm::CodeGenOptLevel::None;
  llvm::TargetOptions targetOptions;
  // Global constructors in .init_array, as clang emits them: glibc does not
  // run the legacy .ctors section, and the cuda target's kernel images are
  // registered by constructors (mgpuModuleLoad).
  targetOptions.UseInitArray = true;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      level));
  if (!tm)
    error = "cannot create a target machine for " + triple.str() + " / " + cpu;
  return tm;
}
} // namespace

LogicalResult mlir::sessa::compileArtifact(ModuleOp module,
                                           const CompileOptions &options) {
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  if (options.target != "cpu" && options.target != "cuda")
    return emitError(loc) << "unknown target '" << options.target
                          << "' (known: cpu, cuda)";
  if (!isTargetAvailable(options.target))
    return emitError(loc)
           << "target '" << options.target
           << "' is not available in this build of sessa: it was configured "
              "without the CUDA toolkit (ptxas not found; reconfigure with "
              "the toolkit in /usr/local/cuda, CUDA_HOME or PATH)";
  const bool cuda = options.target == "cuda";
  if (!isCIdentifier(options.name))
    return emitError(loc) << "artifact name '" << options.name
                          << "' must be a C identifier";

  // Entry points: every public function with a body.
  std::vector<EntrySignature> entries;
  SmallVector<func::FuncOp> funcs;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    StringRef name = func.getSymName();
    if (!isCIdentifier(name) || name.starts_with("sessa_") ||
        name.starts_with("__sessa") || name.starts_with("_mlir"))
      return func.emitError() << "entry point name '" << name
                              << "' must be a C identifier not starting with "
                                 "'sessa_', '__sessa' or '_mlir'";
    FailureOr<EntrySignature> sig = inferEntrySignature(func);
    if (failed(sig))
      return failure();
    entries.push_back(std::move(*sig));
    funcs.push_back(func);
  }
  if (entries.empty())
    return emitError(loc) << "the module has no public function to export";

  for (auto [func, sig] : llvm::zip(funcs, entries)) {
    // Names live in the signature now; LLVM has no use for them.
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      func.removeArgAttr(i, "sessa.name");
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      func.removeResultAttr(i, StringAttr::get(ctx, "sessa.name"));
    auto newName = StringAttr::get(ctx, kComputePrefix + sig.name);
    if (failed(SymbolTable::replaceAllSymbolUses(func, newName, module)))
      return func.emitError() << "cannot rename entry point";
    func.setSymName(newName);
  }

  PassManager pm(ctx);
  pm.addPass(createSessaEntryPointABI());
  if (failed(buildTargetPipeline(pm, options)))
    return emitError(loc) << "cannot build the pipeline of target '"
                          << options.target << "'";
  if (failed(pm.run(module)))
    return failure();

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, options.name);
  if (!llvmModule)
    return emitError(loc) << "translation to LLVM IR failed";
  if (llvm::Error err = emitEntryPointGlue(*llvmModule, entries, options.target))
    return emitError(loc) << llvm::toString(std::move(err));

  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(options, error);
  if (!tm)
    return emitError(loc) << error;
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(tm->getTargetTriple());
  auto optimize = makeOptimizingTransformer(options.optLevel, 0, tm.get());
  if (llvm::Error err = optimize(llvmModule.get()))
    return emitError(loc) << "LLVM optimization failed: "
                          << llvm::toString(std::move(err));

  if (std::error_code ec =
          llvm::sys::fs::create_directories(options.outputDir))
    return emitError(loc) << "cannot create output directory '"
                          << options.outputDir << "': " << ec.message();
  StagedFiles staged(options.outputDir);

  // Object file, then the shared library.
  SmallString<128> objPath;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "sessa-" + options.name, "o", objPath))
    return emitError(loc) << "cannot create a temporary object file: "
                          << ec.message();
  llvm::FileRemover removeObj(objPath);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(objPath, ec);
    if (ec)
      return emitError(loc) << "cannot write '" << objPath
                            << "': " << ec.message();
    llvm::legacy::PassManager codegen;
    if (tm->addPassesToEmitFile(codegen, os, nullptr,
                                llvm::CodeGenFileType::ObjectFile))
      return emitError(loc) << "the target cannot emit object files";
    codegen.run(*llvmModule);
  }
  if (options.keepLLVMIR) {
    std::string ir;
    llvm::raw_string_ostream os(ir);
    llvmModule->print(os, nullptr);
    if (failed(staged.write(options.name + ".ll", ir, error)))
      return emitError(loc) << error;
  }

  std::string runtimeLib = findRuntimeLibrary(options);
  if (!llvm::sys::fs::exists(runtimeLib))
    return emitError(loc) << "runtime library '" << runtimeLib
                          << "' not found (pass --runtime-lib)";
  std::string cudaRuntimeLib;
  if (cuda) {
    cudaRuntimeLib = options.cudaRuntimeLibrary;
    if (cudaRuntimeLib.empty()) {
      SmallString<256> path(llvm::sys::path::parent_path(runtimeLib));
      llvm::sys::path::append(path, "libSessaCudaRuntime.a");
      cudaRuntimeLib = std::string(path);
    }
    if (!llvm::sys::fs::exists(cudaRuntimeLib))
      return emitError(loc) << "CUDA runtime library '" << cudaRuntimeLib
                            << "' not found (pass --cuda-runtime-lib)";
  }
  FailureOr<std::string> linker = findLinker(options, error);
  if (failed(linker))
    return emitError(loc) << error;

  std::string exports = "{\n  global:\n    sessa_artifact_module;\n";
  if (options.target == "cuda")
    exports += "    sessa_cuda_memory_stats;\n    sessa_cuda_cached_bytes;\n"
               "    sessa_cuda_launch_stats;\n";
  for (const EntrySignature &e : entries)
    exports += "    " + e.name + ";\n";
  exports += "  local: *;\n};\n";
  SmallString<128> versionScript;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "sessa-" + options.name, "map", versionScript))
    return emitError(loc) << "cannot create a temporary file: "
                          << ec.message();
  llvm::FileRemover removeScript(versionScript);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(versionScript, ec);
    os << exports;
  }

  FailureOr<std::string> soPath =
      staged.stage("lib" + options.name + ".so", error);
  if (failed(soPath))
    return emitError(loc) << error;
  std::string ompDir = SESSA_OPENMP_LIBRARY_DIR;
  SmallVector<std::string> args = {*linker, "-shared", "-o", *soPath,
                                   std::string(objPath)};
  if (cuda)
    args.push_back(cudaRuntimeLib);
  args.push_back(runtimeLib);
  args.push_back("-Wl,--version-script=" + std::string(versionScript));
  if (StringRef(*linker).contains("clang"))
    args.push_back("-fuse-ld=lld");
  if (cuda) {
    // The driver is loaded with dlopen at run time: no CUDA library at link
    // time. Every symbol must resolve here (an mgpu* function the runtime
    // lacks is a link error, not a load-time one).
    args.push_back("-Wl,-z,defs");
    args.push_back("-ldl");
    args.push_back("-lpthread");
  } else {
    // libomp: the compiled tiles (unless --no-openmp) and the runtime's
    // sgemm kernels run on it.
    if (!ompDir.empty()) {
      args.push_back("-L" + ompDir);
      args.push_back("-Wl,-rpath," + ompDir);
    }
    args.push_back("-lomp");
  }
  args.push_back("-lm");
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string linkError;
  SmallString<128> linkLog;
  llvm::sys::fs::createTemporaryFile("sessa-link", "log", linkLog);
  llvm::FileRemover removeLog(linkLog);
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(linkLog),
                                          StringRef(linkLog)};
  int rc = llvm::sys::ExecuteAndWait(*linker, argRefs, std::nullopt,
                                     redirects, 0, 0, &linkError);
  if (rc != 0) {
    auto log = llvm::MemoryBuffer::getFile(linkLog);
    return emitError(loc) << "linking lib" << options.name << ".so failed ("
                          << llvm::join(argRefs, " ") << "): "
                          << (linkError.empty() && log ? (*log)->getBuffer()
                                                       : StringRef(linkError));
  }

  StringRef source;
  if (auto fileLoc = dyn_cast<FileLineColLoc>(module.getLoc()))
    source = fileLoc.getFilename().getValue();
  if (failed(staged.write(options.name + ".h",
                          renderHeader(options.name, entries,
                                       source.empty() ? "<input>" : source,
                                       options.target),
                          error)) ||
      failed(staged.write("SessaRuntime.h", runtimeHeaderText(), error)) ||
      failed(staged.write("manifest.json",
                          renderManifest(options.name, options.target, entries),
                          error)) ||
      failed(staged.commit(error)))
    return emitError(loc) << error;
  return success();
}
