//===- CompilerCore.h - MLIR-free interface of the Python extension -------===//
//
// The nanobind module (CompilerModule.cpp) is compiled with RTTI and
// exceptions; MLIR and LLVM are built without RTTI. This header keeps the
// two apart: it uses only the standard library, and CompilerCore.cpp (the
// only file that includes MLIR headers) is compiled with -fno-rtti.
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_PYTHON_COMPILERCORE_H
#define SESSA_PYTHON_COMPILERCORE_H

#include <string>
#include <vector>

namespace sessa_py {

/// The outcome of one call: `ok`, the printed module (or artifact directory)
/// in `output`, and every diagnostic emitted, each rendered with its source
/// location and the source line (`file:line:col: error: ...`).
struct Result {
  bool ok = false;
  std::string output;
  std::vector<std::string> diagnostics;
};

/// Parses and verifies `text`; on success `output` is the module printed
/// back (generic op form when `generic`).
Result parse(const std::string &text, const std::string &sourceName,
             bool generic);

/// Parses `text` and runs the textual pass pipeline `pipeline`, either
/// anchored ("builtin.module(canonicalize,cse)") or a bare list of passes
/// and pipelines on the module ("sessa-cpu-pipeline{openmp=false}").
Result runPipeline(const std::string &text, const std::string &pipeline,
                   const std::string &sourceName, bool generic);

struct CompileArgs {
  std::string name;
  std::string outputDir;
  std::string target = "cpu";
  std::string cpu;
  std::string features;
  unsigned optLevel = 3;
  std::string runtimeLibrary;
  std::string linker;
  bool openmp = true;
  bool keepLLVMIR = false;
  std::string sourceName = "<string>";
  std::string cudaChip = "sm_90";
  std::string cudaFeatures = "+ptx80";
  std::string cudaToolkit;
  std::string cudaRuntimeLibrary;
};

/// Compiles `text` into an artifact directory (lib<name>.so, <name>.h,
/// SessaRuntime.h, manifest.json); `output` is the directory.
Result compile(const std::string &text, const CompileArgs &args);

/// "MLIR <major>.<minor>".
std::string mlirVersion();

/// Whether this build compiles for `target` ("cpu", "cuda").
bool targetAvailable(const std::string &target);

} // namespace sessa_py

#endif // SESSA_PYTHON_COMPILERCORE_H
