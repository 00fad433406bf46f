"""SpectralNormalization: a wrapper dividing a layer's kernel by its largest singular value."""
import torch

from cornu import initializers
from cornu.layers.layer import Layer, registry
from cornu.utils.registry import serialize


def _l2_normalize(x):
    # Keras's `ops.normalize(x, axis=None)`: x * min(rsqrt(sum(x^2)), 1 / 1e-7)
    return x * torch.rsqrt((x * x).sum()).clamp(max=1e7)


@registry.register()
class SpectralNormalization(Layer):
    """Wraps a layer with a `kernel` (or `embeddings`) and, in training, replaces that weight by
    `W / sigma(W)` before the call, `sigma` the spectral norm estimated by `power_iterations`
    steps of the power method on `W` reshaped to `(-1, W.shape[-1])` (Miyato et al., 2018).

    The estimate's vector is a non-trainable weight `vector_u` `(1, W.shape[-1])`, updated in
    training. Inference calls the layer unchanged.

    Args:
        layer: the layer to wrap (Dense, Conv2D, Embedding, ...).
        power_iterations: power-method steps per training call (default 1).
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"SpectralNormalization: `layer` must be a Layer instance, got "
                             f"{layer!r}.")
        if power_iterations <= 0:
            raise ValueError("SpectralNormalization: `power_iterations` must be greater than "
                             f"zero, got {power_iterations!r}.")
        super().__init__(**kwargs)
        self.layer = layer
        self.power_iterations = power_iterations

    def build(self, input_shape):
        if not self.layer.built:
            self.layer._build_once(tuple(input_shape))
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"SpectralNormalization {self.name!r}: {type(self.layer).__name__} "
                             "has neither a `kernel` nor `embeddings` weight.")
        self._kernel_owner = "kernel" if getattr(self.layer, "kernel", None) is not None \
            else "embeddings"
        self.vector_u = self.add_weight(name="vector_u", shape=(1, kernel.shape[-1]),
                                        initializer=initializers.TruncatedNormal(stddev=0.02),
                                        trainable=False)

    @property
    def weights(self):
        # Keras 3 tracks the wrapped kernel as the wrapper's own first weight: kernel, vector_u,
        # then the wrapped layer's others (get_weights/set_weights follow this order).
        if not self.built:
            return super().weights
        kernel = self.kernel
        return [kernel, self.vector_u] + [w for w in self.layer.weights if w is not kernel]

    @property
    def kernel(self):
        return getattr(self.layer, self._kernel_owner)

    def normalized_weights(self):
        """The new `vector_u` and the kernel divided by its estimated spectral norm."""
        kernel = self.kernel
        w = kernel.reshape(-1, kernel.shape[-1])
        u = self.vector_u
        for _ in range(self.power_iterations):
            v = _l2_normalize(u @ w.T)
            u = _l2_normalize(v @ w)
        u, v = u.detach(), v.detach()
        sigma = (v @ w) @ u.T
        return u, (kernel / sigma).reshape(kernel.shape)

    def call(self, inputs, training=False):
        if training:
            with torch.no_grad():
                u, kernel = self.normalized_weights()
                zero = torch.all(self.kernel == 0)  # stays on the device: no host sync
                self.vector_u.copy_(torch.where(zero, self.vector_u, u))
                self.kernel.copy_(torch.where(zero, self.kernel, kernel))
        return self.layer(inputs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        # The wrapped layer is written as its own nested config.
        return {**super().get_config(), "layer": serialize(self.layer),
                "power_iterations": self.power_iterations}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.layers import deserialize
        config = dict(config)
        return cls(deserialize(config.pop("layer"), custom_objects), **config)
