"""Keras 2's LocallyConnected1D and LocallyConnected2D (removed in Keras 3): a convolution
whose weights are not shared, each output position having its own filters.

`y[p] = activation(patch(x, p) . kernel[p] + bias[p])` for every output position `p` (output
positions in row-major order). The weights have Keras 2's shapes and order (its
`implementation=1` layout), so `get_weights()` and Keras 2 `.h5` files match:

- kernel `(output_positions, prod(kernel_size) * input_channels, filters)`, a patch flattened
  as Keras 2's `K.local_conv` flattens it: `(*kernel_size, channels)` for channels_last,
  `(channels, *kernel_size)` for channels_first;
- bias `(*output_spatial, filters)`. With channels_first, Keras 2's `K.bias_add` reshapes
  (not transposes) that array to `(filters, *output_spatial)`; cornu reads it the same way.

All patches come from one `unfold` and the products from one `einsum`, for every position at
once. `implementation=2` and `3` (tf.keras 2.3+, other memory/speed trade-offs of the same
function) are accepted and computed the same way, with implementation 1's weights.
"""
import torch
import torch.nn.functional as F

from cornu import activations, constraints, initializers, regularizers
from cornu.layers.convolutional.base_conv import SpatialLayer
from cornu.layers.layer import registry


class LocallyConnected(SpatialLayer):
    """Base of LocallyConnected1D/2D; subclasses set `rank`."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 implementation=1, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = f"{type(self).__name__} {self.name!r}"
        self._init_spatial(kernel_size, strides, padding, data_format)
        if self.padding != "valid":
            raise ValueError(f"{owner}: only padding='valid' is supported (as Keras 2's "
                             f"implementation 1), received padding={padding!r}.")
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{owner}: `filters` must be a positive integer, received "
                             f"filters={filters!r}.")
        if implementation not in (1, 2, 3):
            raise ValueError(f"{owner}: `implementation` must be 1, 2 or 3, received "
                             f"implementation={implementation!r}.")
        self.filters = filters
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.implementation = implementation

    def build(self, input_shape):
        n_in = self._input_channels(input_shape)
        spatial = self._fixed_spatial(input_shape)
        self.output_spatial = self._output_spatial(input_shape)
        self._n_channels = n_in
        positions = 1
        for d in self.output_spatial:
            positions *= d
        window = 1
        for k in self.kernel_size:
            window *= k
        self._input_spatial = spatial
        self.kernel = self._weight("kernel", (positions, window * n_in, self.filters))
        self.bias = None
        if self.use_bias:
            self.bias = self._weight("bias", self.output_spatial + (self.filters,))
        # How `call` reads the kernel: the patch axis split in Keras 2's flattening order.
        self._kernel_view = (positions,) + ((*self.kernel_size, n_in) if
                                            self.data_format == "channels_last" else
                                            (n_in, *self.kernel_size)) + (self.filters,)

    def _fixed_spatial(self, input_shape):
        spatial = tuple(input_shape[1:-1]) if self.data_format == "channels_last" \
            else tuple(input_shape[2:])
        if any(d is None for d in spatial):
            raise ValueError(f"{type(self).__name__} {self.name!r}: the spatial dimensions of "
                             f"its inputs must be known (its weights are per position), "
                             f"received input shape {tuple(input_shape)}.")
        return spatial

    def call(self, inputs):
        # `inputs` is (batch, channels, *spatial) for either data_format (see SpatialLayer).
        if tuple(inputs.shape[2:]) != self._input_spatial:
            raise ValueError(f"{type(self).__name__} {self.name!r} was built for inputs of "
                             f"spatial shape {self._input_spatial}, received "
                             f"{tuple(inputs.shape[2:])} (its weights are per position).")
        batch = inputs.shape[0]
        patches = self._patches(inputs)  # (batch, channels, window, positions)
        kernel = self.kernel.view(self._kernel_view)
        kernel = kernel.flatten(1, self.rank) if self.data_format == "channels_last" \
            else kernel.flatten(2, self.rank + 1)
        equation = "ncwp,pwcf->nfp" if self.data_format == "channels_last" else "ncwp,pcwf->nfp"
        out = torch.einsum(equation, patches, kernel)
        out = out.reshape(batch, self.filters, *self.output_spatial)
        if self.bias is not None:
            bias = self.bias.movedim(-1, 0) if self.data_format == "channels_last" \
                else self.bias.reshape(self.filters, *self.output_spatial)  # Keras 2's K.bias_add
            out = out + bias
        return self.activation(out)

    def _output_spatial(self, input_shape):
        self._check_input_shape(input_shape)
        spatial = tuple(input_shape[1:-1]) if self.data_format == "channels_last" \
            else tuple(input_shape[2:])
        out = tuple(None if n is None else (n - k) // s + 1
                    for n, k, s in zip(spatial, self.kernel_size, self.strides))
        if any(n is not None and n < k for n, k in zip(spatial, self.kernel_size)):
            raise ValueError(f"{type(self).__name__} {self.name!r}: kernel_size="
                             f"{self.kernel_size} is larger than the input's spatial shape "
                             f"{spatial} (input shape {tuple(input_shape)}, "
                             f"data_format={self.data_format!r}); only padding='valid' exists "
                             f"for this layer, so use a smaller kernel_size or a larger input.")
        return out

    def compute_output_shape(self, input_shape):
        spatial = self._output_spatial(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, self.filters)
        return (input_shape[0], self.filters, *spatial)


@registry.register()
class LocallyConnected1D(LocallyConnected):
    """Keras 2's locally connected layer over `(batch, steps, channels)`: like `Conv1D`, but
    each output step has its own filters. Weights: kernel `(output_length, kernel_size *
    input_dim, filters)`, bias `(output_length, filters)`; only `padding='valid'`.

    Args:
        filters: number of output channels.
        kernel_size: the window length (an int or a tuple of one int).
        strides: the step between windows.
        padding: `'valid'` only.
        data_format: `'channels_last'` (default) or `'channels_first'` (`(batch, channels,
            steps)`).
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as in
            Keras.
        implementation: 1, 2 or 3 (Keras 2's memory/speed trade-offs of one function; all
            computed here the same way, with implementation 1's weights).

    >>> LocallyConnected1D(4, 3)(np.ones((2, 10, 5))).shape
    torch.Size([2, 8, 4])
    """

    rank = 1

    def _patches(self, x):
        # (n, c, steps) -> (n, c, positions, k) -> (n, c, k, positions)
        return x.unfold(2, self.kernel_size[0], self.strides[0]).transpose(2, 3)


@registry.register()
class LocallyConnected2D(LocallyConnected):
    """Keras 2's locally connected layer over images `(batch, rows, cols, channels)`: like
    `Conv2D`, but each output position has its own filters. Weights: kernel
    `(output_rows * output_cols, kernel_rows * kernel_cols * input_channels, filters)`, bias
    `(output_rows, output_cols, filters)`; only `padding='valid'`. Arguments as
    `LocallyConnected1D`, with `kernel_size` and `strides` ints or pairs.

    >>> LocallyConnected2D(4, (3, 3))(np.ones((2, 6, 6, 3))).shape
    torch.Size([2, 4, 4, 4])
    """

    rank = 2

    def _patches(self, x):
        n, c = x.shape[0], x.shape[1]
        cols = F.unfold(x, self.kernel_size, stride=self.strides)  # (n, c * kh * kw, positions)
        return cols.view(n, c, self.kernel_size[0] * self.kernel_size[1], cols.shape[-1])
