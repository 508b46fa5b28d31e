"""Sessa: an ahead-of-time compiler for Sessa decoder layers and models.

    sessa.compiler  parse / verify MLIR, run pipelines, compile artifacts
                    (needs the compiled extension sessa._compiler)
    sessa.runtime   load and call artifacts with ctypes + numpy (no MLIR)
    sessa.model     MLIR builders for a Sessa layer and a small language
                    model, a state-dict importer, .compile()

Submodules are imported on first use, so `import sessa.runtime` works on a
machine without MLIR.
"""

import importlib

__version__ = "0.1.0"
__all__ = ["compiler", "runtime", "model", "compiled", "load", "__version__"]


def load(path):
    """sessa.runtime.load: an artifact directory, or a saved compiled model."""
    from .runtime import load as _load
    return _load(path)


def __getattr__(name):
    if name in ("compiler", "runtime", "model", "compiled"):
        return importlib.import_module("." + name, __name__)
    raise AttributeError("module 'sessa' has no attribute %r" % name)
