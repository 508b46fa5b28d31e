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



def test_decode_writes_the_cache_in_place(ref, layer, compiled_layer, rng):
    """The cache's buffers have room for more rows: a step passes views of
    the first P rows (input) and P + 1 rows (output) of the same memory
    (batch stride = capacity, not P), and the artifact writes only the new
    row; the result equals the float64 reference."""
    D = LAYER["d_model"]
    x = rng.standard_normal((LAYER_BATCH, 12, D)).astype(np.float32)
    want, _ = ref_forward(ref, layer, x)
    cache = compiled_layer.new_cache(LAYER_BATCH)
    ys = [compiled_layer(x[:, :8], cache)]
    cache.reserve(12)
    assert cache.capacity >= 12 > len(cache) == 8
    buffers = {n: b for n, b in cache._buffers.items()}
    # The rows past P are never read: poison them.
    for b in buffers.values():
        b[:, 8:] = np.nan
    for t in range(8, 12):
        ys.append(compiled_layer(x[:, t:t + 1], cache))
    assert all(cache._buffers[n] is buffers[n] for n in buffers), "buffers were reallocated"
    assert not cache["k"].flags.c_contiguous  # a real batch-strided view (B = 2)
    y = np.concatenate(ys, axis=1)
    assert np.isfinite(y).all()
    assert ref.rel_l2(y, want) <= TOL


def test_cache_views_through_the_runtime(layer, compiled_layer, rng):
    """The runtime passes batch-strided views of cache buffers as they are,
    equal to a call with dense copies; a view whose rows are not dense is
    copied for an input and refused for an output."""
    D, d = LAYER["d_model"], LAYER["d_model"] // LAYER["n_heads"]
    Hk = LAYER["n_kv_heads"]
    bound = compiled_layer._entries["layer_step"]
    P, cap = 5, 9
    bufs = [rng.standard_normal((LAYER_BATCH, cap, Hk, d)).astype(np.float32),
            rng.standard_normal((LAYER_BATCH, cap, Hk, d)).astype(np.float32),
            rng.standard_normal((LAYER_BATCH, cap, 1, D)).astype(np.float32),
            rng.standard_normal((LAYER_BATCH, cap, 1, D)).astype(np.float32)]
    x = rng.standard_normal((LAYER_BATCH, 1, D)).astype(np.float32)
    dense = bound(x, *[np.ascontiguousarray(b[:, :P]) for b in bufs])
    y = np.empty((LAYER_BATCH, 1, D), np.float32)
    outs = [y] + [b[:, :P + 1] for b in bufs]
    got = bound(x, *[b[:, :P] for b in bufs], outputs=outs)
    assert got[1] is outs[1]
    for a, b in zip(dense, [y] + [b[:, :P + 1] for b in bufs]):
        np.testing.assert_array_equal(a, b)
    # Rows not dense (every other head row of a wider buffer): an input is
    # copied to a dense array first, an output is refused.
    wide = rng.standard_normal((LAYER_BATCH, P + 1, 2 * Hk, d)).astype(np.float32)
    np.testing.assert_array_equal(
        bound(x, wide[:, :P, ::2], *[np.ascontiguousarray(b[:, :P]) for b in bufs[1:]])[0],
        bound(x, np.ascontiguousarray(wide[:, :P, ::2]),
              *[np.ascontiguousarray(b[:, :P]) for b in bufs[1:]])[0])
    with pytest.raises(sessa.runtime.ArgumentError, match="view of the first rows"):
        bound(x, *[b[:, :P] for b in bufs], outputs=[y, wide[:, :, ::2]] + outs[2:])
    # A prepared call runs the same call again on the same buffers.
    prepared = bound.prepare(x, *[b[:, :P] for b in bufs], outputs=outs)
    y[...] = np.nan
    assert prepared()[0] is y
    np.testing.assert_array_equal(y, dense[0])


