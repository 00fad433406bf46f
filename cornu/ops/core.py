"""`keras.ops` core functions: conversion, dtype and shape queries, control flow, scatter and
slices. In cornu everything runs eagerly, so `cond`, `while_loop` and `fori_loop` are Python
control flow."""
import builtins

import numpy as np
import torch

from cornu.backend.config import torch_dtype
from cornu.graph.keras_tensor import KerasTensor
from cornu.ops._base import op, standardize_dtype, tensor

__all__ = []
_op = op(__all__)


@_op
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """`x` as a tensor (Python floats become floatx, Python ints int32, NumPy keeps its dtype)."""
    return tensor(x, dtype)


def convert_to_numpy(x):
    """`x` as a NumPy array (a copy, detached from autograd)."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        return x.numpy() if x.dtype != torch.bfloat16 else x.float().numpy()
    return np.asarray(x)


def shape(x):
    """The shape of `x` as a tuple (`None` for unknown dimensions of a symbolic tensor)."""
    if isinstance(x, (torch.Tensor, KerasTensor, np.ndarray)):
        return tuple(x.shape)
    return tuple(np.shape(x))


def ndim(x):
    """The number of axes of `x`."""
    return len(shape(x))


def size(x):
    """The number of elements of `x`."""
    return int(np.prod(shape(x), dtype=np.int64))


def dtype(x):
    """The Keras name of `x`'s dtype (`'float32'`, ...)."""
    if isinstance(x, KerasTensor):
        return standardize_dtype(x.dtype)
    return standardize_dtype(tensor(x).dtype)


@_op
def cast(x, dtype):
    """`x` converted to `dtype` (a Keras name or a torch dtype)."""
    return tensor(x).to(torch_dtype(dtype))


def is_tensor(x):
    """Whether `x` is a tensor of this backend (a torch tensor or a symbolic Keras tensor)."""
    return isinstance(x, (torch.Tensor, KerasTensor))


@_op
def stop_gradient(variable):
    """`variable` with no gradient flowing back through it."""
    return tensor(variable).detach()


def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()`."""
    return true_fn() if bool(pred) else false_fn()


def while_loop(cond, body, loop_vars, maximum_iterations=None):  # noqa: F811
    """Runs `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` (at most
    `maximum_iterations` times); returns the final `loop_vars` in their structure."""
    single = not isinstance(loop_vars, (list, tuple))
    state = (loop_vars,) if single else tuple(loop_vars)
    steps = 0
    while bool(cond(*state)) and (maximum_iterations is None or steps < maximum_iterations):
        out = body(*state)
        state = (out,) if single else tuple(out) if isinstance(out, (list, tuple)) else (out,)
        steps += 1
    return state[0] if single else type(loop_vars)(state)


def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for `i` in `range(lower, upper)`, starting at `init_val`."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def _index_tuple(indices):
    idx = tensor(indices).to(torch.int64)
    return tuple(idx[..., i] for i in range(idx.shape[-1]))


@_op
def scatter(indices, values, shape):
    """A zero tensor of `shape` with `values` added at `indices` (`(n, rank)` coordinates;
    repeated indices sum)."""
    values = tensor(values)
    out = torch.zeros(tuple(int(d) for d in shape), dtype=values.dtype, device=values.device)
    return out.index_put(_index_tuple(indices), values, accumulate=True)


@_op
def scatter_update(inputs, indices, updates):
    """A copy of `inputs` with `updates` written at `indices` (`(n, rank)` coordinates, or
    fewer coordinates updating whole slices)."""
    x = tensor(inputs)
    return x.index_put(_index_tuple(indices), tensor(updates).to(x.dtype))


@_op
def slice(inputs, start_indices, shape):  # noqa: A001  (Keras's name)
    """The block of `inputs` of `shape` starting at `start_indices`."""
    x = tensor(inputs)
    starts = [int(s) for s in (start_indices.tolist() if hasattr(start_indices, "tolist")
                               else start_indices)]
    return x[tuple(builtins.slice(s, s + int(n)) for s, n in zip(starts, shape))]


@_op
def slice_update(inputs, start_indices, updates):
    """A copy of `inputs` with the block at `start_indices` replaced by `updates`."""
    x, updates = tensor(inputs).clone(), tensor(updates)
    starts = [int(s) for s in (start_indices.tolist() if hasattr(start_indices, "tolist")
                               else start_indices)]
    x[tuple(builtins.slice(s, s + n) for s, n in zip(starts, updates.shape))] = \
        updates.to(x.dtype)
    return x


def vectorized_map(function, elements):
    """`function` applied to each slice of `elements` along axis 0, results stacked."""
    return torch.stack([function(e) for e in tensor(elements)])


def map(f, xs):  # noqa: A001
    """`f` applied to each slice of `xs` along axis 0, results stacked."""
    return torch.stack([f(x) for x in tensor(xs)])


__all__ += ["convert_to_numpy", "shape", "ndim", "size", "dtype", "is_tensor", "cond",
            "while_loop", "fori_loop", "vectorized_map", "map"]
