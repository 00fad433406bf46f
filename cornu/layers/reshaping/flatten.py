"""Flatten and Reshape (Keras's element order: channels-last)."""
import math

from cornu.backend.config import standardize_data_format
from cornu.layers.layer import Layer, registry
from cornu.utils.validation import is_int


@registry.register()
class Flatten(Layer):
    """Flattens all but the batch dimension, in Keras's (channels-last) order, so a Dense layer
    after it has the same weights as in Keras files."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = inputs.permute(0, *range(2, inputs.ndim), 1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)


@registry.register()
class Reshape(Layer):
    """Reshapes to `target_shape` (without the batch dimension; one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if isinstance(target_shape, (str, bytes)) or not hasattr(target_shape, "__iter__") or \
                not all(is_int(d) and (d > 0 or d == -1) for d in target_shape):
            raise ValueError(f"Reshape {self.name!r}: `target_shape` must be a tuple of positive "
                             f"integers (one may be -1); received target_shape={target_shape!r}.")
        self.target_shape = tuple(int(d) for d in target_shape)

    def _resolve(self, input_shape):
        known = math.prod(d for d in input_shape[1:] if d is not None)
        if any(d is None for d in input_shape[1:]):
            return tuple(None if d == -1 else d for d in self.target_shape)
        target = list(self.target_shape)
        if target.count(-1) > 1:
            raise ValueError(f"Reshape {self.name!r}: at most one -1 in target_shape {self.target_shape}.")
        fixed = math.prod(d for d in target if d != -1)
        if -1 in target:
            if fixed == 0 or known % fixed:
                raise ValueError(f"Reshape {self.name!r}: cannot reshape input of shape "
                                 f"{tuple(input_shape)} to {self.target_shape}.")
            target[target.index(-1)] = known // fixed
        elif fixed != known:
            raise ValueError(f"Reshape {self.name!r}: total size of the new shape {self.target_shape} "
                             f"({fixed}) must equal the input's {tuple(input_shape[1:])} ({known}).")
        return tuple(target)

    def build(self, input_shape):
        self._resolve(input_shape)

    def call(self, inputs):
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape)
