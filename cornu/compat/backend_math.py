"""The math of `keras.backend as K`: functions on torch tensors (tf.keras 2's K.* names).

They are what custom losses, metrics and Lambda layers call: `K.mean(K.square(y_pred - y_true),
axis=-1)`. Called on symbolic tensors (a functional model under construction), each one records
a graph node (a `TorchOp` named after the function), so `K.concatenate([a, b])` works there too.
Axes follow Keras: `axis=-1` is the channel axis.

Keras 3's `keras.backend` no longer has them, so they live in compat, which adds them to the
`cornu.backend` namespace when cornu loads (`install`).
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

from cornu import activations
from cornu.backend.config import (epsilon, get_device, image_data_format,
                                  set_image_data_format, torch_dtype)
from cornu.backend.variables import Variable
from cornu.graph.keras_tensor import KerasTensor
from cornu.graph.symbolic import symbolic_op
from cornu.layers.merging.dot import batch_dot as _batch_dot

__all__ = []


def _op(fn):
    """Exports `fn`; on symbolic arguments it records a graph node instead of computing."""
    __all__.append(fn.__name__)
    return symbolic_op(name=fn.__name__)(fn)


def _tensor(x, like=None):
    if isinstance(x, torch.Tensor):
        return x
    if like is not None:
        return torch.as_tensor(x, dtype=like.dtype if not isinstance(x, bool) else None,
                               device=like.device)
    return torch.as_tensor(np.asarray(x), device=get_device())


def _float(x):
    x = _tensor(x)
    return x if x.is_floating_point() else x.to(torch_dtype())


def _dims(axis):
    if axis is None:
        return None
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


# ------------------------------------------------------------------------ reductions
def _reduce(x, method, axis, keepdims):
    if x.ndim == 0:
        return x
    dims = tuple(range(x.ndim)) if axis is None else _dims(axis)
    return getattr(x, method)(dim=dims, keepdim=keepdims)


@_op
def mean(x, axis=None, keepdims=False):
    return _reduce(_float(x), "mean", axis, keepdims)


@_op
def sum(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    return _reduce(_tensor(x), "sum", axis, keepdims)


@_op
def prod(x, axis=None, keepdims=False):
    x = _tensor(x)
    axes = range(x.ndim) if axis is None else (axis if isinstance(axis, (list, tuple)) else [axis])
    for a in sorted((a % x.ndim for a in axes), reverse=True):
        x = x.prod(dim=a, keepdim=keepdims)
    return x


@_op
def max(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(_tensor(x), "amax", axis, keepdims)


@_op
def min(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(_tensor(x), "amin", axis, keepdims)


@_op
def var(x, axis=None, keepdims=False):
    x = _float(x)
    dims = _dims(axis) if axis is not None else tuple(range(x.ndim))
    return x.var(dim=dims, correction=0, keepdim=keepdims)


@_op
def std(x, axis=None, keepdims=False):
    return torch.sqrt(var(x, axis=axis, keepdims=keepdims))


@_op
def any(x, axis=None, keepdims=False):  # noqa: A001
    x = _tensor(x).bool()
    return x.any() if axis is None else x.any(dim=axis, keepdim=keepdims)


@_op
def all(x, axis=None, keepdims=False):  # noqa: A001
    x = _tensor(x).bool()
    return x.all() if axis is None else x.all(dim=axis, keepdim=keepdims)


@_op
def argmax(x, axis=-1):
    return torch.argmax(_tensor(x), dim=axis)


@_op
def argmin(x, axis=-1):
    return torch.argmin(_tensor(x), dim=axis)


# ----------------------------------------------------------------------- element-wise
@_op
def square(x):
    return torch.square(_tensor(x))


@_op
def sqrt(x):
    # tf.keras 2 clips negatives to 0 before the root.
    x = _float(x)
    return torch.sqrt(torch.clamp(x, min=0.0))


@_op
def abs(x):  # noqa: A001
    return torch.abs(_tensor(x))


@_op
def exp(x):
    return torch.exp(_float(x))


@_op
def log(x):
    return torch.log(_float(x))


@_op
def pow(x, a):  # noqa: A001
    return torch.pow(_tensor(x), a)


@_op
def round(x):  # noqa: A001
    return torch.round(_tensor(x))


@_op
def sign(x):
    return torch.sign(_tensor(x))


@_op
def clip(x, min_value=None, max_value=None):
    x = _tensor(x)
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    return torch.clamp(x, min=min_value, max=max_value)


@_op
def maximum(x, y):
    x = _tensor(x, y if isinstance(y, torch.Tensor) else None)
    return torch.maximum(x, _tensor(y, x))


@_op
def minimum(x, y):
    x = _tensor(x, y if isinstance(y, torch.Tensor) else None)
    return torch.minimum(x, _tensor(y, x))


def _compare(op):
    def compare(x, y):
        x = _tensor(x, y if isinstance(y, torch.Tensor) else None)
        return op(x, _tensor(y, x))
    return compare


@_op
def equal(x, y):
    return _compare(torch.eq)(x, y)


@_op
def not_equal(x, y):
    return _compare(torch.ne)(x, y)


@_op
def greater(x, y):
    return _compare(torch.gt)(x, y)


@_op
def greater_equal(x, y):
    return _compare(torch.ge)(x, y)


@_op
def less(x, y):
    return _compare(torch.lt)(x, y)


@_op
def less_equal(x, y):
    return _compare(torch.le)(x, y)


@_op
def cast(x, dtype):
    return _tensor(x).to(torch_dtype(dtype))


@_op
def switch(condition, then_expression, else_expression):
    """`then` where `condition` holds, else `else`; a lower-rank condition applies per sample."""
    then_value = then_expression() if callable(then_expression) else then_expression
    else_value = else_expression() if callable(else_expression) else else_expression
    condition = _tensor(condition).bool()
    then_value = _tensor(then_value)
    else_value = _tensor(else_value, then_value)
    while condition.ndim < then_value.ndim:
        condition = condition.unsqueeze(-1)
    return torch.where(condition, then_value, else_value)


# ------------------------------------------------------------------------- activations
@_op
def sigmoid(x):
    return torch.sigmoid(_float(x))


@_op
def hard_sigmoid(x):
    return activations.hard_sigmoid(_float(x))


@_op
def tanh(x):
    return torch.tanh(_float(x))


@_op
def softmax(x, axis=-1):
    return torch.softmax(_float(x), dim=axis)


@_op
def softplus(x):
    return F.softplus(_float(x))


@_op
def softsign(x):
    return F.softsign(_float(x))


@_op
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    return activations.relu(_float(x), negative_slope=alpha, max_value=max_value,
                            threshold=threshold)


@_op
def elu(x, alpha=1.0):
    return F.elu(_float(x), alpha)


@_op
def l2_normalize(x, axis=None):
    """`x / sqrt(max(sum(x ** 2), 1e-12))` along `axis` (all axes when None), as tf does."""
    x = _float(x)
    dims = tuple(range(x.ndim)) if axis is None else _dims(axis)
    square_sum = torch.sum(torch.square(x), dim=dims, keepdim=True)
    return x * torch.rsqrt(torch.clamp(square_sum, min=1e-12))


# ---------------------------------------------------------------------------- losses
@_op
def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary crossentropy (not averaged), as `keras.backend` computes it."""
    target, output = _float(target), _float(output)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target.to(output.dtype), reduction="none")
    eps = epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output + eps) + (1.0 - target) * torch.log(1.0 - output + eps))


