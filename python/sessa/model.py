"""Sessa models from Python: MLIR builders, a state-dict importer, compiling.

    from sessa.model import Layer, LanguageModel, LMConfig

    layer = Layer.from_state_dict("layer.npz", n_heads=4, n_kv_heads=2)  # or a dict / .pt
    f = layer.compile(target="cpu", dtype="f32")     # a CompiledLayer
    y = f(x)                                         # full forward, x: [B, T, D]
    cache = f.new_cache(batch=1)
    y0 = f(x[:, :12], cache)                         # prefill: the cache now has 12 rows
    y1 = f(x[:, 12:13], cache)                       # decode one token
    f.save("out/layer")                              # sessa.runtime.load("out/layer")

    lm = LanguageModel.random(LMConfig(vocab_size=256, d_model=64, n_layers=2), seed=0)
    g = lm.compile()                                 # a CompiledLanguageModel
    tokens = g.generate(prompt_ids, max_new_tokens=32)

The builders write MLIR text (`Layer.mlir()`, `LanguageModel.mlir()`):
a layer is one `sessa.layer` op with its four caches; the language model
gathers token embeddings, runs N `sessa.layer`s, a final LayerNorm and the
tied output head (logits = h E^T) in linalg on tensors. Weights are entry
arguments named by their state-dict keys; the compiled objects bind them.

Parameter names are the reference implementation's (SPEC section 5):
ln.weight, ln.bias, W_in.weight (+bias), mixer.q_proj / k_proj / v_proj /
proj_fb .weight (+bias), mixer.out_proj.weight (iff n_heads > 1),
mixer.gamma_bias ([] or [1]), mixer.gamma_ctx.weight ([1, D]), W_out.weight
(+bias). The language model adds embed.weight [V, D], layers.<i>.<key> and
norm.weight / norm.bias.
"""

import dataclasses
import math
import os
import tempfile

import numpy as np

__all__ = [
    "Layer", "LanguageModel", "LMConfig", "StateDictError", "layer_param_shapes",
    "load_state_dict", "BIAS_KEYS", "DTYPES",
]

#: Element types a layer can be compiled for.
DTYPES = ("f32", "f16", "bf16")

# (op keyword, weight key, bias key or None, rows as a function of (D, Hk*d)).
_PROJECTIONS = (
    ("in_proj", "W_in.weight", "W_in.bias", lambda D, kv: 2 * D, "2*d_model"),
    ("q_proj", "mixer.q_proj.weight", "mixer.q_proj.bias", lambda D, kv: D, "d_model"),
    ("k_proj", "mixer.k_proj.weight", "mixer.k_proj.bias", lambda D, kv: kv, "n_kv_heads*head_dim"),
    ("v_proj", "mixer.v_proj.weight", "mixer.v_proj.bias", lambda D, kv: kv, "n_kv_heads*head_dim"),
    ("fb_proj", "mixer.proj_fb.weight", "mixer.proj_fb.bias", lambda D, kv: 2 * D, "2*d_model"),
)
#: Optional bias keys of a layer (absent means zero).
BIAS_KEYS = ("W_in.bias", "mixer.q_proj.bias", "mixer.k_proj.bias", "mixer.v_proj.bias",
             "mixer.proj_fb.bias", "W_out.bias")
_CACHE_NAMES = ("k", "v", "kb", "s")


class StateDictError(KeyError):
    """A state dict that does not fit the model: a missing, mis-shaped or
    unexpected key (`.key` names it)."""

    def __init__(self, message, key=None):
        super().__init__(message)
        self.key = key
        self.message = message

    def __str__(self):
        return self.message


def layer_param_shapes(d_model, n_heads, n_kv_heads):
    """{key: (shape, required, description)} of a layer's parameters, in the
    order of the sessa.layer operands."""
    D, H, Hk = int(d_model), int(n_heads), int(n_kv_heads)
    d = D // H
    kv = Hk * d
    out = {"ln.weight": ((D,), True, "[d_model]"), "ln.bias": ((D,), False, "[d_model]")}
    for _, wkey, bkey, rows, rdesc in _PROJECTIONS:
        out[wkey] = ((rows(D, kv), D), True, "[%s, d_model]" % rdesc)
        out[bkey] = ((rows(D, kv),), False, "[%s]" % rdesc)
    if H > 1:
        out["mixer.out_proj.weight"] = ((D, D), True, "[d_model, d_model]")
    out["mixer.gamma_ctx.weight"] = ((1, D), True, "[1, d_model]")
    out["mixer.gamma_bias"] = ((1,), True, "[] or [1]")
    out["W_out.weight"] = ((D, D), True, "[d_model, d_model]")
    out["W_out.bias"] = ((D,), False, "[d_model]")
    return out


# ----- Loading state dicts -----------------------------------------------------