def test_prepared_call_resized_each_step(layer, compiled_layer, rng):
    """A decoding loop prepares its call once and only sets P before each
    step (PreparedCall.resize): it equals unprepared calls on the same
    views exactly, never reads the spare rows, and refuses sizes that do
    not fit the buffers or that are not cache lengths (changing nothing)."""
    D, d = LAYER["d_model"], LAYER["d_model"] // LAYER["n_heads"]
    Hk = LAYER["n_kv_heads"]
    bound = compiled_layer._entries["layer_step"]
    P0, cap = 3, 9
    def buffers():
        bufs = [np.full((LAYER_BATCH, cap, Hk, d), np.nan, np.float32),
                np.full((LAYER_BATCH, cap, Hk, d), np.nan, np.float32),
                np.full((LAYER_BATCH, cap, 1, D), np.nan, np.float32),
                np.full((LAYER_BATCH, cap, 1, D), np.nan, np.float32)]
        for b, r in zip(bufs, (0, 1, 2, 3)):
            b[:, :P0] = np.random.default_rng(r).standard_normal(b[:, :P0].shape)
        return bufs
    want_bufs, got_bufs = buffers(), buffers()
    xs = rng.standard_normal((cap - P0, LAYER_BATCH, 1, D)).astype(np.float32)
    x, y = np.empty((LAYER_BATCH, 1, D), np.float32), np.empty((LAYER_BATCH, 1, D), np.float32)
    prepared = bound.prepare(x, *[b[:, :P0] for b in got_bufs],
                             outputs=[y] + [b[:, :P0 + 1] for b in got_bufs])
    assert prepared.sizes == {"P": P0, "T": 1, "P+T": P0 + 1}
    for i in range(cap - P0):
        P = P0 + i
        want = bound(xs[i], *[b[:, :P] for b in want_bufs],
                     outputs=[np.empty_like(y)] + [b[:, :P + 1] for b in want_bufs])[0]
        x[...] = xs[i]
        assert prepared.resize(P=P) is prepared
        prepared()
        assert np.isfinite(y).all()
        np.testing.assert_array_equal(y, want)
    for a, b in zip(want_bufs, got_bufs):
        np.testing.assert_array_equal(a, b)  # spare rows still NaN in both
    last = prepared.sizes
    with pytest.raises(sessa.runtime.ArgumentError, match=r"P\+T = 10 rows do not fit .*room for 9"):
        prepared.resize(P=cap)
    with pytest.raises(sessa.runtime.ArgumentError, match="dimension 1 is size 'T'.*cannot change"):
        prepared.resize(T=2)
    with pytest.raises(sessa.runtime.ArgumentError, match="not a size symbol"):
        prepared.resize({"P+T": 4})
    with pytest.raises(sessa.runtime.ArgumentError, match="not a size symbol"):
        prepared.resize(Q=4)
    with pytest.raises(sessa.runtime.ArgumentError, match="non-negative integer"):
        prepared.resize(P=-1)
    assert prepared.sizes == last


def test_compiled_layer_prepares_a_step_once(ref, layer, compiled_layer, rng):
    """Repeated decode steps on one cache reuse one prepared call; a cache
    that grows into new buffers is prepared again; the result stays equal
    to the float64 reference."""
    D = LAYER["d_model"]
    x = rng.standard_normal((LAYER_BATCH, 40, D)).astype(np.float32)
    want, _ = ref_forward(ref, layer, x)
    cache = compiled_layer.new_cache(LAYER_BATCH)
    ys = [compiled_layer(x[:, :5], cache)]
    calls, capacities = [], set()
    for t in range(5, 40):
        ys.append(compiled_layer(x[:, t:t + 1], cache))
        steps = [st for key, st in cache._prepared.items() if key[1][0][1][1] == 1]
        assert len(steps) == 1
        if not any(c is steps[0]["call"] for c in calls):
            calls.append(steps[0]["call"])
        capacities.add(cache.capacity)
    assert len(capacities) >= 2                 # the buffers grew (16 -> 32 -> 64 rows)
    assert len(calls) == len(capacities)       # one prepared call per set of buffers
    assert ref.rel_l2(np.concatenate(ys, axis=1), want) <= TOL


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
