"""The rest of Keras 1/2's `keras.backend` that custom layers call: convolutions, pooling,
padding, random tensors and variables, phases (tf.keras 2's `K.*` signatures).

Each is one call into `cornu.ops` or torch; `install` adds them to `cornu.backend` after
backend_math's table. Graph-mode functions (`placeholder`, `update_add`, `gradients`, ...) stay
out: `cornu.backend` explains why when they are asked for. Keras 1's spellings (`std=` in
`K.random_normal`, `dim_ordering=`, `'th'`) are read here, as the functions of that era took them.
"""
import itertools

import numpy as np
import torch
import torch.nn.functional as F

from cornu import ops
from cornu.backend.config import floatx, get_device, torch_dtype
from cornu.backend.variables import Variable
from cornu.compat import backend_math

_ORDERING = {"th": "channels_first", "tf": "channels_last"}


def _format(data_format, dim_ordering=None):
    value = data_format or dim_ordering
    return _ORDERING.get(value, value)


def _tensor(x):
    return backend_math._tensor(x)


# ------------------------------------------------------------------------ convolutions
def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """`K.conv1d`: kernel `(width, in, out)`; `padding='causal'` pads the left only."""
    if padding == "causal":
        left = dilation_rate * (kernel.shape[0] - 1)
        x = temporal_padding(x, (left, 0)) if _format(data_format) != "channels_first" else \
            F.pad(_tensor(x), (left, 0))
        padding = "valid"
    return ops.conv(x, kernel, strides, padding, _format(data_format), dilation_rate)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
           dim_ordering=None, border_mode=None, filter_shape=None, image_shape=None):
    """`K.conv2d`: kernel `(rows, cols, in, out)` (Keras 1's `border_mode`, `dim_ordering` too)."""
    return ops.conv(x, kernel, strides, border_mode or padding, _format(data_format, dim_ordering),
                    dilation_rate)


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    return ops.conv(x, kernel, strides, padding, _format(data_format), dilation_rate)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    return ops.depthwise_conv(x, depthwise_kernel, strides, padding, _format(data_format),
                              dilation_rate)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """The depthwise convolution, then the `(1, 1, in * multiplier, out)` pointwise one."""
    data_format = _format(data_format)
    x = ops.depthwise_conv(x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return ops.conv(x, pointwise_kernel, 1, "valid", data_format)


def _pool(x, pool_size, strides, padding, data_format, pool_mode, dim_ordering=None,
          border_mode=None):
    pool = ops.max_pool if pool_mode == "max" else ops.average_pool
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"K.pool: `pool_mode` must be 'max' or 'avg', got {pool_mode!r}.")
    return pool(x, pool_size, strides, border_mode or padding, _format(data_format, dim_ordering))


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max",
           dim_ordering=None, border_mode=None):
    """`K.pool2d`: Keras 2's default `strides=(1, 1)` (not the pool size)."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, dim_ordering,
                 border_mode)


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None, pool_mode="max",
           dim_ordering=None, border_mode=None):
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, dim_ordering,
                 border_mode)


def bias_add(x, bias, data_format=None):
    """`x + bias` on the channel axis (the second with `channels_first`)."""
    x, bias = _tensor(x), _tensor(bias)
    if _format(data_format) == "channels_first" and x.ndim > 2:
        bias = bias.reshape((1, -1) + (1,) * (x.ndim - 2)) if bias.ndim == 1 else \
            bias.movedim(-1, 0).unsqueeze(0)
    return x + bias


# ------------------------------------------------------------------------ padding, resizing
def temporal_padding(x, padding=(1, 1)):
    """Pads axis 1 of a `(batch, steps, features)` tensor with zeros."""
    return F.pad(_tensor(x), (0, 0, padding[0], padding[1]))


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None, dim_ordering=None):
    """Pads the two spatial axes with zeros (Keras 1's `padding=(1, 1)` pads both sides)."""
    x = _tensor(x)
    if isinstance(padding[0], int):
        padding = ((padding[0], padding[0]), (padding[1], padding[1]))
    (top, bottom), (left, right) = padding
    if _format(data_format, dim_ordering) == "channels_first":
        return F.pad(x, (left, right, top, bottom))
    return F.pad(x, (0, 0, left, right, top, bottom))


def resize_images(x, height_factor, width_factor, data_format=None, interpolation="nearest",
                  dim_ordering=None):
    """Upsamples the spatial axes by integer factors (`UpSampling2D`'s computation)."""
    x = _tensor(x)
    first = _format(data_format, dim_ordering) == "channels_first"
    x = x if first else x.permute(0, 3, 1, 2)
    out = F.interpolate(x, scale_factor=(height_factor, width_factor), mode=interpolation)
    return out if first else out.permute(0, 2, 3, 1)


# ------------------------------------------------------------------------ random
def _seeded(seed):
    return None if seed is None else torch.Generator().manual_seed(int(seed))


def _dims(shape):
    return tuple(int(d) for d in shape)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, std=None):
    """Normal samples; Keras 1 called the standard deviation `std`."""
    stddev = stddev if std is None else std
    out = torch.randn(_dims(shape), dtype=torch_dtype(dtype), generator=_seeded(seed))
    return (out * stddev + mean).to(get_device())


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn until within 2 standard deviations of the mean."""
    out = torch.empty(_dims(shape), dtype=torch_dtype(dtype))
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=_seeded(seed))
    return (out * stddev + mean).to(get_device())


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """1 with probability `p`, else 0."""
    draws = torch.rand(_dims(shape), generator=_seeded(seed))
    return (draws < p).to(torch_dtype(dtype)).to(get_device())


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    return Variable(random_normal(shape, mean, scale, dtype, seed), name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    return Variable(backend_math.random_uniform(shape, low, high, dtype, seed), name=name)


def dropout(x, level, noise_shape=None, seed=None):
    """Inverted dropout at rate `level` (always applied, as Keras 2's `K.dropout`)."""
    x = _tensor(x)
    shape = x.shape if noise_shape is None else _dims(
        d if d is not None else s for d, s in zip(noise_shape, x.shape))
    keep = (torch.rand(shape, generator=_seeded(seed)) >= level).to(x.dtype).to(x.device)
    return x * keep / (1.0 - level)


# ------------------------------------------------------------------------ phases
def _phase(training):
    if training is None:
        from cornu.backend import learning_phase
        training = learning_phase()
    return bool(int(training)) if not isinstance(training, torch.Tensor) else bool(training)


def in_train_phase(x, alt, training=None):
    """`x` in training, `alt` otherwise (either may be a function of no arguments)."""
    chosen = x if _phase(training) else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training)


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """`(x - mean) / sqrt(var + epsilon) * gamma + beta`."""
    x = _tensor(x)
    return (x - mean) / torch.sqrt(_tensor(var) + epsilon) * gamma + beta


