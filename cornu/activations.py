"""Activation functions, by name and as functions (Keras 3 formulas).

`hard_sigmoid` follows Keras 3: `relu6(x + 3) / 6`. Keras 2's `0.2 * x + 0.5` is
`hard_sigmoid_legacy` (see docs/ERAS.md).
"""

import torch
import torch.nn.functional as F

from cornu.utils.registry import Registry

registry = Registry("activation")
register = registry.register


@register()
def linear(x):
    return x


@register()
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0, alpha=None):
    if alpha is not None:  # Keras 2 spelling
        negative_slope = alpha
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return F.relu(x)
    if threshold != 0.0:
        neg = (x - threshold) * negative_slope
        out = torch.where(x >= threshold, x, neg if negative_slope else torch.zeros_like(x))
    else:
        out = F.leaky_relu(x, negative_slope) if negative_slope else F.relu(x)
    if max_value is not None:
        out = torch.clamp(out, max=max_value)
    return out


@register()
def relu6(x):
    return F.relu6(x)


@register()
def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(x, negative_slope)


@register()
def elu(x, alpha=1.0):
    return F.elu(x, alpha)


@register()
def selu(x):
    return F.selu(x)


@register()
def sigmoid(x):
    return torch.sigmoid(x)


@register()
def hard_sigmoid(x):
    return F.relu6(x + 3.0) / 6.0


def hard_sigmoid_legacy(x):
    """Keras 1/2's hard sigmoid: `clip(0.2 * x + 0.5, 0, 1)`."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


@register("hard_swish")
def hard_silu(x):
    return x * hard_sigmoid(x)


@register()
def tanh(x):
    return torch.tanh(x)


@register()
def softmax(x, axis=-1):
    return torch.softmax(x, dim=axis)


@register()
def log_softmax(x, axis=-1):
    return torch.log_softmax(x, dim=axis)


@register()
def softplus(x):
    return F.softplus(x)


@register()
def softsign(x):
    return F.softsign(x)


@register()
def exponential(x):
    return torch.exp(x)


@register("swish")
def silu(x):
    return F.silu(x)


@register()
def gelu(x, approximate=True):
    return F.gelu(x, approximate="tanh" if approximate else "none")


@register()
def mish(x):
    return F.mish(x)


@register()
def tanh_shrink(x):
    return x - torch.tanh(x)


@register()
def soft_shrink(x, threshold=0.5):
    return F.softshrink(x, threshold)


@register()
def hard_shrink(x, threshold=0.5):
    return F.hardshrink(x, threshold)


@register()
def hard_tanh(x):
    return F.hardtanh(x)


@register()
def celu(x, alpha=1.0):
    return F.celu(x, alpha)


@register()
def glu(x, axis=-1):
    return F.glu(x, dim=axis)


@register()
def squareplus(x, b=4):
    return (x + torch.sqrt(x * x + b)) / 2


@register()
def sparse_plus(x):
    return torch.where(x <= -1, torch.zeros_like(x),
                       torch.where(x >= 1, x, 0.25 * (x + 1) ** 2))


def get(identifier):
    """Resolves an activation: None → linear, a name, a callable, or a Keras config dict."""
    if identifier is None:
        return linear
    if isinstance(identifier, dict) and identifier.get("class_name") == "function":
        identifier = identifier["config"]
    fn = registry.get(identifier, instantiate=False)
    if isinstance(fn, type):  # an activation layer class given by name
        return fn()
    return fn


def serialize(fn):
    for name, obj in registry._by_name.items():
        if obj is fn and name == getattr(fn, "__name__", None):
            return name
    if getattr(fn, "__name__", None) in registry:
        return fn.__name__
    if hasattr(fn, "get_config"):
        return {"class_name": type(fn).__name__, "config": fn.get_config()}
    return getattr(fn, "__name__", str(fn))


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects, instantiate=False)


__all__ = ["get", "serialize", "deserialize"] + [n for n in registry.names()] + ["hard_sigmoid_legacy"]
