"""DepthwiseConv1D/2D (one filter bank per input channel) and SeparableConv1D/2D (a depthwise
convolution followed by a 1x1 pointwise one), with Keras's kernel shapes."""
import torch.nn.functional as F

from cornu import activations, constraints, initializers, regularizers
from cornu.utils import conv_utils
from cornu.layers.convolutional.base_conv import CONV, SpatialLayer, ser, torch_order
from cornu.layers.layer import registry


class _Depthwise(SpatialLayer):
    """The depthwise part: kernel `(*kernel_size, in, depth_multiplier)`, stored as torch's
    grouped-convolution weight `(in * depth_multiplier, 1, *kernel_size)`; output channel
    `c * depth_multiplier + m` is input channel `c` through filter `m`, as in Keras."""

    def _init_depthwise(self, kernel_size, strides, padding, depth_multiplier, data_format,
                        dilation_rate, activation, use_bias, depthwise_initializer,
                        bias_initializer, depthwise_regularizer, bias_regularizer,
                        depthwise_constraint, bias_constraint):
        self._init_spatial(kernel_size, strides, padding, data_format, dilation_rate)
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(f"{type(self).__name__} {self.name!r}: `depth_multiplier` must be a "
                             f"positive integer, received depth_multiplier={depth_multiplier!r}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{type(self).__name__} {self.name!r}: `strides > 1` is not "
                             "supported together with `dilation_rate > 1`; received "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}.")
        self.depth_multiplier = depth_multiplier
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _add_depthwise_kernel(self, name, n_in):
        self._dw_order = (self.rank, self.rank + 1) + tuple(range(self.rank))
        self._dw_shape = (n_in * self.depth_multiplier, 1) + self.kernel_size
        return self._weight("depthwise", self.kernel_size + (n_in, self.depth_multiplier),
                            name=name, storage_order=self._dw_order)

    def _depthwise(self, inputs, kernel, bias):
        pad, padding = self._padding_for(tuple(inputs.shape[2:]), self.kernel_size,
                                         self.strides, self.dilation_rate)
        if pad is not None:
            inputs = F.pad(inputs, pad)
        weight = kernel.permute(self._dw_order).reshape(self._dw_shape)  # a view
        return CONV[self.rank](inputs, weight, bias, self.strides, padding, self.dilation_rate,
                               inputs.shape[1])

    def _activate(self, outputs):
        return outputs if self.activation is activations.linear else self.activation(outputs)

    def _config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "depth_multiplier": self.depth_multiplier,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "depthwise_regularizer": ser(regularizers, self.depthwise_regularizer),
                "bias_regularizer": ser(regularizers, self.bias_regularizer),
                "activity_regularizer": ser(regularizers, self.activity_regularizer),
                "depthwise_constraint": ser(constraints, self.depthwise_constraint),
                "bias_constraint": ser(constraints, self.bias_constraint)}


class BaseDepthwiseConv(_Depthwise):
    """Depthwise convolution: each input channel convolved with its own `depth_multiplier`
    filters. Kernel `(*kernel_size, in_channels, depth_multiplier)`, bias
    `(in_channels * depth_multiplier,)`. Other arguments as in `Conv2D`."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._init_depthwise(kernel_size, strides, padding, depth_multiplier, data_format,
                             dilation_rate, activation, use_bias, depthwise_initializer,
                             bias_initializer, depthwise_regularizer, bias_regularizer,
                             depthwise_constraint, bias_constraint)

    def build(self, input_shape):
        n_in = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self._n_channels = n_in
        self.kernel = self._add_depthwise_kernel("kernel", n_in)
        self.bias = None
        if self.use_bias:
            self.bias = self._weight("bias", (n_in * self.depth_multiplier,))

    def call(self, inputs):
        return self._activate(self._depthwise(inputs, self.kernel, self.bias))

    def compute_output_shape(self, input_shape):
        n_in = self._input_channels(input_shape)
        spatial = self._window_output(input_shape, self.kernel_size, self.strides,
                                      self.dilation_rate)
        return conv_utils.with_channels(input_shape[0], spatial, n_in * self.depth_multiplier,
                                        self.data_format)


class BaseSeparableConv(_Depthwise):
    """Depthwise convolution (kernel `(*kernel_size, in, depth_multiplier)`) followed by a
    pointwise one (kernel `(1, ..., 1, in * depth_multiplier, filters)`) and the bias.
    Arguments as in `Conv2D`, plus `depth_multiplier` and the `pointwise_*` settings."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._init_depthwise(kernel_size, strides, padding, depth_multiplier, data_format,
                             dilation_rate, activation, use_bias, depthwise_initializer,
                             bias_initializer, depthwise_regularizer, bias_regularizer,
                             depthwise_constraint, bias_constraint)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{type(self).__name__} {self.name!r}: `filters` must be a "
                             f"positive integer, received filters={filters!r}.")
        self.filters = filters
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        n_in = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self._n_channels = n_in
        self.depthwise_kernel = self._add_depthwise_kernel("depthwise_kernel", n_in)
        self._pw_order = torch_order(self.rank)
        self.pointwise_kernel = self._weight(
            "pointwise", (1,) * self.rank + (n_in * self.depth_multiplier, self.filters),
            name="pointwise_kernel", storage_order=self._pw_order)
        self.bias = None
        if self.use_bias:
            self.bias = self._weight("bias", (self.filters,))

    def call(self, inputs):
        hidden = self._depthwise(inputs, self.depthwise_kernel, None)
        outputs = CONV[self.rank](hidden, self.pointwise_kernel.permute(self._pw_order),
                                  self.bias)
        return self._activate(outputs)

    def compute_output_shape(self, input_shape):
        spatial = self._window_output(input_shape, self.kernel_size, self.strides,
                                      self.dilation_rate)
        return conv_utils.with_channels(input_shape[0], spatial, self.filters, self.data_format)


@registry.register()
class DepthwiseConv1D(BaseDepthwiseConv):
    """Depthwise 1D convolution over `(batch, steps, channels)`."""

    rank = 1


@registry.register()
class DepthwiseConv2D(BaseDepthwiseConv):
    """Depthwise 2D convolution over `(batch, rows, cols, channels)`.

    >>> DepthwiseConv2D(3, depth_multiplier=2)(np.ones((1, 5, 5, 4))).shape
    torch.Size([1, 3, 3, 8])
    """

    rank = 2


@registry.register()
class SeparableConv1D(BaseSeparableConv):
    """Separable 1D convolution over `(batch, steps, channels)`."""

    rank = 1


@registry.register()
class SeparableConv2D(BaseSeparableConv):
    """Separable 2D convolution over `(batch, rows, cols, channels)`.

    >>> SeparableConv2D(8, 3, padding="same")(np.ones((1, 5, 5, 4))).shape
    torch.Size([1, 5, 5, 8])
    """

    rank = 2


