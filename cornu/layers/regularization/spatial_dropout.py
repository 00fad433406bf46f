"""SpatialDropout1D/2D/3D: dropout of whole feature maps (channels), not single cells."""
import torch.nn.functional as F

from cornu.layers.convolutional.base_conv import SpatialLayer
from cornu.layers.layer import registry

_DROPOUT = {1: F.dropout1d, 2: F.dropout2d, 3: F.dropout3d}


class BaseSpatialDropout(SpatialLayer):
    """While training, zeroes each channel of each sample with probability `rate` (the same for
    all its cells, as neighbouring cells of a feature map are correlated) and scales the rest
    by `1 / (1 - rate)`; does nothing otherwise."""

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"{type(self).__name__} {self.name!r}: `rate` must be in [0, 1], "
                             f"received rate={rate!r}.")
        self._init_layout(data_format)
        self.rate, self.seed = float(rate), seed

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return _DROPOUT[self.rank](inputs, self.rate, True)

    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        return tuple(input_shape)

    def get_config(self):
        # Keras 3's own shape: no `trainable`, the dtype as a plain name.
        config = {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


@registry.register()
class SpatialDropout1D(BaseSpatialDropout):
    """Drops whole channels of `(batch, steps, channels)` (noise shape `(batch, 1, channels)`)."""

    rank = 1

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, "channels_last", seed, **kwargs)


@registry.register()
class SpatialDropout2D(BaseSpatialDropout):
    """Drops whole channels of `(batch, rows, cols, channels)`.

    >>> SpatialDropout2D(0.5)(np.ones((1, 4, 4, 3)), training=True).shape
    torch.Size([1, 4, 4, 3])
    """

    rank = 2

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, data_format, seed, **kwargs)


@registry.register()
class SpatialDropout3D(BaseSpatialDropout):
    """Drops whole channels of `(batch, dim1, dim2, dim3, channels)`."""

    rank = 3

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, data_format, seed, **kwargs)