# ------------------------------------------------------------------------ the rest
def logsumexp(x, axis=None, keepdims=False):
    return ops.logsumexp(x, axis=axis, keepdims=keepdims)


def sin(x):
    return torch.sin(backend_math._float(x))


def cos(x):
    return torch.cos(backend_math._float(x))


def cast_to_floatx(x):
    return np.asarray(x, dtype=floatx())


def map_fn(fn, elems, name=None, dtype=None):
    return torch.stack([fn(e) for e in _tensor(elems)])


def foldl(fn, elems, initializer=None, name=None):
    elems = list(_tensor(elems))
    acc = elems.pop(0) if initializer is None else initializer
    for e in elems:
        acc = fn(acc, e)
    return acc


def foldr(fn, elems, initializer=None, name=None):
    return foldl(fn, list(_tensor(elems))[::-1], initializer)


_UIDS = {}


def get_uid(prefix=""):
    """1, 2, 3... per prefix (Keras 2's layer-name counter)."""
    _UIDS.setdefault(prefix, itertools.count(1))
    return next(_UIDS[prefix])


def reset_uids():
    _UIDS.clear()


def print_tensor(x, message=""):
    print(message, x)
    return x


def lesser(x, y):  # Keras 1's names of less / less_equal
    return backend_math.less(x, y)


def lesser_equal(x, y):
    return backend_math.less_equal(x, y)


def reverse(x, axes):
    """`x` flipped along `axes` (an int or a list)."""
    axes = [axes] if isinstance(axes, int) else list(axes)
    return torch.flip(_tensor(x), axes)


def cumprod(x, axis=0):
    return torch.cumprod(_tensor(x), dim=axis)


def in_top_k(predictions, targets, k):
    """Whether each target class is among the `k` largest predictions of its row."""
    return ops.in_top_k(targets, predictions, k)


def identity(x, name=None):
    return _tensor(x).clone()


def get_variable_shape(x):
    return tuple(x.shape)


def is_sparse(tensor):
    return isinstance(tensor, torch.Tensor) and tensor.is_sparse


def to_dense(tensor):
    return tensor.to_dense() if is_sparse(tensor) else tensor


