"""sessa.compiler: parse / verify, pipelines, compile, errors."""

import os

import pytest

import sessa.compiler as sc

ROPE = """func.func @f(%x: tensor<2x4x1x8xf32>) -> tensor<2x4x1x8xf32> {
  %0 = sessa.rope %x : tensor<2x4x1x8xf32>
  return %0 : tensor<2x4x1x8xf32>
}
"""

BAD_ATTENTION = """func.func @f(%q: tensor<1x3x8x64xf32>, %k: tensor<1x8x3x64xf32>,
                  %v: tensor<1x8x3x64xf32>) -> tensor<1x3x8x64xf32> {
  %o = sessa.attention %q, %k, %v : tensor<1x3x8x64xf32>, tensor<1x8x3x64xf32>, tensor<1x8x3x64xf32>
  return %o : tensor<1x3x8x64xf32>
}
"""


def test_parse_round_trips():
    out = sc.parse(ROPE)
    assert "sessa.rope" in out and "func.func @f" in out
    assert sc.parse(out) == out
    assert '"sessa.rope"' in sc.parse(ROPE, generic=True)
    assert sc.verify(ROPE) is None
    assert sc.mlir_version().startswith("MLIR 22.")


def test_verifier_error_is_located():
    with pytest.raises(sc.MLIRError) as e:
        sc.verify(BAD_ATTENTION, source_name="bad.mlir")
    msg = str(e.value)
    assert "bad.mlir:3:8: error:" in msg
    assert "query heads H = 8 must be a positive multiple of key/value heads Hk = 3" in msg
    assert "%o = sessa.attention" in msg  # the source line is quoted
    assert e.value.diagnostics and e.value.diagnostics[0].startswith("bad.mlir:3:8: error:")


def test_syntax_error_is_located():
    with pytest.raises(sc.MLIRError, match=r"<string>:1:\d+: error: .*"):
        sc.parse("func.func @f( {")


def test_run_pipeline():
    from sessa.model import Layer
    text = Layer.random(16, 2, 1).mlir()
    low = sc.run_pipeline(text, "sessa-decompose-layer")
    assert "sessa.layer" not in low and "sessa.feedback_attention" in low
    anchored = sc.run_pipeline(text, "builtin.module(sessa-decompose-layer,canonicalize)")
    assert "sessa.layer" not in anchored
    llvm = sc.run_pipeline(ROPE, "sessa-cpu-pipeline{openmp=false}")
    assert "llvm.func" in llvm and "sessa." not in llvm


def test_run_pipeline_errors():
    with pytest.raises(sc.MLIRError, match="'no-such-pass' does not refer to a registered pass"):
        sc.run_pipeline(ROPE, "no-such-pass")
    with pytest.raises(sc.MLIRError, match="bad.mlir:3:8: error"):
        sc.run_pipeline(BAD_ATTENTION, "canonicalize", source_name="bad.mlir")


def test_compile_writes_an_artifact(tmp_path):
    text = ROPE.replace("func.func @f(%x: tensor<2x4x1x8xf32>)",
                        'func.func @rope_fn(%x: tensor<2x4x1x8xf32> {sessa.name = "x"})')
    out = sc.compile(text, tmp_path / "a", "rope_art", opt_level=1)
    assert out == str(tmp_path / "a")
    assert sorted(os.listdir(out)) == ["SessaRuntime.h", "librope_art.so", "manifest.json",
                                       "rope_art.h"]


def test_compile_errors(tmp_path):
    if "cuda" not in sc.TARGETS:
        with pytest.raises(sc.TargetNotAvailableError,
                           match="'cuda' is not available in this build"):
            sc.compile(ROPE, tmp_path / "c", "m", target="cuda")
    with pytest.raises(ValueError, match="unknown target 'tpu'"):
        sc.compile(ROPE, tmp_path / "c", "m", target="tpu")
    with pytest.raises(ValueError, match="must be a C identifier"):
        sc.compile(ROPE, tmp_path / "c", "not-an-identifier")
    # No entry point with a signature the runtime can describe: a located error.
    bad = ROPE.replace("tensor<2x4x1x8xf32>) -> tensor<2x4x1x8xf32>",
                       "tensor<2x4x1x8xf32>, %i: index) -> tensor<2x4x1x8xf32>")
    with pytest.raises(sc.MLIRError, match="m.mlir:1:1: error: entry point @f: argument #1 has type 'index'"):
        sc.compile(bad, tmp_path / "c", "m")
    assert not os.path.exists(tmp_path / "c" / "libm.so")
