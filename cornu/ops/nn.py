"""`keras.ops` neural-network functions: activations, losses without reduction, one-hot
encodings, normalisation statistics, and convolution/pooling in Keras's layouts.

Convolutions take `channels_last` inputs by default and Keras kernels `(*kernel_size, in, out)`
(`depthwise_conv`: `(*kernel_size, in, multiplier)`); 'same' padding pads like Keras (the extra
cell, if any, at the end).
"""
import torch
import torch.nn.functional as F

from cornu.backend.config import epsilon as _epsilon, standardize_data_format
from cornu.utils.conv_utils import same_padding
from cornu.ops._base import dtype_or_floatx, floating, op, tensor

__all__ = []
_op = op(__all__)


def _act(name, fn, doc):
    def f(x):
        return fn(floating(x))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    globals()[name] = _op(f)


for _name, _fn, _doc in [
        ("relu6", F.relu6, "`min(max(x, 0), 6)`."),
        ("sigmoid", torch.sigmoid, "`1 / (1 + exp(-x))`."),
        ("softplus", F.softplus, "`log(1 + exp(x))`."),
        ("softsign", F.softsign, "`x / (1 + |x|)`."),
        ("silu", F.silu, "`x * sigmoid(x)`."), ("swish", F.silu, "`x * sigmoid(x)`."),
        ("selu", F.selu, "Scaled ELU with the self-normalising constants."),
        ("hard_sigmoid", F.hardsigmoid, "`relu6(x + 3) / 6`."),
        ("hard_silu", F.hardswish, "`x * relu6(x + 3) / 6`."),
        ("hard_swish", F.hardswish, "`x * relu6(x + 3) / 6`."),
        ("log_sigmoid", F.logsigmoid, "`log(sigmoid(x))`, computed stably."),
        ("tanh_shrink", F.tanhshrink, "`x - tanh(x)`.")]:
    _act(_name, _fn, _doc)


@_op
def relu(x):
    """`max(x, 0)`; ints stay ints (as in Keras)."""
    return torch.relu(tensor(x))


@_op
def elu(x, alpha=1.0):
    """`x` for `x > 0`, else `alpha * (exp(x) - 1)`."""
    return F.elu(floating(x), alpha)


@_op
def leaky_relu(x, negative_slope=0.2):
    """`x` for `x >= 0`, else `negative_slope * x` (Keras's default slope is 0.2)."""
    return F.leaky_relu(floating(x), negative_slope)


@_op
def gelu(x, approximate=True):
    """Gaussian error linear unit; Keras defaults to the tanh approximation."""
    return F.gelu(floating(x), approximate="tanh" if approximate else "none")


@_op
def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis` (a tuple of axes is allowed)."""
    x = floating(x)
    if isinstance(axis, (list, tuple)):
        return torch.exp(x - torch.logsumexp(x, dim=tuple(axis), keepdim=True))
    return F.softmax(x, dim=axis)


@_op
def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` along `axis`."""
    x = floating(x)
    if isinstance(axis, (list, tuple)):
        return x - torch.logsumexp(x, dim=tuple(axis), keepdim=True)
    return F.log_softmax(x, dim=axis)


# ------------------------------------------------------------------------ encodings
@_op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Int indices `x` as one-hot vectors of `num_classes` along a new `axis` (floatx);
    out-of-range and negative indices give all zeros."""
    if sparse:
        raise ValueError("one_hot: `sparse=True` is not supported by cornu.")
    x = tensor(x).to(torch.int64)
    valid = (x >= 0) & (x < num_classes)
    out = F.one_hot(torch.where(valid, x, 0), num_classes) * valid.unsqueeze(-1)
    out = out.to(dtype_or_floatx(dtype))
    return out if axis == -1 else torch.movedim(out, -1, axis)


@_op
def multi_hot(inputs, num_classes, axis=-1, dtype=None, sparse=False):
    """Per row of int indices `inputs`, a vector of `num_classes` with ones at those indices
    (a 1-D `inputs` is one row)."""
    x = tensor(inputs)
    squeeze = x.ndim == 1
    if squeeze:
        x = x[None]
    out = one_hot(x, num_classes, axis=-1, dtype=dtype, sparse=sparse).amax(dim=-2)
    if axis != -1:
        out = torch.movedim(out, -1, axis)
    return out[0] if squeeze else out


# ------------------------------------------------------------------------ losses
@_op
def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy of probabilities (or logits) `output`."""
    output = floating(output)
    target = tensor(target).to(output.dtype)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = _epsilon()
    output = torch.clamp(output, eps, 1 - eps)
    return -(target * torch.log(output) + (1 - target) * torch.log(1 - output))


@_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of one-hot `target` and probabilities (or logits) `output` along `axis`;
    probabilities are rescaled to sum to one and clipped to `[epsilon, 1 - epsilon]`."""
    output = floating(output)
    target = tensor(target).to(output.dtype)
    if target.shape != output.shape:
        raise ValueError("categorical_crossentropy: `target` and `output` must have the same "
                         f"shape, got {tuple(target.shape)} and {tuple(output.shape)}.")
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        output = output / output.sum(dim=axis, keepdim=True)
        log_prob = torch.log(torch.clamp(output, _epsilon(), 1 - _epsilon()))
    return -(target * log_prob).sum(dim=axis)


