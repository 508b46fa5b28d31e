"""Compiled Sessa models: an artifact with its weights bound (ctypes + numpy).

Made by `Layer.compile()` / `LanguageModel.compile()`, or loaded from a
directory written by `.save(dir)` with `sessa.runtime.load(dir)`; needs no
MLIR. Entry arguments are bound by name: the weights by their state-dict
keys, the data (`x`, `tokens`) and the caches (`cache.k`, ... and
`layers.<i>.cache.k`, ...) per call.
"""

import json
import os
import shutil
import time

import numpy as np

from .runtime import Artifact, decode, encode, storage_dtype

__all__ = ["CompiledLayer", "CompiledLanguageModel", "LayerCache", "LMCache", "load_model"]

FORMAT_VERSION = 1
_CACHE_NAMES = ("k", "v", "kb", "s")


class LayerCache:
    """The decode cache of one layer: RoPE'd keys `k` and values `v`
    [B, P, Hk, d], feedback keys `kb` and outputs `s` [B, P, 1, D], in the
    compiled dtype's storage (bf16: np.uint16). `len(cache)` is P.

    The rows live in buffers with room for more ([B, capacity, ...], grown
    by doubling): a call passes views of their first P rows as the cache and
    of their first P + T rows as the extended cache, the same memory, so the
    compiled step writes only the T new rows (decoding in place; see
    SessaRuntime.h). `cache[name]` / `cache.tensors` are those P-row views."""

    def __init__(self, tensors, dtype):
        self.dtype = dtype
        self.tensors = tensors

    @property
    def tensors(self):
        """{'k', 'v', 'kb', 's'}: views of the first P rows."""
        return {n: b[:, :self._length] for n, b in self._buffers.items()}

    @tensors.setter
    def tensors(self, tensors):
        tensors = dict(tensors)
        lengths = {int(t.shape[1]) for t in tensors.values()}
        if len(lengths) != 1:
            raise ValueError("cache tensors disagree on their length: %s"
                             % {n: t.shape for n, t in tensors.items()})
        self._set_buffers({n: np.ascontiguousarray(t) for n, t in tensors.items()})
        self._length = lengths.pop()

    def _set_buffers(self, buffers):
        self._buffers = buffers
        # New memory: calls prepared over the old buffers no longer apply.
        self._generation = object()
        self._prepared = {}

    def __len__(self):
        return self._length

    @property
    def length(self):
        return len(self)

    @property
    def capacity(self):
        """Rows the buffers hold before they must grow."""
        return int(next(iter(self._buffers.values())).shape[1])

    @property
    def batch(self):
        return int(self._buffers["k"].shape[0])

    def __getitem__(self, name):
        return self._buffers[name][:, :self._length]

    def reserve(self, rows):
        """Makes room for `rows` rows in all (a copy of the P rows when the
        buffers grow: to the larger of `rows` and twice the capacity)."""
        if rows <= self.capacity:
            return
        cap = max(rows, 2 * self.capacity, 16)
        grown = {}
        for n, b in self._buffers.items():
            g = np.empty((b.shape[0], cap) + b.shape[2:], dtype=b.dtype)
            g[:, :self._length] = b[:, :self._length]
            grown[n] = g
        self._set_buffers(grown)

    def _extend(self, rows):
        """(inputs, outputs): views of the first P and P + rows rows of the
        same buffers, for a call that appends `rows` rows."""
        self.reserve(self._length + rows)
        ins = {n: b[:, :self._length] for n, b in self._buffers.items()}
        outs = {n: b[:, :self._length + rows] for n, b in self._buffers.items()}
        return ins, outs

    def as_float(self):
        """{'k', 'v', 'kb', 's'} as float32 arrays (for inspection)."""
        return {n: decode(np.ascontiguousarray(t), self.dtype) for n, t in self.tensors.items()}

    def truncate(self, length):
        """Keeps the first `length` rows."""
        if not 0 <= length <= self._length:
            raise ValueError("cannot truncate a cache of %d rows to %d" % (self._length, length))
        self._length = int(length)

    def copy(self):
        return LayerCache({n: t.copy() for n, t in self.tensors.items()}, self.dtype)

    def __repr__(self):
        return "LayerCache(batch=%d, length=%d, dtype=%s)" % (self.batch, len(self), self.dtype)


class LMCache:
    """The caches of every layer of a language model; `len(cache)` is the
    number of positions already processed."""

    def __init__(self, layers):
        self.layers = list(layers)
        self._prepared = {}

    def __len__(self):
        return len(self.layers[0])

    @property
    def length(self):
        return len(self)

    @property
    def batch(self):
        return self.layers[0].batch

    def truncate(self, length):
        for c in self.layers:
            c.truncate(length)

    def copy(self):
        return LMCache([c.copy() for c in self.layers])

    def __repr__(self):
        return "LMCache(%d layers, batch=%d, length=%d)" % (len(self.layers), self.batch, len(self))


