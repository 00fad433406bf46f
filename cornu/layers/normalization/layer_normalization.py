"""LayerNormalization as Keras 3 computes it (epsilon 1e-3, biased variance over `axis`)."""
import torch
import torch.nn.functional as F

from cornu import constraints, initializers, regularizers
from cornu.layers.layer import Layer, registry
from cornu.utils.validation import check_axis


@registry.register()
class LayerNormalization(Layer):
    """Normalizes each sample over `axis` (the features by default), then scales by `gamma`
    and shifts by `beta`, both of the shape of the normalized axes.

    With `rms_scaling=True` there is no beta and no centering of the output; the scale is, as
    Keras 3 computes it, `rsqrt(variance + epsilon)` (the variance, not the mean square).
    Weights, in Keras's order: gamma, beta.
    """
    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis(axis, None, f"LayerNormalization {self.name!r}")  # as Keras keeps it
        self.epsilon, self.center, self.scale = float(epsilon), center, scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        rank = len(input_shape)
        axes = check_axis(self.axis, rank, f"LayerNormalization {self.name!r}")
        self._axes = sorted(axes if isinstance(axes, list) else [axes])
        shape = tuple(input_shape[a] for a in self._axes)
        if any(d is None for d in shape):
            raise ValueError(f"LayerNormalization {self.name!r}: axes {self.axis} of input shape "
                             f"{tuple(input_shape)} must be known.")
        # The weights broadcast against the input: their axes, with 1 elsewhere after the first.
        self._trailing = self._axes == list(range(rank - len(self._axes), rank))
        self._bshape = tuple(input_shape[a] if a in self._axes else 1
                             for a in range(self._axes[0], rank))
        self.gamma = self._weight("gamma", shape) if self.scale or self.rms_scaling else None
        self.beta = self._weight("beta", shape) if self.center and not self.rms_scaling else None

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else inputs.to(torch.get_default_dtype())
        if self.rms_scaling:
            var = torch.var(x, dim=self._axes, keepdim=True, correction=0)
            return x * torch.rsqrt(var + self.epsilon) * self.gamma.reshape(self._bshape)
        if self._trailing:
            return F.layer_norm(x, x.shape[self._axes[0]:], self.gamma, self.beta, self.epsilon)
        var, mean = torch.var_mean(x, dim=self._axes, keepdim=True, correction=0)
        out = (x - mean) * torch.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            out = out * self.gamma.reshape(self._bshape)
        if self.beta is not None:
            out = out + self.beta.reshape(self._bshape)
        return out

    def compute_output_shape(self, input_shape):
        return input_shape
