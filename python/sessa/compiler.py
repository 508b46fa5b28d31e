"""The Sessa compiler from Python (a nanobind extension, `sessa._compiler`).

    import sessa.compiler as sc
    text = sc.parse(mlir_text)                 # verify; the module printed back
    sc.verify(mlir_text)                       # the same, returns nothing
    low = sc.run_pipeline(text, "sessa-decompose-layer,canonicalize")
    out = sc.compile(text, "out/", "model")   # artifact directory

Failures raise `MLIRError`; its message is every diagnostic with its
location and source line (`model.mlir:3:7: error: ...`), also in
`.diagnostics`. Targets: "cpu", and "cuda" when the build found the CUDA
toolkit (`TARGETS` lists what this build compiles for; another known target
raises `TargetNotAvailableError`). A "cuda" artifact's entry points take
device pointers and a CUDA stream (see sessa.runtime).
"""

import os

try:
    from . import _compiler as _ext
except ImportError as e:  # pragma: no cover - depends on the installation
    raise ImportError(
        "sessa.compiler needs the compiled extension sessa._compiler, which this installation "
        "of the sessa package does not have (%s). Build the project with SESSA_ENABLE_PYTHON "
        "(scripts/setup.sh) and use PYTHONPATH=<build>/python_packages, or `pip install .`; "
        "sessa.runtime works without it." % e) from e

__all__ = ["MLIRError", "TargetNotAvailableError", "parse", "verify", "run_pipeline",
           "compile", "runtime_library", "mlir_version", "TARGETS"]

#: Targets this build can compile for.
TARGETS = tuple(t for t in ("cpu", "cuda") if _ext.target_available(t))
#: Targets the API knows of.
KNOWN_TARGETS = ("cpu", "cuda")


class MLIRError(ValueError):
    """MLIR text that does not parse or verify, a pass pipeline that fails,
    or a compilation that fails. `.diagnostics` is the list of rendered
    diagnostics (location, severity, message, source line)."""

    def __init__(self, summary, diagnostics):
        self.diagnostics = list(diagnostics)
        self.summary = summary
        super().__init__(summary + (":\n" + "\n".join(self.diagnostics) if self.diagnostics else ""))


class TargetNotAvailableError(NotImplementedError):
    """A target the API knows of but this build cannot compile for."""


def mlir_version():
    """The MLIR version the extension was built against ("MLIR 22.1.x")."""
    return _ext.mlir_version()


def _check(result, summary):
    ok, output, diagnostics = result
    if not ok:
        raise MLIRError(summary, diagnostics)
    return output


def parse(text, source_name="<string>", generic=False):
    """Parses and verifies MLIR `text`; returns the module printed back
    (generic op form if `generic`). Raises MLIRError."""
    return _check(_ext.parse(text, source_name, generic),
                  "%s does not parse or verify" % source_name)


def verify(text, source_name="<string>"):
    """Raises MLIRError unless `text` parses and verifies."""
    parse(text, source_name)


def run_pipeline(text, pipeline, source_name="<string>", generic=False):
    """Runs a textual pass pipeline on the module `text` and returns the
    result printed. `pipeline` is anchored ("builtin.module(cse)") or a
    list of passes and pipelines on the module ("sessa-cpu-pipeline",
    "sessa-decompose-layer,canonicalize"). Raises MLIRError."""
    return _check(_ext.run_pipeline(text, pipeline, source_name, generic),
                  "pipeline '%s' failed on %s" % (pipeline, source_name))


def runtime_library():
    """Path of libSessaRuntime.a linked into every artifact: $SESSA_RUNTIME_LIB,
    else the copy inside this package."""
    env = os.environ.get("SESSA_RUNTIME_LIB")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib", "libSessaRuntime.a")


def _target_check(target):
    if target not in KNOWN_TARGETS:
        raise ValueError("unknown target %r (known: %s)" % (target, ", ".join(KNOWN_TARGETS)))
    if target not in TARGETS:
        raise TargetNotAvailableError(
            "target %r is not available in this build of sessa (it was configured without the "
            "CUDA toolkit: ptxas not found); available: %s" % (target, ", ".join(TARGETS)))


def compile(text, out_dir, name, target="cpu", cpu=None, opt_level=3, features=None,
            openmp=True, keep_llvm_ir=False, runtime_library=None, linker=None,
            source_name=None, cuda_chip="sm_90a", cuda_features="+ptx80", cuda_toolkit=None,
            cuda_runtime_library=None):
    """Compiles the MLIR module `text` ahead of time into the artifact
    directory `out_dir` (created if missing; nothing is written unless
    everything succeeds): lib<name>.so, <name>.h, SessaRuntime.h and
    manifest.json. Returns the absolute directory.

    target: "cpu" or "cuda" (in TARGETS; cuda_chip / cuda_features /
    cuda_toolkit choose the GPU architecture, PTX features and the toolkit
    whose ptxas builds the cubin; cuda_runtime_library: libSessaCudaRuntime.a,
    default next to runtime_library); cpu: an LLVM CPU
    name (None: the host's, e.g. "x86-64-v3" for any AVX2 machine);
    features: LLVM target features; opt_level: 0-3; openmp: run
    independent tiles on all cores; keep_llvm_ir: also write <name>.ll.
    """
    _target_check(target)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError("artifact name %r must be a C identifier" % (name,))
    if opt_level not in (0, 1, 2, 3):
        raise ValueError("opt_level must be 0, 1, 2 or 3, got %r" % (opt_level,))
    out_dir = os.path.abspath(os.fspath(out_dir))
    if runtime_library is None:
        runtime_library = globals()["runtime_library"]()
    if not os.path.exists(runtime_library):
        raise FileNotFoundError("libSessaRuntime.a not found at %s (set SESSA_RUNTIME_LIB)"
                                % runtime_library)
    return _check(
        _ext.compile(text, out_dir, name, target=target, cpu=cpu or "",
                     features=features or "", opt_level=int(opt_level),
                     runtime_library=runtime_library, linker=linker or "",
                     openmp=bool(openmp), keep_llvm_ir=bool(keep_llvm_ir),
                     source_name=source_name or "%s.mlir" % name,
                     cuda_chip=cuda_chip, cuda_features=cuda_features,
                     cuda_toolkit=cuda_toolkit or "",
                     cuda_runtime_library=cuda_runtime_library or ""),
        "compiling %s for %s failed" % (name, target))
