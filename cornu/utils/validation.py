"""Argument checks shared by the public API: one place for "must be a positive integer".

Each check runs once per constructor, build or `fit`/`evaluate`/`predict` call (never per step)
and raises an error that names the owner (a layer, `Model.fit`, `Input`) and the argument, says
what was expected and what was given, and suggests the fix where one is obvious. Integral NumPy
scalars count as integers (tf.keras 2 called `int()` on its arguments); bools and floats do not.
"""
import numbers

import numpy as np


def is_int(value):
    """An int or an integral NumPy scalar, not a bool."""
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(value, name, owner, minimum=1, allow_none=False, hint=""):
    """`value` as an int >= `minimum` (`None` passes through when `allow_none`)."""
    if value is None and allow_none:
        return None
    if not is_int(value) or value < minimum:
        kind = {0: "a non-negative integer", 1: "a positive integer"}.get(
            minimum, f"an integer >= {minimum}")
        raise ValueError(f"{owner}: `{name}` must be {kind}{' or None' if allow_none else ''}; "
                         f"received {name}={value!r}.{hint}")
    return int(value)


def check_number(value, name, owner, low=None, high=None, high_open=False, low_open=False):
    """`value` as a float in [low, high] (either end open on request)."""
    ok = isinstance(value, (numbers.Real, np.number)) and not isinstance(value, (bool, np.bool_))
    if ok:
        value = float(value)
        ok = value == value and (low is None or value > low or (not low_open and value == low)) \
            and (high is None or value < high or (not high_open and value == high))
    if not ok:
        left, right = ("(" if low_open else "["), (")" if high_open else "]")
        span = f"in {left}{low}, {high}{right}" if low is not None and high is not None else (
            f">= {low}" if low is not None else f"<= {high}")
        raise ValueError(f"{owner}: `{name}` must be a number {span}; received {name}={value!r}.")
    return value


def check_axis(axis, rank, owner, name="axis"):
    """An axis (or a list of axes) against an input of `rank` dims → non-negative axes.

    torch and NumPy wrap negative axes silently and some ops wrap large ones too; Keras's
    meaning of an axis is only ever `-rank <= axis < rank`."""
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    out = []
    for a in axes:
        if not is_int(a):
            raise TypeError(f"{owner}: `{name}` must be an integer or a list of integers; "
                            f"received {name}={axis!r}.")
        if rank is None:  # in a constructor: the type only, the range once the rank is known
            out.append(int(a))
        elif not -rank <= a < rank:
            raise ValueError(f"{owner}: `{name}`={axis!r} is out of range for an input of rank "
                             f"{rank} (batch axis included): valid axes are {-rank} to "
                             f"{rank - 1}.")
        else:
            out.append(int(a) % rank)
    return out if isinstance(axis, (list, tuple)) else out[0]


def standardize_shape(shape, name="shape", owner="Input"):
    """A shape given by the user (without or with the batch axis) as a tuple of ints/None.

    Keras 3 takes a tuple or list of non-negative ints and `None`s; a bare int, a string, a
    float or a negative dimension is an error (a string would otherwise be read character by
    character: `"44"` as `(4, 4)`)."""
    if is_int(shape):
        raise ValueError(f"{owner}: `{name}` must be a tuple of dimensions; received "
                         f"{name}={shape!r}. Did you mean {name}=({int(shape)},)?")
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise ValueError(f"{owner}: `{name}` must be a tuple of dimensions (ints or None); "
                         f"received {name}={shape!r}.")
    dims = []
    for d in shape:
        if d is not None and (not is_int(d) or d < 0):
            what = "negative dimensions are not allowed" if is_int(d) else \
                f"dimension {d!r} of type {type(d).__name__} is not an integer"
            raise ValueError(f"{owner}: invalid `{name}`={tuple(shape)!r}: {what}. Each "
                             "dimension is a non-negative integer, or None for any size.")
        dims.append(None if d is None else int(d))
    return tuple(dims)
