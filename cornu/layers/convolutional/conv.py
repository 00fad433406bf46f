"""Conv1D, Conv2D and Conv3D."""
from cornu.layers.convolutional.base_conv import BaseConv
from cornu.layers.layer import registry


@registry.register()
class Conv1D(BaseConv):
    """1D convolution over `(batch, steps, channels)` (`(batch, channels, steps)` with
    `data_format='channels_first'`); `padding='causal'` pads only the start, so output `t`
    sees inputs up to `t`. Arguments as in `BaseConv`.

    >>> Conv1D(4, 3, padding="causal")(np.ones((2, 10, 8))).shape
    torch.Size([2, 10, 4])
    """

    rank = 1


@registry.register()
class Conv2D(BaseConv):
    """2D convolution over images `(batch, rows, cols, channels)` (`(batch, channels, rows,
    cols)` with `data_format='channels_first'`). Arguments as in `BaseConv`; the kernel has
    Keras's shape `(kh, kw, in_channels // groups, filters)`.

    >>> Conv2D(7, (2, 2), strides=2)(np.ones((1, 5, 5, 1))).shape
    torch.Size([1, 2, 2, 7])
    """

    rank = 2


@registry.register()
class Conv3D(BaseConv):
    """3D convolution over volumes `(batch, dim1, dim2, dim3, channels)`. Arguments as in
    `BaseConv`; the kernel has shape `(k1, k2, k3, in_channels // groups, filters)`."""

    rank = 3


