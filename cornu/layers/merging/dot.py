"""Dot: the per-sample dot product of two tensors."""
import torch

from cornu.backend import layout as layouts
from cornu.backend.config import epsilon
from cornu.layers.layer import registry
from cornu.layers.merging.base import _Merge


@registry.register()
class Dot(_Merge):
    """Dot product of two tensors along `axes`, sample by sample.

    Args:
        axes: an axis, or a pair `(axis of the first input, axis of the second)`; the batch
            axis 0 cannot be summed over.
        normalize: L2-normalize both inputs along the summed axes first, which makes the
            output the cosine proximity of the samples.

    Inputs `(batch, n)` and `(batch, n)` with `axes=1` give `(batch, 1)`; in general the output
    is the first shape without its summed axis followed by the second without its batch and
    summed axes.
    """

    layout = layouts.KERAS

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)) or len(axes) != 2 or \
                    not all(isinstance(a, int) for a in axes):
                raise ValueError(f"Dot {self.name!r}: `axes` must be an int or a pair of ints; "
                                 f"received axes={axes!r}.")
            axes = tuple(axes)
        self.axes = axes
        self.normalize = bool(normalize)

    def _axes(self, rank1, rank2):
        if isinstance(self.axes, int):
            return (self.axes % rank1, self.axes % rank2) if self.axes < 0 else (self.axes,) * 2
        return (self.axes[0] % rank1, self.axes[1] % rank2)

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.compute_output_shape(input_shape)

    def _check_inputs(self, input_shape):
        super()._check_inputs(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"Dot {self.name!r} should be called on a list of 2 inputs; "
                             f"received {len(input_shape)} (input_shape={list(input_shape)}).")

    def call(self, inputs):
        x1, x2 = inputs
        a1, a2 = self._axes(x1.ndim, x2.ndim)
        if self.normalize:
            x1, x2 = _l2_normalize(x1, a1), _l2_normalize(x2, a2)
        return batch_dot(x1, x2, (a1, a2))

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        a1, a2 = self._axes(len(shape1), len(shape2))
        if shape1[a1] is not None and shape2[a2] is not None and shape1[a1] != shape2[a2]:
            raise ValueError(f"Dot {self.name!r}: incompatible input shapes: axis values "
                             f"{shape1[a1]} (at axis {a1}) != {shape2[a2]} (at axis {a2}). "
                             f"Full input shapes: {tuple(shape1)}, {tuple(shape2)}.")
        shape1.pop(a1)
        shape2.pop(a2)
        shape2.pop(0)
        output = shape1 + shape2
        return tuple(output + [1] if len(output) == 1 else output)


def _l2_normalize(x, axis):
    # Keras 3's form: x * min(rsqrt(sum(x ** 2)), 1 / epsilon).
    inv_norm = torch.rsqrt(torch.sum(torch.square(x), dim=axis, keepdim=True))
    return x * torch.clamp(inv_norm, max=1.0 / epsilon())


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional form of `Dot`: `dot([x1, x2], axes=1)`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


def batch_dot(x, y, axes=None):
    """Per-sample dot product of `x` and `y` along `axes` (Keras's shape rules).

    The output shape is x's shape without the summed axis, followed by y's shape without
    its batch and summed axes; a rank-1 result becomes `(batch, 1)`.
    """
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError(f"batch_dot needs inputs of rank >= 2; got shapes {tuple(x.shape)} "
                         f"and {tuple(y.shape)}.")
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (x.ndim - 1, y.ndim - 1 if y.ndim == 2 else y.ndim - 2)
    a0, a1 = axes[0] % x.ndim, axes[1] % y.ndim
    if 0 in (a0, a1):
        raise ValueError("batch_dot cannot sum over the batch axis (axis 0).")
    x_moved = torch.movedim(x, a0, -1)  # (batch, ..., k)
    y_moved = torch.movedim(y, a1, 1)   # (batch, k, ...)
    batch, k = x_moved.shape[0], x_moved.shape[-1]
    out = torch.bmm(x_moved.reshape(batch, -1, k), y_moved.reshape(batch, k, -1))
    out = out.reshape(batch, *x_moved.shape[1:-1], *y_moved.shape[2:])
    return out.unsqueeze(1) if out.ndim == 1 else out
