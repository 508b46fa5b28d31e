"""The compiled language model against the float64 reference: prefill
(chunked, padded), decode steps, generate, save / load."""

import numpy as np
import pytest

import sessa.runtime
from sessa.compiled import CompiledLanguageModel

from conftest import LM, LM_CHUNK
from lm_reference import lm_forward

TOL = 1e-4


def test_signature(compiled_lm):
    entries = compiled_lm.artifact.entries
    assert sorted(entries) == ["decode", "prefill"]
    assert entries["prefill"].inputs[0] == ("tokens", "i64", [1, LM_CHUNK])
    assert entries["decode"].outputs[0] == ("logits", "f32", [1, 1, LM.vocab_size])
    assert len(entries["decode"].outputs) == 1 + 4 * LM.n_layers


@pytest.mark.parametrize("L", [1, 3, LM_CHUNK, 2 * LM_CHUNK + 3])
def test_prefill_matches_reference(ref, lm, compiled_lm, rng, L):
    tokens = rng.integers(0, LM.vocab_size, (1, L))
    cache = compiled_lm.new_cache()
    logits = compiled_lm.prefill(tokens, cache)
    want, want_caches = lm_forward(tokens, lm.params, LM)
    assert logits.shape == (1, L, LM.vocab_size)
    assert ref.rel_l2(logits, want) <= TOL
    assert len(cache) == L                     # padding rows were dropped
    for got, w in zip(cache.layers, want_caches):
        assert ref.rel_l2(got.as_float()["s"], w["s"]) <= TOL


def test_prefill_then_decode_equals_full_forward(ref, lm, compiled_lm, rng):
    tokens = rng.integers(0, LM.vocab_size, (1, 14))
    want, _ = lm_forward(tokens, lm.params, LM)
    cache = compiled_lm.new_cache()
    got = [compiled_lm.prefill(tokens[:, :6], cache)]
    for t in range(6, 14):
        got.append(compiled_lm.decode_step(tokens[:, t], cache)[:, None])
    got = np.concatenate(got, axis=1)
    assert ref.rel_l2(got, want) <= TOL
    assert len(cache) == 14


def test_generate_is_greedy(lm, compiled_lm):
    prompt = np.array([[1, 2, 3, 4, 5]])
    seen = []
    tokens, stats = compiled_lm.generate(prompt, 6, on_token=lambda i, t, lg: seen.append(int(t[0])))
    assert tokens.shape == (1, 11) and list(tokens[0, :5]) == [1, 2, 3, 4, 5]
    assert seen == list(tokens[0, 5:])
    want, _ = lm_forward(tokens[:, :-1], lm.params, LM)
    np.testing.assert_array_equal(np.argmax(want[0, 4:], axis=-1), tokens[0, 5:])
    assert stats["decode_steps"] == 5 and stats["tokens_per_s"] > 0


def test_save_and_load(compiled_lm, tmp_path):
    out = compiled_lm.save(tmp_path / "lm")
    again = sessa.runtime.load(out)
    assert isinstance(again, CompiledLanguageModel)
    assert again.config == compiled_lm.config
    tokens = np.array([[7, 8, 9, 10, 11, 12]])
    np.testing.assert_array_equal(again(tokens), compiled_lm(tokens))


def test_token_errors(compiled_lm):
    cache = compiled_lm.new_cache()
    with pytest.raises(ValueError, match=r"token id 64 is out of range \[0, 64\)"):
        compiled_lm.prefill(np.array([[1, 64]]), cache)
    with pytest.raises(TypeError, match="tokens must be integers"):
        compiled_lm.prefill(np.array([[1.0, 2.0]]), cache)
    with pytest.raises(ValueError, match="compiled for batch 1, got 2 sequences"):
        compiled_lm.prefill(np.zeros((2, 3), np.int64), cache)
    assert len(cache) == 0


def test_cuda_is_not_available(lm):
    """A compiled language model runs on the CPU only (host caches): CUDA is
    refused, by the build (no toolkit) or by the model wrapper."""
    import sessa.compiler as sc
    match = ("not available for a compiled language model" if "cuda" in sc.TARGETS
             else "not available in this build")
    with pytest.raises(sc.TargetNotAvailableError, match=match):
        lm.compile(target="cuda")


def test_runtime_needs_no_mlir(compiled_lm, tmp_path):
    """A saved model loads and runs from the source tree's sessa package,
    which has no compiled extension: sessa.runtime is ctypes + numpy."""
    import os
    import subprocess
    import sys
    out = compiled_lm.save(tmp_path / "lm")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = (
        "import sys, numpy as np\n"
        "sys.path.insert(0, %r)\n"
        "import sessa.runtime\n"
        "lm = sessa.runtime.load(%r)\n"
        "toks, _ = lm.generate(np.array([[3, 1, 4]]), 4)\n"
        "assert 'sessa._compiler' not in sys.modules and 'sessa.compiler' not in sys.modules\n"
        "print(' '.join(map(str, toks[0])))\n" % (os.path.join(repo, "python"), out))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    want, _ = compiled_lm.generate(np.array([[3, 1, 4]]), 4)
    assert proc.stdout.split() == [str(t) for t in want[0]]


@pytest.fixture(scope="module")
def dynamic_lm(lm, tmp_path_factory):
    """@prefill with a dynamic T: the entry signature follows T from the
    tokens through the embedding gather, the layers and the head's
    reshapes to the logits and the caches."""
    return lm.compile(out_dir=tmp_path_factory.mktemp("dyn") / "artifact",
                      prefill_chunk=None, opt_level=1)


def test_dynamic_prefill_signature(dynamic_lm):
    prefill = dynamic_lm.artifact.entries["prefill"]
    assert prefill.inputs[0] == ("tokens", "i64", [1, "T"])
    assert prefill.outputs[0] == ("logits", "f32", [1, "T", LM.vocab_size])


@pytest.mark.parametrize("L", [1, 2, 9, 23])
def test_dynamic_prefill(ref, lm, dynamic_lm, rng, L):
    tokens = rng.integers(0, LM.vocab_size, (1, L))
    want, want_caches = lm_forward(tokens, lm.params, LM)
    cache = dynamic_lm.new_cache()
    got = dynamic_lm.prefill(tokens, cache)
    assert got.shape == (1, L, LM.vocab_size)
    assert ref.rel_l2(got, want) <= TOL
    assert len(cache) == L
    for c, w in zip(cache.layers, want_caches):
        assert ref.rel_l2(c.as_float()["s"], w["s"]) <= TOL


def test_dynamic_prefill_continues_a_cache(ref, lm, dynamic_lm, rng):
    """Two dynamic prefills and decode steps equal the full forward."""
    tokens = rng.integers(0, LM.vocab_size, (1, 17))
    want, _ = lm_forward(tokens, lm.params, LM)
    cache = dynamic_lm.new_cache()
    got = [dynamic_lm.prefill(tokens[:, :5], cache), dynamic_lm.prefill(tokens[:, 5:12], cache)]
    for t in range(12, 17):
        got.append(dynamic_lm.decode_step(tokens[:, t], cache)[:, None])
    assert ref.rel_l2(np.concatenate(got, axis=1), want) <= TOL
    assert len(cache) == 17
