"""float64 reference of the small Sessa language model (sessa.model.LanguageModel).

Composes the independent per-layer reference (test/Integration/lib/
sessa_reference.py): embedding gather -> N Sessa layers (with caches) ->
final LayerNorm -> tied head, logits = h E^T. Used by the pytest suite and
by examples/python/generate.py.
"""

import numpy as np

import sessa_reference as ref


def lm_forward(tokens, params, config, caches=None):
    """tokens: int [B, T]; params: the model's state dict (embed.weight,
    layers.<i>.<key>, norm.weight, norm.bias); config: an LMConfig (or a
    dict with the same fields). caches: None or one reference cache per
    layer ({'k', 'v', 'kb', 's'}). Returns (logits float64 [B, T, V], new
    caches)."""
    cfg = config if isinstance(config, dict) else vars(config)
    tokens = np.asarray(tokens)
    E = np.asarray(params["embed.weight"], dtype=np.float64)
    h = E[tokens]                                              # [B, T, D]
    new_caches = []
    for i in range(cfg["n_layers"]):
        prefix = "layers.%d." % i
        lp = {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}
        h, c = ref.layer(h, lp, cfg["n_heads"], cfg["n_kv_heads"], eps=cfg["eps"],
                         gamma_max=cfg["gamma_max"], rope=cfg["rope"],
                         rope_base=cfg["rope_base"],
                         cache=None if caches is None else caches[i])
        new_caches.append(c)
    hn = ref.layer_norm(h, params["norm.weight"], params.get("norm.bias"), cfg["eps"])
    return hn @ E.T, new_caches
