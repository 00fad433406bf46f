"""TimeDistributed: applies a layer to every temporal slice of an input."""
import torch

from cornu.layers.layer import Layer, registry
from cornu.layers.normalization.batch_normalization import BatchNormalization
from cornu.utils.registry import serialize


@registry.register()
class TimeDistributed(Layer):
    """Applies `layer` to every timestep (axis 1) of the input, with the same weights.

    The timesteps are folded into the batch, so the wrapped layer runs once on
    `(batch * timesteps, ...)`: the same result as one call per timestep for every
    per-sample layer. A BatchNormalization in training runs once per timestep (its batch
    statistics are per timestep in Keras 3).

    Input `(batch, timesteps, ...)`; output `(batch, timesteps, ...)` of the layer's output.

    >>> TimeDistributed(Dense(8))(np.ones((32, 10, 16))).shape
    torch.Size([32, 10, 8])
    """

    supports_masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed: `layer` must be a Layer instance; received "
                             f"{layer!r}.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(f"TimeDistributed {self.name!r}: the input must have at least 3 "
                             f"dimensions (batch, timesteps, ...), received {input_shape}.")
        if not self.layer.built:
            self.layer._build_once((input_shape[0],) + input_shape[2:])
            for weight in self.layer.weights:  # built inside the wrapper: Keras nests the paths
                weight.path = f"{self.name}/{weight.path}"

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape[2:]))
        return (inner[0], input_shape[1]) + tuple(inner[1:])

    def call(self, inputs, training=False, mask=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        kwargs = {}
        if self.layer._call_takes_training:
            kwargs["training"] = training
        if training and isinstance(self.layer, BatchNormalization):
            return torch.stack([self.layer(inputs[:, t], **kwargs) for t in range(steps)], 1)
        if mask is not None and self.layer._call_takes_mask:
            kwargs["mask"] = mask.reshape((batch * steps,) + tuple(mask.shape[2:]))
        outputs = self.layer(inputs.reshape((batch * steps,) + tuple(inputs.shape[2:])), **kwargs)
        return outputs.reshape((batch, steps) + tuple(outputs.shape[1:]))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.layers import deserialize
        config = dict(config)
        return cls(deserialize(config.pop("layer"), custom_objects), **config)
