"""sessa.runtime: loading artifacts, calls, argument checks before the call,
errors from the artifact's own checks, bf16 buffers, CUDA pointer plumbing."""

import json
import os

import numpy as np
import pytest

import sessa.compiler as sc
import sessa.runtime as rt

MODULE = """
func.func @att(%q: tensor<?x?x4x8xf32> {sessa.name = "q"}, %k: tensor<?x?x2x8xf32> {sessa.name = "k"},
               %v: tensor<?x?x2x8xf32> {sessa.name = "v"}) -> (tensor<?x?x4x8xf32> {sessa.name = "out"}) {
  %o = sessa.attention %q, %k, %v : tensor<?x?x4x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>
  return %o : tensor<?x?x4x8xf32>
}
func.func @rope(%x: tensor<1x?x2x8xf32> {sessa.name = "x"}) -> (tensor<1x?x2x8xf32> {sessa.name = "y"}) {
  %0 = sessa.rope %x : tensor<1x?x2x8xf32>
  return %0 : tensor<1x?x2x8xf32>
}
"""


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    out = sc.compile(MODULE, tmp_path_factory.mktemp("rt") / "ops", "ops", opt_level=1)
    return rt.load(out)


def qkv(rng, B=2, T=3, S=5):
    q = rng.standard_normal((B, T, 4, 8)).astype(np.float32)
    k = rng.standard_normal((B, S, 2, 8)).astype(np.float32)
    v = rng.standard_normal((B, S, 2, 8)).astype(np.float32)
    return q, k, v


def test_load_and_describe(art):
    assert isinstance(art, rt.Artifact) and art.target == "cpu" and art.name == "ops"
    assert sorted(art.entries) == ["att", "rope"]
    e = art.entries["att"]
    assert e.inputs[0] == ("q", "f32", ["B", "T", 4, 8])
    assert e.inputs[1][2][1] == "S" and e.output_names == ["out"]
    assert "att(q: f32[B, T, 4, 8]" in art.describe()
    with open(os.path.join(art.directory, "manifest.json")) as f:
        assert json.load(f)["name"] == "ops"
    # The library path works too.
    assert sorted(rt.Artifact(art.path).entries) == ["att", "rope"]


def test_call_matches_reference(art, ref, rng):
    q, k, v = qkv(rng)
    out, = art.call("att", q, k, v)
    assert out.shape == q.shape
    assert ref.rel_l2(out, ref.attention(q, k, v)) <= 1e-5
    out2, = art.att(q, k, v)  # entries are attributes too
    np.testing.assert_array_equal(out, out2)
    x = rng.standard_normal((1, 6, 2, 8)).astype(np.float32)
    y = np.empty_like(x)
    art.rope(x, outputs=[y])
    assert ref.rel_l2(y, ref.rope(x)) <= 1e-5
    # Non-contiguous inputs are made contiguous.
    y2, = art.rope(np.asfortranarray(x))
    np.testing.assert_array_equal(y, y2)


def test_argument_checks(art, rng):
    q, k, v = qkv(rng)
    with pytest.raises(rt.ArgumentError, match=r"entry 'att': expected 3 inputs, got 2 \(inputs: q, k, v\)") as e:
        art.att(q, k)
    assert e.value.code == rt.INVALID_ARGUMENT
    with pytest.raises(rt.ArgumentError, match=r"input 1 \('k'\): expected dtype f32, got f64 "
                                               r"\(convert with .astype\(np.float32\)\)") as e:
        art.att(q, k.astype(np.float64), v)
    assert e.value.code == rt.DTYPE_MISMATCH
    with pytest.raises(rt.ArgumentError, match=r"input 0 \('q'\): expected rank 4, got 3 \(shape "
                                               r"\[3, 4, 8\], expected \[B, T, 4, 8\]\)") as e:
        art.att(q[0], k, v)
    assert e.value.code == rt.RANK_MISMATCH
    with pytest.raises(rt.ArgumentError, match=r"input 0 \('q'\): dimension 2 is 3 but expected 4"):
        art.att(q[:, :, :3], k, v)
    with pytest.raises(rt.ArgumentError, match=r"input 2 \('v'\): dimension 1 is 4 but symbol 'S' "
                                               r"was bound to 5 by input 1 \('k'\) dimension 1") as e:
        art.att(q, k, v[:, :4])
    assert e.value.code == rt.SHAPE_MISMATCH and isinstance(e.value, ValueError)
    with pytest.raises(rt.ArgumentError, match=r"input 1 \('k'\): dimension 0 is 1 but symbol 'B' "
                                               r"was bound to 2 by input 0 \('q'\)"):
        art.att(q, k[:1], v)
    with pytest.raises(rt.ArgumentError, match=r"output 0 \('out'\): dimension 3 is 7 but "
                                               r"expected 8"):
        art.att(q, k, v, outputs=[np.empty((2, 3, 4, 7), np.float32)])
    with pytest.raises(KeyError, match="has no entry 'nope'"):
        art.call("nope", q)


def test_artifact_checks_without_loader_checks(art, rng):
    """check=False leaves the checks to the artifact: SessaError with its message."""
    q, k, v = qkv(rng)
    with pytest.raises(rt.SessaError) as e:
        art.call("att", q, k, v[:, :4], check=False)
    assert e.value.code == rt.SHAPE_MISMATCH and not isinstance(e.value, rt.ArgumentError)
    assert "'v'" in e.value.message
    with pytest.raises(rt.SessaError) as e:
        art.call("att", q, k.astype(np.float64), v, check=False)
    assert e.value.code == rt.DTYPE_MISMATCH


