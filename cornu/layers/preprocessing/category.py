"""CategoryEncoding and Discretization: integer and bucket encodings, as tensor ops."""
import numpy as np
import torch
import torch.nn.functional as F

from cornu.backend.config import torch_dtype
from cornu.layers.layer import Layer, registry


@registry.register()
class CategoryEncoding(Layer):
    """Encodes integer ids in `[0, num_tokens)` as `"one_hot"`, `"multi_hot"` (default; 1 for
    each id present along the last axis) or `"count"` (how many times, optionally weighted by
    `count_weights`) vectors of length `num_tokens`.

    >>> CategoryEncoding(4, output_mode="count")(np.array([[0, 1, 1, 3]])).tolist()
    [[1.0, 2.0, 0.0, 1.0]]
    """
    _config_omit = ('sparse',)  # Keras 3.15's config leaves it out

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        output_mode = "multi_hot" if output_mode == "binary" else output_mode
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"CategoryEncoding: `output_mode` must be 'one_hot', 'multi_hot' or "
                             f"'count', got {output_mode!r}.")
        if num_tokens is None or num_tokens < 1:
            raise ValueError("CategoryEncoding: `num_tokens` must be an integer >= 1 (use "
                             f"IntegerLookup when it is not known), got {num_tokens!r}.")
        if sparse:
            raise NotImplementedError("CategoryEncoding: sparse outputs are not supported.")
        self.num_tokens, self.output_mode, self.sparse = int(num_tokens), output_mode, sparse

    def call(self, inputs, count_weights=None):
        ids = torch.as_tensor(inputs).long()
        if ids.numel() and (bool((ids < 0).any()) or bool((ids >= self.num_tokens).any())):
            raise ValueError(f"CategoryEncoding {self.name!r}: ids must be in [0, "
                             f"{self.num_tokens}); got values from {int(ids.min())} to "
                             f"{int(ids.max())}.")
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("CategoryEncoding: `count_weights` needs output_mode='count'.")
        dtype = torch_dtype(self.dtype)
        if self.output_mode == "one_hot":
            if ids.ndim > 1 and ids.shape[-1] == 1:
                ids = ids.squeeze(-1)
            return F.one_hot(ids, self.num_tokens).to(dtype)
        hot = F.one_hot(ids, self.num_tokens).to(dtype)
        if count_weights is not None:
            hot = hot * torch.as_tensor(count_weights, dtype=dtype).unsqueeze(-1)
        if self.output_mode == "count":
            return hot.sum(-2)
        return hot.amax(-2) if ids.shape[-1] else hot.sum(-2)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self):
        # Only the two arguments Keras 3 writes (its `sparse` is left out).
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}


@registry.register()
class Discretization(Layer):
    """Buckets values by `bin_boundaries`: `x < b[0]` → 0, `b[i-1] <= x < b[i]` → i, `x >= b[-1]`
    → len(b); or learns `num_bins` quantile boundaries with `adapt(data)`.

    `output_mode="int"` (default) gives bucket ids; `"one_hot"`, `"multi_hot"` and `"count"`
    encode them as `CategoryEncoding` does.

    >>> Discretization(bin_boundaries=[0.0, 1.0, 2.0])(np.array([[-1.5, 0.0, 2.5]])).tolist()
    [[0, 1, 3]]
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(f"Discretization: `output_mode` must be 'int', 'one_hot', "
                             f"'multi_hot' or 'count', got {output_mode!r}.")
        if bin_boundaries is not None and num_bins is not None:
            raise ValueError("Discretization: give `bin_boundaries` or `num_bins`, not both.")
        if sparse:
            raise NotImplementedError("Discretization: sparse outputs are not supported.")
        self.bin_boundaries = None if bin_boundaries is None else [float(b) for b in
                                                                     bin_boundaries]
        self.num_bins, self.epsilon = num_bins, epsilon
        self.output_mode, self.sparse = output_mode, sparse
        self._dtype_arg = dtype
        self.dtype = dtype or ("int64" if output_mode == "int" else "float32")

    def adapt(self, data, batch_size=None, steps=None):
        """Learns `num_bins - 1` boundaries at the quantiles of `data` (computed exactly)."""
        if self.num_bins is None:
            raise ValueError("Discretization: `adapt` needs `num_bins`.")
        values = np.asarray(data.detach().cpu() if isinstance(data, torch.Tensor) else data,
                            dtype="float64").ravel()
        qs = np.linspace(0, 1, self.num_bins + 1)[1:-1]
        self.bin_boundaries = [float(b) for b in np.quantile(values, qs)]

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization {self.name!r}: no boundaries yet; give "
                             "`bin_boundaries` or call `adapt(data)` first.")
        x = torch.as_tensor(inputs)
        bounds = torch.tensor(self.bin_boundaries, dtype=x.dtype if x.is_floating_point()
                              else torch.float64, device=x.device)
        ids = torch.bucketize(x.to(bounds.dtype), bounds, right=True)
        if self.output_mode == "int":
            return ids.to(torch_dtype(self.dtype))
        encoder = CategoryEncoding(len(self.bin_boundaries) + 1, self.output_mode)
        return encoder.call(ids)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = (len(self.bin_boundaries) + 1) if self.bin_boundaries is not None \
            else self.num_bins
        return CategoryEncoding(depth, self.output_mode).compute_output_shape(input_shape)

    def get_config(self):
        # Keras 3 writes no `trainable` here and the dtype as given (see test_configs.py).
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": self._dtype_arg or self.dtype}
