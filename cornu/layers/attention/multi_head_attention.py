"""MultiHeadAttention in Keras's weight layout, on PyTorch's fused attention kernel."""
import math
import string

import torch
import torch.nn.functional as F

from cornu import constraints, initializers, regularizers
from cornu.graph.keras_tensor import KerasTensor
from cornu.layers.attention.einsum_dense import EinsumDense, serialized
from cornu.layers.layer import Layer, registry

# What Keras adds to masked-out scores: the fused path a large finite negative (a fully masked
# row then averages the values, as in Keras on torch), the explicit path -1e9 then zeros.
_SDPA_NEGATIVE = -0.7 * 3.38953e38
_SOFTMAX_NEGATIVE = -1e9


@registry.register()
class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017), as Keras 3 defines it.

    `query`, `value` (and `key`, `value` by default) are projected to `num_heads` heads of
    `key_dim` (`value_dim`) features each; each query position attends over the key positions
    with weights `softmax(q . k / sqrt(key_dim))`; the heads' results are projected back to the
    query's feature size (or `output_shape`).

    Weights, in Keras's order and shapes (for inputs `(batch, T, dim)`): `query/kernel`
    `(dim, num_heads, key_dim)` and `query/bias` `(num_heads, key_dim)`, the same for `key` and
    `value` (`value_dim`), then `attention_output/kernel` `(num_heads, value_dim, dim)` and its
    bias `(dim,)`; a `.weights.h5` file names them `query_dense`, `key_dense`, `value_dense`,
    `output_dense` as Keras 3 does, so files load across.

    Args:
        num_heads: number of heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default `key_dim`).
        dropout: dropout rate on the attention weights (training only).
        use_bias: whether the projections have biases.
        output_shape: the output's feature shape (default: the query's last dimension).
        attention_axes: the axes attention runs over (default: all but batch and features).
        sliding_window: attend only to keys within `sliding_window - 1` positions.
        flash_attention: True requires the fused kernel (no scores, no dropout).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: of the projections.
        use_gate: gate the heads' outputs by `sigmoid` of a projection of the query.
        seed: seed of the dropout.

    Call arguments: `query` `(B, T, dim)`, `value` `(B, S, dim)`, `key` (default `value`),
    `attention_mask` (boolean `(B, T, S)`, True where attention is allowed),
    `return_attention_scores`, `training`, `use_causal_mask`. Keras masks carried by the
    inputs (`Embedding(mask_zero=True)`) mask the attention, and the query's passes on.

    The fused `F.scaled_dot_product_attention` runs unless scores are returned, the attention
    axes are not the default ones of a `(B, T, dim)` input, or dropout meets a mask (where Keras's
    explicit softmax gives fully masked rows zeros).

    >>> mha = MultiHeadAttention(num_heads=2, key_dim=4)
    >>> x = np.random.rand(3, 5, 8).astype("float32")
    >>> tuple(mha(x, x).shape), tuple(mha.query_dense.kernel.shape)
    ((3, 5, 8), (8, 2, 4))
    """
    _config_omit = ('flash_attention',)  # Keras 3.15's config leaves it out
    supports_masking = True

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        for arg, value, optional in (("num_heads", num_heads, False), ("key_dim", key_dim, False),
                                     ("value_dim", value_dim, True),
                                     ("sliding_window", sliding_window, True)):
            if (value is not None or not optional) and (
                    not isinstance(value, int) or isinstance(value, bool) or value <= 0):
                raise ValueError(f"MultiHeadAttention: `{arg}` must be a positive integer"
                                 f"{' or None' if optional else ''}, got {value!r}.")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim or key_dim
        self.dropout = float(dropout)
        self.use_bias, self.use_gate = use_bias, use_gate
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("MultiHeadAttention: `attention_axes` must be an int, list or tuple, "
                             f"got {attention_axes!r}.")
        self.attention_axes = tuple(attention_axes) if attention_axes is not None else None
        self.sliding_window = sliding_window
        self.flash_attention = flash_attention
        if flash_attention and self.dropout > 0:
            raise ValueError("MultiHeadAttention: dropout is not supported with "
                             "flash_attention=True; set dropout=0.0.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._scale = 1.0 / math.sqrt(float(key_dim))

    # ------------------------------------------------------------------ build
    def _projection(self, name, rank, bound, out_dims):
        equation, bias_axes, out_rank = _projection_equation(rank - 1, bound, len(out_dims))
        init = self.kernel_initializer
        return EinsumDense(
            equation, [None] * (out_rank - 1 - len(out_dims)) + list(out_dims),
            bias_axes=bias_axes if self.use_bias else None, name=name,
            kernel_initializer=type(init).from_config(init.get_config()),
            bias_initializer=type(self.bias_initializer).from_config(
                self.bias_initializer.get_config()),
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
            dtype=self.dtype)

    def build(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"MultiHeadAttention {self.name!r}: `value` and `key` must have the "
                             f"same shape but for the last axis; got value {value_shape} and key "
                             f"{key_shape}.")
        heads = (self.num_heads, self.key_dim)
        self._query_dense = self._projection("query", len(query_shape), 1, heads)
        self._query_dense._build_once(query_shape)
        self._key_dense = self._projection("key", len(key_shape), 1, heads)
        self._key_dense._build_once(key_shape)
        if self.use_gate:
            self._gate_dense = self._projection("gate", len(query_shape), 1,
                                                (self.num_heads, self.value_dim))
            self._gate_dense.activation = torch.sigmoid
            self._gate_dense._build_once(query_shape)
        self._value_dense = self._projection("value", len(value_shape), 1,
                                             (self.num_heads, self.value_dim))
        self._value_dense._build_once(value_shape)
        rank = len(query_shape) + 1  # of the projected tensors
        axes = self.attention_axes
        axes = tuple(range(1, rank - 2)) if axes is None else tuple(
            a if a >= 0 else rank - 1 + a for a in axes)
        self._axes = axes
        self._dot_equation, self._combine_equation = _attention_equations(rank, axes)
        self._fused = rank == 4 and axes == (1,)
        out = self._output_shape or (query_shape[-1],)
        equation, bias_axes, out_rank = _projection_equation(len(query_shape) - 1, 2, len(out))
        init = self.kernel_initializer
        self._output_dense = EinsumDense(
            equation, [None] * (out_rank - 1 - len(out)) + list(out),
            bias_axes=bias_axes if self.use_bias else None, name="attention_output",
            kernel_initializer=type(init).from_config(init.get_config()),
            bias_initializer=self.bias_initializer, kernel_regularizer=self.kernel_regularizer,
            bias_regularizer=self.bias_regularizer, kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint, dtype=self.dtype)
        self._output_dense._build_once(query_shape[:-1] + (self.num_heads, self.value_dim))
        self.built = True

    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def _weights_h5_names(self):
        """Group names of the sublayers in a Keras 3 `.weights.h5` file, in `_sublayers` order."""
        return ["query_dense", "key_dense"] + (["_gate_dense"] if self.use_gate else []) + \
            ["value_dense", "output_dense"]

    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise ValueError(f"MultiHeadAttention {self.name!r} needs `query` and `value` "
                             "(`layer(query, value)`; `layer(x, x)` for self-attention).")
        if not self.built:
            self.build(tuple(query.shape), tuple(_shape(value)),
                       None if key is None else tuple(_shape(key)))
        if key is None:
            return super().__call__(query, value, **kwargs)
        return super().__call__(query, value, key, **kwargs)

    # ------------------------------------------------------------------- call
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False, mask=None):
        if self.flash_attention and return_attention_scores:
            raise ValueError(f"MultiHeadAttention {self.name!r}: attention scores cannot be "
                             "returned with flash_attention=True.")
        value = _tensor(value, query)
        self_attention = value is query
        key = value if key is None else _tensor(key, query)
        query_mask = _mask(query_mask if query_mask is not None else mask, query)
        value_mask = query_mask if self_attention and value_mask is None else \
            _mask(value_mask, value)
        key_mask = None if key is value else _mask(key_mask, key)
        # The projections run as plain modules: their inputs' masks are this layer's business.
        run = torch.nn.Module.__call__
        gate = run(self._gate_dense, query) if self.use_gate else None
        q = run(self._query_dense, query)
        k = run(self._key_dense, key)
        v = run(self._value_dense, value)
        causal_only = use_causal_mask and self.sliding_window is None and all(
            m is None for m in (query_mask, value_mask, key_mask, attention_mask))
        if not causal_only:
            attention_mask = self._attention_mask(q, v, query_mask, value_mask, key_mask,
                                                  attention_mask, use_causal_mask)
        dropout = self.dropout if training else 0.0
        scores = None
        if self._fused and not return_attention_scores and (
                self.dropout == 0 or attention_mask is None):
            out = self._fused_attention(q, k, v, attention_mask, causal_only, dropout)
        else:
            if causal_only:
                attention_mask = _causal(q, v)
            out, scores = self._explicit_attention(q, k, v, attention_mask, dropout)
        if gate is not None:
            out = out * gate
        out = run(self._output_dense, out)
        return (out, scores) if return_attention_scores else out

    def _fused_attention(self, q, k, v, mask, causal, dropout):
        # (B, T, N, H) -> (B, N, T, H): the layout the kernel takes, as views.
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        bias = None
        if mask is not None:
            mask = mask.unsqueeze(-3) if mask.ndim == 3 else mask
            bias = torch.zeros(mask.shape, dtype=q.dtype, device=q.device).masked_fill_(
                ~mask, _SDPA_NEGATIVE)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, dropout_p=dropout,
                                             is_causal=bool(causal), scale=self._scale)
        return out.transpose(1, 2)

    def _explicit_attention(self, q, k, v, mask, dropout):
        scores = torch.einsum(self._dot_equation, k, q * self._scale)
        n = len(self._axes)
        if mask is not None:
            while mask.ndim < scores.ndim:
                mask = mask.unsqueeze(-2 * n - 1)
            scores = scores.masked_fill(~mask, _SOFTMAX_NEGATIVE)
        shape = scores.shape
        probs = F.softmax(scores.reshape(*shape[:-n], -1), dim=-1).reshape(shape)
        if mask is not None:
            probs = probs.masked_fill(~mask, 0.0)
        dropped = F.dropout(probs, dropout, True) if dropout > 0 else probs
        return torch.einsum(self._combine_equation, dropped, v), probs

    def _attention_mask(self, q, v, query_mask, value_mask, key_mask, attention_mask, causal):
        auto = None
        for m in (None if query_mask is None else query_mask.unsqueeze(-1),
                  None if value_mask is None else value_mask.unsqueeze(-2),
                  None if key_mask is None else key_mask.unsqueeze(-2),
                  _causal(q, v) if causal else None,
                  _window(q, v, self.sliding_window) if self.sliding_window else None):
            if m is not None:
                auto = m if auto is None else auto & m
        if attention_mask is not None:
            attention_mask = _mask(attention_mask, q)
            return attention_mask if auto is None else attention_mask & auto
        return auto

    # ------------------------------------------------------------ shapes, config
    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None and key_shape is not None and \
                tuple(value_shape)[1:-1] != tuple(key_shape)[1:-1]:
            raise ValueError(f"MultiHeadAttention {self.name!r}: `value` and `key` must have "
                             f"the same shape but for the last axis; got {tuple(value_shape)} "
                             f"and {tuple(key_shape)}.")
        return query_shape[:-1] + (self._output_shape or query_shape[-1:])

    def compute_output_spec(self, query, value=None, key=None, return_attention_scores=False,
                            **kwargs):
        if return_attention_scores:
            return self._meta_run((query, value) + (() if key is None else (key,)),
                                  {"return_attention_scores": True, **kwargs})
        shape = self.compute_output_shape(query.shape, _shape(value),
                                          None if key is None else _shape(key))
        return KerasTensor(shape, self.dtype)


def _shape(t):
    return tuple(t.shape) if hasattr(t, "shape") else tuple(torch.as_tensor(t).shape)


def _tensor(x, like):
    if isinstance(x, torch.Tensor):
        return x
    return torch.as_tensor(x, dtype=like.dtype, device=like.device)


def _mask(m, like):
    """A Keras mask as a boolean tensor on `like`'s device (None stays None)."""
    if m is None:
        m = getattr(like, "_keras_mask", None) if like is not None and m is None else m
        if m is None:
            return None
    m = torch.as_tensor(m, device=like.device)
    return m if m.dtype == torch.bool else m > 0.5


