"""CUDA artifacts from Python: sessa.compiler.compile(target="cuda") and
sessa.runtime with device arrays (test/Target/CUDA/Inputs/scale.mlir).

Without the CUDA toolkit in the build, everything here is skipped; without a
GPU (libcuda.so.1 not loadable), calls report SESSA_ERROR_CUDA_UNAVAILABLE;
with a GPU and PyTorch, the entry points run on torch CUDA tensors (those
tests are skipped, with the reason, elsewhere)."""

import ctypes
import os

import numpy as np
import pytest

import sessa.compiler as sc
import sessa.runtime as rt

HERE = os.path.dirname(os.path.abspath(__file__))
SCALE = os.path.join(HERE, "..", "Target", "CUDA", "Inputs", "scale.mlir")

pytestmark = pytest.mark.skipif("cuda" not in sc.TARGETS,
                                reason="this build has no CUDA toolkit (target cuda unavailable)")


def _have_driver():
    try:
        ctypes.CDLL("libcuda.so.1")
        return True
    except OSError:
        return False


def _torch_cuda():
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


needs_no_driver = pytest.mark.skipif(_have_driver(), reason="this machine has libcuda.so.1")
needs_gpu = pytest.mark.skipif(_torch_cuda() is None, reason="needs a GPU and PyTorch with CUDA")


class FakeCudaArray:
    def __init__(self, shape, typestr="<f4", ptr=0x7F0000000000):
        self.__cuda_array_interface__ = {"shape": tuple(shape), "typestr": typestr,
                                         "data": (ptr, False), "strides": None, "version": 3}


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    with open(SCALE) as f:
        text = f.read()
    out = sc.compile(text, tmp_path_factory.mktemp("cuda") / "scale", "scale", target="cuda")
    return rt.load(out)


def test_artifact(art):
    assert art.target == "cuda"
    assert sorted(art.entries) == ["scale", "twice"]
    assert art.scale.signature() == "scale(x: f32[x_d0]) -> (y: f32[x_d0])"
    with open(os.path.join(art.directory, "manifest.json")) as f:
        assert '"target": "cuda"' in f.read()


def test_host_arrays_rejected(art):
    with pytest.raises(TypeError, match=r"input 0 \('x'\): a host ndarray, but artifact scale "
                                        r"runs on CUDA"):
        art.scale(np.zeros(4, np.float32), outputs=[FakeCudaArray((4,))])
    with pytest.raises(rt.ArgumentError, match=r"input 0 \('x'\): expected dtype f32, got f16"):
        art.scale(FakeCudaArray((4,), "<f2"), outputs=[FakeCudaArray((4,))])
    with pytest.raises(rt.ArgumentError, match=r"output 0 \('y'\): dimension 0 is 5 but symbol"):
        art.scale(FakeCudaArray((4,)), outputs=[FakeCudaArray((5,))])


class _Stream:
    cuda_stream = 0


@needs_no_driver
def test_unavailable_driver(art):
    """No NVIDIA driver: a clear error, after the argument checks."""
    with pytest.raises(rt.SessaError) as e:
        art.scale(FakeCudaArray((4,)), outputs=[FakeCudaArray((4,))], stream=_Stream())
    assert e.value.code == rt.CUDA_UNAVAILABLE == 6
    assert "SESSA_ERROR_CUDA_UNAVAILABLE" in str(e.value)
    assert "CUDA driver libcuda.so.1 not found" in e.value.message


def test_allocating_outputs_needs_torch_or_cupy(art):
    try:
        import torch  # noqa: F401
        pytest.skip("torch is installed")
    except ImportError:
        pass
    try:
        import cupy  # noqa: F401
        pytest.skip("cupy is installed")
    except ImportError:
        pass
    with pytest.raises(RuntimeError, match="neither torch \\(with CUDA\\) nor cupy"):
        art.scale(FakeCudaArray((4,)))


@needs_gpu
def test_runs_on_torch_tensors(art):
    torch = _torch_cuda()
    x = torch.randn(100003, device="cuda")
    y, = art.scale(x, stream=torch.cuda.current_stream())
    torch.cuda.current_stream().synchronize()
    assert torch.equal(y, 2 * (x + 1))
    out = torch.full_like(x, float("nan"))
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        art.twice(x, outputs=[out], stream=s)
    s.synchronize()
    assert torch.equal(out, 2 * x)


@needs_gpu
def test_cuda_errors(art):
    torch = _torch_cuda()
    with pytest.raises(TypeError, match="a host Tensor"):
        art.scale(torch.zeros(4))
    x = torch.zeros(4, device="cuda")
    big = FakeCudaArray((3000000000,), ptr=x.data_ptr())
    with pytest.raises(rt.SessaError) as e:
        art.twice(big, outputs=[big])
    assert e.value.code == rt.CUDA and "cuLaunchKernel(" in e.value.message
