//===- CompilerModule.cpp - sessa._compiler (nanobind) --------------------===//
//
// The raw extension behind `sessa.compiler`. Every function returns
// (ok, output, diagnostics); sessa/compiler.py turns failures into
// `sessa.compiler.MLIRError` with the located diagnostic text. The GIL is
// released while MLIR works.
//
//===----------------------------------------------------------------------===//
#include "CompilerCore.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <tuple>

namespace nb = nanobind;
using namespace nb::literals;

namespace {
using Triple = std::tuple<bool, std::string, std::vector<std::string>>;

Triple toPython(sessa_py::Result r) {
  return {r.ok, std::move(r.output), std::move(r.diagnostics)};
}
} // namespace

NB_MODULE(_compiler, m) {
  m.doc() = "Raw bindings of the Sessa compiler (use sessa.compiler).";

  m.def(
      "parse",
      [](const std::string &text, const std::string &sourceName,
         bool generic) {
        nb::gil_scoped_release release;
        return toPython(sessa_py::parse(text, sourceName, generic));
      },
      "text"_a, "source_name"_a = "<string>", "generic"_a = false,
      "Parses and verifies MLIR text -> (ok, printed module, diagnostics).");

  m.def(
      "run_pipeline",
      [](const std::string &text, const std::string &pipeline,
         const std::string &sourceName, bool generic) {
        nb::gil_scoped_release release;
        return toPython(
            sessa_py::runPipeline(text, pipeline, sourceName, generic));
      },
      "text"_a, "pipeline"_a, "source_name"_a = "<string>",
      "generic"_a = false,
      "Runs a textual pass pipeline -> (ok, printed module, diagnostics).");

  m.def(
      "compile",
      [](const std::string &text, const std::string &outputDir,
         const std::string &name, const std::string &target,
         const std::string &cpu, const std::string &features,
         unsigned optLevel, const std::string &runtimeLibrary,
         const std::string &linker, bool openmp, bool keepLLVMIR,
         const std::string &sourceName, const std::string &cudaChip,
         const std::string &cudaFeatures, const std::string &cudaToolkit,
         const std::string &cudaRuntimeLibrary) {
        sessa_py::CompileArgs args;
        args.outputDir = outputDir;
        args.name = name;
        args.target = target;
        args.cpu = cpu;
        args.features = features;
        args.optLevel = optLevel;
        args.runtimeLibrary = runtimeLibrary;
        args.linker = linker;
        args.openmp = openmp;
        args.keepLLVMIR = keepLLVMIR;
        args.sourceName = sourceName;
        args.cudaChip = cudaChip;
        args.cudaFeatures = cudaFeatures;
        args.cudaToolkit = cudaToolkit;
        args.cudaRuntimeLibrary = cudaRuntimeLibrary;
        nb::gil_scoped_release release;
        return toPython(sessa_py::compile(text, args));
      },
      "text"_a, "output_dir"_a, "name"_a, "target"_a = "cpu", "cpu"_a = "",
      "features"_a = "", "opt_level"_a = 3, "runtime_library"_a = "",
      "linker"_a = "", "openmp"_a = true, "keep_llvm_ir"_a = false,
      "source_name"_a = "<string>", "cuda_chip"_a = "sm_90",
      "cuda_features"_a = "+ptx80", "cuda_toolkit"_a = "",
      "cuda_runtime_library"_a = "",
      "Compiles MLIR text into an artifact directory -> (ok, directory, "
      "diagnostics).");

  m.def("target_available", &sessa_py::targetAvailable, "target"_a,
        "Whether this build compiles for the target (\"cpu\", \"cuda\").");

  m.def("mlir_version", &sessa_py::mlirVersion,
        "The MLIR version this extension was built against.");
}