def _causal(q, v):
    t, s = q.shape[1], v.shape[1]
    return torch.ones((1, t, s), dtype=torch.bool, device=q.device).tril()


def _window(q, v, window):
    rows = torch.arange(q.shape[1], device=q.device).view(1, -1, 1)
    cols = torch.arange(v.shape[1], device=q.device).view(1, 1, -1)
    return (rows - cols).abs() < window


def _projection_equation(free, bound, out):
    """`"<free><bound>,<bound><out>-><free><out>"`, the bias over `<out>`, and the output rank."""
    letters = string.ascii_lowercase
    f, b, o = letters[:free], letters[free:free + bound], letters[free + bound:free + bound + out]
    return f"{f}{b},{b}{o}->{f}{o}", o, free + out


def _attention_equations(rank, axes):
    """Einsum equations of the scores `(k, q -> scores)` and the combination `(scores, v -> out)`
    for projected tensors `(batch, <other>, <attention axes>, heads, features)`."""
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch = [i for i in range(rank) if i not in axes and i != rank - 1]
    source, offset = "", rank
    for i in range(rank):
        if i in batch or i == rank - 1:
            source += target[i]
        else:
            source += letters[offset]
            offset += 1
    product = "".join([target[i] for i in batch] + [target[i] for i in axes] +
                      [source[i] for i in axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}"
