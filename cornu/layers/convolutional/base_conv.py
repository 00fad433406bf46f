"""`SpatialLayer`: what every convolution and pooling layer shares.

Arguments in Keras's spellings (int or tuple), the internal layout (channels-first tensors for
`data_format='channels_last'`, see backend/layout.py), rank checks with errors that name the
layer and suggest the reshape, and Keras's 'same' / 'causal' padding turned into torch's
symmetric `padding=` (plus one `F.pad` only when Keras pads unevenly).
"""
import torch.nn.functional as F

from cornu import activations, constraints, initializers, regularizers
from cornu.backend import layout as layouts
from cornu.backend.config import standardize_data_format
from cornu.layers.core.lora import LoraMixin
from cornu.utils import conv_utils
from cornu.layers.layer import Layer
from cornu.graph.keras_tensor import KerasTensor

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def torch_order(rank):
    """Keras kernel `(*kernel_size, a, b)` → torch's `(b, a, *kernel_size)`: the storage order."""
    return (rank + 1, rank) + tuple(range(rank))


def ser(module, obj):
    return None if obj is None else module.serialize(obj)


class SpatialLayer(Layer):
    """Base of layers over 1, 2 or 3 spatial axes; subclasses set `rank` and call
    `_init_spatial` (windowed layers) or `_init_layout` (padding, cropping, upsampling)."""

    rank = None

    def _init_spatial(self, kernel_size, strides, padding, data_format, dilation_rate=1,
                      kernel_name="kernel_size", allow_causal=False, allow_zero_strides=False):
        owner = f"{type(self).__name__} {self.name!r}"
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, self.rank, kernel_name, owner)
        self.strides = conv_utils.normalize_tuple(strides, self.rank, "strides", owner,
                                                  allow_zero=allow_zero_strides)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, self.rank,
                                                        "dilation_rate", owner)
        self.padding = conv_utils.normalize_padding(padding, owner, allow_causal)
        self._init_layout(data_format)
        self._paddings = {}

    def _init_layout(self, data_format):
        self.data_format = standardize_data_format(data_format)
        # channels_last data arrives as (N, C, *spatial) views (see backend/layout.py), the
        # layout torch's kernels take; channels_first data already is in it.
        self.layout = layouts.CHANNELS_FIRST if self.data_format == "channels_last" \
            else layouts.KERAS
        self._n_channels = None

    # ------------------------------------------------------------------ shapes
    def _check_input_shape(self, input_shape):
        conv_utils.check_rank(self, input_shape, self.rank, self.data_format, self._n_channels)

    def __call__(self, *args, **kwargs):
        shape = getattr(args[0], "shape", None) if args else None
        if shape is not None and len(shape) != self.rank + 2:
            shape = (None,) + tuple(shape)[1:] if len(shape) else tuple(shape)
            self._check_input_shape(shape)
        elif self._n_channels is not None and isinstance(args[0], KerasTensor):
            # a built layer called again in a graph (once per graph call, never per step)
            n = conv_utils.channels(tuple(shape), self.data_format)
            if n is not None and n != self._n_channels:
                raise ValueError(f"Input 0 of layer {self.name!r} ({type(self).__name__}) is "
                                 f"incompatible with the layer: it was built for "
                                 f"{self._n_channels} input channels, received shape "
                                 f"{tuple(shape)} with {n}.")
        return super().__call__(*args, **kwargs)

    def _input_channels(self, input_shape):
        self._check_input_shape(input_shape)
        n = conv_utils.channels(input_shape, self.data_format)
        if n is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the channel dimension of "
                             f"the input must be known, received input shape "
                             f"{tuple(input_shape)} (data_format={self.data_format!r}).")
        return int(n)

    def _window_output(self, input_shape, window, strides, dilation, what="kernel_size"):
        """Spatial output shape for a sliding window; errors when the window does not fit."""
        self._check_input_shape(input_shape)
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        out = [conv_utils.conv_output_length(n, k, s, self.padding, d)
               for n, k, s, d in zip(spatial, window, strides, dilation)]
        if self.padding == "valid":
            conv_utils.check_output_positive(
                self, input_shape, out, conv_utils.effective_kernel(window, dilation), what,
                self.data_format, self.padding)
        return tuple(out)

    # ---------------------------------------------------------------- padding
    def _padding_for(self, spatial, window, strides, dilation):
        """(`F.pad` argument or None, torch `padding=`) for an input of `spatial` size; cached."""
        plan = self._paddings.get(spatial)
        if plan is None:
            if self.padding == "valid":
                plan = (None, 0)
            elif self.padding == "causal":
                plan = ((conv_utils.effective_kernel(window, dilation)[0] - 1, 0), 0)
            else:
                pairs = [conv_utils.same_padding(n, k, s, d)
                         for n, k, s, d in zip(spatial, window, strides, dilation)]
                if all(left == right for left, right in pairs):
                    plan = (None, tuple(left for left, _ in pairs))
                else:
                    plan = (tuple(v for pair in reversed(pairs) for v in pair), 0)
            self._paddings[spatial] = plan
        return plan


