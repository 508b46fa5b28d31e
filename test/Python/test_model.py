"""sessa.model: the MLIR builders verify, the importer maps every key and
rejects missing, mis-shaped and unexpected ones by name."""

import numpy as np
import pytest

import sessa.compiler as sc
from sessa.model import (BIAS_KEYS, LanguageModel, Layer, LMConfig, StateDictError,
                         layer_param_shapes)

from conftest import LM


def ref_params(ref, D=32, H=4, Hk=2, seed=0, biases=True):
    return ref.make_layer_params(D, H, Hk, np.random.default_rng(seed), biases=biases)


@pytest.mark.parametrize("dtype", ["f32", "f16", "bf16"])
@pytest.mark.parametrize("heads,biases,batch", [((4, 2), True, 1), ((1, 1), False, 3),
                                                ((4, 4), True, None)])
def test_layer_mlir_verifies(dtype, heads, biases, batch):
    layer = Layer.random(32, *heads, seed=1, biases=biases)
    text = layer.mlir(dtype=dtype, batch=batch)
    out = sc.parse(text, "layer.mlir")
    assert out.count("sessa.layer") == 1
    assert ("out_proj(" in out) == (heads[0] > 1)
    assert ("W_in.bias" in text) == biases
    b = "?" if batch is None else str(batch)
    assert "tensor<%sx?x32x%s>" % (b, dtype) in out


def test_lm_mlir_verifies(lm):
    text = lm.mlir(batch=1, prefill_chunk=4)
    out = sc.parse(text, "lm.mlir")
    assert out.count("sessa.layer") == 2 * LM.n_layers  # @prefill and @decode
    assert "func.func @prefill" in out and "func.func @decode" in out
    assert "tensor<1x4x64xf32>" in out and "tensor<1x1x64xf32>" in out  # logits
    for i in range(LM.n_layers):
        assert '"layers.%d.cache.kb"' % i in text and '"layers.%d.new_cache.s"' % i in text
    dyn = sc.parse(lm.mlir(prefill_chunk=None))  # dynamic T (see test_lm.py)
    assert "tensor<1x?xi64>" in dyn and "tensor<1x?x64xf32>" in dyn
    one = sc.parse(lm.mlir(prefill_chunk=1))
    assert "@prefill" not in one and "@decode" in one


def test_importer_maps_every_key(ref):
    p = ref_params(ref)
    layer = Layer.from_state_dict(p, n_heads=4, n_kv_heads=2)
    assert set(layer.params) == set(p)
    for k, v in p.items():
        np.testing.assert_array_equal(layer.params[k].reshape(v.shape), v)
    # The entry arguments of the layer are exactly the keys (plus x and caches).
    text = layer.mlir()
    for k in p:
        assert '{sessa.name = "%s"}' % k in text
    assert layer.config.d_model == 32 and layer.config.head_dim == 8


def test_importer_scalar_gamma_bias_and_flat_gamma_ctx(ref):
    p = ref_params(ref)
    p["mixer.gamma_bias"] = np.float32(0.25).reshape(())
    p["mixer.gamma_ctx.weight"] = p["mixer.gamma_ctx.weight"].reshape(32)
    layer = Layer.from_state_dict(p, n_heads=4, n_kv_heads=2)
    assert layer.params["mixer.gamma_bias"].shape == (1,)
    assert layer.params["mixer.gamma_bias"][0] == np.float32(0.25)
    assert layer.params["mixer.gamma_ctx.weight"].shape == (1, 32)


def test_importer_optional_biases_and_one_head(ref):
    p = ref_params(ref, H=1, Hk=1, biases=False)
    layer = Layer.from_state_dict(p, n_heads=1)
    assert not set(BIAS_KEYS) & set(layer.params)
    assert "mixer.out_proj.weight" not in layer.params
    # An out_proj with one head is ignored, as by the reference.
    p["mixer.out_proj.weight"] = np.eye(32, dtype=np.float32)
    Layer.from_state_dict(p, n_heads=1)


@pytest.mark.parametrize("key", sorted(k for k, (_, req, _) in
                                       layer_param_shapes(32, 4, 2).items() if req))
def test_importer_rejects_missing_key(ref, key):
    p = ref_params(ref)
    shape = layer_param_shapes(32, 4, 2)[key][0]
    del p[key]
    with pytest.raises(StateDictError) as e:
        Layer.from_state_dict(p, n_heads=4, n_kv_heads=2)
    assert e.value.key == key
    assert "missing key %r (expected shape %s" % (key, list(shape)) in str(e.value)


