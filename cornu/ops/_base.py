"""What every `cornu.ops` function shares: argument conversion, dtype rules, symbolic calls.

Keras 3's `keras.ops` take NumPy arrays, Python scalars and lists, or tensors, and return
tensors. Python floats become floatx, Python ints int32 (as in Keras); NumPy arrays keep their
dtype. Called on symbolic tensors (a functional model under construction) a function records a
graph node (a `TorchOp` named `ops.<name>`) instead of computing.
"""

import numpy as np
import torch

from cornu.backend.config import floatx, get_device, torch_dtype
from cornu.graph.symbolic import symbolic_op


def op(all_list):
    """Exports the decorated function into `all_list`; symbolic arguments make a graph node."""
    def decorate(fn):
        all_list.append(fn.__name__)
        return symbolic_op(prefix="ops.", unique_name=True)(fn)
    return decorate


def _python_dtype(array):
    if array.dtype.kind == "f":
        return torch_dtype(floatx())
    if array.dtype.kind in "iu":
        return torch.int32
    return None


def tensor(x, dtype=None):
    """`x` as a torch tensor (a tensor, `Variable` or `nn.Parameter` passes through unchanged,
    keeping autograd); Python values follow Keras's defaults; `dtype` casts."""
    if isinstance(x, torch.Tensor):
        t = x
    elif isinstance(x, (np.ndarray, np.generic)):
        t = torch.as_tensor(np.ascontiguousarray(x), device=get_device())
    elif isinstance(x, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in x):
        t = torch.stack([tensor(v) for v in x])
    else:
        array = np.asarray(x)
        t = torch.as_tensor(array, dtype=_python_dtype(array), device=get_device())
    if dtype is not None:
        dtype = torch_dtype(dtype)
        if t.dtype != dtype:
            t = t.to(dtype)
    return t


def pair(x, y):
    """Two operands of a binary op as tensors; a Python scalar takes the other's dtype kind as
    NumPy 2 / Keras do (`int32 tensor + 1` stays int32, `+ 1.5` becomes floatx)."""
    if isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        x = tensor(x)
        return x, _scalar_like(y, x)
    y = tensor(y)
    return _scalar_like(x, y), y


def _scalar_like(value, other):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return tensor(value)
    if isinstance(value, int) and not isinstance(value, bool):
        dtype = other.dtype if other.dtype != torch.bool else torch.int32
    else:
        dtype = other.dtype if other.is_floating_point() else torch_dtype(floatx())
    return torch.tensor(value, dtype=dtype, device=other.device)


def floating(x):
    """`x` as a float tensor: ints and bools become floatx (Keras's rule for exp, sqrt, mean...)."""
    x = tensor(x)
    return x if x.is_floating_point() or x.is_complex() else x.to(torch_dtype(floatx()))


def axes(axis):
    if axis is None:
        return None
    return tuple(axis) if isinstance(axis, (list, tuple)) else int(axis)


def all_axes(x, axis):
    return tuple(range(x.ndim)) if axis is None else axes(axis)


def shape_tuple(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def dtype_or_floatx(dtype):
    return torch_dtype(dtype if dtype is not None else floatx())


def standardize_dtype(dtype):
    """The Keras name of a dtype (`'float32'`, `'int64'`, ...) given a torch dtype, a NumPy
    dtype, a Python type or a name; None means floatx."""
    if dtype is None:
        return floatx()
    if dtype is float:
        return floatx()
    if dtype is int:
        return "int64"
    if dtype is bool:
        return "bool"
    if isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    if hasattr(dtype, "name"):
        return dtype.name
    if isinstance(dtype, str):
        return str(torch_dtype(dtype)).replace("torch.", "")
    raise ValueError(f"standardize_dtype: unknown dtype {dtype!r}.")


__all__ = ["standardize_dtype"]
