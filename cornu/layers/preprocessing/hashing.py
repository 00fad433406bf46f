"""Hashing: strings and integers to Keras's exact hash bins, on the host (no TensorFlow)."""
import numpy as np
import torch
import torch.nn.functional as F

from cornu.backend.config import floatx, get_device, torch_dtype
from cornu.graph.keras_tensor import KerasTensor
from cornu.layers.layer import Layer, registry
from cornu.utils.hashing import fingerprint64, siphash64

_MODES = ("int", "one_hot", "multi_hot", "count")


@registry.register()
class Hashing(Layer):
    """Hashes strings or integers into `num_bins` bins, with Keras's exact bins.

    Each value's bin is its FarmHash Fingerprint64 modulo the number of bins (TensorFlow's
    `to_hash_bucket_fast`, which Keras 3 calls) or, with a `salt`, its SipHash-2-4 under the
    salt (`to_hash_bucket_strong`). Integers hash as their decimal strings, floats after
    truncation to integers, as Keras does. Computed in NumPy, so it needs no TensorFlow.

    Args:
        num_bins: number of bins, the `mask_value` bin included.
        mask_value: a value mapped to bin 0 (the others then take bins 1 to `num_bins - 1`).
        salt: an integer or a pair of integers: hash with SipHash keyed by them.
        output_mode: `"int"` (the bin indices), `"one_hot"`, `"multi_hot"` or `"count"`.
        sparse: must be False (sparse outputs need TensorFlow).

    Input shape: strings (a list, NumPy array), or integers (also a tensor), any shape.
    Output shape: the input's for `"int"` (int64); else `(..., num_bins)`.

    >>> Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]).tolist()
    [[1], [0], [1], [1], [2]]
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else floatx()
        super().__init__(**kwargs)
        if num_bins is None or isinstance(num_bins, bool) or int(num_bins) != num_bins \
                or num_bins <= 0:
            raise ValueError(f"Hashing: `num_bins` must be a positive integer, got "
                             f"num_bins={num_bins!r}.")
        if output_mode not in _MODES:
            raise ValueError(f"Hashing: `output_mode` must be one of {_MODES}, got "
                             f"output_mode={output_mode!r}.")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError(f"Hashing: output_mode='int' needs dtype 'int32' or 'int64', got "
                             f"dtype={self.dtype!r}.")
        if sparse:
            raise (ValueError if output_mode == "int" else NotImplementedError)(
                f"Hashing: sparse=True is not supported (output_mode={output_mode!r}); sparse "
                "outputs need TensorFlow.")
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = [int(s) for s in salt]
            elif isinstance(salt, (int, np.integer)) and not isinstance(salt, bool):
                salt = [int(salt), int(salt)]
            else:
                raise ValueError("Hashing: `salt` must be an integer or a pair of integers, "
                                 f"got salt={salt!r}.")
        self.num_bins, self.mask_value, self.salt = int(num_bins), mask_value, salt
        self.strong_hash = salt is not None
        self.output_mode, self.sparse = output_mode, sparse

    def __call__(self, inputs, **kwargs):
        # Host data goes straight to `call` (the base class would make strings a float tensor);
        # a symbolic input records the layer in the graph, which hands it the raw data later.
        if isinstance(inputs, KerasTensor):
            return super().__call__(inputs)
        self.built = True
        return self.call(inputs)

    def call(self, inputs):
        values = _host_values(inputs)
        if self.output_mode == "one_hot" and values.ndim > 0 and values.shape[-1] == 1:
            values = values.reshape(values.shape[:-1])
        bins = torch.as_tensor(self.hash_to_bins(values))
        if self.output_mode == "int":
            return bins.to(torch_dtype(self.dtype)).to(get_device())
        return _encode(bins, self.output_mode, self.num_bins,
                       torch_dtype(self.dtype)).to(get_device())

    def hash_to_bins(self, values):
        """Bin indices (int64 NumPy array) of a NumPy array of strings or numbers."""
        values = np.asarray(values)
        bins, mask = self.num_bins, None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = values == self.mask_value
        flat = _as_strings(values.ravel())
        hashed = siphash64(flat, self.salt) if self.strong_hash else fingerprint64(flat)
        out = (hashed % np.uint64(bins)).astype(np.int64).reshape(values.shape)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        return out

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if not input_shape:
            return (self.num_bins,)
        if self.output_mode == "one_hot" and input_shape[-1] != 1:
            return input_shape + (self.num_bins,)
        return input_shape[:-1] + (self.num_bins,)

    def get_config(self):
        # Keras 3's Hashing needs TensorFlow, so the config grid cannot compare it: the keys are
        # written out from Keras 3.15's documented arguments.
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


def _host_values(inputs):
    if isinstance(inputs, torch.Tensor):
        return inputs.detach().cpu().numpy()
    if isinstance(inputs, (str, bytes)):
        return np.asarray(inputs, dtype=object)
    array = np.asarray(inputs)
    return array.astype(object) if array.dtype.kind in "US" else array


def _as_strings(values):
    """What TensorFlow's `as_string` gives, after Keras's float-to-int64 cast."""
    kind = values.dtype.kind
    if kind == "f":
        values = np.trunc(values).astype(np.int64)
    elif kind == "b":
        return ["true" if v else "false" for v in values]
    if values.dtype.kind in "iu":
        return [str(v) for v in values.tolist()]
    return [v if isinstance(v, bytes) else str(v) for v in values]


def _encode(bins, mode, depth, dtype):
    """Keras's categorical encodings of bin indices (one_hot input already squeezed)."""
    if bins.ndim == 0:
        bins = bins.reshape(1)
    hot = F.one_hot(bins, depth).to(dtype)
    if mode == "one_hot":
        return hot
    axis = 1 if bins.ndim > 1 else 0  # Keras reduces axis 1 (the sample axis of a batch)
    return hot.sum(axis) if mode == "count" else hot.amax(axis)
