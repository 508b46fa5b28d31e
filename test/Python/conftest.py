"""pytest configuration of the Python package tests (test/Python).

Run from the repository root after a build:

    PYTHONPATH=build/python_packages .venv/bin/python -m pytest test/Python -q

The staged package is found through PYTHONPATH, else $SESSA_BUILD_DIR or
<repo>/build. The float64 reference comes from test/Integration/lib.
"""

import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
for path in (os.path.join(REPO, "test", "Integration", "lib"), HERE):
    if path not in sys.path:
        sys.path.insert(0, path)
try:
    import sessa.compiler  # noqa: F401
except ImportError:
    build = os.environ.get("SESSA_BUILD_DIR") or os.path.join(REPO, "build")
    sys.path.insert(0, os.path.join(build, "python_packages"))
    for name in [m for m in sys.modules if m == "sessa" or m.startswith("sessa.")]:
        del sys.modules[name]

import sessa_reference  # noqa: E402
from sessa.model import LanguageModel, Layer, LMConfig  # noqa: E402

# Shapes shared by the compiled fixtures.
LAYER = dict(d_model=32, n_heads=4, n_kv_heads=2)
LAYER_BATCH = 2
LM = LMConfig(vocab_size=64, d_model=32, n_layers=2, n_heads=4, n_kv_heads=2)
LM_CHUNK = 4


@pytest.fixture(scope="session")
def ref():
    return sessa_reference


@pytest.fixture(scope="session")
def layer():
    return Layer.random(seed=11, **LAYER)


@pytest.fixture(scope="session")
def compiled_layer(layer, tmp_path_factory):
    """The layer compiled once for the session (f32, batch 2, opt level 2)."""
    out = tmp_path_factory.mktemp("layer") / "artifact"
    return layer.compile(out_dir=out, batch=LAYER_BATCH, opt_level=2)


@pytest.fixture(scope="session")
def lm():
    return LanguageModel.random(LM, seed=5)


@pytest.fixture(scope="session")
def compiled_lm(lm, tmp_path_factory):
    out = tmp_path_factory.mktemp("lm") / "artifact"
    return lm.compile(out_dir=out, prefill_chunk=LM_CHUNK, opt_level=2)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