@_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample categorical crossentropy over `axis`."""
    target, output = _float(target), _float(output)
    if from_logits:
        return -torch.sum(target * torch.log_softmax(output, dim=axis), dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    output = torch.clamp(output, epsilon(), 1.0 - epsilon())
    return -torch.sum(target * torch.log(output), dim=axis)


@_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    from cornu import losses
    return losses.sparse_categorical_crossentropy(_tensor(target), _float(output),
                                                  from_logits=from_logits, axis=axis)


# ----------------------------------------------------------------------- linear algebra
@_op
def dot(x, y):
    """Theano-style dot: the last axis of `x` against the second-to-last axis of `y`."""
    x, y = _tensor(x), _tensor(y)
    if y.ndim <= 2:
        return torch.matmul(x, y)
    k = y.shape[-2]
    y_2d = y.movedim(-2, 0).reshape(k, -1)
    out = x.reshape(-1, x.shape[-1]) @ y_2d
    return out.reshape(*x.shape[:-1], *y.shape[:-2], y.shape[-1])


@_op
def batch_dot(x, y, axes=None):
    """Per-sample dot product of `x` and `y` along `axes` (the Dot layer's shape rules)."""
    return _batch_dot(_tensor(x), _tensor(y), axes)


@_op
def transpose(x):
    x = _tensor(x)
    return x.permute(*reversed(range(x.ndim)))


# ------------------------------------------------------------------------- structure
@_op
def concatenate(tensors, axis=-1):
    return torch.cat([_tensor(t) for t in tensors], dim=axis)


@_op
def stack(x, axis=0):
    return torch.stack([_tensor(t) for t in x], dim=axis)


@_op
def reshape(x, shape):
    return torch.reshape(_tensor(x), tuple(-1 if d is None else int(d) for d in shape))


@_op
def permute_dimensions(x, pattern):
    return _tensor(x).permute(*pattern)


@_op
def expand_dims(x, axis=-1):
    return torch.unsqueeze(_tensor(x), axis)


@_op
def squeeze(x, axis):
    return torch.squeeze(_tensor(x), axis)


@_op
def flatten(x):
    return torch.reshape(_tensor(x), (-1,))


@_op
def batch_flatten(x):
    x = _tensor(x)
    return x.reshape(x.shape[0], -1)


@_op
def repeat_elements(x, rep, axis):
    return torch.repeat_interleave(_tensor(x), rep, dim=axis)


@_op
def repeat(x, n):
    """`(batch, dim)` → `(batch, n, dim)`."""
    return _tensor(x).unsqueeze(1).expand(-1, n, -1)


@_op
def tile(x, n):
    n = (n,) if isinstance(n, int) else tuple(n)
    return _tensor(x).repeat(*n)


@_op
def gather(reference, indices):
    return _tensor(reference)[_tensor(indices).long()]


@_op
def one_hot(indices, num_classes):
    return F.one_hot(_tensor(indices).long(), num_classes).to(torch_dtype())


# --------------------------------------------------------------- tensors and variables
@_op
def ones_like(x, dtype=None, name=None):
    x = _tensor(x)
    return torch.ones_like(x, dtype=torch_dtype(dtype) if dtype else None)


@_op
def zeros_like(x, dtype=None, name=None):
    x = _tensor(x)
    return torch.zeros_like(x, dtype=torch_dtype(dtype) if dtype else None)


def variable(value, dtype=None, name=None, constraint=None):
    """A `Variable` (a trainable-by-default `nn.Parameter`) holding `value`."""
    data = torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value,
                           dtype=torch_dtype(dtype), device=get_device())
    var = Variable(data.clone(), trainable=data.is_floating_point(), name=name or "variable")
    var.constraint = constraint
    return var


