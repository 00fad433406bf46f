"""UpSampling1D/2D/3D: repeat (nearest) or interpolate (bilinear) along the spatial axes."""
import torch.nn.functional as F

from cornu.utils import conv_utils
from cornu.layers.convolutional.base_conv import SpatialLayer
from cornu.layers.layer import registry

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic")


class BaseUpSampling(SpatialLayer):
    """Repeats each cell `size[i]` times along spatial axis `i`."""

    def __init__(self, size, data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self._init_layout(data_format)
        owner = f"{type(self).__name__} {self.name!r}"
        self.size = conv_utils.normalize_tuple(size, self.rank, "size", owner)
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in _INTERPOLATIONS:
            raise ValueError(f"{owner}: `interpolation` must be one of "
                             f"{', '.join(map(repr, _INTERPOLATIONS))}, received "
                             f"interpolation={interpolation!r}.")

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        if self.interpolation == "nearest":
            # Integer factors: torch's nearest picks floor(i / size), i.e. repeats each cell.
            return F.interpolate(inputs, scale_factor=self.size, mode="nearest")
        # Keras resizes with half-pixel centres and no antialiasing: align_corners=False.
        return F.interpolate(inputs, scale_factor=self.size, mode=self.interpolation,
                             align_corners=False)

    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        out = tuple(None if n is None else n * s for n, s in zip(spatial, self.size))
        return conv_utils.with_channels(input_shape[0], out,
                                        conv_utils.channels(input_shape, self.data_format),
                                        self.data_format)


@registry.register()
class UpSampling1D(BaseUpSampling):
    """Repeats each step of `(batch, steps, features)` `size` times.

    >>> UpSampling1D(2)(np.ones((1, 3, 4))).shape
    torch.Size([1, 6, 4])
    """

    rank = 1
    _config_omit = ("data_format", "interpolation")  # always channels_last, nearest

    def __init__(self, size=2, **kwargs):
        super().__init__(size, "channels_last", **kwargs)

    def get_config(self):
        # Keras writes the one factor as an int; `self.size` is the normalized 1-tuple.
        return {**super().get_config(), "size": self.size[0]}


@registry.register()
class UpSampling2D(BaseUpSampling):
    """Upsamples rows and cols of `(batch, rows, cols, channels)` by `size`.

    Args:
        size: int or `(rows, cols)` factors.
        data_format: 'channels_last' (default) or 'channels_first'.
        interpolation: 'nearest' (repeat; the default), 'bilinear' or 'bicubic'.
    """

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(size, data_format, interpolation, **kwargs)


@registry.register()
class UpSampling3D(BaseUpSampling):
    """Repeats each cell of `(batch, dim1, dim2, dim3, channels)` `size` times per axis."""

    rank = 3
    _config_omit = ("interpolation",)  # nearest only

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size, data_format, **kwargs)
