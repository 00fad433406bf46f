"""Element-wise merges: Add, Subtract, Multiply, Average, Maximum, Minimum (and their
functional forms `add([a, b])`, ...)."""
import functools

import torch

from cornu.layers.layer import registry
from cornu.layers.merging.base import _Merge


@registry.register()
class Add(_Merge):
    """Sums a list of tensors of the same shape: `Add()([x1, x2])`."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


@registry.register()
class Subtract(_Merge):
    """`inputs[0] - inputs[1]`, for exactly two tensors."""

    def _check_inputs(self, input_shape):
        super()._check_inputs(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"Subtract {self.name!r} should be called on exactly 2 inputs; "
                             f"received {len(input_shape)} (input_shape={list(input_shape)}).")

    def _merge_function(self, inputs):
        return inputs[0] - inputs[1]


@registry.register()
class Multiply(_Merge):
    """The element-wise product of a list of tensors."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


@registry.register()
class Average(_Merge):
    """The element-wise mean of a list of tensors."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


@registry.register()
class Maximum(_Merge):
    """The element-wise maximum of a list of tensors."""

    def _merge_function(self, inputs):
        return functools.reduce(torch.maximum, inputs)


@registry.register()
class Minimum(_Merge):
    """The element-wise minimum of a list of tensors."""

    def _merge_function(self, inputs):
        return functools.reduce(torch.minimum, inputs)


def add(inputs, **kwargs):
    """Functional form of `Add`: `add([x1, x2])`."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of `Average`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of `Maximum`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`."""
    return Minimum(**kwargs)(inputs)
