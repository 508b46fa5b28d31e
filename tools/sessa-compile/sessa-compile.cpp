//===- sessa-compile.cpp - Ahead-of-time compiler for Sessa models --------===//
//
//   sessa-compile model.mlir -o out/            # out/libmodel.so, model.h, ...
//   sessa-compile model.mlir -o out/ --name=m --cpu=x86-64-v3
//   sessa-compile model.mlir -o out/ --target=cuda --cuda-chip=sm_90
//
//===----------------------------------------------------------------------===//
#include "sessa/Compiler/Compiler.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<input .mlir>"),
                                      cl::Required);
static cl::opt<std::string> outputDir("o", cl::desc("Output directory"),
                                      cl::value_desc("dir"), cl::Required);
static cl::opt<std::string>
    artifactName("name", cl::desc("Artifact name (default: input file stem)"));
static cl::opt<std::string>
    target("target",
           cl::desc("Target: cpu (default) or cuda (entry points take device "
                    "pointers and a CUstream; needs a build with the CUDA "
                    "toolkit)"),
           cl::init("cpu"));
static cl::opt<std::string>
    cudaChip("cuda-chip",
             cl::desc("GPU architecture for --target=cuda (default sm_90: "
                      "mma.sync GEMMs, PTX the driver can JIT for later "
                      "GPUs; sm_90a: wgmma GEMMs, H100/H200 only)"),
             cl::init("sm_90"));
static cl::opt<std::string>
    cudaFeatures("cuda-features",
                 cl::desc("PTX features for --target=cuda"),
                 cl::init("+ptx80"));
static cl::opt<std::string> cudaGridDependency(
    "cuda-grid-dependency",
    cl::desc("Programmatic dependent launch on sm_90+ (--target=cuda): "
             "wait (default: every kernel waits for the previous grid on "
             "entry; the driver may launch it while that grid finishes), "
             "launch (also lets the next kernel be scheduled right after "
             "the wait), off (no griddepcontrol; plain launches)"),
    cl::init("wait"));
static cl::opt<std::string> cudaToolkit(
    "cuda-toolkit",
    cl::desc("CUDA toolkit directory whose bin/ptxas builds the cubin "
             "(default: the one found when sessa was configured)"));
static cl::opt<std::string> cudaRuntimeLib(
    "cuda-runtime-lib",
    cl::desc("Path of libSessaCudaRuntime.a (default: next to "
             "libSessaRuntime.a)"));
static cl::opt<std::string>
    cpu("cpu", cl::desc("LLVM CPU name (default: the host's; e.g. "
                        "x86-64-v3 for any AVX2 machine)"));
static cl::opt<std::string>
    features("features", cl::desc("LLVM target features (default: the "
                                  "host's when --cpu is not given)"));
static cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level"),
                                  cl::init(3), cl::Prefix);
static cl::opt<std::string>
    runtimeLib("runtime-lib", cl::desc("Path of libSessaRuntime.a"));
static cl::opt<std::string> linker("linker",
                                   cl::desc("C compiler driver used to link"));
static cl::opt<bool> noOpenMP("no-openmp",
                              cl::desc("Single-threaded code (no libomp)"));
static cl::opt<int64_t> attentionQueryTile(
    "attention-query-tile", cl::desc("Query rows per attention tile"),
    cl::init(mlir::sessa::SessaTilingOptions().attentionQueryTile));
static cl::opt<int64_t> keyTile("key-tile",
                                cl::desc("Key rows per online-softmax step"),
                                cl::init(mlir::sessa::SessaTilingOptions().keyTile));
static cl::opt<int64_t>
    feedbackChunk("feedback-chunk",
                  cl::desc("Rows per chunk of the feedback solve"),
                  cl::init(mlir::sessa::SessaTilingOptions().feedbackChunk));
static cl::opt<int64_t> feedbackRowBlock(
    "feedback-row-block",
    cl::desc("Rows of a feedback chunk per parallel flash task"),
    cl::init(mlir::sessa::SessaTilingOptions().feedbackRowBlock));
static cl::opt<int64_t>
    scanChannelTile("scan-channel-tile",
                    cl::desc("Channels per selective-scan tile"), cl::init(mlir::sessa::SessaTilingOptions().scanChannelTile));
static cl::opt<bool> keepIR("keep-llvm-ir",
                            cl::desc("Also write <name>.ll"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv,
      "sessa-compile: compile a module of sessa ops ahead of time into a "
      "shared library with a C ABI\n");

  DialectRegistry registry;
  sessa::registerCompilerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::string error;
  auto file = openInputFile(inputFile, &error);
  if (!file) {
    llvm::errs() << "sessa-compile: " << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  sessa::CompileOptions options;
  options.target = target;
  options.outputDir = outputDir;
  options.name = artifactName.empty()
                     ? llvm::sys::path::stem(inputFile).str()
                     : artifactName.getValue();
  options.cpu = cpu;
  options.features = features;
  options.optLevel = optLevel;
  options.runtimeLibrary = runtimeLib;
  options.cudaRuntimeLibrary = cudaRuntimeLib;
  options.cudaChip = cudaChip;
  options.cudaFeatures = cudaFeatures;
  options.cudaGridDependency = cudaGridDependency;
  options.cudaToolkit = cudaToolkit;
  options.linker = linker;
  options.keepLLVMIR = keepIR;
  options.pipeline.openmp = !noOpenMP;
  options.pipeline.attentionQueryTile = attentionQueryTile;
  options.pipeline.keyTile = keyTile;
  options.pipeline.feedbackChunk = feedbackChunk;
  options.pipeline.feedbackRowBlock = feedbackRowBlock;
  options.pipeline.scanChannelTile = scanChannelTile;
  if (failed(sessa::compileArtifact(*module, options)))
    return 1;
  return 0;
}
