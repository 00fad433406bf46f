"""Normalization: `(x - mean) / sqrt(variance)` per feature, statistics given or `adapt`ed."""
import numpy as np
import torch

from cornu.backend.config import epsilon
from cornu.layers.layer import Layer, registry
from cornu.utils.validation import check_axis


@registry.register()
class Normalization(Layer):
    """Standardizes features with a mean and variance kept along `axis` (the last by default)
    and reduced over every other axis: given as `mean=`/`variance=`, or learnt from data with
    `adapt(data)` before training. `invert=True` maps standardized values back.

    Adapted statistics are non-trainable weights (mean, variance, and Keras's unused count), saved with the model.
    """

    _config_omit = ("axis", "mean", "variance", "invert")  # written by get_config below

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = () if axis is None else tuple(axis) if isinstance(axis, (list, tuple)) \
            else (int(axis),)
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: pass both `mean` and `variance`, or neither.")
        self.input_mean, self.input_variance, self.invert = mean, variance, invert

    def build(self, input_shape):
        rank = len(input_shape)
        self._keep = tuple(sorted(check_axis(list(self.axis), rank, f"Normalization {self.name!r}")))
        shape = tuple(input_shape[a] for a in self._keep)
        if any(d is None for d in shape):
            raise ValueError(f"Normalization {self.name!r}: axes {self.axis} of input shape "
                             f"{tuple(input_shape)} must be known.")
        self._bshape = tuple(input_shape[a] if a in self._keep else 1 for a in range(rank))
        if self.input_mean is None:
            self.mean = self.add_weight(name="mean", shape=shape, initializer="zeros", trainable=False)
            self.variance = self.add_weight(name="variance", shape=shape, initializer="ones", trainable=False)
            # Kept (always 0) as Keras 3 keeps it, for files of older Keras versions.
            self.count = self.add_weight(name="count", shape=(), initializer="zeros", dtype="int32", trainable=False)
        else:
            for name, value in (("mean", self.input_mean), ("variance", self.input_variance)):
                array = np.broadcast_to(np.asarray(value, "float32"), shape).copy()
                self.register_buffer(name, torch.from_numpy(array), persistent=False)

    def get_config(self):
        # `mean`/`variance` name the weights; the given statistics are `input_mean`/`_variance`.
        plain = lambda v: v.tolist() if isinstance(v, np.ndarray) else v
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": plain(self.input_mean), "variance": plain(self.input_variance)}

    def adapt(self, data, batch_size=None, steps=None):
        """Sets the mean and variance from `data`: an array, or an iterable of batches."""
        if isinstance(data, (np.ndarray, torch.Tensor, list, tuple)):
            batches = [np.asarray(data, dtype="float64")]
        else:
            batches = [np.asarray(b[0] if isinstance(b, tuple) else b, dtype="float64")
                       for _, b in zip(range(steps) if steps else iter(int, 1), data)]
        if self.input_mean is not None:
            raise ValueError("Normalization: `adapt` cannot change a given `mean`/`variance`.")
        if not self.built:
            self.build((None,) + batches[0].shape[1:])
        reduce = tuple(a for a in range(batches[0].ndim) if a not in self._keep)
        total = sum(int(np.prod([b.shape[a] for a in reduce])) for b in batches)
        mean = sum(b.sum(axis=reduce) for b in batches) / total
        var = sum(((b - mean.reshape(self._bshape)) ** 2).sum(axis=reduce) for b in batches) / total
        with torch.no_grad():
            self.mean.copy_(torch.as_tensor(mean.reshape(self.mean.shape)))
            self.variance.copy_(torch.as_tensor(var.reshape(self.variance.shape)))

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else inputs.to(torch.get_default_dtype())
        mean = self.mean.reshape(self._bshape).to(x.dtype)
        std = torch.clamp(self.variance.reshape(self._bshape).to(x.dtype).sqrt(), min=epsilon())
        return mean + x * std if self.invert else (x - mean) / std

    def compute_output_shape(self, input_shape):
        return input_shape
