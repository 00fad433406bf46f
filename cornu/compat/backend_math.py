"""The math of `keras.backend as K`: tf.keras 2's K.* names over `cornu.ops`.

They are what custom losses, metrics and Lambda layers call: `K.mean(K.square(y_pred - y_true),
axis=-1)`. Most are a row of `OPS` below: the `cornu.ops` function of the same meaning, with an
argument adapter where tf.keras 2's signature differs from Keras 3's (`K.argmax`'s default axis
is -1, `K.concatenate`'s too). Only what `ops` lacks, or computes differently in tf.keras 2
(`K.sqrt` clips negatives, `K.binary_crossentropy` adds epsilon inside the log, Theano-style
`K.dot`), is written here. Called on symbolic tensors (a functional model under construction),
each records a graph node named after the K function (saved as `mean`, not `ops.mean`), so
`K.concatenate([a, b])` works there too. Axes follow Keras: `axis=-1` is the channel axis.

Keras 3's `keras.backend` no longer has them, so they live in compat, which adds them to the
`cornu.backend` namespace when cornu loads (`install`).
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

from cornu import activations, ops
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


def _stop_gradient(variables):  # tf.keras 2 also took a list
    if isinstance(variables, (list, tuple)):
        return [ops.stop_gradient(v) for v in variables]
    return ops.stop_gradient(variables)


# K name -> the ops function, or an adapter from tf.keras 2's arguments to it.
OPS = {
    # reductions
    "mean": ops.mean, "sum": ops.sum, "prod": ops.prod, "max": ops.max, "min": ops.min,
    "var": ops.var, "std": ops.std, "any": ops.any, "all": ops.all,
    # tf.argmax's int64 (Keras 3's ops give int32)
    "argmax": lambda x, axis=-1: ops.argmax(x, axis=axis).to(torch.int64),
    "argmin": lambda x, axis=-1: ops.argmin(x, axis=axis).to(torch.int64),
    "cumsum": lambda x, axis=0: ops.cumsum(x, axis=axis),
    # element-wise
    "square": ops.square, "abs": ops.abs, "exp": ops.exp, "log": ops.log, "sign": ops.sign,
    "round": lambda x: ops.round(x), "floor": ops.floor, "pow": ops.power,
    "maximum": ops.maximum, "minimum": ops.minimum, "equal": ops.equal,
    "not_equal": ops.not_equal, "greater": ops.greater, "greater_equal": ops.greater_equal,
    "less": ops.less, "less_equal": ops.less_equal, "cast": ops.cast,
    "stop_gradient": _stop_gradient,
    # activations
    "sigmoid": ops.sigmoid, "hard_sigmoid": ops.hard_sigmoid, "tanh": ops.tanh,
    "softmax": ops.softmax, "softplus": ops.softplus, "softsign": ops.softsign, "elu": ops.elu,
    # losses
    "categorical_crossentropy": ops.categorical_crossentropy,
    "sparse_categorical_crossentropy": ops.sparse_categorical_crossentropy,
    # structure
    "transpose": lambda x: ops.transpose(x),
    "concatenate": lambda tensors, axis=-1: ops.concatenate(tensors, axis=axis),
    "stack": ops.stack,
    "reshape": lambda x, shape: ops.reshape(x, tuple(-1 if d is None else d for d in shape)),
    "permute_dimensions": lambda x, pattern: ops.transpose(x, tuple(pattern)),
    "expand_dims": lambda x, axis=-1: ops.expand_dims(x, axis),
    "squeeze": lambda x, axis: ops.squeeze(x, axis),
    "repeat_elements": lambda x, rep, axis: ops.repeat(x, rep, axis=axis),
    "tile": lambda x, n: ops.tile(x, n),
    "one_hot": lambda indices, num_classes: ops.one_hot(indices, num_classes),
    "ones_like": lambda x, dtype=None, name=None: ops.ones_like(x, dtype=dtype),
    "zeros_like": lambda x, dtype=None, name=None: ops.zeros_like(x, dtype=dtype),
}


def _from_ops(name, fn):
    def k_function(*args, **kwargs):
        return fn(*args, **kwargs)
    k_function.__name__ = k_function.__qualname__ = name
    k_function.__doc__ = f"`K.{name}` (tf.keras 2), computed by `cornu.ops` (see `OPS`)."
    return _op(k_function)


globals().update({name: _from_ops(name, fn) for name, fn in OPS.items()})


# --------------------------------------------------- what ops lacks or computes differently
@_op
def sqrt(x):
    # tf.keras 2 clips negatives to 0 before the root.
    x = _float(x)
    return torch.sqrt(torch.clamp(x, min=0.0))


@_op
def clip(x, min_value=None, max_value=None):
    x = _tensor(x)
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    return torch.clamp(x, min=min_value, max=max_value)




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
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    return activations.relu(_float(x), negative_slope=alpha, max_value=max_value,
                            threshold=threshold)


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


# ------------------------------------------------------------------------- structure
@_op
def flatten(x):
    return torch.reshape(_tensor(x), (-1,))


@_op
def batch_flatten(x):
    x = _tensor(x)
    return x.reshape(x.shape[0], -1)


@_op
def repeat(x, n):
    """`(batch, dim)` → `(batch, n, dim)`."""
    return _tensor(x).unsqueeze(1).expand(-1, n, -1)


@_op
def gather(reference, indices):
    return _tensor(reference)[_tensor(indices).long()]


# --------------------------------------------------------------- tensors and variables
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