class _Compiled:
    """An artifact with bound weights; subclasses define the calls."""

    kind = None

    def __init__(self, artifact, weights, config, dtype):
        self.artifact = artifact if isinstance(artifact, Artifact) else Artifact(artifact)
        self.config = dict(config)
        self.dtype = dtype
        self.weights = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()}
        # Every entry with its weights bound (in the compiled dtype).
        self._entries = {}
        for entry in self.artifact.entries.values():
            fixed = {name: encode(self.weights[name], dt)
                     for name, dt, _ in entry.inputs if name in self.weights}
            self._entries[entry.name] = self.artifact.bind(entry.name, fixed)

    @property
    def path(self):
        """The artifact directory."""
        return self.artifact.directory

    def _run_step(self, entry_name, data, owner, caches, rows):
        """Runs an entry that appends `rows` rows to `caches` ([(input name
        prefix, LayerCache)]) in place; `data` are the other inputs by
        name. Returns the other outputs by name (arrays of their own).

        The call is prepared once (`PreparedCall`: arguments checked and
        described) and kept on `owner` (the cache object the caller holds),
        with staging buffers for the data inputs and outputs; later calls
        with data of the same shapes on the same cache buffers only copy the
        data in, set the cache length (`PreparedCall.resize`) and run. A
        cache that grows into new buffers is prepared again."""
        for _, c in caches:
            c.reserve(len(c) + rows)
        bound = self._entries[entry_name]
        key = (entry_name, tuple((n, a.shape, a.dtype.str) for n, a in sorted(data.items())))
        st = owner._prepared.get(key)
        if st is None or st["bound"] is not bound or len(st["caches"]) != len(caches) or \
                any(c is not c0 or c._generation is not g
                    for (_, c), (c0, g) in zip(caches, st["caches"])):
            st = self._prepare_step(bound, data, caches, rows)
            owner._prepared[key] = st
        for n, a in data.items():
            np.copyto(st["data"][n], a)
        st["call"].resize({sym: len(c) for sym, (_, c) in zip(st["length_symbols"], caches)})
        st["call"]()
        for _, c in caches:
            c._length += rows
        return {n: a.copy() for n, a in st["outputs"].items()}

    def _prepare_step(self, bound, data, caches, rows):
        entry = bound.entry
        staged = {n: np.empty(a.shape, a.dtype) for n, a in data.items()}
        feeds, outputs = dict(staged), {}
        for prefix, c in caches:
            ins, outs = c._extend(rows)
            for n in _CACHE_NAMES:
                feeds[prefix + "cache." + n] = ins[n]
                outputs[prefix + "new_cache." + n] = outs[n]
        # The size symbol of each cache's length (one per layer).
        dims_of = {name: dims for name, _, dims in entry.inputs}
        length_symbols = []
        for prefix, _ in caches:
            dims = dims_of.get(prefix + "cache.k")
            if dims is None or len(dims) < 2 or not isinstance(dims[1], str):
                raise ValueError("entry %r has no cache input %r with a dynamic length"
                                 % (entry.name, prefix + "cache.k"))
            length_symbols.append(dims[1])
        try:
            args = [feeds[name] for name in bound.free_names]
        except KeyError as e:
            raise KeyError("entry %r input %s is neither a bound weight nor given"
                           % (entry.name, e)) from None
        ins = [bound._arrays[i] if i in bound._arrays else feeds[name]
               for i, (name, _, _) in enumerate(entry.inputs)]
        shapes = entry.output_shapes_from(Artifact._loose_bind(entry, ins))
        own = {name: np.empty(shape, dtype=storage_dtype(dt))
               for (name, dt, _), shape in zip(entry.outputs, shapes) if name not in outputs}
        outs = [outputs[name] if name in outputs else own[name]
                for name, _, _ in entry.outputs]
        call = bound.prepare(*args, outputs=outs)
        return {"bound": bound, "caches": [(c, c._generation) for _, c in caches],
                "data": staged, "outputs": own, "call": call, "length_symbols": length_symbols}

    def _new_caches(self, entry_name, batch, prefix=""):
        """Empty caches (P = 0) shaped from the entry's cache inputs."""
        entry = self.artifact.entries[entry_name]
        caches = {}
        for name, dt, dims in entry.inputs:
            if not name.startswith(prefix + "cache."):
                continue
            shape = []
            for i, d in enumerate(dims):
                if isinstance(d, int):
                    if i == 0 and d != batch:
                        raise ValueError("%s was compiled for batch %d, not %d"
                                         % (self.kind, d, batch))
                    shape.append(d)
                else:
                    shape.append(batch if i == 0 else 0)
            caches[name[len(prefix + "cache."):]] = np.empty(shape, dtype=storage_dtype(dt))
        return LayerCache(caches, self.dtype)

    def save(self, directory):
        """Writes the artifact (library, header, manifest), weights.npz and
        sessa_model.json into `directory`; `sessa.runtime.load(directory)`
        gives this model back. Returns the directory."""
        directory = os.path.abspath(os.fspath(directory))
        os.makedirs(directory, exist_ok=True)
        src = self.artifact.directory
        name = self.artifact.name
        files = ["lib%s.so" % name, "%s.h" % name, "SessaRuntime.h", "manifest.json"]
        if os.path.realpath(src) != os.path.realpath(directory):
            for f in files:
                if os.path.exists(os.path.join(src, f)):
                    shutil.copy2(os.path.join(src, f), os.path.join(directory, f))
        np.savez(os.path.join(directory, "weights.npz"), **self.weights)
        meta = {"format_version": FORMAT_VERSION, "kind": self.kind, "artifact": name,
                "dtype": self.dtype, "config": self.config, "weights": "weights.npz"}
        with open(os.path.join(directory, "sessa_model.json"), "w") as f:
            json.dump(meta, f, indent=2, sort_keys=True)
            f.write("\n")
        return directory

    def __repr__(self):
        return "%s(%s, dtype=%s, %s)" % (type(self).__name__, self.path, self.dtype,
                                         ", ".join("%s=%s" % kv for kv in sorted(self.config.items())))


