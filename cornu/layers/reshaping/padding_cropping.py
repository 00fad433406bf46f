"""ZeroPadding1D/2D/3D and Cropping1D/2D/3D: add zeros around, or cut from, the spatial axes."""
import torch.nn.functional as F

from cornu.utils import conv_utils
from cornu.layers.convolutional.base_conv import SpatialLayer
from cornu.layers.layer import registry


class _Border(SpatialLayer):
    """Shared by padding and cropping: `(before, after)` cells per spatial axis."""

    arg = None
    _config_omit = ("value",)  # written under the subclass's name (`padding`, `cropping`)

    def __init__(self, value, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._init_layout(data_format)
        pairs = conv_utils.normalize_pairs(value, self.rank, self.arg,
                                           f"{type(self).__name__} {self.name!r}")
        setattr(self, self.arg, pairs[0] if self.rank == 1 else pairs)
        self._pairs = pairs

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        sign = 1 if self.arg == "padding" else -1
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        out = tuple(None if n is None else n + sign * (a + b)
                    for n, (a, b) in zip(spatial, self._pairs))
        if any(d is not None and d <= 0 for d in out):
            raise ValueError(f"{type(self).__name__} {self.name!r}: cropping {self._pairs} is "
                             f"not smaller than the input's spatial dimensions {spatial} "
                             f"(input shape {tuple(input_shape)}).")
        return conv_utils.with_channels(input_shape[0], out,
                                        conv_utils.channels(input_shape, self.data_format),
                                        self.data_format)

    _has_data_format = True


class BaseZeroPadding(_Border):
    arg = "padding"

    def call(self, inputs):
        return F.pad(inputs, [v for pair in reversed(self._pairs) for v in pair])


class BaseCropping(_Border):
    arg = "cropping"

    def call(self, inputs):
        index = tuple(slice(a, n - b) for n, (a, b) in zip(inputs.shape[2:], self._pairs))
        return inputs[(slice(None), slice(None)) + index]


@registry.register()
class ZeroPadding1D(BaseZeroPadding):
    """Pads the steps axis of `(batch, steps, features)` with zeros.

    Args:
        padding: int (both ends) or `(left, right)`.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


@registry.register()
class ZeroPadding2D(BaseZeroPadding):
    """Pads rows and cols of `(batch, rows, cols, channels)` with zeros.

    Args:
        padding: int, `(rows, cols)` (symmetric) or `((top, bottom), (left, right))`.
        data_format: 'channels_last' (default) or 'channels_first'.

    >>> ZeroPadding2D((1, 1))(np.ones((1, 10, 10, 3))).shape
    torch.Size([1, 12, 12, 3])
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


@registry.register()
class ZeroPadding3D(BaseZeroPadding):
    """Pads the three spatial axes of `(batch, dim1, dim2, dim3, channels)` with zeros;
    `padding` as in ZeroPadding2D with three entries."""

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


@registry.register()
class Cropping1D(BaseCropping):
    """Crops the steps axis of `(batch, steps, features)`.

    Args:
        cropping: int (both ends) or `(start, end)`.
    """

    rank = 1
    _has_data_format = False
    _config_omit = ("value", "data_format")

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, "channels_last", **kwargs)


@registry.register()
class Cropping2D(BaseCropping):
    """Crops rows and cols of `(batch, rows, cols, channels)`.

    Args:
        cropping: int, `(rows, cols)` (symmetric) or `((top, bottom), (left, right))`.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


@registry.register()
class Cropping3D(BaseCropping):
    """Crops the three spatial axes of `(batch, dim1, dim2, dim3, channels)`."""

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