def atrous_conv2d(x, kernel, rate=1, border_mode="valid", dim_ordering=None, **kwargs):
    """Keras 1's dilated convolution: `conv2d` with `dilation_rate=(rate, rate)`."""
    return conv2d(x, kernel, padding=border_mode, data_format=_format(None, dim_ordering),
                  dilation_rate=(rate, rate))


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                     data_format=None, dilation_rate=1):
    data_format = _format(data_format)
    x = ops.depthwise_conv(x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return ops.conv(x, pointwise_kernel, 1, "valid", data_format)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    x = _tensor(x)
    pads = [v for pair in reversed(padding) for v in pair]
    if _format(data_format) == "channels_first":
        return F.pad(x, pads)
    return F.pad(x, [0, 0] + pads)


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format=None):
    x = _tensor(x)
    first = _format(data_format) == "channels_first"
    x = x if first else x.permute(0, 4, 1, 2, 3)
    out = F.interpolate(x, scale_factor=(depth_factor, height_factor, width_factor),
                        mode="nearest")
    return out if first else out.permute(0, 2, 3, 4, 1)


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """`(normalized, mean, variance)` over `reduction_axes` (biased variance)."""
    x = _tensor(x)
    axes = tuple(reduction_axes)
    mean = x.mean(dim=axes, keepdim=True)
    var = x.var(dim=axes, unbiased=False, keepdim=True)
    gamma = 1.0 if gamma is None else gamma
    beta = 0.0 if beta is None else beta
    normed = batch_normalization(x, mean, var, beta, gamma, epsilon=epsilon)
    return normed, mean.squeeze(), var.squeeze()


# ------------------------------------------------------------------------ K.rnn
def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False):
    """Keras 1/2's `K.rnn`: runs `step_function(x_t, states + constants) -> (output_t,
    new_states)` over the time axis of `inputs` `(batch, time, ...)`; returns
    `(last_output, outputs (batch, time, ...), new_states)`.

    With `go_backwards` the steps run from the end and `outputs` keep that order. Where
    `mask` `(batch, time)` is False a step keeps the previous states and repeats the previous
    output (zeros before the first, or always with `zero_output_for_mask`). `unroll` and
    `input_length` change nothing here: the loop is always a Python loop.
    """
    x = _tensor(inputs)
    if time_major:
        x = x.transpose(0, 1)
    if x.ndim < 3 or x.shape[1] == 0:
        raise ValueError(f"K.rnn: `inputs` must be (batch, time, ...) with at least one "
                         f"timestep, received shape {tuple(x.shape)}.")
    masks = None
    if mask is not None:
        m = _tensor(mask).bool()
        m = m.transpose(0, 1) if time_major else m
        if m.ndim == 3 and m.shape[-1] == 1:
            m = m[..., 0]
        if tuple(m.shape) != tuple(x.shape[:2]):
            raise ValueError(f"K.rnn: `mask` must be (batch, time) = {tuple(x.shape[:2])}, "
                             f"received shape {tuple(m.shape)}.")
        masks = m.unbind(1)
    steps = x.unbind(1)
    states, constants = list(initial_states), list(constants or [])
    order = range(len(steps) - 1, -1, -1) if go_backwards else range(len(steps))
    outputs, output = [], None
    for t in order:
        output_t, new_states = step_function(steps[t], states + constants)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if masks is not None:
            def keep(like, m=masks[t]):
                return m.view((-1,) + (1,) * (like.ndim - 1))
            previous = torch.zeros_like(output_t) if output is None or zero_output_for_mask \
                else output
            output_t = torch.where(keep(output_t), output_t, previous)
            new_states = [torch.where(keep(new), new, old) for new, old in zip(new_states, states)]
        output, states = output_t, new_states
        outputs.append(output)
    outputs = torch.stack(outputs, 1)
    return output, (outputs.transpose(0, 1) if time_major else outputs), states


__all__ = ["rnn", "conv1d", "conv2d", "conv3d", "depthwise_conv2d", "separable_conv2d", "pool2d",
           "pool3d", "bias_add", "temporal_padding", "spatial_2d_padding", "resize_images",
           "random_normal", "truncated_normal", "random_binomial", "random_normal_variable",
           "random_uniform_variable", "dropout", "in_train_phase", "in_test_phase",
           "batch_normalization", "logsumexp", "sin", "cos", "cast_to_floatx", "map_fn", "foldl",
           "foldr", "get_uid", "reset_uids", "print_tensor", "lesser", "lesser_equal", "reverse",
           "cumprod", "in_top_k", "identity", "get_variable_shape", "is_sparse", "to_dense",
           "atrous_conv2d", "separable_conv1d", "spatial_3d_padding", "resize_volumes",
           "normalize_batch_in_training"]


def install(backend):
    """Adds these to `cornu.backend` (after backend_math: Keras 1's `random_normal(std=)`)."""
    backend.extend({name: globals()[name] for name in __all__})