class CompiledLayer(_Compiled):
    """A compiled Sessa layer: `y = layer(x)` (full forward pass) or
    `y = layer(x, cache)` (prefill / decode; the cache grows by T rows).
    x: [B, T, D] floats (converted to the compiled dtype); y: float32."""

    kind = "layer"
    entry = "layer_step"

    def new_cache(self, batch=1):
        """An empty cache (P = 0) for `batch` sequences."""
        return self._new_caches(self.entry, batch)

    def __call__(self, x, cache=None):
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError("x must be [batch, tokens, d_model], got shape %s" % (x.shape,))
        if cache is None:
            cache = self.new_cache(x.shape[0])
        elif cache.dtype != self.dtype:
            raise ValueError("the cache holds %s, the layer is compiled for %s"
                             % (cache.dtype, self.dtype))
        out = self._run_step(self.entry, {"x": encode(x, self.dtype)}, cache,
                             [("", cache)], x.shape[1])
        return decode(out["y"], self.dtype)


class CompiledLanguageModel(_Compiled):
    """A compiled Sessa language model with entries @prefill (a chunk of C
    tokens) and @decode (one token), both over caches of any length, for a
    fixed batch. Token ids are integers in [0, vocab_size)."""

    kind = "language_model"

    def __init__(self, artifact, weights, config, dtype):
        super().__init__(artifact, weights, config, dtype)
        self.n_layers = int(self.config["n_layers"])
        self.vocab_size = int(self.config["vocab_size"])
        dec = self.artifact.entries["decode"]
        self.batch = int(dec.inputs[0][2][0])
        self.chunk = None
        if "prefill" in self.artifact.entries:
            t = self.artifact.entries["prefill"].inputs[0][2][1]
            self.chunk = t if isinstance(t, int) else None
            self._dynamic_prefill = not isinstance(t, int)
        else:
            self._dynamic_prefill = False

    def new_cache(self, batch=None):
        batch = self.batch if batch is None else batch
        return LMCache([self._new_caches("decode", batch, "layers.%d." % i)
                        for i in range(self.n_layers)])

    def _tokens(self, tokens):
        t = np.asarray(tokens)
        if t.ndim == 1:
            t = t.reshape(1, -1) if self.batch == 1 else t.reshape(-1, 1)
        if t.ndim != 2:
            raise ValueError("tokens must be [batch, length], got shape %s" % (t.shape,))
        if not np.issubdtype(t.dtype, np.integer):
            raise TypeError("tokens must be integers, got %s" % t.dtype)
        if t.shape[0] != self.batch:
            raise ValueError("this model was compiled for batch %d, got %d sequences"
                             % (self.batch, t.shape[0]))
        if t.size and (t.min() < 0 or t.max() >= self.vocab_size):
            bad = t[(t < 0) | (t >= self.vocab_size)][0]
            raise ValueError("token id %d is out of range [0, %d)" % (bad, self.vocab_size))
        return np.ascontiguousarray(t, dtype=np.int64)

    def _step(self, entry, tokens, cache):
        caches = [("layers.%d." % i, c) for i, c in enumerate(cache.layers)]
        return self._run_step(entry, {"tokens": tokens}, cache, caches,
                              tokens.shape[1])["logits"]

    def prefill(self, tokens, cache):
        """Runs `tokens` [batch, L] after the positions already in `cache`;
        returns the logits [batch, L, vocab] (float32). Chunks of C tokens
        go through @prefill, the last one padded (its padding rows are
        dropped from the cache: causality keeps the real rows exact); a
        single remaining token goes through @decode."""
        t = self._tokens(tokens)
        L = t.shape[1]
        if L == 0:
            raise ValueError("prefill needs at least one token")
        logits = []
        pos = 0
        while pos < L:
            n = L - pos
            if self._dynamic_prefill:
                logits.append(self._step("prefill", np.ascontiguousarray(t[:, pos:]), cache))
                pos = L
            elif n == 1 or self.chunk is None:
                logits.append(self._step("decode", np.ascontiguousarray(t[:, pos:pos + 1]), cache))
                pos += 1
            else:
                C = self.chunk
                m = min(n, C)
                chunk = np.zeros((self.batch, C), np.int64)
                chunk[:, :m] = t[:, pos:pos + m]
                before = len(cache)
                out = self._step("prefill", chunk, cache)
                if m < C:
                    cache.truncate(before + m)
                logits.append(out[:, :m])
                pos += m
        return np.concatenate(logits, axis=1) if len(logits) > 1 else logits[0]

    def decode_step(self, tokens, cache):
        """One token per sequence ([batch] or [batch, 1]) -> logits [batch, vocab]."""
        t = np.asarray(tokens)
        t = self._tokens(t.reshape(self.batch, 1))
        return self._step("decode", t, cache)[:, 0]

    def __call__(self, tokens, cache=None):
        """Logits [batch, L, vocab] of `tokens` (a fresh cache unless given)."""
        return self.prefill(tokens, self.new_cache() if cache is None else cache)

    def generate(self, prompt, max_new_tokens, cache=None, temperature=0.0, seed=None,
                 on_token=None):
        """Greedy (temperature 0) or sampled continuation of `prompt` [batch, L].
        Returns (tokens [batch, L + max_new_tokens], stats dict with
        prefill_s, decode_s, tokens_per_s). `on_token(step, tokens, logits)`
        is called after every decoded token."""
        prompt = self._tokens(prompt)
        cache = self.new_cache() if cache is None else cache
        rng = np.random.default_rng(seed)

        def pick(logits):
            if temperature <= 0:
                return np.argmax(logits, axis=-1)
            z = logits.astype(np.float64) / temperature
            z -= z.max(axis=-1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=-1, keepdims=True)
            return np.array([rng.choice(len(row), p=row) for row in p])

        t0 = time.perf_counter()
        logits = self.prefill(prompt, cache)[:, -1]
        t1 = time.perf_counter()
        out = [prompt]
        nxt = pick(logits)
        decode_s = 0.0
        for step in range(max_new_tokens):
            out.append(nxt.reshape(self.batch, 1).astype(np.int64))
            if on_token is not None:
                on_token(step, nxt, logits)
            if step + 1 == max_new_tokens:
                break
            s = time.perf_counter()
            logits = self.decode_step(nxt, cache)
            decode_s += time.perf_counter() - s
            nxt = pick(logits)
        steps = max(max_new_tokens - 1, 0)
        stats = {"prefill_s": t1 - t0, "prompt_tokens": prompt.shape[1],
                 "decode_s": decode_s, "decode_steps": steps,
                 "tokens_per_s": (steps * self.batch / decode_s) if decode_s > 0 else float("nan")}
        return np.concatenate(out, axis=1), stats


def load_model(directory):
    """A compiled model saved with `.save(directory)`."""
    with open(os.path.join(directory, "sessa_model.json")) as f:
        meta = json.load(f)
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError("%s: sessa_model.json format %r, this version reads %d"
                         % (directory, meta.get("format_version"), FORMAT_VERSION))
    art = Artifact(directory)
    with np.load(os.path.join(directory, meta.get("weights", "weights.npz"))) as f:
        weights = {k: f[k] for k in f.files}
    cls = {"layer": CompiledLayer, "language_model": CompiledLanguageModel}.get(meta["kind"])
    if cls is None:
        raise ValueError("%s: unknown model kind %r" % (directory, meta["kind"]))
    return cls(art, weights, meta["config"], meta["dtype"])
