"""The one place that converts between Keras's channels-last layout and torch's channels-first.

Keras tensors are `(batch, *spatial, channels)`; torch convolutions want `(batch, channels,
*spatial)`. Inside a model, tensors stay in the layout their producer wrote; the graph converts
only where a consumer needs the other one (model inputs, Flatten, model outputs), never around
every layer. Layers declare what they consume through `Layer.layout`:

- `KERAS`: the Keras layout (the default; e.g. Dense on rank-2 input, Flatten, Reshape);
- `CHANNELS_FIRST`: torch's layout, for rank >= 3 inputs (convolutions, pooling, BatchNorm);
- `ANY`: element-wise layers that run on either and hand on what they got (Activation, Dropout).
"""
KERAS = "keras"
CHANNELS_FIRST = "channels_first"
ANY = "any"


def to_channels_first(x):
    """`(N, *spatial, C)` → a contiguous `(N, C, *spatial)` (NCHW, measured faster here)."""
    if x.ndim < 3:
        return x
    return x.permute(0, x.ndim - 1, *range(1, x.ndim - 1)).contiguous()


def to_channels_last(x):
    """`(N, C, *spatial)` → `(N, *spatial, C)` (a view)."""
    if x.ndim < 3:
        return x
    return x.permute(0, *range(2, x.ndim), 1)


def convert(x, src, dst):
    if src == dst or dst == ANY or x.ndim < 3:
        return x
    if dst == CHANNELS_FIRST:
        return to_channels_first(x)
    return to_channels_last(x)
