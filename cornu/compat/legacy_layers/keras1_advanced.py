"""Keras 1's SReLU, ParametricSoftplus, ThresholdedLinear and TimeDistributedDense, by their
documented formulas, with Keras 1's weight names and order."""
import torch

from cornu import activations, constraints, initializers, regularizers
from cornu.compat.legacy_layers.keras1 import _common
from cornu.layers.layer import Layer, registry


def _param_shape(layer, input_shape):
    """A weight per input feature (the batch axis excluded); axes in `shared_axes` (1-based,
    as Keras 1 numbered them) share one weight."""
    shape = list(input_shape[1:])
    for axis in layer.shared_axes:
        if not 1 <= axis < len(input_shape):
            raise ValueError(f"{type(layer).__name__} {layer.name!r}: shared_axes={axis} is not "
                             f"an axis of inputs of shape {tuple(input_shape)}.")
        shape[axis - 1] = 1
    return tuple(shape)


def _axes(shared_axes):
    if shared_axes is None:
        return []
    return [int(a) for a in (shared_axes if isinstance(shared_axes, (list, tuple))
                             else [shared_axes])]


@registry.register()
class ParametricSoftplus(Layer):
    """Keras 1's parametric softplus: `y = alpha * log(1 + exp(beta * x))`, with `alpha` and
    `beta` learned per feature (starting at `alpha_init` 0.2 and `beta_init` 5.0).

    Weights, in Keras 1's order: `alphas`, `betas`, each of the input's shape without the batch
    axis (1 along `shared_axes`).
    """

    def __init__(self, alpha_init=0.2, beta_init=5.0, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_init, self.beta_init = float(alpha_init), float(beta_init)
        self.shared_axes = _axes(shared_axes)

    def build(self, input_shape):
        shape = _param_shape(self, input_shape)
        self.alphas = self.add_weight(name="alphas", shape=shape, initializer=initializers.Constant(self.alpha_init))
        self.betas = self.add_weight(name="betas", shape=shape, initializer=initializers.Constant(self.beta_init))

    def call(self, inputs):
        return self.alphas * torch.nn.functional.softplus(self.betas * inputs, beta=1.0,
                                                          threshold=20.0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "alpha_init": self.alpha_init,
                "beta_init": self.beta_init, "shared_axes": self.shared_axes or None}


@registry.register()
class ThresholdedLinear(Layer):
    """Keras 1's thresholded linear unit: `y = x` where `|x| > theta`, else 0."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = float(theta)

    def call(self, inputs):
        return inputs * (inputs.abs() > self.theta).to(inputs.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


@registry.register()
class SReLU(Layer):
    """Keras 1's S-shaped ReLU (Jin et al., 2015), learned per feature:
    `y = t_r + a_r (x - t_r)` for `x >= t_r`, `x` between, `t_l + a_l (x - t_l)` for
    `x <= t_l`, where `t_r = t_l + |t_right|` (so `t_r >= t_l` always).

    Weights, in Keras 1's order: `t_left` (init `zero`), `a_left` (`glorot_uniform`),
    `t_right` (`glorot_uniform`), `a_right` (`one`), each of the input's shape without the
    batch axis (1 along `shared_axes`).
    """

    def __init__(self, t_left_init="zeros", a_left_init="glorot_uniform",
                 t_right_init="glorot_uniform", a_right_init="ones", shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        names = {"zero": "zeros", "one": "ones"}  # Keras 1's initializer names
        self.inits = [initializers.get(names.get(i, i) if isinstance(i, str) else i)
                      for i in (t_left_init, a_left_init, t_right_init, a_right_init)]
        self.shared_axes = _axes(shared_axes)

    def build(self, input_shape):
        shape = _param_shape(self, input_shape)
        self.t_left, self.a_left, self.t_right, self.a_right = (
            self.add_weight(name=name, shape=shape, initializer=init) for name, init in
            zip(("t_left", "a_left", "t_right", "a_right"), self.inits))

    def call(self, x):
        t_right = self.t_left + self.t_right.abs()
        below = x - self.t_left
        # Keras 1: t_l + relu(x - t_l, alpha=a_l, max_value=t_r - t_l) + a_r relu(x - t_r)
        left_and_centre = self.t_left + torch.minimum(
            torch.where(below > 0, below, self.a_left * below), t_right - self.t_left)
        return left_and_centre + self.a_right * torch.relu(x - t_right)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "t_left_init": initializers.serialize(self.inits[0]),
                "a_left_init": initializers.serialize(self.inits[1]),
                "t_right_init": initializers.serialize(self.inits[2]),
                "a_right_init": initializers.serialize(self.inits[3]),
                "shared_axes": self.shared_axes or None}


@registry.register()
class TimeDistributedDense(Layer):
    """Keras 1's dense layer applied to every timestep of `(batch, steps, input_dim)`:
    `y[:, t] = activation(x[:, t] W + b)`.

    Weights, in Keras 1's order: `W` `(input_dim, output_dim)`, `b` `(output_dim,)`.
    """

    def __init__(self, units, kernel_initializer="glorot_uniform", activation=None,
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.output_dim = int(units)
        self.init = initializers.get(kernel_initializer)
        self.activation = activations.get(activation)
        self.W_regularizer = regularizers.get(kernel_regularizer)
        self.b_regularizer = regularizers.get(bias_regularizer)
        self.W_constraint = constraints.get(kernel_constraint)
        self.b_constraint = constraints.get(bias_constraint)
        self.bias = use_bias

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"TimeDistributedDense {self.name!r} expects inputs of shape "
                             f"(batch, steps, input_dim), got {tuple(input_shape)}.")
        self.W = self.add_weight(name="W", shape=(input_shape[-1], self.output_dim), initializer=self.init,
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        self.b = self.add_weight(name="b", shape=(self.output_dim,), initializer="zeros",
                                 regularizer=self.b_regularizer,
                                 constraint=self.b_constraint) if self.bias else None

    def call(self, inputs):
        out = torch.nn.functional.linear(inputs, self.W.T, self.b)
        return self.activation(out)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), **_common(self), "units": self.output_dim,
                "activation": activations.serialize(self.activation)}
