"""Dropout, GaussianNoise and GaussianDropout: noise applied only while training."""
import math

import torch
import torch.nn.functional as F

from cornu.backend import layout as layouts
from cornu.layers.layer import Layer, registry


class _Noise(Layer):
    supports_masking = True
    layout = layouts.ANY

    def compute_output_shape(self, input_shape):
        return input_shape


@registry.register()
class Dropout(_Noise):
    """Sets a fraction `rate` of inputs to 0 while training and scales the rest by `1/(1-rate)`."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Dropout {self.name!r}: `rate` must be in [0, 1], got {rate}.")
        self.rate = float(rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        if self.noise_shape is not None:
            self.layout = layouts.KERAS

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None:
            return F.dropout(inputs, self.rate, True)
        shape = tuple(s if n is None else n for s, n in zip(inputs.shape, self.noise_shape))
        keep = torch.empty(shape, device=inputs.device, dtype=inputs.dtype).bernoulli_(1 - self.rate)
        return inputs * keep / (1 - self.rate)


@registry.register()
class GaussianNoise(_Noise):
    """Adds zero-centred Gaussian noise of standard deviation `stddev` while training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev, self.seed = float(stddev), seed

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        return inputs + torch.randn_like(inputs) * self.stddev


@registry.register()
class GaussianDropout(_Noise):
    """Multiplies by Gaussian noise of mean 1 and std `sqrt(rate / (1 - rate))` while training."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.seed = float(rate), seed

    def call(self, inputs, training=False):
        if not training or not 0 < self.rate < 1:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * (1.0 + torch.randn_like(inputs) * stddev)