def test_bf16_buffers():
    x = np.array([1.0, -2.5, 3.14159, 1e-3, 65504.0], np.float32)
    b = rt.encode(x, "bf16")
    assert b.dtype == np.uint16
    np.testing.assert_allclose(rt.decode(b, "bf16"), x, rtol=8e-3)
    assert rt.decode(rt.encode(x, "f16"), "f16").dtype == np.float32
    assert np.isnan(rt.from_bf16(rt.to_bf16(np.array([np.nan], np.float32))))[0]
    assert rt.storage_dtype("bf16") == np.uint16
    with pytest.raises(ValueError, match="unknown sessa dtype"):
        rt.storage_dtype("f8")


class FakeCudaArray:
    """Something with __cuda_array_interface__ (no GPU needed to describe it)."""

    def __init__(self, shape, typestr="<f4", ptr=0x7F0000000000, strides=None):
        self.__cuda_array_interface__ = {"shape": tuple(shape), "typestr": typestr,
                                         "data": (ptr, False), "strides": strides, "version": 3}


def test_cuda_pointer_plumbing(art, rng):
    d = rt.DeviceArray(FakeCudaArray((2, 3, 4, 8)))
    assert (d.ptr, d.dtype, d.shape) == (0x7F0000000000, "f32", (2, 3, 4, 8))
    t = d.tensor()
    assert t.data == 0x7F0000000000 and t.rank == 4 and list(t.shape[:4]) == [2, 3, 4, 8]
    assert rt.DeviceArray(FakeCudaArray((3,), "<u2")).dtype == "bf16"
    with pytest.raises(ValueError, match="not C-contiguous"):
        rt.DeviceArray(FakeCudaArray((2, 3), strides=(4, 8)))
    with pytest.raises(TypeError, match="typestr '<c8' is not supported"):
        rt.DeviceArray(FakeCudaArray((2,), "<c8"))
    with pytest.raises(TypeError, match="neither a torch CUDA tensor"):
        rt.DeviceArray(object())
    # A CPU artifact rejects device arrays.
    q, k, v = qkv(rng)
    with pytest.raises(TypeError, match="a CUDA array, but artifact ops runs on the CPU"):
        art.att(FakeCudaArray(q.shape), k, v)


def test_cuda_artifact_argument_checks(art, rng, monkeypatch):
    """An artifact that says target cuda: device arrays are described and
    checked against the signature before any call; host arrays are rejected.
    (Calls of real CUDA artifacts: test_cuda.py.)"""
    monkeypatch.setattr(art, "target", "cuda")
    dev = [FakeCudaArray(s) for s in ((2, 3, 4, 8), (2, 5, 2, 8), (2, 5, 2, 8))]
    out = [FakeCudaArray((2, 3, 4, 8))]
    with pytest.raises(rt.ArgumentError, match=r"dimension 1 is 4 but symbol 'S' was bound to 5"):
        art.att(dev[0], dev[1], FakeCudaArray((2, 4, 2, 8)), outputs=out)
    with pytest.raises(rt.ArgumentError, match=r"output 0 \('out'\): dimension 2 is 2 but "
                                               r"expected 4"):
        art.att(*dev, outputs=[FakeCudaArray((2, 3, 2, 8))])
    with pytest.raises(TypeError, match="input 0 \\('q'\\): a host ndarray, but artifact ops runs "
                                        "on CUDA"):
        art.att(*qkv(rng), outputs=out)
    with pytest.raises(TypeError, match="output 0: a host ndarray, but artifact ops runs on CUDA"):
        art.att(*dev, outputs=[np.zeros((2, 3, 4, 8), np.float32)])
    with pytest.raises(TypeError, match="stream must be an int CUstream handle"):
        art.att(*dev, outputs=out, stream="s")


def test_stream_only_for_cuda(art, rng):
    with pytest.raises(TypeError, match="stream= is only for CUDA artifacts"):
        art.att(*qkv(rng), stream=0)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no manifest.json"):
        rt.load(tmp_path)


def test_integration_loader_is_the_package(art):
    """test/Integration/lib/sessa_artifact.py re-exports sessa.runtime."""
    import sessa_artifact
    assert sessa_artifact.Artifact is rt.Artifact and sessa_artifact.SessaError is rt.SessaError


def test_bound_entry(art, rng):
    """Artifact.bind: inputs fixed once (as the compiled models bind weights)."""
    q, k, v = qkv(rng)
    b = art.bind("att", {"k": k, 2: v})
    assert b.free_names == ["q"]
    out, = b(q)
    np.testing.assert_array_equal(out, art.att(q, k, v)[0])
    with pytest.raises(rt.ArgumentError, match=r"input 0 \('q'\): dimension 0 is 1 but symbol 'B' "
                                               r"was bound to 2 by input 1 \('k'\) dimension 0"):
        b(q[:1])
    with pytest.raises(rt.ArgumentError, match=r"expected 1 input, got 2 \(inputs: q\)"):
        b(q, k)
    with pytest.raises(rt.ArgumentError, match=r"input 2 \('v'\): dimension 1 is 4 but symbol 'S' was "
                                               r"bound to 5"):
        art.bind("att", {"k": k, "v": v[:, :4]})
