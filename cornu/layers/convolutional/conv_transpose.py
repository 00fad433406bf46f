"""Conv1DTranspose, Conv2DTranspose and Conv3DTranspose.

Output sizes follow Keras: with `output_padding=None`, 'valid' gives
`(n - 1) * s + max(k, s)` and 'same' gives `n * s`; otherwise
`(n - 1) * s + k - 2 * pad + output_padding`. Keras places its (possibly uneven) padding as
JAX does; torch's `padding=` removes the same amount from both ends and `output_padding=` adds
to the end, which covers most settings in one call; the rest crop or pad the result.
"""
import torch.nn.functional as F

from cornu import activations, constraints, initializers, regularizers
from cornu.utils import conv_utils
from cornu.layers.convolutional.base_conv import CONV_TRANSPOSE, SpatialLayer, ser, torch_order
from cornu.layers.layer import registry


def _keras_crops(kernel, stride, dilation, padding, output_padding):
    """How much Keras removes from each end of the full transposed output `(n-1)*s + k_eff`
    (negative: zeros it adds)."""
    k = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return 0, -extra
    total = stride + k - 2 if output_padding is None else k + k % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, k - 1)
    return k - 1 - left, k - 1 - (total - left)


class BaseConvTranspose(SpatialLayer):
    """Abstract transposed convolution (the gradient of a convolution, "deconvolution").

    Args:
        filters, kernel_size, strides, padding ('valid' or 'same'), data_format, dilation_rate,
        activation, use_bias and the initializers, regularizers and constraints: as in Conv2D.
        output_padding: int or tuple, the extra cells added at the end of each spatial axis
            (must be smaller than the stride); None lets Keras's rule pick it.

    The kernel has Keras's shape `(*kernel_size, filters, input_channels)`.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = f"{type(self).__name__} {self.name!r}"
        self._init_spatial(kernel_size, strides, padding, data_format, dilation_rate)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{owner}: `filters` must be a positive integer, received "
                             f"filters={filters!r}.")
        self.output_padding = None if output_padding is None else conv_utils.normalize_tuple(
            output_padding, self.rank, "output_padding", owner, allow_zero=True)
        if self.output_padding is not None and any(
                p >= s for p, s in zip(self.output_padding, self.strides)):
            raise ValueError(f"{owner}: every value of `output_padding` must be smaller than the "
                             f"matching stride; received output_padding={self.output_padding} "
                             f"and strides={self.strides}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: `strides > 1` is not supported together with "
                             f"`dilation_rate > 1`; received strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}.")
        self.filters = filters
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._plan_torch_padding()

    def _plan_torch_padding(self):
        pads, out_pads, fixes = [], [], []
        ops = self.output_padding or (None,) * self.rank
        for k, s, d, op in zip(self.kernel_size, self.strides, self.dilation_rate, ops):
            left, right = _keras_crops(k, s, d, self.padding, op)
            torch_op = min(max(left - right, 0), max(s, d) - 1)
            pads.append(left)
            out_pads.append(torch_op)
            fixes.append(left - right - torch_op)  # >0: zeros to add at the end, <0: to crop
        self._torch_padding, self._torch_output_padding = tuple(pads), tuple(out_pads)
        self._end_fix = None if not any(fixes) else tuple(fixes)

    def build(self, input_shape):
        n_in = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self._n_channels = n_in
        self._order = torch_order(self.rank)  # Keras (*k, filters, in) → torch (in, filters, *k)
        self.kernel = self._weight("kernel", self.kernel_size + (self.filters, n_in),
                                   storage_order=self._order)
        self.bias = None
        if self.use_bias:
            self.bias = self._weight("bias", (self.filters,))

    def call(self, inputs):
        conv = CONV_TRANSPOSE[self.rank]
        weight = self.kernel.permute(self._order)
        if self._end_fix is None:
            outputs = conv(inputs, weight, self.bias, self.strides, self._torch_padding,
                           self._torch_output_padding, 1, self.dilation_rate)
        else:
            outputs = conv(inputs, weight, None, self.strides, self._torch_padding,
                           self._torch_output_padding, 1, self.dilation_rate)
            crop = tuple(slice(None, f if f < 0 else None) for f in self._end_fix)
            outputs = outputs[(slice(None), slice(None)) + crop]
            if any(f > 0 for f in self._end_fix):
                outputs = F.pad(outputs, [v for f in reversed(self._end_fix) for v in (0, max(f, 0))])
            if self.bias is not None:
                outputs = outputs + self.bias.reshape((-1,) + (1,) * self.rank)
        return outputs if self.activation is activations.linear else self.activation(outputs)

    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        ops = self.output_padding or (None,) * self.rank
        out = []
        for n, k, s, d, op in zip(spatial, self.kernel_size, self.strides, self.dilation_rate,
                                  ops):
            left, right = _keras_crops(k, s, d, self.padding, op)
            out.append(None if n is None else (n - 1) * s + (k - 1) * d + 1 - left - right)
        return conv_utils.with_channels(input_shape[0], out, self.filters, self.data_format)


@registry.register()
class Conv1DTranspose(BaseConvTranspose):
    """Transposed 1D convolution over `(batch, steps, channels)`."""

    rank = 1


@registry.register()
class Conv2DTranspose(BaseConvTranspose):
    """Transposed 2D convolution over `(batch, rows, cols, channels)`.

    >>> Conv2DTranspose(4, 3, strides=2, padding="same")(np.ones((1, 5, 5, 2))).shape
    torch.Size([1, 10, 10, 4])
    """

    rank = 2


@registry.register()
class Conv3DTranspose(BaseConvTranspose):
    """Transposed 3D convolution over `(batch, dim1, dim2, dim3, channels)`. Note Keras's
    argument order here: `data_format` comes before `output_padding`."""

    rank = 3

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 output_padding=None, dilation_rate=1, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, **kwargs)