@pytest.mark.parametrize("key,shape,expected", [
    ("mixer.k_proj.weight", (32, 32), "[16, 32]"),
    ("W_in.weight", (64, 31), "[64, 32]"),
    ("mixer.gamma_bias", (2,), "[1]"),
    ("mixer.q_proj.bias", (16,), "[32]"),
    ("W_out.bias", (32, 1), "[32]"),
])
def test_importer_rejects_misshaped_key(ref, key, shape, expected):
    p = ref_params(ref)
    p[key] = np.zeros(shape, np.float32)
    with pytest.raises(StateDictError) as e:
        Layer.from_state_dict(p, n_heads=4, n_kv_heads=2)
    assert e.value.key == key
    assert "key %r has shape %s, expected %s" % (key, list(shape), expected) in str(e.value)


def test_importer_rejects_unexpected_key(ref):
    p = ref_params(ref)
    p["mixer.extra.weight"] = np.zeros(3, np.float32)
    with pytest.raises(StateDictError, match="unexpected key 'mixer.extra.weight'"):
        Layer.from_state_dict(p, n_heads=4, n_kv_heads=2)
    Layer.from_state_dict(p, n_heads=4, n_kv_heads=2, strict=False)


def test_importer_bad_heads(ref):
    with pytest.raises(ValueError, match="not a multiple of n_kv_heads"):
        Layer.from_state_dict(ref_params(ref), n_heads=4, n_kv_heads=3)


def test_importer_npz_and_prefix(ref, tmp_path):
    p = ref_params(ref)
    path = tmp_path / "sd.npz"
    np.savez(path, **{"layers.3." + k: v for k, v in p.items()})
    layer = Layer.from_state_dict(str(path), n_heads=4, n_kv_heads=2, prefix="layers.3.")
    for k, v in p.items():
        np.testing.assert_array_equal(layer.params[k].reshape(v.shape), v)
    with pytest.raises(StateDictError, match="missing key 'layers.3.ln.weight'"):
        Layer.from_state_dict({"layers.3.ln.bias": p["ln.bias"]}, n_heads=4, prefix="layers.3.")


def test_importer_pt(ref, tmp_path):
    torch = pytest.importorskip("torch")
    p = ref_params(ref)
    path = tmp_path / "sd.pt"
    torch.save({k: torch.from_numpy(v) for k, v in p.items()}, path)
    layer = Layer.from_state_dict(path, n_heads=4, n_kv_heads=2)
    for k, v in p.items():
        np.testing.assert_array_equal(layer.params[k].reshape(v.shape), v)


def test_pt_without_torch_is_a_clear_error(tmp_path, monkeypatch):
    import builtins
    real = builtins.__import__

    def no_torch(name, *a, **k):
        if name == "torch":
            raise ImportError("No module named 'torch'")
        return real(name, *a, **k)

    path = tmp_path / "sd.pt"
    path.write_bytes(b"not really")
    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match="needs torch"):
        Layer.from_state_dict(path, n_heads=1)


def test_lm_state_dict_round_trip(lm):
    sd = lm.state_dict()
    again = LanguageModel.from_state_dict(sd, n_heads=LM.n_heads, n_kv_heads=LM.n_kv_heads)
    assert again.config == lm.config
    for k in sd:
        np.testing.assert_array_equal(again.params[k], sd[k])
    del sd["layers.1.mixer.v_proj.weight"]
    with pytest.raises(StateDictError, match=r"missing key 'layers.1.mixer.v_proj.weight' "
                                             r"\(expected shape \[16, 32\]"):
        LanguageModel.from_state_dict(sd, n_heads=LM.n_heads, n_kv_heads=LM.n_kv_heads)
    sd = lm.state_dict()
    sd["norm.weight"] = sd["norm.weight"][:31]
    with pytest.raises(StateDictError, match=r"key 'norm.weight' has shape \[31\], expected \[32\]"):
        LanguageModel.from_state_dict(sd, n_heads=LM.n_heads, n_kv_heads=LM.n_kv_heads)


def test_lm_config_checks():
    with pytest.raises(ValueError, match="not a multiple of n_heads"):
        LMConfig(d_model=30, n_heads=4)
    with pytest.raises(ValueError, match="gamma_max"):
        LMConfig(gamma_max=1.0)
