"""ConvLSTM1D/2D/3D: LSTMs whose input and recurrent transforms are convolutions."""
import torch
import torch.nn.functional as F

from cornu import activations, constraints, initializers, regularizers
from cornu.backend.config import image_data_format
from cornu.layers.attention.einsum_dense import serialized
from cornu.layers.layer import Layer, registry
from cornu.utils import conv_utils
from cornu.utils.validation import check_int

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


class ConvLSTM(Layer):
    """The ConvLSTM of Shi et al. (2015), with Keras 3's arguments and weight layout.

    Weights: `kernel` `(*kernel_size, in_channels, 4 * filters)`, `recurrent_kernel`
    `(*kernel_size, filters, 4 * filters)`, `bias` `(4 * filters,)`, the gates in Keras's order
    input, forget, cell, output. Each step: `i, f, o = recurrent_activation(conv(x) + conv_r(h))`,
    `c = f * c + i * activation(conv(x) + conv_r(h))`, `h = o * activation(c)`; the input
    convolution uses `strides`, `padding` and `dilation_rate`, the recurrent one "same".

    Input `(batch, time, *spatial, channels)` (channels_last); output the last `h`, or every
    step's with `return_sequences`, plus `[h, c]` with `return_state`.
    """
    _config_extra = {"zero_output_for_mask": False}  # Keras 3.15's config writes it
    rank = 2
    supports_masking = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner, n = type(self).__name__, self.rank
        if stateful:
            raise NotImplementedError(f"{owner}: stateful=True is not supported yet.")
        self.filters = check_int(filters, "filters", owner)
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, n, "kernel_size", owner)
        self.strides = conv_utils.normalize_tuple(strides, n, "strides", owner)
        self.padding = conv_utils.normalize_padding(padding, owner)
        self.data_format = data_format or image_data_format()
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, n, "dilation_rate", owner)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = use_bias, unit_forget_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = seed
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.stateful, self.unroll = go_backwards, stateful, unroll

    def build(self, input_shape):
        if len(input_shape) != self.rank + 3:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of rank "
                             f"{self.rank + 3} (batch, time, *spatial, channels), got shape "
                             f"{tuple(input_shape)}.")
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[2]
        four = 4 * self.filters
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (channels, four),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=self.kernel_size + (self.filters, four),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(four,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
            if self.unit_forget_bias:
                with torch.no_grad():
                    self.bias[self.filters:2 * self.filters] += 1.0

    # ------------------------------------------------------------------- call
    def _torch_kernel(self, kernel):
        # (*k, in, out) -> (out, in, *k): torch's layout, a view
        n = self.rank
        return kernel.permute(n + 1, n, *range(n))

    def _pad(self, x, stride, dilation):
        pads = []
        for axis in reversed(range(self.rank)):
            pads.extend(conv_utils.same_padding(x.shape[2 + axis], self.kernel_size[axis],
                                                stride[axis], dilation[axis]))
        return F.pad(x, pads)

    def call(self, inputs, mask=None, training=False, initial_state=None):
        conv = _CONV[self.rank]
        x = inputs if self.data_format == "channels_first" else inputs.movedim(-1, 2)
        if self.go_backwards:
            x = x.flip(1)
            mask = None if mask is None else mask.flip(1)
        batch, steps = x.shape[:2]
        kernel = self._torch_kernel(self.kernel)
        r_kernel = self._torch_kernel(self.recurrent_kernel)
        # the input convolution of every step at once: time folded into the batch
        flat = x.reshape((batch * steps,) + tuple(x.shape[2:]))
        drop = training and 0 < self.dropout < 1
        if self.padding == "same":
            flat = self._pad(flat, self.strides, self.dilation_rate)
        if drop:  # one mask per gate, the same at every step (as Keras)
            masks = [F.dropout(torch.ones_like(x[:, 0]), self.dropout, True) for _ in range(4)]
            parts = [conv(flat * m.repeat_interleave(steps, 0), w, b, self.strides, 0,
                          self.dilation_rate)
                     for m, w, b in zip(masks, kernel.chunk(4, 0),
                                        (self.bias.chunk(4) if self.bias is not None
                                         else [None] * 4))]
            xs = torch.cat(parts, 1)
        else:
            xs = conv(flat, kernel, self.bias, self.strides, 0, self.dilation_rate)
        xs = xs.reshape((batch, steps) + tuple(xs.shape[1:]))
        spatial = tuple(xs.shape[3:])
        if initial_state is not None:
            h, c = (s if self.data_format == "channels_first" else s.movedim(-1, 1)
                    for s in initial_state)
        else:
            h = xs.new_zeros((batch, self.filters) + spatial)
            c = xs.new_zeros((batch, self.filters) + spatial)
        rec_masks = None
        if training and 0 < self.recurrent_dropout < 1:
            rec_masks = [F.dropout(torch.ones_like(h), self.recurrent_dropout, True)
                         for _ in range(4)]
        ones = (1,) * self.rank
        outputs = []
        for t in range(steps):
            if rec_masks is None:
                hr = conv(self._pad(h, ones, ones), r_kernel)
            else:
                hr = torch.cat([conv(self._pad(h * m, ones, ones), w) for m, w in
                                zip(rec_masks, r_kernel.chunk(4, 0))], 1)
            z = xs[:, t] + hr
            zi, zf, zc, zo = z.chunk(4, 1)
            i, f, o = (self.recurrent_activation(v) for v in (zi, zf, zo))
            c_new = f * c + i * self.activation(zc)
            h_new = o * self.activation(c_new)
            if mask is not None:  # masked steps keep the previous state
                keep = mask[:, t].view((batch,) + (1,) * (self.rank + 1)).to(torch.bool)
                h_new, c_new = torch.where(keep, h_new, h), torch.where(keep, c_new, c)
            h, c = h_new, c_new
            if self.return_sequences:
                outputs.append(h)
        out = torch.stack(outputs, 1) if self.return_sequences else h
        if self.data_format == "channels_last":
            out = out.movedim(2 if self.return_sequences else 1, -1)
            h, c = h.movedim(1, -1), c.movedim(1, -1)
        return [out, h, c] if self.return_state else out

    def compute_mask(self, inputs, previous_mask=None):
        if previous_mask is None or not self.return_sequences:
            return [None] * 3 if self.return_state else None
        return [previous_mask, None, None] if self.return_state else previous_mask

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        first = self.data_format == "channels_first"
        spatial = input_shape[3:] if first else input_shape[2:-1]
        out = tuple(conv_utils.conv_output_length(s, k, st, self.padding, d) for s, k, st, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        state = (input_shape[0],) + ((self.filters,) + out if first else out + (self.filters,))
        seq = (state[0], input_shape[1]) + state[1:]
        output = seq if self.return_sequences else state
        return [output, state, state] if self.return_state else output

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("zero_output_for_mask", None)  # Keras writes it; a ConvLSTM ignores it
        return super().from_config(config)


@registry.register()
class ConvLSTM1D(ConvLSTM):
    """ConvLSTM over sequences of 1-D inputs `(batch, time, steps, channels)`."""
    rank = 1


@registry.register()
class ConvLSTM2D(ConvLSTM):
    """ConvLSTM over sequences of images `(batch, time, rows, cols, channels)`."""
    rank = 2


@registry.register()
class ConvLSTM3D(ConvLSTM):
    """ConvLSTM over sequences of volumes `(batch, time, d1, d2, d3, channels)`."""
    rank = 3
