"""ctypes loader for artifacts written by `sessa-compile`: the package's
`sessa.runtime` (python/sessa/runtime.py), re-exported under the name the
execution tests import. One implementation: see that file.

    art = Artifact("out/libmodel.so")          # or the artifact directory
    art.entries["forward"].inputs              # [(name, "f32", ["B", "T", 64]), ...]
    y, = art.call("forward", x, w)             # numpy in, numpy out

`call` checks dtypes and shapes against the signature first (ArgumentError,
a SessaError); `call(..., check=False)` leaves every check to the artifact.
The package is imported from PYTHONPATH if it is there (a build's
python_packages), else from the source tree (python/), which needs no
build: sessa.runtime is pure Python.
"""

import os
import sys

try:
    import sessa.runtime as _rt
except ImportError:
    sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 "..", "..", "..", "python"))
    import sessa.runtime as _rt

from sessa.runtime import (  # noqa: E402,F401
    ArgumentError, Artifact, Entry, ERROR_NAMES, SESSA_ABI_VERSION, SessaError, _ArgDesc,
    _DerivedSymbol, _EntryDesc, _ModuleDesc, _Status, _Tensor, from_bf16, to_bf16)

__all__ = ["Artifact", "Entry", "SessaError", "ArgumentError", "SESSA_ABI_VERSION"]
