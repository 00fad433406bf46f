"""GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D: one value per channel."""
import torch

from cornu.backend import layout as layouts
from cornu.backend.config import standardize_data_format
from cornu.utils import conv_utils
from cornu.layers.layer import Layer, registry


class BaseGlobalPooling(Layer):
    """Abstract global pooling over all spatial axes.

    Args:
        data_format: 'channels_last' (default) or 'channels_first'.
        keepdims: keep the spatial axes with length 1 (output `(batch, 1, ..., 1, channels)`)
            instead of returning `(batch, channels)`.
    """

    rank = None
    mode = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        # Inside, channels_last data is channels-first: the spatial axes are 2, 3, ...
        self.layout = layouts.CHANNELS_FIRST if self.data_format == "channels_last" \
            else layouts.KERAS
        self._axes = tuple(range(2, 2 + self.rank))

    def __call__(self, *args, **kwargs):
        shape = getattr(args[0], "shape", None) if args else None
        if shape is not None and len(shape) != self.rank + 2:
            conv_utils.check_rank(self, (None,) + tuple(shape)[1:], self.rank, self.data_format)
        return super().__call__(*args, **kwargs)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        if self.mode == "max":
            return torch.amax(inputs, dim=self._axes, keepdim=self.keepdims)
        return torch.mean(inputs, dim=self._axes, keepdim=self.keepdims)

    def compute_output_shape(self, input_shape):
        conv_utils.check_rank(self, input_shape, self.rank, self.data_format)
        n = conv_utils.channels(input_shape, self.data_format)
        if not self.keepdims:
            return (input_shape[0], n)
        return conv_utils.with_channels(input_shape[0], (1,) * self.rank, n, self.data_format)


@registry.register("GlobalMaxPool1D")
class GlobalMaxPooling1D(BaseGlobalPooling):
    """Maximum over the steps of `(batch, steps, features)` → `(batch, features)`."""

    rank, mode = 1, "max"


@registry.register("GlobalMaxPool2D")
class GlobalMaxPooling2D(BaseGlobalPooling):
    """Maximum over rows and cols of `(batch, rows, cols, channels)` → `(batch, channels)`.

    >>> GlobalMaxPooling2D()(np.ones((2, 10, 10, 10))).shape
    torch.Size([2, 10])
    """

    rank, mode = 2, "max"


@registry.register("GlobalMaxPool3D")
class GlobalMaxPooling3D(BaseGlobalPooling):
    """Maximum over the three spatial axes of `(batch, dim1, dim2, dim3, channels)`."""

    rank, mode = 3, "max"


@registry.register("GlobalAvgPool1D")
class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the steps of `(batch, steps, features)`; with a `mask` `(batch, steps)`, the
    mean of the unmasked steps only."""

    rank, mode = 1, "average"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return torch.mean(inputs, dim=2, keepdim=self.keepdims)
        weights = mask.to(inputs.dtype).unsqueeze(1)  # (batch, 1, steps)
        total = torch.sum(inputs * weights, dim=2, keepdim=self.keepdims)
        return total / torch.sum(weights, dim=2, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


@registry.register("GlobalAvgPool2D")
class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean over rows and cols of `(batch, rows, cols, channels)` → `(batch, channels)`."""

    rank, mode = 2, "average"


@registry.register("GlobalAvgPool3D")
class GlobalAveragePooling3D(BaseGlobalPooling):
    """Mean over the three spatial axes of `(batch, dim1, dim2, dim3, channels)`."""

    rank, mode = 3, "average"


GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (GlobalMaxPooling1D, GlobalMaxPooling2D,
                                                    GlobalMaxPooling3D)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (GlobalAveragePooling1D,
                                                    GlobalAveragePooling2D,
                                                    GlobalAveragePooling3D)
