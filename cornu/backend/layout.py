"""The one place that converts between Keras's channels-last layout and torch's channels-first.

Keras tensors are `(batch, *spatial, channels)`; torch convolutions want `(batch, channels,
*spatial)`. Inside a model, tensors stay in the layout their producer wrote; the graph converts
only where a consumer needs the other one (model inputs, Flatten, model outputs), never around
every layer. Layers declare what they consume through `Layer.layout`:

- `KERAS`: the Keras layout (the default; e.g. Dense on rank-2 input, Flatten, Reshape);
- `CHANNELS_FIRST`: torch's layout, for rank >= 3 inputs (convolutions, pooling, BatchNorm);
- `ANY`: element-wise layers that run on either and hand on what they got (Activation, Dropout).
"""
import torch

KERAS = "keras"
CHANNELS_FIRST = "channels_first"
ANY = "any"


def to_channels_first(x):
    """`(N, *spatial, C)` → `(N, C, *spatial)`.

    Images and volumes keep their channels-last memory (torch's `channels_last` memory format),
    so the view costs nothing here and at Flatten, whose Keras order is that memory order; conv,
    pooling and batch-norm kernels run natively on it. Measured on the notes' CNNs (training
    steps, one thread): a contiguous NCHW copy made the MNIST CNN 2.9x and a CIFAR-style CNN
    1.4x slower, as the gradient crossing Flatten then reaches pooling in the other memory
    format. Sequences `(N, steps, C)` have no such format and become contiguous `(N, C, steps)`.
    """
    if x.ndim < 3:
        return x
    y = x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))
    if x.ndim == 4:
        return y.contiguous(memory_format=torch.channels_last)
    if x.ndim == 5:
        return y.contiguous(memory_format=torch.channels_last_3d)
    return y.contiguous()


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
