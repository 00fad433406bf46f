"""Keras 1's `keras.initializations`: functions `f(shape, name=None)` that return a variable.

Keras 2 replaced them with `keras.initializers` (classes, `glorot_uniform(seed=None)`), which
cornu serves as Keras 3 has it; the two modules stay apart so each era's call works. Fans follow
Keras 1's `get_fans` (`dim_ordering='th'` by default: convolution kernels
`(out, in, *receptive)`), and the formulas are Keras 1.2's (untruncated normals,
`orthogonal(scale=1.1)`).
"""
import math

import numpy as np

from cornu.backend.variables import Variable
from cornu.compat.backend_extra import random_normal
from cornu.compat.backend_math import random_uniform


def get_fans(shape, dim_ordering="th"):
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (4, 5):
        if dim_ordering == "th":
            receptive = int(np.prod(shape[2:]))
            return shape[1] * receptive, shape[0] * receptive
        if dim_ordering == "tf":
            receptive = int(np.prod(shape[:-2]))
            return shape[-2] * receptive, shape[-1] * receptive
        raise ValueError(f"Invalid dim_ordering: {dim_ordering!r} (expected 'th' or 'tf').")
    return int(np.sqrt(np.prod(shape))), int(np.sqrt(np.prod(shape)))


def uniform(shape, scale=0.05, name=None, dim_ordering="th"):
    return Variable(random_uniform(shape, -scale, scale), name=name)


def normal(shape, scale=0.05, name=None, dim_ordering="th"):
    return Variable(random_normal(shape, 0.0, scale), name=name)


def lecun_uniform(shape, name=None, dim_ordering="th"):
    fan_in, _ = get_fans(shape, dim_ordering)
    return uniform(shape, math.sqrt(3.0 / fan_in), name=name)


def glorot_normal(shape, name=None, dim_ordering="th"):
    fan_in, fan_out = get_fans(shape, dim_ordering)
    return normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), name=name)


def glorot_uniform(shape, name=None, dim_ordering="th"):
    fan_in, fan_out = get_fans(shape, dim_ordering)
    return uniform(shape, math.sqrt(6.0 / (fan_in + fan_out)), name=name)


def he_normal(shape, name=None, dim_ordering="th"):
    fan_in, _ = get_fans(shape, dim_ordering)
    return normal(shape, math.sqrt(2.0 / fan_in), name=name)


def he_uniform(shape, name=None, dim_ordering="th"):
    fan_in, _ = get_fans(shape, dim_ordering)
    return uniform(shape, math.sqrt(6.0 / fan_in), name=name)


def orthogonal(shape, scale=1.1, name=None, dim_ordering="th"):
    flat = (shape[0], int(np.prod(shape[1:])))
    a = np.random.normal(0.0, 1.0, flat)
    u, _, v = np.linalg.svd(a, full_matrices=False)
    q = (u if u.shape == flat else v).reshape(shape)
    return Variable(np.asarray(scale * q, dtype="float32"), name=name)


def identity(shape, scale=1, name=None, dim_ordering="th"):
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"identity: the shape must be square 2D, got {tuple(shape)}.")
    return Variable(np.asarray(scale * np.identity(shape[0]), dtype="float32"), name=name)


def zero(shape, name=None, dim_ordering="th"):
    return Variable(np.zeros(shape, dtype="float32"), name=name)


def one(shape, name=None, dim_ordering="th"):
    return Variable(np.ones(shape, dtype="float32"), name=name)


def get(identifier, **kwargs):
    """The function of that name (a callable is returned as it is)."""
    if callable(identifier):
        return identifier
    found = globals().get(identifier) if identifier in __all__ else None
    if found is None:
        raise ValueError(f"Invalid initialization: {identifier!r} (Keras 1's are "
                         f"{', '.join(n for n in __all__ if n not in ('get', 'get_fans'))}).")
    return found


__all__ = ["get_fans", "uniform", "normal", "lecun_uniform", "glorot_normal", "glorot_uniform",
           "he_normal", "he_uniform", "orthogonal", "identity", "zero", "one", "get"]
