"""Keras 2's LocallyConnected1D and LocallyConnected2D (removed in Keras 3): a convolution
whose weights are not shared, each output position having its own filters.

`y[p] = activation(patch(x, p) . kernel[p] + bias[p])` for every output position `p` (output
positions in row-major order). The weights have Keras 2's shapes and order, so `get_weights()`
and Keras 2 `.h5` files match. `implementation=1` (the default):

- kernel `(output_positions, prod(kernel_size) * input_channels, filters)`, a patch flattened
  as Keras 2's `K.local_conv` flattens it: `(*kernel_size, channels)` for channels_last,
  `(channels, *kernel_size)` for channels_first;
- bias `(*output_spatial, filters)`. With channels_first, Keras 2's `K.bias_add` reshapes
  (not transposes) that array to `(filters, *output_spatial)`; cornu reads it the same way.

tf.keras 2.3+'s `implementation=2` keeps a dense kernel `(*input_spatial, channels,
*output_spatial, filters)` (channels_first: `(channels, *input_spatial, filters,
*output_spatial)`) of which only the connected entries count, and `implementation=3` a vector
of the connected `(output, input)` pairs' weights, sorted by their flat indices; the bias is
the same. cornu stores each in Keras's layout and computes all three the same way: the
patches from one `unfold`, implementation 1's kernel (for 2 and 3 gathered from theirs by an
index built once) and one `einsum` for every position at once. Only `padding='valid'`.
"""
import numpy as np
import torch
import torch.nn.functional as F

from cornu import activations, constraints, initializers, regularizers
from cornu.layers.convolutional.base_conv import SpatialLayer
from cornu.layers.layer import registry
from cornu.utils.validation import check_int


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
            raise ValueError(f"{owner}: cornu supports only padding='valid' (Keras 2 took "
                             f"'same' only with implementation 2 or 3), received "
                             f"padding={padding!r}.")
        filters = check_int(filters, "filters", owner)
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
        self._input_spatial = self._fixed_spatial(input_shape)
        self.output_spatial = self._output_spatial(input_shape)
        self._n_channels = n_in
        positions, window = int(np.prod(self.output_spatial)), int(np.prod(self.kernel_size))
        last = self.data_format == "channels_last"
        shape = {1: (positions, window * n_in, self.filters),
                 2: (*self._input_spatial, n_in, *self.output_spatial, self.filters) if last
                 else (n_in, *self._input_spatial, self.filters, *self.output_spatial),
                 3: (positions * window * n_in * self.filters,)}[self.implementation]
        self.kernel = self._weight("kernel", shape)
        self.bias = None
        if self.use_bias:
            self.bias = self._weight("bias", self.output_spatial + (self.filters,))
        # `call` reads the kernel as (positions, window, channels, filters) for channels_last,
        # (positions, channels, window, filters) for channels_first: implementation 1's order.
        self._kernel_view = (positions, window, n_in, self.filters) if last \
            else (positions, n_in, window, self.filters)
        self._gather = None if self.implementation == 1 else torch.as_tensor(
            self._kernel_indices(n_in), device=self.kernel.device)

    def _kernel_indices(self, n_in):
        """For implementations 2 and 3: where each entry of implementation 1's kernel lies in
        theirs, as Keras lays them out (2: the dense kernel, only the connected entries used;
        3: the connected (output, input) pairs' weights, sorted by their flat indices)."""
        out_sp, in_sp, f_out = self.output_spatial, self._input_spatial, self.filters
        out_pos = np.array(list(np.ndindex(*out_sp)))  # (P, rank), row-major
        offsets = np.array(list(np.ndindex(*self.kernel_size)))  # (W, rank)
        in_pos = out_pos[:, None] * np.array(self.strides) + offsets[None]  # (P, W, rank)
        grid = np.broadcast_to  # every index below broadcasts to (P, W, C, F)
        p_in = [in_pos[:, :, None, None, d] for d in range(self.rank)]
        p_out = [out_pos[:, None, None, None, d] for d in range(self.rank)]
        c = np.arange(n_in)[None, None, :, None]
        f = np.arange(f_out)[None, None, None, :]
        last = self.data_format == "channels_last"
        if self.implementation == 2:
            flat = np.ravel_multi_index(
                [*p_in, c, *p_out, f] if last else [c, *p_in, f, *p_out],
                tuple(self.kernel.shape))
        else:
            out_idx = np.ravel_multi_index([*p_out, f] if last else [f, *p_out],
                                           (*out_sp, f_out) if last else (f_out, *out_sp))
            in_idx = np.ravel_multi_index([*p_in, c] if last else [c, *p_in],
                                          (*in_sp, n_in) if last else (n_in, *in_sp))
            key = grid(out_idx * (int(np.prod(in_sp)) * n_in) + in_idx,
                       (len(out_pos), len(offsets), n_in, f_out)).ravel()
            flat = np.empty(key.size, np.int64)
            flat[np.argsort(key, kind="stable")] = np.arange(key.size)
            flat = flat.reshape(len(out_pos), len(offsets), n_in, f_out)
        flat = grid(flat, (len(out_pos), len(offsets), n_in, f_out))
        return np.array(flat if last else flat.transpose(0, 2, 1, 3))  # a writable copy

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
        if self._gather is None:
            kernel = self.kernel.view(self._kernel_view)
        else:  # the index lives beside the kernel (moved once when the layer moves)
            gather = self._gather
            if gather.device != self.kernel.device:
                gather = gather.to(self.kernel.device)
                if self.kernel.device.type != "meta":
                    self._gather = gather
            kernel = self.kernel.reshape(-1)[gather]
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
        implementation: 1, 2 or 3: the weights' layout (tf.keras 2's memory/speed
            trade-offs of one function, see the module's notes); the same computation here.

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
