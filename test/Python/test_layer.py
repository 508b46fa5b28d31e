"""A compiled layer against the float64 reference: full forward, prefill +
decode, chunked prefill, low precision, save / load."""

import numpy as np
import pytest

import sessa.runtime
from sessa.compiled import CompiledLayer
from sessa.model import Layer

from conftest import LAYER, LAYER_BATCH

TOL = 1e-4


def ref_forward(ref, layer, x, cache=None):
    c = layer.config
    return ref.layer(x, layer.params, c.n_heads, c.n_kv_heads, eps=c.eps,
                     gamma_max=c.gamma_max, rope=c.rope, rope_base=c.rope_base, cache=cache)


def test_full_forward(ref, layer, compiled_layer, rng):
    x = rng.standard_normal((LAYER_BATCH, 13, LAYER["d_model"])).astype(np.float32)
    y = compiled_layer(x)
    want, _ = ref_forward(ref, layer, x)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert ref.rel_l2(y, want) <= TOL


def test_prefill_then_decode_equals_full_forward(ref, layer, compiled_layer, rng):
    D = LAYER["d_model"]
    x = rng.standard_normal((LAYER_BATCH, 17, D)).astype(np.float32)
    want, want_cache = ref_forward(ref, layer, x)
    cache = compiled_layer.new_cache(LAYER_BATCH)
    assert len(cache) == 0
    ys = [compiled_layer(x[:, :9], cache)]                # prefill
    assert len(cache) == 9
    ys.append(compiled_layer(x[:, 9:12], cache))          # a chunk
    for t in range(12, 17):                               # decode
        ys.append(compiled_layer(x[:, t:t + 1], cache))
    assert len(cache) == 17
    y = np.concatenate(ys, axis=1)
    assert ref.rel_l2(y, want) <= TOL
    full = compiled_layer(x)
    assert ref.rel_l2(y, full) <= 1e-5                    # the same function, to rounding
    got = cache.as_float()
    for name in ("k", "v", "kb", "s"):
        assert ref.rel_l2(got[name], want_cache[name]) <= TOL, name


def test_one_head_without_biases(ref, tmp_path, rng):
    layer = Layer.random(16, 1, seed=3, biases=False, rope=False, eps=1e-6, gamma_max=0.9)
    f = layer.compile(out_dir=tmp_path / "a", batch=1, opt_level=1)
    x = rng.standard_normal((1, 7, 16)).astype(np.float32)
    want, _ = ref_forward(ref, layer, x)
    assert ref.rel_l2(f(x), want) <= TOL


@pytest.mark.parametrize("dtype,tol", [("bf16", 5e-2), ("f16", 5e-3)])
def test_low_precision(ref, layer, tmp_path, rng, dtype, tol):
    f = layer.compile(out_dir=tmp_path / dtype, dtype=dtype, batch=1, opt_level=1)
    assert f.artifact.entries["layer_step"].inputs[0][1] == dtype
    x = rng.standard_normal((1, 6, LAYER["d_model"])).astype(np.float32)
    want, _ = ref_forward(ref, layer, x)
    cache = f.new_cache(1)
    assert cache["k"].dtype == (np.uint16 if dtype == "bf16" else np.float16)
    y = np.concatenate([f(x[:, :4], cache), f(x[:, 4:5], cache), f(x[:, 5:], cache)], axis=1)
    assert y.dtype == np.float32
    assert ref.rel_l2(y, want) <= tol


def test_save_and_load(ref, layer, compiled_layer, tmp_path, rng):
    out = compiled_layer.save(tmp_path / "saved")
    again = sessa.runtime.load(out)
    assert isinstance(again, CompiledLayer)
    assert again.config == compiled_layer.config and again.dtype == "f32"
    x = rng.standard_normal((LAYER_BATCH, 5, LAYER["d_model"])).astype(np.float32)
    np.testing.assert_array_equal(again(x), compiled_layer(x))
    # A cache made by one works with the other.
    c = compiled_layer.new_cache(LAYER_BATCH)
    compiled_layer(x[:, :3], c)
    assert ref.rel_l2(again(x[:, 3:], c), compiled_layer(x)[:, 3:]) <= 1e-5
    # The directory is also a plain artifact.
    art = sessa.runtime.Artifact(out)
    assert list(art.entries) == ["layer_step"] and art.target == "cpu"


def test_layer_errors(compiled_layer, layer):
    D = LAYER["d_model"]
    with pytest.raises(ValueError, match=r"x must be \[batch, tokens, d_model\]"):
        compiled_layer(np.zeros((4, D), np.float32))
    with pytest.raises(sessa.runtime.ArgumentError,
                       match=r"input 0 \('x'\): dimension 2 is 31 but expected 32"):
        compiled_layer(np.zeros((LAYER_BATCH, 3, D - 1), np.float32))
    with pytest.raises(ValueError, match="compiled for batch 2, not 3"):
        compiled_layer.new_cache(3)
    c = compiled_layer.new_cache(LAYER_BATCH)
    with pytest.raises(sessa.runtime.ArgumentError, match=r"dimension 0 is 1 but expected 2"):
        compiled_layer(np.zeros((1, 3, D), np.float32), c)
    with pytest.raises(NotImplementedError, match="dynamic batch"):
        layer.compile(batch=None)
