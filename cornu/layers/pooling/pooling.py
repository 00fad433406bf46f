"""MaxPooling1D/2D/3D and AveragePooling1D/2D/3D.

'same' pooling pads as Keras does (the odd cell at the end); padded cells never win a max and
are not counted in an average (TensorFlow's rule, which Keras documents). Even padding is
torch's own `padding=`; uneven padding pads with -inf (max) or divides by the count of real
cells (average).
"""
import torch
import torch.nn.functional as F

from cornu.utils import conv_utils
from cornu.layers.convolutional.base_conv import SpatialLayer
from cornu.layers.layer import registry

_MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


class BasePooling(SpatialLayer):
    """Abstract pooling over `rank` spatial axes.

    Args:
        pool_size: int or tuple of `rank` ints, the window size.
        strides: int or tuple; defaults to `pool_size`.
        padding: 'valid' or 'same' (output size `ceil(input / strides)`).
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    mode = None

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._init_spatial(pool_size, pool_size if strides is None else strides, padding,
                           data_format, kernel_name="pool_size")
        self.pool_size = self.kernel_size
        del self.kernel_size, self.dilation_rate
        self._ones = {}

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        pad, padding = self._padding_for(tuple(inputs.shape[2:]), self.pool_size, self.strides,
                                         (1,) * self.rank)
        if self.mode == "max":
            if pad is not None:
                inputs = F.pad(inputs, pad, value=-float("inf"))
            return _MAX[self.rank](inputs, self.pool_size, self.strides, padding)
        if pad is None:
            return _AVG[self.rank](inputs, self.pool_size, self.strides, padding, False, False)
        sums = _AVG[self.rank](F.pad(inputs, pad), self.pool_size, self.strides, 0)
        return sums / self._real_fraction(inputs, pad)

    def _real_fraction(self, inputs, pad):
        """Per window, the fraction of its cells that are real (not padding); cached.

        Made outside inference mode: a tensor made inside it (a first call from `predict`)
        could not be used by a later training step's autograd."""
        key = (tuple(inputs.shape[2:]), inputs.dtype, inputs.device)
        if key not in self._ones:
            with torch.inference_mode(False), torch.no_grad():
                ones = torch.ones((1, 1) + key[0], dtype=inputs.dtype, device=inputs.device)
                self._ones[key] = _AVG[self.rank](F.pad(ones, pad), self.pool_size,
                                                  self.strides, 0)
        return self._ones[key]

    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        spatial = self._window_output(input_shape, self.pool_size, self.strides, (1,) * self.rank,
                                      what="pool_size")
        return conv_utils.with_channels(input_shape[0], spatial,
                                        conv_utils.channels(input_shape, self.data_format),
                                        self.data_format)

    def extra_repr(self):
        return f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}"


@registry.register()
class MaxPooling1D(BasePooling):
    """Max pooling over steps of `(batch, steps, features)`.

    >>> MaxPooling1D()(np.ones((2, 5, 3))).shape
    torch.Size([2, 2, 3])
    """

    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@registry.register()
class MaxPooling2D(BasePooling):
    """Max pooling over the rows and cols of `(batch, rows, cols, channels)`.

    >>> MaxPooling2D((2, 2))(np.ones((1, 2, 2, 7))).shape
    torch.Size([1, 1, 1, 7])
    """

    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@registry.register()
class MaxPooling3D(BasePooling):
    """Max pooling over `(batch, dim1, dim2, dim3, channels)`."""

    rank, mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@registry.register()
class AveragePooling1D(BasePooling):
    """Average pooling over steps of `(batch, steps, features)`."""

    rank, mode = 1, "average"


@registry.register()
class AveragePooling2D(BasePooling):
    """Average pooling over the rows and cols of `(batch, rows, cols, channels)`."""

    rank, mode = 2, "average"


@registry.register()
class AveragePooling3D(BasePooling):
    """Average pooling over `(batch, dim1, dim2, dim3, channels)`."""

    rank, mode = 3, "average"


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
for _alias, _cls in (("MaxPool1D", MaxPooling1D), ("MaxPool2D", MaxPooling2D),
                     ("MaxPool3D", MaxPooling3D), ("AvgPool1D", AveragePooling1D),
                     ("AvgPool2D", AveragePooling2D), ("AvgPool3D", AveragePooling3D)):
    registry.add(_alias, _cls)
