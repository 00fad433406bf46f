"""Attention (Luong, dot-product) and AdditiveAttention (Bahdanau), on `[query, value, key]`."""
import torch
import torch.nn.functional as F

from cornu.layers.layer import Layer, registry


@registry.register()
class Attention(Layer):
    """Dot-product attention: `softmax(query @ key^T) @ value`, as Keras 3 computes it.

    Called on `[query, value]` or `[query, value, key]` (`(batch, Tq, dim)`, `(batch, Tv, dim)`);
    `key` defaults to `value`. Masks `[query_mask, value_mask]` (given or carried by the inputs):
    masked values get no weight, masked query positions output zeros.

    Args:
        use_scale: learn a scalar `scale` multiplying the scores.
        score_mode: `"dot"` (`q . k`) or `"concat"` (`sum(tanh(q + k))` times a learned
            `concat_score_weight`).
        dropout: dropout rate on the attention weights (training only).
        seed: seed of the dropout.

    Call arguments: `inputs`, `mask`, `training`, `return_attention_scores` (also return the
    weights `(batch, Tq, Tv)`), `use_causal_mask`.

    >>> q, v = np.ones((2, 3, 4), "float32"), np.ones((2, 5, 4), "float32")
    >>> tuple(Attention()([q, v]).shape)
    (2, 3, 4)
    """
    supports_masking = True

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"{type(self).__name__}: `score_mode` must be 'dot' or 'concat', "
                             f"got {score_mode!r}.")
        self.use_scale, self.score_mode = use_scale, score_mode
        self.dropout, self.seed = float(dropout), seed

    def build(self, input_shape):
        self._validate(input_shape)
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones") if self.use_scale else None
        self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones") \
            if self.score_mode == "concat" else None

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = query @ key.transpose(-2, -1)
            return scores * self.scale if self.scale is not None else scores
        summed = query.unsqueeze(-2) + key.unsqueeze(-3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * torch.tanh(summed).sum(-1)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = _bool(mask[0], query) if mask else None
        value_mask = _bool(mask[1], query) if mask else None
        scores = self._scores(query, key)
        keep = None if value_mask is None else value_mask.unsqueeze(-2)
        if use_causal_mask:
            causal = torch.ones(scores.shape[-2:], dtype=torch.bool, device=scores.device).tril()
            keep = causal if keep is None else keep & causal
        if keep is not None:
            # Keras subtracts 1e9 (65504 in float16), so the scores keep their gradients.
            big = 65504.0 if scores.dtype == torch.float16 else 1.0e9
            scores = torch.where(keep, scores, scores - big)
        weights = F.softmax(scores, dim=-1)
        dropped = F.dropout(weights, self.dropout, True) if training and self.dropout > 0 \
            else weights
        out = dropped @ value
        if query_mask is not None:
            out = torch.where(query_mask.unsqueeze(-1), out, torch.zeros((), dtype=out.dtype,
                                                                            device=out.device))
        return (out, weights) if return_attention_scores else out

    def compute_mask(self, inputs, previous_mask=None):
        if previous_mask is None or previous_mask[0] is None:
            return None
        return previous_mask[0]

    def compute_output_shape(self, input_shape):
        self._validate(input_shape)
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def compute_output_spec(self, inputs, return_attention_scores=False, **kwargs):
        if return_attention_scores:
            return self._meta_run((inputs,), {"return_attention_scores": True, **kwargs})
        return super().compute_output_spec(inputs, **kwargs)

    def _validate(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} {self.name!r} must be called on a list [query, value] or "
                             f"[query, value, key]; received {_describe(inputs)}.")
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(f"{name} {self.name!r}: `mask` must be a list [query_mask, "
                             f"value_mask]; received {_describe(mask)}.")


@registry.register()
class AdditiveAttention(Attention):
    """Additive (Bahdanau) attention: scores `sum(scale * tanh(query + key))` over features.

    Args:
        use_scale: learn a `scale` vector of the feature size (glorot-uniform initialized).
        dropout, seed: as in `Attention`.
    """

    _config_omit = ("score_mode",)  # Keras 3 writes Attention's keys but this one

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        self._validate(input_shape)
        self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],), initializer="glorot_uniform") \
            if self.use_scale else None
        self.concat_score_weight = None

    def _scores(self, query, key):
        summed = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        return (summed * self.scale if self.scale is not None else summed).sum(-1)



def _bool(mask, like):
    if mask is None:
        return None
    mask = torch.as_tensor(mask, device=like.device)
    return mask if mask.dtype == torch.bool else mask > 0.5


def _describe(x):
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of {len(x)}"
    return f"{type(x).__name__} of shape {tuple(getattr(x, 'shape', ()))}"
