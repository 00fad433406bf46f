"""Embedding: turns integer indices into dense vectors by looking rows up in a table."""
import torch
import torch.nn.functional as F

from cornu import constraints, initializers, regularizers
from cornu.backend.config import to_tensor
from cornu.layers.core.lora import LoraMixin
from cornu.layers.layer import Layer, registry


@registry.register()
class Embedding(LoraMixin, Layer):
    """Turns positive integers (indices) into dense vectors of fixed size.

    `[[4], [20]] -> [[0.25, 0.1], [0.6, -0.2]]`. The table `embeddings` has shape
    `(input_dim, output_dim)`. Inputs of any dtype are read as integer indices (the trainer
    feeds float32 arrays, as Keras does); an index outside `[0, input_dim)` is an error.

    Args:
        input_dim: size of the vocabulary (maximum index + 1).
        output_dim: dimension of the dense embedding.
        embeddings_initializer: initializer of the table (default `"uniform"`, ±0.05).
        embeddings_regularizer, embeddings_constraint: applied to the table.
        mask_zero: whether index 0 is padding to be masked out: downstream layers that
            support masking (RNNs...) skip those timesteps. Index 0 then cannot be a word,
            so `input_dim` should be vocabulary size + 1.
        lora_rank, lora_alpha: LoRA of the table (see `enable_lora`, layers/core/lora.py).
        quantization_config: must be None (Keras 3.15 writes it into configs).

    Input shape `(batch, ...)` of indices; output shape `(batch, ..., output_dim)`.
    Keras 2's `input_length=n` means `input_shape=(n,)`.

    >>> Embedding(1000, 64)(np.array([[1, 2, 3]])).shape
    torch.Size([1, 3, 64])
    """

    _lora_target = "embeddings"
    _config_omit = ("lora_rank", "lora_alpha", "quantization_config")  # see LoraMixin
    _config_extra = {"quantization_config": None}

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 activity_regularizer=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Embedding {self.name!r}: `{arg}` must be a positive integer, "
                                 f"got {value!r}.")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._init_lora(lora_rank, lora_alpha, quantization_config)

    def build(self, input_shape=None):
        self.embeddings = self._weight("embeddings", (self.input_dim, self.output_dim))
        self._build_lora()

    def call(self, inputs):
        if inputs.dtype not in (torch.int64, torch.int32):
            inputs = inputs.to(torch.int64)  # truncates, as Keras's cast to int32 does
        try:
            out = F.embedding(inputs, self.embeddings)
            if self.lora_enabled:  # only the rows looked up, as Keras computes it
                delta = F.embedding(inputs, self.lora_embeddings_a) @ self.lora_embeddings_b
                out = out + (self.lora_alpha / self.lora_rank) * delta
            return out
        except IndexError:
            low, high = int(inputs.min()), int(inputs.max())
            raise IndexError(f"Embedding {self.name!r}: input index {high if high >= self.input_dim else low} "
                             f"is out of range; indices must lie in [0, {self.input_dim - 1}] "
                             f"(input_dim={self.input_dim}). Use input_dim = vocabulary size "
                             "+ 1 when indices start at 1.") from None

    def compute_mask(self, inputs, previous_mask=None):
        if not self.mask_zero:
            return None
        return to_tensor(inputs) != 0  # a tensor for NumPy input too, as Keras

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def extra_repr(self):
        return f"input_dim={self.input_dim}, output_dim={self.output_dim}"
