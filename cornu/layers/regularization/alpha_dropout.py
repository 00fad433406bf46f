"""AlphaDropout and ActivityRegularization."""
from cornu import random as cornu_random
from cornu import regularizers
from cornu.layers.layer import Layer, registry
from cornu.layers.regularization.dropout import _Noise

_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


@registry.register()
class AlphaDropout(_Noise):
    """Dropout that keeps SELU's self-normalization (Klambauer et al., 2017), in training only.

    Dropped units are set to SELU's negative saturation `-alpha * scale`, then the whole is
    affinely rescaled by `a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5` and
    `b = -a * alpha_p * rate`, so mean and variance are kept.

    Args:
        rate: fraction of units to drop, in [0, 1].
        noise_shape: shape of the keep mask (`None` entries take the input's size).
        seed: int seed of a `SeedGenerator` that draws the masks.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"AlphaDropout {self.name!r}: `rate` must be in [0, 1], got {rate}.")
        self.rate, self.seed = rate, seed
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed_generator = cornu_random.SeedGenerator(seed) if seed is not None else None

    def call(self, inputs, training=False):
        if not training or self.rate <= 0:
            return inputs
        shape = tuple(inputs.shape) if self.noise_shape is None else tuple(
            s if n is None else n for s, n in zip(inputs.shape, self.noise_shape))
        noise = cornu_random.uniform(shape, seed=self.seed_generator, dtype="float32")
        kept = (noise.to(inputs.device) >= self.rate).to(inputs.dtype)
        alpha_p = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b


@registry.register()
class ActivityRegularization(Layer):
    """Passes its input through and adds `l1 * sum(|x|) + l2 * sum(x**2)` (per sample, averaged
    over the batch) to the model's losses."""
    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)  # it is made from l1 and l2
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        # Keras 3 writes l1 and l2, not the activity regularizer made from them.
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
