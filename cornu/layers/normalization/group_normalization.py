"""GroupNormalization and UnitNormalization, as Keras 3 computes them."""
import torch

from cornu import constraints, initializers, regularizers
from cornu.backend import layout as layouts
from cornu.layers.attention.einsum_dense import serialized
from cornu.layers.layer import Layer, registry
from cornu.utils.validation import check_axis


@registry.register()
class GroupNormalization(Layer):
    """Normalizes each sample over groups of channels (Wu & He, 2018), then scales by `gamma`
    and shifts by `beta` per channel.

    The channels of `axis` are split into `groups`; mean and (biased) variance are taken over
    each group and every non-batch axis. `groups=1` is layer normalization over all features,
    `groups=-1` (one channel per group) instance normalization.

    Args:
        groups: number of groups (must divide the channels), or -1.
        axis: the channel axis (default -1).
        epsilon: added to the variance (default 1e-3).
        center, scale: whether to learn `beta` and `gamma`.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: as in `BatchNormalization`.

    >>> GroupNormalization(groups=2)(np.random.rand(2, 5, 4)).shape
    torch.Size([2, 5, 4])
    """
    supports_masking = True
    layout = layouts.ANY  # only `axis` matters; it is moved to where torch wants it

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("GroupNormalization: `groups` must be a positive integer, or -1 "
                             f"for instance normalization; got {groups!r}.")
        super().__init__(**kwargs)
        self.layout = layouts.KERAS
        self.groups, self.axis, self.epsilon = groups, axis, float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        dim = input_shape[check_axis(self.axis, len(input_shape), f"GroupNormalization {self.name!r}")]
        if dim is None:
            raise ValueError(f"GroupNormalization {self.name!r}: axis {self.axis} of the input "
                             f"shape {tuple(input_shape)} must be known.")
        groups = dim if self.groups == -1 else self.groups
        if dim < groups or dim % groups:
            raise ValueError(f"GroupNormalization {self.name!r}: {groups} groups cannot split "
                             f"{dim} channels (input shape {tuple(input_shape)}); the groups "
                             "must divide the channels.")
        self.groups = groups
        self.gamma = self.add_weight(name="gamma", shape=(dim,), initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=(dim,), initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None

    def call(self, inputs):
        axis = self.axis % inputs.ndim
        x = inputs if inputs.is_floating_point() else inputs.to(torch.get_default_dtype())
        # (F.group_norm's CPU backward crashes in torch 2.13 on some layouts and without a
        # weight, so the statistics are taken here: the same formula, in a few fused ops.)
        x = x.movedim(axis, 1) if axis != 1 else x
        shape = x.shape
        grouped = x.reshape(shape[0], self.groups, -1)
        var, mean = torch.var_mean(grouped, dim=-1, correction=0, keepdim=True)
        out = ((grouped - mean) * torch.rsqrt(var + self.epsilon)).reshape(shape)
        bshape = (1, shape[1]) + (1,) * (len(shape) - 2)
        if self.gamma is not None:
            out = out * self.gamma.reshape(bshape)
        if self.beta is not None:
            out = out + self.beta.reshape(bshape)
        return out.movedim(1, axis) if axis != 1 else out

    def compute_output_shape(self, input_shape):
        return input_shape


@registry.register()
class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over `axis`: `x * min(rsqrt(sum(x**2)), 1e12)`.

    >>> float((UnitNormalization()(np.array([[3.0, 4.0]])) ** 2).sum())
    1.0
    """
    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = list(axis)
        elif not isinstance(axis, int):
            raise TypeError(f"UnitNormalization: `axis` must be an int or a list of ints, got "
                            f"{axis!r}.")
        self.axis = axis

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else inputs.to(torch.get_default_dtype())
        inv = torch.rsqrt((x * x).sum(dim=self.axis, keepdim=True)).clamp(max=1e12)
        return x * inv

    def compute_output_shape(self, input_shape):
        for axis in self.axis if isinstance(self.axis, list) else [self.axis]:
            if not -len(input_shape) <= axis < len(input_shape):
                raise ValueError(f"UnitNormalization {self.name!r}: axis {axis} is out of "
                                 f"bounds for the input shape {tuple(input_shape)}.")
        return input_shape