class BaseConv(LoraMixin, SpatialLayer):
    """Abstract N-D convolution: `activation(conv(inputs, kernel) + bias)`.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of `rank` ints, the size of the convolution window.
        strides: int or tuple of `rank` ints (`strides > 1` excludes `dilation_rate > 1`).
        padding: `'valid'` (no padding), `'same'` (output size `ceil(input / strides)`, padded
            as Keras pads: the odd cell goes right/bottom) or, for 1D, `'causal'`.
        data_format: `'channels_last'` (default) or `'channels_first'`.
        dilation_rate: int or tuple of `rank` ints.
        groups: the input channels are split in `groups` groups convolved separately.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as in Keras.
        lora_rank, lora_alpha: LoRA of the kernel (see `enable_lora`, layers/core/lora.py).

    The kernel has Keras's shape `(*kernel_size, input_channels // groups, filters)`; it is
    stored in torch's `(filters, in, *kernel_size)` order so `call` uses it without a copy.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = f"{type(self).__name__} {self.name!r}"
        self._init_spatial(kernel_size, strides, padding, data_format, dilation_rate,
                           allow_causal=self.rank == 1)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{owner}: `filters` must be a positive integer, received "
                             f"filters={filters!r}.")
        if not isinstance(groups, int) or groups <= 0 or filters % groups:
            raise ValueError(f"{owner}: `groups` must be a positive integer dividing "
                             f"filters={filters}, received groups={groups!r}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: `strides > 1` is not supported together with "
                             f"`dilation_rate > 1`; received strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}.")
        self.filters, self.groups = filters, groups
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha, None)

    _config_omit = ("lora_rank", "lora_alpha")  # written only when set (LoraMixin)

    def build(self, input_shape):
        n_in = self._input_channels(input_shape)
        if n_in % self.groups:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the input's {n_in} channels "
                             f"must be divisible by groups={self.groups} (input shape "
                             f"{tuple(input_shape)}).")
        self.compute_output_shape(input_shape)
        self._n_channels = n_in
        self._order = torch_order(self.rank)
        self.kernel = self._weight("kernel", self.kernel_size + (n_in // self.groups, self.filters),
                                   storage_order=self._order)
        self.bias = None
        if self.use_bias:
            self.bias = self._weight("bias", (self.filters,))
        self._conv = CONV[self.rank]
        self._linear = self.activation is activations.linear
        self._build_lora()

    def call(self, inputs):
        pad, padding = self._padding_for(tuple(inputs.shape[2:]), self.kernel_size,
                                         self.strides, self.dilation_rate)
        if pad is not None:
            inputs = F.pad(inputs, pad)
        kernel = self._lora_weight() if self.lora_enabled else self.kernel
        outputs = self._conv(inputs, kernel.permute(self._order), self.bias, self.strides,
                             padding, self.dilation_rate, self.groups)
        return outputs if self._linear else self.activation(outputs)

    def compute_output_shape(self, input_shape):
        spatial = self._window_output(input_shape, self.kernel_size, self.strides,
                                      self.dilation_rate)
        return conv_utils.with_channels(input_shape[0], spatial, self.filters, self.data_format)

    def extra_repr(self):
        return (f"filters={self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
                f"padding={self.padding!r}, data_format={self.data_format!r}")
