"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU."""
import torch
import torch.nn.functional as F

from cornu import activations, constraints, initializers, regularizers
from cornu.backend import layout as layouts
from cornu.layers.layer import Layer, registry
from cornu.utils.validation import check_axis


class _Elementwise(Layer):
    supports_masking = True
    layout = layouts.ANY

    def compute_output_shape(self, input_shape):
        return input_shape


@registry.register()
class ReLU(_Elementwise):
    """Rectified linear unit: `max(x, 0)`, with an optional cap, slope below the threshold,
    and threshold (Keras's `ReLU(max_value, negative_slope, threshold)`)."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"ReLU {self.name!r}: `max_value` must be >= 0, got {max_value}.")
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"ReLU {self.name!r}: `negative_slope` must be >= 0, got {negative_slope}.")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs):
        return activations.relu(inputs, self.negative_slope, self.max_value, self.threshold)


@registry.register()
class LeakyReLU(_Elementwise):
    """Leaky ReLU: `x` for `x >= 0`, `negative_slope * x` below (default slope 0.3)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = float(negative_slope)

    def call(self, inputs):
        return F.leaky_relu(inputs, self.negative_slope)


@registry.register()
class ELU(_Elementwise):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` below."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return F.elu(inputs, self.alpha)


@registry.register()
class ThresholdedReLU(_Elementwise):
    """Thresholded ReLU: `x` where `x > theta`, 0 elsewhere."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None or theta < 0:
            raise ValueError(f"ThresholdedReLU {self.name!r}: `theta` must be >= 0, got {theta}.")
        self.theta = float(theta)

    def call(self, inputs):
        return inputs * (inputs > self.theta).to(inputs.dtype)


@registry.register()
class Softmax(Layer):
    """Softmax over `axis` (default the last); a mask, when given, excludes entries."""

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        check_axis(axis, None, f"Softmax {self.name!r}")

    def build(self, input_shape):
        check_axis(self.axis, len(input_shape), f"Softmax {self.name!r}")

    def call(self, inputs, mask=None):
        if mask is not None:
            inputs = inputs.masked_fill(~mask.bool(), -1e9)
        if isinstance(self.axis, (list, tuple)):
            return torch.exp(inputs - torch.logsumexp(inputs, dim=tuple(self.axis), keepdim=True))
        return torch.softmax(inputs, dim=self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape


@registry.register()
class PReLU(Layer):
    """`max(0, x) + alpha * min(0, x)` with a learned `alpha` of shape `input_shape[1:]`
    (axes in `shared_axes` share one value)."""
    supports_masking = True

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = list(shared_axes) if shared_axes is not None else None

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            shape[axis - 1] = 1
        self.alpha = self._weight("alpha", tuple(shape))

    def call(self, inputs):
        return F.relu(inputs) - self.alpha * F.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape
