"""`keras.ops` array creation, shape manipulation, indexing, sorting and linear algebra.

Creation functions default to floatx (`arange` of ints to int32, as in Keras); index results
(`argsort`, `nonzero`) are int32.
"""
import torch
import torch.nn.functional as F

from cornu.backend.config import get_device, torch_dtype
from cornu.ops._base import axes, dtype_or_floatx, floating, op, pair, shape_tuple, tensor

__all__ = []
_op = op(__all__)


# ------------------------------------------------------------------------ creation
@_op
def array(x, dtype=None):
    """`x` as a tensor (Keras's `ops.array`, `ops.convert_to_tensor` with NumPy's name)."""
    return tensor(x, dtype)


@_op
def zeros(shape, dtype=None):
    """A tensor of zeros of `shape` (floatx by default)."""
    return torch.zeros(shape_tuple(shape), dtype=dtype_or_floatx(dtype), device=get_device())


@_op
def ones(shape, dtype=None):
    """A tensor of ones of `shape` (floatx by default)."""
    return torch.ones(shape_tuple(shape), dtype=dtype_or_floatx(dtype), device=get_device())


@_op
def empty(shape, dtype=None):
    """An uninitialised tensor of `shape` (floatx by default)."""
    return torch.empty(shape_tuple(shape), dtype=dtype_or_floatx(dtype), device=get_device())


@_op
def full(shape, fill_value, dtype=None):
    """A tensor of `shape` filled with `fill_value` (floatx by default)."""
    fill = tensor(fill_value, dtype_or_floatx(dtype))
    return torch.broadcast_to(fill, shape_tuple(shape)).clone()


def _like(name, value):
    def f(x, dtype=None):
        x = tensor(x)
        dtype = x.dtype if dtype is None else torch_dtype(dtype)
        return torch.full_like(x, value, dtype=dtype)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"A tensor of {value}s with `x`'s shape and (by default) dtype."
    globals()[name] = _op(f)


_like("zeros_like", 0)
_like("ones_like", 1)


@_op
def full_like(x, fill_value, dtype=None):
    """A tensor with `x`'s shape and (by default) dtype, filled with `fill_value`."""
    x = tensor(x)
    dtype = x.dtype if dtype is None else torch_dtype(dtype)
    return torch.broadcast_to(tensor(fill_value, dtype), x.shape).clone()


@_op
def arange(start, stop=None, step=1, dtype=None):
    """`[start, stop)` by `step`; int32 for int arguments, floatx if any is a float."""
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, stop, step))
        dtype = dtype_or_floatx(None) if is_float else torch.int32
    return torch.arange(start, stop, step, dtype=torch_dtype(dtype), device=get_device())


