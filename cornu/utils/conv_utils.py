"""Argument checks, Keras's padding arithmetic and input-shape errors shared by the
convolution, pooling, padding, cropping and upsampling layers.

Keras pads 'same' convolutions TensorFlow's way: a total of
`max((ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)` cells, half on the left and the odd one
on the right. torch's `padding=` is symmetric, so the layers ask `same_padding` for the
(left, right) pairs and only call `F.pad` when some pair is uneven.
"""
import numpy as np

_AXES = {1: ("steps",), 2: ("rows", "cols"), 3: ("dim1", "dim2", "dim3")}


def normalize_tuple(value, n, name, owner, allow_zero=False):
    """`value` (an int or `n` ints) as a tuple of `n` ints; errors name the layer and argument."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        result = (int(value),) * n
    else:
        try:
            if isinstance(value, (str, bytes)) or not all(
                    isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
                raise TypeError  # int("3") and int(2.5) would pass; Keras takes integers only
            result = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"{owner}: `{name}` must be an integer or a tuple of {n} integers, "
                             f"received {name}={value!r}.") from None
        if len(result) != n:
            raise ValueError(f"{owner}: `{name}` must be an integer or a tuple of {n} integers, "
                             f"received {name}={value!r}.")
    low = 0 if allow_zero else 1
    if any(v < low for v in result):
        raise ValueError(f"{owner}: every value of `{name}` must be "
                         f"{'>= 0' if allow_zero else 'positive'}, received {name}={value!r}.")
    return result


def normalize_padding(value, owner, allow_causal=False):
    padding = str(value).lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if padding not in allowed:
        raise ValueError(f"{owner}: `padding` must be one of {', '.join(map(repr, allowed))}, "
                         f"received padding={value!r}.")
    return padding


def normalize_pairs(value, n, name, owner):
    """Keras's int / pair-per-axis / int-per-axis spelling of paddings and croppings →
    `n` (before, after) pairs."""
    message = (f"{owner}: `{name}` must be an int, a tuple of {n} ints or a tuple of {n} "
               f"(before, after) pairs, received {name}={value!r}.")
    if isinstance(value, (int, np.integer)):
        pairs = ((int(value), int(value)),) * n
    elif isinstance(value, (tuple, list)) and len(value) == n:
        pairs = []
        for item in value:
            if isinstance(item, (int, np.integer)):
                pairs.append((int(item), int(item)))
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                pairs.append((int(item[0]), int(item[1])))
            else:
                raise ValueError(message)
        pairs = tuple(pairs)
    elif n == 1 and isinstance(value, (tuple, list)) and len(value) == 2:
        pairs = ((int(value[0]), int(value[1])),)
    else:
        raise ValueError(message)
    if any(v < 0 for pair in pairs for v in pair):
        raise ValueError(f"{owner}: `{name}` cannot be negative, received {name}={value!r}.")
    return pairs


def same_padding(length, kernel, stride, dilation=1):
    """(left, right) cells that 'same' padding adds to an axis of `length`, as Keras does."""
    effective = (kernel - 1) * dilation + 1
    out = -(-length // stride)
    total = max((out - 1) * stride + effective - length, 0)
    return total // 2, total - total // 2


def conv_output_length(length, kernel, stride, padding, dilation=1):
    if length is None:
        return None
    if padding in ("same", "causal"):
        return -(-length // stride)
    return (length - (kernel - 1) * dilation - 1) // stride + 1


def spatial_shape(input_shape, data_format):
    return tuple(input_shape[1:-1]) if data_format == "channels_last" else tuple(input_shape[2:])


def channels(input_shape, data_format):
    return input_shape[-1] if data_format == "channels_last" else input_shape[1]


def with_channels(batch, spatial, chans, data_format):
    if data_format == "channels_last":
        return (batch, *spatial, chans)
    return (batch, chans, *spatial)


def check_rank(layer, input_shape, rank, data_format="channels_last", n_channels=None):
    """Raises a ValueError naming the layer when `input_shape` is not a batch of rank-`rank`
    spatial inputs with channels; suggests the reshape when only the channel axis is missing."""
    input_shape = tuple(input_shape)
    want = rank + 2
    if len(input_shape) == want:
        return
    axes = _AXES.get(rank, tuple(f"dim{i + 1}" for i in range(rank)))
    layout = ("batch", *axes, "channels") if data_format == "channels_last" \
        else ("batch", "channels", *axes)
    message = (f"Input 0 of layer {layer.name!r} ({type(layer).__name__}) is incompatible with "
               f"the layer: expected ndim={want} ({', '.join(layout)}), found ndim="
               f"{len(input_shape)}. Full shape received: {_shape_text(input_shape)}.")
    if len(input_shape) == want - 1 and len(input_shape) >= 2:
        spatial = [("-1" if d is None else str(d)) for d in input_shape[1:]]
        chans = str(n_channels or 1)
        target = [*spatial, chans] if data_format == "channels_last" else [chans, *spatial]
        message += (f" The data lacks the channel axis (a batch of single-channel images looks "
                    f"like this): reshape it with x.reshape(-1, {', '.join(target)}), e.g. "
                    f"x = x.reshape(x.shape[0], {', '.join(target)}).")
    raise ValueError(message)


def check_output_positive(layer, input_shape, out_spatial, window, what="kernel_size",
                          data_format="channels_last", padding="valid"):
    """Raises when a window is larger than its (unpadded) input along some axis."""
    spatial = spatial_shape(input_shape, data_format)
    bad = [i for i, d in enumerate(out_spatial) if d is not None and d <= 0]
    if not bad:
        return
    axes = _AXES.get(len(spatial), ())
    dims = ", ".join(f"{axes[i] if i < len(axes) else i} ({spatial[i]} < {window[i]})" for i in bad)
    hint = ""
    if data_format == "channels_last" and len(input_shape) >= 4 and input_shape[1] in (1, 3) \
            and (input_shape[-1] or 0) > 4:
        hint = (" The input looks channels-first (channels before rows and cols, as Keras 1's "
                "dim_ordering='th' had it): pass data_format='channels_first' or move the "
                "channel axis last.")
    raise ValueError(f"Layer {layer.name!r} ({type(layer).__name__}): the {what} {tuple(window)} "
                     f"is larger than its input along {dims}; input shape "
                     f"{_shape_text(input_shape)}, padding={padding!r}. The output would have "
                     f"shape {tuple(out_spatial)}. Use padding='same', a smaller {what}, or a "
                     f"larger input.{hint}")


def _shape_text(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def effective_kernel(kernel, dilation):
    return tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation))

