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
    """`max(x, 0)`; with `threshold`, values `<= threshold` give 0 (or the leaky part
    `negative_slope * (x - threshold)`); `max_value` caps the output. Keras 2 spelled
    `negative_slope` as `alpha`."""
    if alpha is None and max_value is None and negative_slope == 0.0 and threshold == 0.0:
        return torch.relu(x)  # (the usual call, first and without F.relu's 45 bytecodes)
    if alpha is not None:
        negative_slope = alpha
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return F.relu(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return F.leaky_relu(x, negative_slope)
    if threshold != 0:
        out = torch.where(x > threshold, x, torch.zeros_like(x))
    elif max_value == 6:
        out, max_value = F.relu6(x), None
    else:
        out = F.relu(x)
    if max_value is not None:
        out = torch.clamp(out, 0.0, max_value)
    if negative_slope != 0.0:
        out = out - negative_slope * F.relu(threshold - x)
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
    """Keras 3's hard sigmoid: `relu6(x + 3) / 6`, i.e. `clip(x / 6 + 0.5, 0, 1)`. Keras 1/2
    used `clip(0.2 * x + 0.5, 0, 1)`: that is `hard_sigmoid_legacy`."""
    return F.hardsigmoid(x)


def hard_sigmoid_legacy(x):
    """Keras 1/2's hard sigmoid: `clip(0.2 * x + 0.5, 0, 1)` (not registered by name: the name
    `hard_sigmoid` follows Keras 3)."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


@register("hard_swish")
def hard_silu(x):
    """`x * hard_sigmoid(x)`."""
    return F.hardswish(x)


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
def gelu(x, approximate=False):
    """Gaussian error linear unit; `approximate=True` uses the tanh approximation."""
    return F.gelu(x, approximate="tanh" if approximate else "none")


@register()
def mish(x):
    return x * torch.tanh(F.softplus(x))


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
def log_sigmoid(x):
    return F.logsigmoid(x)


@register()
def sparse_sigmoid(x):
    """0 for `x <= -1`, 1 for `x >= 1`, `(x + 1) / 2` between."""
    return torch.where(x <= -1, torch.zeros_like(x),
                       torch.where(x >= 1, torch.ones_like(x), 0.5 * (x + 1)))


@register()
def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    return F.threshold(x, threshold, default_value)


@register()
def sparsemax(x, axis=-1):
    """Euclidean projection of `x` onto the probability simplex along `axis` (Martins &
    Astudillo, 2016). Keras 3.15 computed the threshold from the sum of the cumulative sums,
    giving outputs that do not sum to 1 (keras-team/keras#23425, fixed upstream in #23469);
    cornu computes the published, fixed formula."""
    z = x.movedim(axis, -1)
    z_sorted, _ = torch.sort(z, dim=-1, descending=True)
    cumsum = torch.cumsum(z_sorted, dim=-1)
    r = torch.arange(1, z.shape[-1] + 1, device=z.device, dtype=z.dtype)
    support = z_sorted - (cumsum - 1) / r > 0
    k = torch.sum(support, dim=-1, keepdim=True)
    tau = (torch.gather(cumsum, -1, (k - 1).clamp(min=0)) - 1) / k.to(z.dtype)
    return torch.clamp(z - tau, min=0.0).movedim(-1, axis)


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


__all__ = ["get", "serialize", "deserialize", "hard_sigmoid_legacy"] + registry.names()