def constant(value, dtype=None, shape=None, name=None):
    data = torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value,
                           dtype=torch_dtype(dtype), device=get_device())
    if shape is not None:
        data = data.expand(*shape).clone() if data.ndim == 0 else data.reshape(shape)
    return data


def zeros(shape, dtype=None, name=None):
    """An all-zeros variable, as tf.keras 2 returns."""
    return variable(torch.zeros(_shape(shape), dtype=torch_dtype(dtype)), dtype, name)


def ones(shape, dtype=None, name=None):
    return variable(torch.ones(_shape(shape), dtype=torch_dtype(dtype)), dtype, name)


def eye(size, dtype=None, name=None):
    return variable(torch.eye(size, dtype=torch_dtype(dtype)), dtype, name)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    generator = _generator(seed)
    out = torch.randn(_shape(shape), dtype=torch_dtype(dtype), generator=generator)
    return (out * stddev + mean).to(get_device())


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    generator = _generator(seed)
    out = torch.rand(_shape(shape), dtype=torch_dtype(dtype), generator=generator)
    return (out * (maxval - minval) + minval).to(get_device())


def _generator(seed):
    return None if seed is None else torch.Generator().manual_seed(int(seed))


def _shape(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) for d in shape)


__all__ += ["variable", "constant", "zeros", "ones", "eye", "random_normal", "random_uniform"]


# ------------------------------------------------------------------------ introspection
def shape(x):
    """The shape of `x` (`None` for unknown dimensions of a symbolic tensor)."""
    return tuple(x.shape) if isinstance(x, KerasTensor) else x.shape


def int_shape(x):
    return tuple(None if d is None else int(d) for d in x.shape)


def ndim(x):
    return len(x.shape)


def dtype(x):
    if isinstance(x, KerasTensor):
        return x.dtype
    return str(x.dtype).replace("torch.", "")


def count_params(x):
    return int(np.prod(tuple(x.shape)))


def is_tensor(x):
    return isinstance(x, (torch.Tensor, KerasTensor))


__all__ += ["shape", "int_shape", "ndim", "dtype", "count_params", "is_tensor"]


# ------------------------------------------------------------------------ more elementwise
@_op
def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [_tensor(v).detach() for v in variables]
    return _tensor(variables).detach()


@_op
def cumsum(x, axis=0):
    return torch.cumsum(_tensor(x), dim=axis)


@_op
def floor(x):
    return torch.floor(_float(x))


def arange(start, stop=None, step=1, dtype="int32"):
    return torch.arange(start, stop, step, dtype=torch_dtype(dtype), device=get_device()) \
        if stop is not None else torch.arange(start, dtype=torch_dtype(dtype), device=get_device())


__all__ += ["arange"]


# ----------------------------------------------------------------------- Keras 1 layout
def image_dim_ordering():
    """Keras 1's name for the image layout: 'th' (channels first) or 'tf' (channels last)."""
    return "th" if image_data_format() == "channels_first" else "tf"


def set_image_dim_ordering(dim_ordering):
    """Keras 1's `K.set_image_dim_ordering('th')`: sets the default layout of image layers."""
    formats = {"th": "channels_first", "tf": "channels_last"}
    if dim_ordering not in formats:
        raise ValueError(f"Unknown dim_ordering: {dim_ordering!r}. Expected 'th' or 'tf'.")
    set_image_data_format(formats[dim_ordering])


__all__ += ["image_dim_ordering", "set_image_dim_ordering"]


def install(backend):
    """Adds the K.* functions and `K.function` to `backend` (the `cornu.backend` module), and
    keeps `cornu.backend.math`, where they used to live, importable."""
    from cornu.compat.backend_function import function
    names = {name: globals()[name] for name in __all__}
    names["function"] = function
    backend.extend(names)
    backend.math = sys.modules[__name__]
    sys.modules.setdefault("cornu.backend.math", sys.modules[__name__])
