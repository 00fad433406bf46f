"""Concatenate: joins a list of tensors along one axis."""
import torch

from cornu.backend import layout as layouts
from cornu.layers.layer import registry
from cornu.layers.merging.base import _Merge
from cornu.utils.validation import check_axis


@registry.register()
class Concatenate(_Merge):
    """Concatenates a list of tensors along `axis` (all other dimensions must match).

    Args:
        axis: the concatenation axis, in Keras's (channels-last) terms; default -1.

    >>> Concatenate()([np.ones((2, 3)), np.zeros((2, 4))]).shape
    torch.Size([2, 7])

    On feature maps (rank >= 3) it concatenates channels-first tensors directly, so no layout
    conversion surrounds it between convolutions.
    """

    layout = layouts.KERAS

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis(axis, None, f"Concatenate {self.name!r}")
        self._dim = self.axis

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.compute_output_shape(input_shape)
        rank = len(input_shape[0])
        axis = self.axis % rank
        if rank >= 3 and all(len(s) == rank for s in input_shape):
            # torch's channels-first layout: channels move from the last axis to axis 1.
            self.layout = layouts.CHANNELS_FIRST
            self._dim = 1 if axis == rank - 1 else (axis + 1 if axis > 0 else 0)
        else:
            self.layout = layouts.KERAS
            self._dim = axis

    def call(self, inputs):
        return torch.cat(list(inputs), dim=self._dim)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(f"Concatenate {self.name!r} requires inputs of the same rank; "
                             f"received input_shape={[tuple(s) for s in input_shape]}.")
        rank = ranks.pop()
        axis = check_axis(self.axis, rank, f"Concatenate {self.name!r}")
        output = list(input_shape[0])
        for shape in input_shape[1:]:
            for i, (a, b) in enumerate(zip(output, shape)):
                if i != axis and a is not None and b is not None and a != b:
                    raise ValueError(
                        f"Concatenate {self.name!r} requires inputs with matching shapes except "
                        f"for the concatenation axis {self.axis}; received input_shape="
                        f"{[tuple(s) for s in input_shape]}.")
                if i != axis and a is None:
                    output[i] = b
            size = shape[axis]
            output[axis] = None if output[axis] is None or size is None else output[axis] + size
        return tuple(output)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: `concatenate([x1, x2], axis=-1)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
