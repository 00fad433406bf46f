"""Weight regularizers: penalties added to the loss (Keras 3 formulas).

A layer's `kernel_regularizer` penalty joins `model.losses` and is added to the training loss at
every step; an `activity_regularizer` penalty is computed on the layer's output and divided by
the batch size, as Keras 3 does.
"""
import math

import numpy as np

import torch

from cornu.backend.config import epsilon
from cornu.utils.registry import Registry

registry = Registry("regularizer")


def _check(value, name):
    if not isinstance(value, (float, int)) or math.isinf(value) or math.isnan(value) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value!r}")
    return float(value)


class Regularizer:
    """Base class: `regularizer(weight)` returns a scalar penalty."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@registry.register("l1l2")
class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x^2)`; both default to 0."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check(0.0 if l1 is None else l1, "l1")
        self.l2 = _check(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        out = torch.zeros((), dtype=x.dtype, device=x.device)
        if self.l1:
            out = out + self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            out = out + self.l2 * torch.sum(torch.square(x))
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@registry.register("l1")
class L1(Regularizer):
    """`l1 * sum(|x|)`, default `l1=0.01`."""

    def __init__(self, l1=0.01, *, l=None):  # noqa: E741  (`l`: Keras 1/2's keyword)
        l1 = l1 if l is None else l
        self.l1 = _check(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return self.l1 * torch.sum(torch.abs(x))

    def get_config(self):
        return {"l1": float(np.float32(self.l1))}  # Keras 3 writes L1's factor as a float32


@registry.register("l2")
class L2(Regularizer):
    """`l2 * sum(x^2)`, default `l2=0.01`."""

    def __init__(self, l2=0.01, *, l=None):  # noqa: E741  (`l`: Keras 1/2's keyword)
        l2 = l2 if l is None else l
        self.l2 = _check(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return self.l2 * torch.sum(torch.square(x))

    def get_config(self):
        return {"l2": self.l2}


@registry.register("orthogonal_regularizer")
class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2D weight towards orthonormality:
    `factor * mean(|cos|)` over distinct pairs of L2-normalized rows.

    Args:
        factor: strength, default 0.01.
        mode: `"rows"` (default) or `"columns"`.
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _check(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError("Invalid value for argument `mode`. Expected one of "
                             f"{{'rows', 'columns'}}. Received: mode={mode!r}")
        self.mode = mode

    def __call__(self, x):
        if x.ndim != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={tuple(x.shape)}")
        x = x if self.mode == "rows" else x.T
        inv = torch.rsqrt(torch.sum(torch.square(x), dim=1, keepdim=True))
        x = x * torch.clamp(inv, max=1.0 / epsilon())
        size = x.shape[0]
        product = (x @ x.T) * (1.0 - torch.eye(size, dtype=x.dtype, device=x.device))
        pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * torch.sum(torch.abs(product)) / pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1 = L1
l2 = L2
l1_l2 = L1L2  # Keras 3: the class (Keras 2's function defaulted to l1=l2=0.01)
orthogonal_regularizer = OrthogonalRegularizer


# Keras 1: activity regularizers had their own names (the same penalties, on a layer's output).
def activity_l1(l=0.01):  # noqa: E741
    return L1(l)


def activity_l2(l=0.01):  # noqa: E741
    return L2(l)


def activity_l1l2(l1=0.01, l2=0.01):
    return L1L2(l1, l2)


def l1l2(l1=0.01, l2=0.01):  # Keras 1's name of Keras 2's l1_l2(), with its defaults
    return L1L2(l1, l2)


def _default_l1_l2():
    # The string 'l1_l2' (no Keras 3 meaning) gives a default-strength penalty, as 'l1' and
    # 'l2' do: Keras 2's `l1_l2()` values.
    return L1L2(l1=0.01, l2=0.01)


registry.add("l1_l2", _default_l1_l2)


def get(identifier):
    """A regularizer from a name (`'l1'`, `'l2'`, `'l1_l2'`, ...), a config, a class, an instance
    or a function of the weight."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        obj = registry.lookup(identifier)
        return obj() if isinstance(obj, type) or obj is _default_l1_l2 else obj
    return registry.get(identifier)


def serialize(regularizer):
    return {"module": "keras.regularizers", "class_name": type(regularizer).__name__,
            "config": regularizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)


__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize", "activity_l1",
           "activity_l2", "activity_l1l2", "l1l2"]
