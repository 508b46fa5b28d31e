"""examples/python/generate.py (the README's example) runs end to end on a
smaller model: compile, prefill, greedy decode, reference check, save and
reload, usage text; --target cuda says it is not available."""

import importlib.util
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def generate():
    path = os.path.join(REPO, "examples", "python", "generate.py")
    spec = importlib.util.spec_from_file_location("sessa_example_generate", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generate(generate, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "1"))
    out = tmp_path / "lm"
    rc = generate.main(["--tokens", "6", "--d-model", "32", "--chunk", "4", "--opt-level", "1",
                        "--check-steps", "2", "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert "tokens/s" in text and "6/6 tokens" in text
    assert "ok   prefill, all" in text and "ok   decode step 5" in text
    assert "reloaded with sessa.runtime.load: same logits" in text
    assert '#include "sessa_lm.h"' in text and text.rstrip().endswith("OK")
    assert sorted(os.listdir(out)) == ["SessaRuntime.h", "libsessa_lm.so", "manifest.json",
                                       "sessa_lm.h", "sessa_model.json", "weights.npz"]


def test_generate_cuda_not_available(generate, tmp_path, capsys):
    rc = generate.main(["--target", "cuda", "--out", str(tmp_path / "x")])
    text = capsys.readouterr().out
    assert rc == 2
    assert "--target cuda is not available" in text
    assert ("not available for a compiled language model" in text
            or "not available in this build" in text)