@_op
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` (included when `endpoint`)."""
    dtype = dtype_or_floatx(dtype)
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else float("nan")
    ramp = torch.arange(num, dtype=torch.float64, device=get_device())
    out = (start + ramp * step if num > 1 or not endpoint else
           torch.full((num,), float(start), dtype=torch.float64, device=get_device()))
    out = out.to(dtype)
    return (out, step) if retstep else out


@_op
def eye(N, M=None, k=0, dtype=None):  # noqa: N803  (Keras's names)
    """A 2-D tensor with ones on the `k`-th diagonal (floatx by default)."""
    M = N if M is None else M  # noqa: N806
    out = torch.ones(N, M, dtype=dtype_or_floatx(dtype), device=get_device())
    return torch.triu(torch.tril(out, k), k)


@_op
def identity(n, dtype=None):
    """The `n x n` identity matrix (floatx by default)."""
    return torch.eye(n, dtype=dtype_or_floatx(dtype), device=get_device())


@_op
def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    """Ones at and below the `k`-th diagonal."""
    M = N if M is None else M  # noqa: N806
    return torch.tril(torch.ones(N, M, dtype=dtype_or_floatx(dtype), device=get_device()), k)


# ------------------------------------------------------------------------ shapes
@_op
def reshape(x, newshape):
    """`x` with shape `newshape` (one dimension may be -1)."""
    return torch.reshape(tensor(x), shape_tuple(newshape))


@_op
def ravel(x):
    """`x` flattened to 1-D."""
    return torch.reshape(tensor(x), (-1,))


@_op
def expand_dims(x, axis):
    """`x` with new unit dimensions at `axis` (an int or a tuple)."""
    x = tensor(x)
    if not isinstance(axis, (list, tuple)):
        return torch.unsqueeze(x, axis)
    ndim = x.ndim + len(axis)
    for a in sorted(a % ndim for a in axis):
        x = torch.unsqueeze(x, a)
    return x


@_op
def squeeze(x, axis=None):
    """`x` without its unit dimensions (only those in `axis` when given)."""
    x = tensor(x)
    return torch.squeeze(x) if axis is None else torch.squeeze(x, axes(axis))


@_op
def transpose(x, axes=None):  # noqa: F811
    """`x` with its axes permuted (reversed when `axes` is None)."""
    x = tensor(x)
    return x.permute(*(reversed(range(x.ndim)) if axes is None else axes))


@_op
def moveaxis(x, source, destination):
    """`x` with axes `source` moved to positions `destination`."""
    return torch.movedim(tensor(x), source, destination)


@_op
def swapaxes(x, axis1, axis2):
    """`x` with axes `axis1` and `axis2` interchanged."""
    return torch.swapaxes(tensor(x), axis1, axis2)


@_op
def broadcast_to(x, shape):
    """`x` broadcast to `shape`."""
    return torch.broadcast_to(tensor(x), shape_tuple(shape))


def _tensors(xs):
    ts = [tensor(x) for x in xs]
    dtype = ts[0].dtype
    for t in ts[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return [t.to(dtype) for t in ts]


@_op
def concatenate(xs, axis=0):
    """The tensors `xs` joined along `axis` (flattened first when `axis` is None)."""
    ts = _tensors(xs)
    if axis is None:
        return torch.cat([t.reshape(-1) for t in ts])
    return torch.cat(ts, dim=axis)


@_op
def stack(x, axis=0):
    """The tensors `x` stacked along a new `axis`."""
    return torch.stack(_tensors(x), dim=axis)


@_op
def hstack(xs):
    """`xs` joined along axis 1 (axis 0 for 1-D tensors)."""
    return torch.hstack(_tensors(xs))


@_op
def vstack(xs):
    """`xs` joined along axis 0 (1-D tensors become rows)."""
    return torch.vstack(_tensors(xs))


@_op
def append(x1, x2, axis=None):
    """`x2` appended to `x1` along `axis` (both flattened when None)."""
    return concatenate([x1, x2], axis=axis)


@_op
def split(x, indices_or_sections, axis=0):
    """`x` cut along `axis` into equal sections (an int) or at `indices` (a list)."""
    x = tensor(x)
    if isinstance(indices_or_sections, int):
        if x.shape[axis] % indices_or_sections:
            raise ValueError(f"split: `indices_or_sections`={indices_or_sections} does not divide "
                             f"axis {axis} of length {x.shape[axis]}.")
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    return list(torch.tensor_split(x, list(indices_or_sections), dim=axis))


@_op
def tile(x, repeats):
    """`x` repeated `repeats` times along each axis."""
    return torch.tile(tensor(x), shape_tuple(repeats))


@_op
def repeat(x, repeats, axis=None):
    """Each element of `x` repeated `repeats` times along `axis` (flattened when None)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if not isinstance(repeats, int):
        repeats = tensor(repeats).to(torch.int64)
    return torch.repeat_interleave(x, repeats, dim=axis)


@_op
def flip(x, axis=None):
    """`x` reversed along `axis` (all axes when None)."""
    x = tensor(x)
    dims = tuple(range(x.ndim)) if axis is None else axes(axis)
    return torch.flip(x, dims if isinstance(dims, tuple) else (dims,))


@_op
def pad(x, pad_width, mode="constant", constant_values=None):
    """`x` padded by `pad_width` (`((before, after), ...)` per axis, or one pair for all)."""
    x = tensor(x)
    widths = [pad_width] * x.ndim if isinstance(pad_width, int) else list(pad_width)
    widths = [(w, w) if isinstance(w, int) else tuple(w) for w in widths]
    if len(widths) == 1 and x.ndim > 1:
        widths = widths * x.ndim
    flat = [int(v) for pair_ in reversed(widths) for v in pair_]
    if mode == "constant":
        return F.pad(x, flat, value=constant_values or 0)
    if constant_values is not None:
        raise ValueError(f"pad: `constant_values` only goes with mode='constant', got {mode!r}.")
    torch_mode = {"reflect": "reflect", "symmetric": None, "edge": "replicate",
                  "wrap": "circular"}.get(mode)
    if torch_mode is None:
        raise ValueError(f"pad: unsupported `mode` {mode!r}; expected 'constant', 'reflect', "
                         "'edge' or 'wrap'.")
    # torch pads only the trailing dims of a batched tensor: add two leading unit axes.
    out = F.pad(floating(x)[None, None] if not x.is_floating_point() else x[None, None],
                flat, mode=torch_mode)
    return out[0, 0].to(x.dtype)


# ------------------------------------------------------------------------ indexing
@_op
def take(x, indices, axis=None):
    """Elements of `x` at `indices` along `axis` (of the flattened `x` when None)."""
    x, idx = tensor(x), tensor(indices).to(torch.int64)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = axis % x.ndim
    idx = torch.where(idx < 0, idx + x.shape[axis], idx)
    out = torch.index_select(x, axis, idx.reshape(-1))
    return out.reshape(*x.shape[:axis], *idx.shape, *x.shape[axis + 1:])


@_op
def take_along_axis(x, indices, axis=None):
    """Elements of `x` picked by `indices` (of `x`'s rank) along `axis`."""
    x, idx = tensor(x), tensor(indices).to(torch.int64)
    if axis is None:
        x, axis = x.reshape(-1), 0
    idx = torch.where(idx < 0, idx + x.shape[axis], idx)
    shape = list(torch.broadcast_shapes(
        tuple(1 if d == axis % x.ndim else s for d, s in enumerate(x.shape)),
        tuple(1 if d == axis % x.ndim else s for d, s in enumerate(idx.shape))))
    x = x.expand(*[x.shape[d] if d == axis % x.ndim else s for d, s in enumerate(shape)])
    idx = idx.expand(*[idx.shape[d] if d == axis % x.ndim else s for d, s in enumerate(shape)])
    return torch.gather(x, axis, idx)


@_op
def where(condition, x1=None, x2=None):
    """`x1` where `condition` holds, else `x2`; with neither, the indices of true elements."""
    condition = tensor(condition).to(torch.bool)
    if x1 is None and x2 is None:
        return nonzero(condition)
    a, b = pair(x1, x2)
    dtype = torch.promote_types(a.dtype, b.dtype)
    return torch.where(condition, a.to(dtype), b.to(dtype))


@_op
def nonzero(x):
    """The indices of non-zero elements: one int32 tensor per axis of `x`."""
    return tuple(i.to(torch.int32) for i in torch.nonzero(tensor(x), as_tuple=True))


@_op
def sort(x, axis=-1):
    """`x` sorted along `axis` (flattened when None)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis).values


@_op
def argsort(x, axis=-1):
    """The int32 indices that sort `x` along `axis` (stable; flattened when None)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


@_op
def unique(x, sorted=True, return_inverse=False, return_counts=False, axis=None,  # noqa: A002
           size=None, fill_value=None):
    """The sorted unique values of `x` (eager only), optionally with inverse indices and
    counts; `size` pads (with `fill_value`, default the smallest value) or cuts to `size`."""
    x = tensor(x)
    out = torch.unique(x, sorted=True, return_inverse=return_inverse,
                       return_counts=return_counts, dim=axis)
    if size is not None:
        values = out[0] if isinstance(out, tuple) else out
        n = values.shape[0]
        if n < size:
            fill = values.min() if fill_value is None else fill_value
            values = torch.cat([values, torch.full((size - n,), fill, dtype=values.dtype,
                                                   device=values.device)])
        values = values[:size]
        out = (values, *out[1:]) if isinstance(out, tuple) else values
    return out
