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


# ----- Repeated calls on the same torch tensors (over the fake driver) -------

_FAKE_TORCH_CALLS = r'''
import ctypes, sys
import sessa.runtime as rt

fake = ctypes.CDLL(sys.argv[2])
fake.fake_cuda_device_alloc.restype = ctypes.c_void_p
fake.fake_cuda_device_alloc.argtypes = [ctypes.c_size_t]


class State(ctypes.Structure):  # the first fields of fake_cuda_state
    _fields_ = [(n, ctypes.c_int) for n in (
        "init_calls", "retain_calls", "module_loads", "module_unloads",
        "get_function_calls", "set_attribute_calls", "launches")]


fake.fake_cuda_get_state.restype = ctypes.POINTER(State)
state = fake.fake_cuda_get_state().contents


class Tensor:
    """Enough of a torch CUDA tensor for sessa.runtime (DeviceArray)."""
    __module__ = "torch"
    is_cuda = True
    dtype = "torch.float32"

    def __init__(self, n, ptr=None):
        self.shape = (n,)
        self.ptr = ptr or fake.fake_cuda_device_alloc(4 * n)
        self.attribute_reads = 0

    def data_ptr(self):
        return self.ptr

    def stride(self):
        return (1,)

    def is_contiguous(self):
        return True


art = rt.load(sys.argv[1])
x, y = Tensor(1000), Tensor(1000)
l0 = state.launches
art.twice(x, outputs=[y])
assert len(art._described) == 1, art._described
out = art.twice(x, outputs=[y])
assert out == [y] and state.launches == l0 + 2, (out, state.launches)
assert len(art._described) == 1
print("PASS: a repeated call reuses the description and still launches")
# Another buffer, or another shape: described (and checked) anew.
z = Tensor(1000)
art.twice(z, outputs=[y])
assert len(art._described) == 2 and state.launches == l0 + 3
try:
    art.twice(Tensor(5, ptr=x.ptr), outputs=[y])
except rt.ArgumentError as e:
    assert "dimension 0 is 1000 but symbol" in str(e), e
    print("PASS: a new shape at a known address is checked:", e.message)
else:
    raise AssertionError("no ArgumentError for a shape mismatch")
assert state.launches == l0 + 3
# The same call with another stream or check=False is a new key.
art.twice(x, outputs=[y], stream=7)
art.twice(x, outputs=[y], check=False)
assert len(art._described) == 4 and state.launches == l0 + 5
# A bound entry (weights fixed) the same way.
b = art.bind("twice", {})
b(x, outputs=[y])
b(x, outputs=[y])
assert len(b._described) == 1 and state.launches == l0 + 7
print("PASS: keys per stream and check; bound entries too")
# The runtime's launch counts: every launch of this process went through
# this artifact; the fake driver's images have no grid-dependency marker.
n, pdl, rejected = art.launch_stats(reset=True)
assert (n, pdl, rejected) == (state.launches, 0, 0), (n, pdl, rejected, state.launches)
assert art.launch_stats() == (0, 0, 0)
print("PASS: launch_stats", n)
'''


def test_repeated_calls_reuse_the_description(art, tmp_path):
    """Calls on the same torch CUDA tensors (same addresses, shapes, strides,
    dtypes, stream) reuse the described arguments; anything else is checked
    and described anew. Over the fake driver of test/Runtime, with a
    stand-in for torch tensors."""
    import subprocess
    import sys
    build = os.environ.get("SESSA_BUILD_DIR") or os.path.join(HERE, "..", "..", "build")
    fake = os.path.join(build, "lib", "libsessa-fake-cuda.so")
    if not os.path.exists(fake):
        pytest.skip("the fake CUDA driver is not built (%s)" % fake)
    script = tmp_path / "calls.py"
    script.write_text(_FAKE_TORCH_CALLS)
    env = dict(os.environ, SESSA_CUDA_DRIVER=fake,
               PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.run([sys.executable, str(script), art.directory, fake],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASS") == 4, proc.stdout