@_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of int labels `target` and probabilities (or logits) `output`."""
    output = floating(output)
    target = tensor(target).to(torch.int64)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    onehot = one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return categorical_crossentropy(onehot, output, from_logits=from_logits, axis=axis)


# ------------------------------------------------------------------------ normalisation
@_op
def moments(x, axes, keepdims=False, synchronized=False):
    """`(mean, variance)` of `x` over `axes`."""
    x = floating(x)
    dims = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    mean = x.mean(dim=dims, keepdim=True)
    variance = ((x - mean) ** 2).mean(dim=dims, keepdim=keepdims)
    return (mean if keepdims else mean.squeeze(dims)), variance


@_op
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset`, the statistics being vectors
    along `axis`."""
    x = floating(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def vec(v):
        return tensor(v).to(x.dtype).reshape(shape)
    out = (x - vec(mean)) * torch.rsqrt(vec(variance) + epsilon)
    if scale is not None:
        out = out * vec(scale)
    if offset is not None:
        out = out + vec(offset)
    return out


@_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """`x` divided by its `order`-norm along `axis` (at least `epsilon`)."""
    x = floating(x)
    eps = _epsilon() if epsilon is None else epsilon
    if order == 2:
        return x * torch.rsqrt(torch.clamp((x * x).sum(dim=axis, keepdim=True), min=eps))
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=eps)


# ------------------------------------------------------------------------ conv and pooling
def _tuple(value, n, fn, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{fn}: `{name}` needs {n} values for a {n}-D op, got {value!r}.")
    return value


def _channels_first(x, data_format):
    """`x` as NCHW plus the function turning a result back into `data_format`."""
    if standardize_data_format(data_format) == "channels_first":
        return x, lambda y: y
    return torch.movedim(x, -1, 1), lambda y: torch.movedim(y, 1, -1)


def _padding(x, kernel, strides, dilation, padding, fn, value=0.0):
    padding = str(padding).lower()
    if padding == "valid":
        return x
    if padding != "same":
        raise ValueError(f"{fn}: `padding` must be 'valid' or 'same', got {padding!r}.")
    pads = [same_padding(x.shape[2 + i], k, s, d)
            for i, (k, s, d) in enumerate(zip(kernel, strides, dilation))]
    return F.pad(x, [v for p in reversed(pads) for v in p], value=value)


_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


@_op
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution of `inputs` by a Keras kernel `(*kernel_size, in // groups, out)`."""
    x, back = _channels_first(floating(inputs), data_format)
    k = tensor(kernel).to(x.dtype)
    n = k.ndim - 2
    strides = _tuple(strides, n, "conv", "strides")
    dilation = _tuple(dilation_rate, n, "conv", "dilation_rate")
    x = _padding(x, k.shape[:n], strides, dilation, padding, "conv")
    weight = k.permute(n + 1, n, *range(n))
    groups = x.shape[1] // k.shape[n]
    return back(_CONV[n](x, weight, stride=strides, dilation=dilation, groups=groups))


@_op
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Per-channel N-D convolution by a kernel `(*kernel_size, in, multiplier)`."""
    k = tensor(kernel)
    n = k.ndim - 2
    merged = k.reshape(*k.shape[:n], 1, k.shape[n] * k.shape[n + 1])
    return conv(inputs, merged, strides, padding, data_format, dilation_rate)


def _pool(x, pool_size, strides, padding, data_format, fn):
    x, back = _channels_first(floating(x), data_format)
    n = x.ndim - 2
    pool = _tuple(pool_size, n, fn, "pool_size")
    strides = pool if strides is None else _tuple(strides, n, fn, "strides")
    return x, back, n, pool, strides


@_op
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """N-D max pooling (`strides` default to `pool_size`)."""
    x, back, n, pool, strides = _pool(inputs, pool_size, strides, padding, data_format,
                                      "max_pool")
    x = _padding(x, pool, strides, (1,) * n, padding, "max_pool", value=float("-inf"))
    fn = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[n]
    return back(fn(x, pool, strides))


@_op
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """N-D average pooling; with 'same' padding the padded cells are left out of each mean."""
    x, back, n, pool, strides = _pool(inputs, pool_size, strides, padding, data_format,
                                      "average_pool")
    fn = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[n]
    if str(padding).lower() == "valid":
        return back(fn(x, pool, strides))
    total = fn(_padding(x, pool, strides, (1,) * n, padding, "average_pool"), pool, strides)
    ones = torch.ones_like(x[:1, :1])
    count = fn(_padding(ones, pool, strides, (1,) * n, padding, "average_pool"), pool, strides)
    return back(total / count)
