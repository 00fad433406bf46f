"""Permute (reorder the non-batch axes) and RepeatVector (`(batch, n_features)` →
`(batch, n, n_features)`)."""
from cornu.layers.layer import Layer, registry


@registry.register()
class Permute(Layer):
    """Permutes the non-batch axes: `dims` is a permutation of `1..rank` (1 is the first axis
    after the batch one).

    >>> Permute((2, 1))(np.ones((4, 10, 64))).shape
    torch.Size([4, 64, 10])
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute {self.name!r}: `dims` must be a permutation of "
                             f"{tuple(range(1, len(self.dims) + 1))} (axis 0 is the batch), "
                             f"received dims={dims!r}.")
        self._perm = (0,) + self.dims

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        return inputs.permute(self._perm)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != len(self._perm):
            raise ValueError(f"Permute {self.name!r} with dims={self.dims} expects inputs of "
                             f"rank {len(self._perm)} (batch included), received input shape "
                             f"{tuple(input_shape)}.")
        return tuple(input_shape[i] for i in self._perm)


@registry.register()
class RepeatVector(Layer):
    """Repeats a `(batch, features)` input `n` times: output `(batch, n, features)`."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or n <= 0:
            raise ValueError(f"RepeatVector {self.name!r}: `n` must be a positive integer, "
                             f"received n={n!r}.")
        self.n = n

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        return inputs.unsqueeze(1).expand(-1, self.n, -1)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"RepeatVector {self.name!r} expects inputs of shape (batch, "
                             f"features), received input shape {tuple(input_shape)}.")
        return (input_shape[0], self.n, input_shape[1])