def _to_numpy(value, key):
    if isinstance(value, np.ndarray):
        arr = value
    elif hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor
        t = value.detach().cpu()
        if str(t.dtype) in ("torch.bfloat16", "torch.float16"):
            t = t.float()
        arr = t.numpy()
    else:
        arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.floating) and not np.issubdtype(arr.dtype, np.integer):
        raise StateDictError("key %r has dtype %s, expected floating point" % (key, arr.dtype), key)
    return np.ascontiguousarray(arr, dtype=np.float32)


def load_state_dict(source):
    """A state dict as {key: float32 numpy array} from a dict (numpy arrays,
    torch tensors, lists), a .npz file, or a .pt / .pth / .bin file written
    by torch.save (needs torch). A {"state_dict": {...}} wrapper is
    unwrapped."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise FileNotFoundError("state dict file %s not found" % path)
        if path.endswith(".npz"):
            with np.load(path, allow_pickle=False) as f:
                sd = {k: f[k] for k in f.files}
        elif path.endswith((".pt", ".pth", ".bin")):
            try:
                import torch
            except ImportError as e:
                raise ImportError("loading %s needs torch (pip install torch), or save the "
                                  "state dict as .npz" % path) from e
            sd = torch.load(path, map_location="cpu", weights_only=True)
        else:
            raise ValueError("unknown state dict format %r (use .npz, or .pt/.pth/.bin with torch)"
                             % path)
    else:
        sd = source
    if hasattr(sd, "state_dict") and callable(sd.state_dict):  # an nn.Module
        sd = sd.state_dict()
    if isinstance(sd, dict) and "state_dict" in sd and isinstance(sd["state_dict"], dict):
        sd = sd["state_dict"]
    if not isinstance(sd, dict):
        raise TypeError("a state dict must be a mapping of names to arrays, got %s"
                        % type(sd).__name__)
    return {str(k): _to_numpy(v, k) for k, v in sd.items()}


def _import_layer_params(sd, d_model, n_heads, n_kv_heads, prefix=""):
    """Checks and normalizes a layer's parameters (keys without prefix);
    returns ({key: array}, set of keys used)."""
    specs = layer_param_shapes(d_model, n_heads, n_kv_heads)
    params, used = {}, set()
    for key, (shape, required, desc) in specs.items():
        full = prefix + key
        if full not in sd:
            if required:
                raise StateDictError("missing key %r (expected shape %s = %s)"
                                     % (full, list(shape), desc), full)
            continue
        arr = sd[full]
        used.add(full)
        if key == "mixer.gamma_bias" and arr.shape in ((), (1,)):
            arr = arr.reshape(1)
        elif key == "mixer.gamma_ctx.weight" and arr.shape == (d_model,):
            arr = arr.reshape(1, d_model)
        if tuple(arr.shape) != tuple(shape):
            raise StateDictError("key %r has shape %s, expected %s = %s"
                                 % (full, list(arr.shape), list(shape), desc), full)
        params[key] = np.ascontiguousarray(arr, dtype=np.float32)
    if n_heads == 1 and prefix + "mixer.out_proj.weight" in sd:
        used.add(prefix + "mixer.out_proj.weight")  # unused with one head (as the reference)
    return params, used


def _check_heads(d_model, n_heads, n_kv_heads, rope):
    if n_heads <= 0 or n_kv_heads <= 0:
        raise ValueError("n_heads and n_kv_heads must be positive")
    if d_model % n_heads:
        raise ValueError("d_model = %d is not a multiple of n_heads = %d" % (d_model, n_heads))
    if n_heads % n_kv_heads:
        raise ValueError("n_heads = %d is not a multiple of n_kv_heads = %d" % (n_heads, n_kv_heads))
    if rope and (d_model // n_heads) % 2:
        raise ValueError("head_dim = %d must be even with rope" % (d_model // n_heads))


def _infer_d_model(sd, prefix):
    for key, axis in (("ln.weight", 0), ("W_out.weight", 0), ("W_in.weight", 1),
                      ("mixer.q_proj.weight", 1)):
        if prefix + key in sd and sd[prefix + key].ndim > axis:
            return int(sd[prefix + key].shape[axis])
    raise StateDictError("missing key %r (expected shape [d_model])" % (prefix + "ln.weight"),
                         prefix + "ln.weight")


# ----- MLIR text ---------------------------------------------------------------------

def _ttype(shape, dtype):
    dims = "x".join("?" if d is None else str(int(d)) for d in shape)
    return "tensor<%s%s%s>" % (dims, "x" if len(shape) else "", dtype)


def _flit(v):
    """A float literal MLIR parses back exactly ("1.0e-05", not "1e-05")."""
    s = repr(float(v))
    if "inf" in s or "nan" in s:
        raise ValueError("non-finite constant %s" % s)
    mant, _, exp = s.partition("e")
    if "." not in mant:
        mant += ".0"
    return mant + ("e" + exp if exp else "")


def _f64(v):
    return "%s : f64" % _flit(v)


def _fconst(v, dtype):
    return "%s : %s" % (_flit(v), dtype)


class _Func:
    """A func.func being written: named arguments and results, body lines."""

    def __init__(self, name):
        self.name = name
        self.args = []      # (ssa, type, sessa name)
        self.results = []   # (ssa, type, sessa name)
        self.body = []
        self._n = 0

    def arg(self, name, type_):
        ssa = "%%a%d" % len(self.args)
        self.args.append((ssa, type_, name))
        return ssa

    def tmp(self, hint="v"):
        self._n += 1
        return "%%%s%d" % (hint, self._n)

    def emit(self, line):
        self.body.append(line)

    def result(self, ssa, type_, name):
        self.results.append((ssa, type_, name))

    def text(self):
        args = ",\n    ".join('%s: %s {sessa.name = "%s"}' % a for a in self.args)
        res = ",\n    ".join('%s {sessa.name = "%s"}' % (t, n) for _, t, n in self.results)
        lines = ["func.func @%s(\n    %s)\n    -> (%s) {" % (self.name, args, res)]
        lines += ["  " + b for b in self.body]
        lines.append("  return %s : %s" % (", ".join(r[0] for r in self.results),
                                           ", ".join(r[1] for r in self.results)))
        lines.append("}")
        return "\n".join(lines) + "\n"


def _emit_layer(fn, x, x_type, cfg, keys, dtype, B, T, prefix, cache):
    """Adds a layer's weight (and cache) arguments and its sessa.layer op to
    `fn`; returns (y, [new caches]) SSA names. keys: the parameter keys
    present (biases optional)."""
    D, H, Hk = cfg.d_model, cfg.n_heads, cfg.n_kv_heads
    d = D // H
    specs = layer_param_shapes(D, H, Hk)
    w = {}
    for key, (shape, required, _) in specs.items():
        if required or key in keys or key == "ln.bias":
            w[key] = (fn.arg(prefix + key, _ttype(shape, dtype)), _ttype(shape, dtype))
    operands = [(x, x_type)]
    text = "%s norm(%s, %s)" % (x, w["ln.weight"][0], w["ln.bias"][0])
    operands += [w["ln.weight"], w["ln.bias"]]
    for kw, wkey, bkey, _, _ in _PROJECTIONS:
        if bkey in w:
            text += " %s(%s, %s)" % (kw, w[wkey][0], w[bkey][0])
            operands += [w[wkey], w[bkey]]
        else:
            text += " %s(%s)" % (kw, w[wkey][0])
            operands += [w[wkey]]
    if H > 1:
        text += " out_proj(%s)" % w["mixer.out_proj.weight"][0]
        operands.append(w["mixer.out_proj.weight"])
    text += " gate(%s, %s)" % (w["mixer.gamma_ctx.weight"][0], w["mixer.gamma_bias"][0])
    operands += [w["mixer.gamma_ctx.weight"], w["mixer.gamma_bias"]]
    if "W_out.bias" in w:
        text += " out(%s, %s)" % (w["W_out.weight"][0], w["W_out.bias"][0])
        operands += [w["W_out.weight"], w["W_out.bias"]]
    else:
        text += " out(%s)" % w["W_out.weight"][0]
        operands.append(w["W_out.weight"])
    y = fn.tmp("y")
    results = [(y, x_type)]
    new = []
    if cache:
        ct = {"k": _ttype((B, None, Hk, d), dtype), "v": _ttype((B, None, Hk, d), dtype),
              "kb": _ttype((B, None, 1, D), dtype), "s": _ttype((B, None, 1, D), dtype)}
        cs = [fn.arg(prefix + "cache." + c, ct[c]) for c in _CACHE_NAMES]
        text += " cache(%s)" % ", ".join(cs)
        operands += [(c, ct[n]) for c, n in zip(cs, _CACHE_NAMES)]
        for c in _CACHE_NAMES:
            r = fn.tmp(c)
            results.append((r, ct[c]))
            new.append((r, ct[c], prefix + "new_cache." + c))
    attrs = ["num_heads = %d : i64" % H, "num_kv_heads = %d : i64" % Hk,
             "eps = %s" % _f64(cfg.eps), "gamma_max = %s" % _f64(cfg.gamma_max),
             "rope = %s" % ("true" if cfg.rope else "false"),
             "rope_base = %s" % _f64(cfg.rope_base)]
    fn.emit("%s = sessa.layer %s {%s}\n      : (%s)\n      -> (%s)" % (
        ", ".join(r for r, _ in results), text, ", ".join(attrs),
        ", ".join(t for _, t in operands), ", ".join(t for _, t in results)))
    return y, new


@dataclasses.dataclass
class LayerConfig:
    """Hyper-parameters of one Sessa layer (SPEC section 5)."""
    d_model: int
    n_heads: int = 1
    n_kv_heads: int = 1
    eps: float = 1e-5
    gamma_max: float = 0.999
    rope: bool = True
    rope_base: float = 10000.0

    def __post_init__(self):
        _check_heads(self.d_model, self.n_heads, self.n_kv_heads, self.rope)
        if not 0.0 < self.gamma_max < 1.0:
            raise ValueError("gamma_max must be in (0, 1), got %r" % self.gamma_max)

    @property
    def head_dim(self):
        return self.d_model // self.n_heads


def _random_layer_params(cfg, rng, biases=True):
    D, H, Hk = cfg.d_model, cfg.n_heads, cfg.n_kv_heads
    p = {}
    for key, (shape, required, _) in layer_param_shapes(D, H, Hk).items():
        if key == "ln.weight":
            p[key] = 1.0 + 0.1 * rng.standard_normal(shape)
        elif key == "ln.bias":
            p[key] = 0.1 * rng.standard_normal(shape)
        elif key == "mixer.gamma_bias":
            p[key] = 0.3 * rng.standard_normal(shape)
        elif key == "mixer.gamma_ctx.weight":
            p[key] = (0.5 / math.sqrt(D)) * rng.standard_normal(shape)
        elif key.endswith(".weight"):
            p[key] = rng.standard_normal(shape) / math.sqrt(shape[1])
        elif biases:
            p[key] = 0.1 * rng.standard_normal(shape)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in p.items()}


def _default_out_dir(name):
    return tempfile.mkdtemp(prefix="sessa-%s-" % name)


class Layer:
    """One Sessa layer with its weights (float32, state-dict keys)."""

    def __init__(self, params, config):
        self.config = config
        params = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in params.items()}
        self.params, _ = _import_layer_params(params, config.d_model, config.n_heads,
                                              config.n_kv_heads)

    # -- construction ---------------------------------------------------------

    @classmethod
    def from_state_dict(cls, state_dict, n_heads, n_kv_heads=None, gamma_max=0.999, eps=1e-5,
                        rope=True, rope_base=10000.0, prefix="", strict=True):
        """A layer from a state dict with the reference's keys (SPEC section
        5): a dict, a .npz file, or a .pt file (torch). `prefix` is
        prepended to every key (e.g. "layers.0."). Missing or mis-shaped
        keys raise StateDictError naming the key and the expected shape;
        with `strict`, so do keys that are not a layer parameter."""
        sd = load_state_dict(state_dict)
        n_kv_heads = n_heads if n_kv_heads is None else n_kv_heads
        D = _infer_d_model(sd, prefix)
        cfg = LayerConfig(D, int(n_heads), int(n_kv_heads), float(eps), float(gamma_max),
                          bool(rope), float(rope_base))
        params, used = _import_layer_params(sd, D, cfg.n_heads, cfg.n_kv_heads, prefix)
        if strict:
            extra = sorted(k for k in sd if k.startswith(prefix) and k not in used)
            if extra:
                raise StateDictError("unexpected key%s %s (not a parameter of a Sessa layer; "
                                     "pass strict=False to ignore)"
                                     % ("s" if len(extra) > 1 else "", ", ".join(map(repr, extra))),
                                     extra[0])
        layer = cls.__new__(cls)
        layer.config = cfg
        layer.params = params
        return layer

    @classmethod
    def random(cls, d_model, n_heads=1, n_kv_heads=None, seed=0, biases=True, **config):
        """A layer with deterministic random weights (numpy's default_rng(seed))."""
        cfg = LayerConfig(d_model, n_heads, n_heads if n_kv_heads is None else n_kv_heads,
                          **config)
        layer = cls.__new__(cls)
        layer.config = cfg
        layer.params = _random_layer_params(cfg, np.random.default_rng(seed), biases)
        return layer

    def state_dict(self):
        """The parameters (copies), reference keys; gamma_bias has shape [1]."""
        return {k: v.copy() for k, v in self.params.items()}

    def weights(self):
        """Entry-argument name -> float32 array (ln.bias zeros if absent)."""
        w = dict(self.params)
        w.setdefault("ln.bias", np.zeros(self.config.d_model, np.float32))
        return w

    # -- MLIR and compiling -------------------------------------------------------

    def mlir(self, dtype="f32", batch=1, name="layer_step"):
        """MLIR text of the entry point `name`: x [B, T, D] (B = `batch`;
        None: dynamic, which sessa-compile cannot compile yet together with
        a dynamic T), the weights, and caches k, v [B, P, Hk, d], kb, s [B, P,
        1, D] -> y [B, T, D] and the caches extended to P + T rows. T and P
        are dynamic: the one entry serves the full forward pass (P = 0),
        prefill, chunked prefill and decoding."""
        if dtype not in DTYPES:
            raise ValueError("dtype must be one of %s, got %r" % (DTYPES, dtype))
        cfg = self.config
        fn = _Func(name)
        xt = _ttype((batch, None, cfg.d_model), dtype)
        x = fn.arg("x", xt)
        y, new = _emit_layer(fn, x, xt, cfg, set(self.params), dtype, batch, None, "", True)
        fn.result(y, xt, "y")
        for r, t, n in new:
            fn.result(r, t, n)
        header = ("// A Sessa layer: d_model %d, %d heads over %d kv heads, %s, written by "
                  "sessa.model.\n" % (cfg.d_model, cfg.n_heads, cfg.n_kv_heads, dtype))
        return header + fn.text()

    def compile(self, target="cpu", dtype="f32", out_dir=None, name="sessa_layer", batch=1,
                cpu=None, opt_level=3, openmp=True):
        """Compiles the layer ahead of time; returns a CompiledLayer (weights
        bound) for `batch` sequences per call, any number of tokens and any
        cache length. out_dir: the artifact directory (default: a new
        temporary one; `.save(dir)` keeps it).

        target="cuda" returns the loaded artifact (a sessa.runtime.Artifact
        whose entry takes the activations and weights as device tensors and a
        stream; weight binding is CPU-only for now)."""
        from . import compiler
        from .compiled import CompiledLayer
        compiler._target_check(target)
        if batch is None:
            # sessa-compile crashes (expand-strided-metadata) on a layer whose
            # batch and token count are both dynamic.
            raise NotImplementedError("a dynamic batch is not supported yet by the compiler for "
                                      "a layer with dynamic T; pass batch=<int>")
        text = self.mlir(dtype=dtype, batch=batch)
        out = compiler.compile(text, out_dir or _default_out_dir(name), name, target=target,
                               cpu=cpu, opt_level=opt_level, openmp=openmp)
        if target == "cuda":
            from . import runtime
            return runtime.load(out)
        return CompiledLayer(out, self.weights(), self.config_dict(), dtype)

    def config_dict(self):
        return dataclasses.asdict(self.config)


# ----- The language model ---------------------------------------------------------------

@dataclasses.dataclass
class LMConfig:
    """A small Sessa language model: embedding [vocab_size, d_model], n_layers
    Sessa layers, a final LayerNorm and the tied output head."""
    vocab_size: int = 256
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    n_kv_heads: int = 2
    eps: float = 1e-5
    gamma_max: float = 0.999
    rope: bool = True
    rope_base: float = 10000.0
    biases: bool = True

    def __post_init__(self):
        if self.vocab_size <= 0 or self.n_layers <= 0:
            raise ValueError("vocab_size and n_layers must be positive")
        self.layer_config()

    def layer_config(self):
        return LayerConfig(self.d_model, self.n_heads, self.n_kv_heads, self.eps,
                           self.gamma_max, self.rope, self.rope_base)


def _emit_lm(fn, cfg, layer_keys, B, T, dtype="f32"):
    """The body of a language-model entry: tokens [B, T] -> logits [B, T, V]
    and every layer's extended caches."""
    V, D = cfg.vocab_size, cfg.d_model
    tok = fn.arg("tokens", _ttype((B, T), "i64"))
    et = _ttype((V, D), dtype)
    emb = fn.arg("embed.weight", et)
    ht = _ttype((B, T, D), dtype)
    # Dynamic sizes of tensor.empty: T (and M = B * T) when T is dynamic.
    dyn_t = dyn_m = ""
    tsize = str(T)
    if T is None:
        fn.emit("%c1_idx = arith.constant 1 : index")
        fn.emit("%%tdim = tensor.dim %s, %%c1_idx : %s" % (tok, _ttype((B, T), "i64")))
        fn.emit("%%cb_idx = arith.constant %d : index" % B)
        fn.emit("%mdim = arith.muli %tdim, %cb_idx : index")
        dyn_t, dyn_m, tsize = "%tdim", "%mdim", "%tdim"
    e0 = fn.tmp("e")
    fn.emit("%s = tensor.empty(%s) : %s" % (e0, dyn_t, ht))
    h = fn.tmp("h")
    fn.emit(
        "%s = linalg.generic {indexing_maps = [affine_map<(b, t, d) -> (b, t)>, "
        "affine_map<(b, t, d) -> (b, t, d)>], iterator_types = [\"parallel\", \"parallel\", "
        "\"parallel\"]}\n"
        "      ins(%s : %s) outs(%s : %s) {\n"
        "  ^bb0(%%id: i64, %%o: %s):\n"
        "    %%d = linalg.index 2 : index\n"
        "    %%lo = arith.constant 0 : i64\n"
        "    %%hi = arith.constant %d : i64\n"
        "    %%c0 = arith.maxsi %%id, %%lo : i64\n"
        "    %%c1 = arith.minsi %%c0, %%hi : i64\n"
        "    %%i = arith.index_cast %%c1 : i64 to index\n"
        "    %%v = tensor.extract %s[%%i, %%d] : %s\n"
        "    linalg.yield %%v : %s\n"
        "  } -> %s" % (h, tok, _ttype((B, T), "i64"), e0, ht, dtype, V - 1, emb, et, dtype, ht))
    lcfg = cfg.layer_config()
    caches = []
    for i in range(cfg.n_layers):
        h, new = _emit_layer(fn, h, ht, lcfg, layer_keys[i], dtype, B, T, "layers.%d." % i, True)
        caches += new
    # Final LayerNorm over D (biased variance).
    nw = fn.arg("norm.weight", _ttype((D,), dtype))
    nb = fn.arg("norm.bias", _ttype((D,), dtype))
    rt = _ttype((B, T), dtype)
    zero = fn.tmp("zero")
    fn.emit("%s = arith.constant %s" % (zero, _fconst(0.0, dtype)))
    r0 = fn.tmp("r")
    fn.emit("%s = tensor.empty(%s) : %s" % (r0, dyn_t, rt))
    rz = fn.tmp("rz")
    fn.emit("%s = linalg.fill ins(%s : %s) outs(%s : %s) -> %s" % (rz, zero, dtype, r0, rt, rt))
    red_maps = ("indexing_maps = [affine_map<(b, t, d) -> (b, t, d)>, "
                "affine_map<(b, t, d) -> (b, t)>], iterator_types = [\"parallel\", "
                "\"parallel\", \"reduction\"]")
    s1 = fn.tmp("sum")
    fn.emit("%s = linalg.generic {%s}\n      ins(%s : %s) outs(%s : %s) {\n"
            "  ^bb0(%%x: %s, %%acc: %s):\n"
            "    %%a = arith.addf %%acc, %%x : %s\n"
            "    linalg.yield %%a : %s\n"
            "  } -> %s" % (s1, red_maps, h, ht, rz, rt, dtype, dtype, dtype, dtype, rt))
    s2 = fn.tmp("sumsq")
    fn.emit("%s = linalg.generic {indexing_maps = [affine_map<(b, t, d) -> (b, t, d)>, "
            "affine_map<(b, t, d) -> (b, t)>, affine_map<(b, t, d) -> (b, t)>], "
            "iterator_types = [\"parallel\", \"parallel\", \"reduction\"]}\n"
            "      ins(%s, %s : %s, %s) outs(%s : %s) {\n"
            "  ^bb0(%%x: %s, %%s: %s, %%acc: %s):\n"
            "    %%invd = arith.constant %s\n"
            "    %%mean = arith.mulf %%s, %%invd : %s\n"
            "    %%c = arith.subf %%x, %%mean : %s\n"
            "    %%c2 = arith.mulf %%c, %%c : %s\n"
            "    %%a = arith.addf %%acc, %%c2 : %s\n"
            "    linalg.yield %%a : %s\n"
            "  } -> %s" % (s2, h, s1, ht, rt, rz, rt, dtype, dtype, dtype,
                           _fconst(1.0 / D, dtype), dtype, dtype, dtype, dtype, dtype, rt))
    e1 = fn.tmp("e")
    fn.emit("%s = tensor.empty(%s) : %s" % (e1, dyn_t, ht))
    hn = fn.tmp("hn")
    vt = _ttype((D,), dtype)
    fn.emit("%s = linalg.generic {indexing_maps = [affine_map<(b, t, d) -> (b, t, d)>, "
            "affine_map<(b, t, d) -> (b, t)>, affine_map<(b, t, d) -> (b, t)>, "
            "affine_map<(b, t, d) -> (d)>, affine_map<(b, t, d) -> (d)>, "
            "affine_map<(b, t, d) -> (b, t, d)>], iterator_types = [\"parallel\", "
            "\"parallel\", \"parallel\"]}\n"
            "      ins(%s, %s, %s, %s, %s : %s, %s, %s, %s, %s) outs(%s : %s) {\n"
            "  ^bb0(%%x: %s, %%s: %s, %%ss: %s, %%w: %s, %%bb: %s, %%o: %s):\n"
            "    %%invd = arith.constant %s\n"
            "    %%eps = arith.constant %s\n"
            "    %%mean = arith.mulf %%s, %%invd : %s\n"
            "    %%var = arith.mulf %%ss, %%invd : %s\n"
            "    %%ve = arith.addf %%var, %%eps : %s\n"
            "    %%r = math.sqrt %%ve : %s\n"
            "    %%c = arith.subf %%x, %%mean : %s\n"
            "    %%n = arith.divf %%c, %%r : %s\n"
            "    %%nw = arith.mulf %%n, %%w : %s\n"
            "    %%y = arith.addf %%nw, %%bb : %s\n"
            "    linalg.yield %%y : %s\n"
            "  } -> %s" % (hn, h, s1, s2, nw, nb, ht, rt, rt, vt, vt, e1, ht,
                           dtype, dtype, dtype, dtype, dtype, dtype,
                           _fconst(1.0 / D, dtype), _fconst(cfg.eps, dtype),
                           dtype, dtype, dtype, dtype, dtype, dtype, dtype, dtype, dtype, ht))
    # Tied head: logits[m, v] = sum_d hn[m, d] * E[v, d], m = (b, t).
    M = None if T is None else B * T
    ft = _ttype((M, D), dtype)
    flat = fn.tmp("flat")
    fn.emit("%s = tensor.collapse_shape %s [[0, 1], [2]] : %s into %s" % (flat, hn, ht, ft))
    lt2 = _ttype((M, V), dtype)
    l0 = fn.tmp("l")
    fn.emit("%s = tensor.empty(%s) : %s" % (l0, dyn_m, lt2))
    lz = fn.tmp("lz")
    fn.emit("%s = linalg.fill ins(%s : %s) outs(%s : %s) -> %s" % (lz, zero, dtype, l0, lt2, lt2))
    lg = fn.tmp("lg")
    fn.emit("%s = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, "
            "affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>], "
            "iterator_types = [\"parallel\", \"parallel\", \"reduction\"]}\n"
            "      ins(%s, %s : %s, %s) outs(%s : %s) {\n"
            "  ^bb0(%%a: %s, %%b: %s, %%c: %s):\n"
            "    %%p = arith.mulf %%a, %%b : %s\n"
            "    %%s = arith.addf %%c, %%p : %s\n"
            "    linalg.yield %%s : %s\n"
            "  } -> %s" % (lg, flat, emb, ft, et, lz, lt2, dtype, dtype, dtype, dtype, dtype,
                           dtype, lt2))
    lt = _ttype((B, T, V), dtype)
    logits = fn.tmp("logits")
    fn.emit("%s = tensor.expand_shape %s [[0, 1], [2]] output_shape [%d, %s, %d] : %s into %s"
            % (logits, lg, B, tsize, V, lt2, lt))
    fn.result(logits, lt, "logits")
    for r, t, n in caches:
        fn.result(r, t, n)


class LanguageModel:
    """A small Sessa language model: token ids -> embedding -> N Sessa layers
    -> final LayerNorm -> tied output head (logits = h E^T)."""

    def __init__(self, params, config):
        self.config = config
        self.params = {}
        self._layer_keys = []
        sd = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in params.items()}
        self._import(sd, strict=True)

    def _import(self, sd, strict):
        cfg = self.config
        V, D = cfg.vocab_size, cfg.d_model
        used = set()
        params = {}

        def take(key, shape, desc):
            if key not in sd:
                raise StateDictError("missing key %r (expected shape %s = %s)"
                                     % (key, list(shape), desc), key)
            arr = sd[key]
            if tuple(arr.shape) != tuple(shape):
                raise StateDictError("key %r has shape %s, expected %s = %s"
                                     % (key, list(arr.shape), list(shape), desc), key)
            used.add(key)
            params[key] = np.ascontiguousarray(arr, dtype=np.float32)

        take("embed.weight", (V, D), "[vocab_size, d_model]")
        self._layer_keys = []
        for i in range(cfg.n_layers):
            prefix = "layers.%d." % i
            lp, lused = _import_layer_params(sd, D, cfg.n_heads, cfg.n_kv_heads, prefix)
            used |= lused
            for k, v in lp.items():
                params[prefix + k] = v
            self._layer_keys.append(set(lp))
        take("norm.weight", (D,), "[d_model]")
        if "norm.bias" in sd:
            take("norm.bias", (D,), "[d_model]")
        else:
            params["norm.bias"] = np.zeros(D, np.float32)
        if strict:
            extra = sorted(k for k in sd if k not in used)
            if extra:
                raise StateDictError("unexpected key%s %s (pass strict=False to ignore)"
                                     % ("s" if len(extra) > 1 else "", ", ".join(map(repr, extra))),
                                     extra[0])
        self.params = params

    @classmethod
    def from_state_dict(cls, state_dict, config=None, strict=True, **config_kwargs):
        """A model from a state dict (dict, .npz, or .pt with torch) with keys
        embed.weight, layers.<i>.<layer keys>, norm.weight (norm.bias).
        vocab_size, d_model and n_layers are read from the keys; n_heads,
        n_kv_heads, eps, gamma_max, rope, rope_base come from `config` or
        keyword arguments."""
        sd = load_state_dict(state_dict)
        if "embed.weight" not in sd:
            raise StateDictError("missing key 'embed.weight' (expected shape [vocab_size, "
                                 "d_model])", "embed.weight")
        V, D = sd["embed.weight"].shape
        n_layers = 0
        while any(k.startswith("layers.%d." % n_layers) for k in sd):
            n_layers += 1
        base = dataclasses.asdict(config) if config is not None else {}
        base.update(config_kwargs)
        base.update(vocab_size=int(V), d_model=int(D), n_layers=max(n_layers, 1))
        model = cls.__new__(cls)
        model.config = LMConfig(**base)
        model._import(sd, strict)
        return model

    @classmethod
    def random(cls, config=None, seed=0):
        """A model with deterministic random weights (numpy default_rng(seed))."""
        cfg = config or LMConfig()
        rng = np.random.default_rng(seed)
        p = {"embed.weight": 0.1 * rng.standard_normal((cfg.vocab_size, cfg.d_model))}
        lcfg = cfg.layer_config()
        for i in range(cfg.n_layers):
            for k, v in _random_layer_params(lcfg, rng, cfg.biases).items():
                p["layers.%d.%s" % (i, k)] = v
        p["norm.weight"] = 1.0 + 0.1 * rng.standard_normal(cfg.d_model)
        p["norm.bias"] = 0.1 * rng.standard_normal(cfg.d_model)
        return cls(p, cfg)

    def state_dict(self):
        return {k: v.copy() for k, v in self.params.items()}

    def layer(self, i):
        """Layer i as a Layer (its parameters without the prefix)."""
        prefix = "layers.%d." % i
        lp = {k[len(prefix):]: v for k, v in self.params.items() if k.startswith(prefix)}
        layer = Layer.__new__(Layer)
        layer.config = self.config.layer_config()
        layer.params = lp
        return layer

    def weights(self):
        w = dict(self.params)
        for i in range(self.config.n_layers):
            w.setdefault("layers.%d.ln.bias" % i, np.zeros(self.config.d_model, np.float32))
        return w

    def mlir(self, batch=1, prefill_chunk=16, dtype="f32"):
        """MLIR text with two entry points over caches of P (dynamic) rows:
        @prefill: tokens [batch, prefill_chunk] and @decode: tokens [batch, 1]
        -> logits [batch, T, vocab] and every layer's caches extended by T
        rows. Token ids are clamped to [0, vocab) in the gather (the Python
        wrapper rejects out-of-range ids first).

        prefill_chunk=None writes a dynamic-T @prefill (tokens [batch, T]):
        one call runs any number of tokens, no padding."""
        if dtype != "f32":
            raise NotImplementedError("the language model is written for f32 only (got %r)" % dtype)
        if batch is None:
            raise ValueError("the language model needs a static batch size")
        out = ["// A Sessa language model: vocab %d, d_model %d, %d layers, %d heads over %d kv "
               "heads, written by sessa.model.\n" % (self.config.vocab_size, self.config.d_model,
                                                    self.config.n_layers, self.config.n_heads,
                                                    self.config.n_kv_heads)]
        entries = [("decode", 1)]
        if prefill_chunk != 1:
            entries.insert(0, ("prefill", prefill_chunk))
        for name, T in entries:
            fn = _Func(name)
            _emit_lm(fn, self.config, self._layer_keys, batch, T, dtype)
            out.append(fn.text())
        return "\n".join(out)

    def compile(self, target="cpu", dtype="f32", out_dir=None, name="sessa_lm", batch=1,
                prefill_chunk=16, cpu=None, opt_level=3, openmp=True):
        """Compiles the model ahead of time; returns a CompiledLanguageModel
        (weights bound) with prefill / decode_step / generate. CPU only for
        now: its caches and generation loop live in host memory (compile
        `self.mlir()` with sessa.compiler.compile(target="cuda") and call it
        through sessa.runtime with device tensors instead)."""
        from . import compiler
        from .compiled import CompiledLanguageModel
        compiler._target_check(target)
        if target != "cpu":
            raise compiler.TargetNotAvailableError(
                "target %r is not available for a compiled language model yet: "
                "CompiledLanguageModel keeps its caches and the generation loop in host memory; "
                "compile model.mlir() with sessa.compiler.compile(..., target=%r) and call it "
                "through sessa.runtime with device tensors" % (target, target))
        text = self.mlir(batch=batch, prefill_chunk=prefill_chunk, dtype=dtype)
        out = compiler.compile(text, out_dir or _default_out_dir(name), name, target=target,
                               cpu=cpu, opt_level=opt_level, openmp=openmp)
        return CompiledLanguageModel(out, self.weights(), dataclasses.asdict(self.config), dtype)
