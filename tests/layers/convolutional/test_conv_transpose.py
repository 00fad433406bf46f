"""Conv1DTranspose/2DTranspose/3DTranspose against real Keras 3."""
import itertools

import numpy as np
import pytest

from cornu import layers
from cornu.testing import assert_config_matches_keras, compare_with_keras

FORMATS = ["channels_last", "channels_first"]


def _shape(batch, spatial, chans, data_format):
    return (batch, *spatial, chans) if data_format == "channels_last" else (batch, chans, *spatial)


def test_conv2d_transpose_grid_matches_keras():
    for data_format, k, s, p, op in itertools.product(FORMATS, [1, 2, 3, 4], [1, 2, 3],
                                                      ["valid", "same"], [None, 0, 1]):
        if op is not None and op >= s:
            continue
        compare_with_keras(lambda L: L.Conv2DTranspose(3, k, strides=s, padding=p,
                                                       output_padding=op, data_format=data_format),
                           input_shape=_shape(1, (4, 5), 2, data_format))
    for d in (2, 3):
        compare_with_keras(lambda L: L.Conv2DTranspose(3, 3, dilation_rate=d, padding="same"),
                           input_shape=(1, 4, 5, 2))


def test_conv1d_and_conv3d_transpose_match_keras():
    for data_format, k, s, p in itertools.product(FORMATS, [2, 3], [1, 2], ["valid", "same"]):
        compare_with_keras(lambda L: L.Conv1DTranspose(3, k, strides=s, padding=p,
                                                       data_format=data_format),
                           input_shape=_shape(2, (6,), 2, data_format))
        compare_with_keras(lambda L: L.Conv3DTranspose(2, k, strides=s, padding=p,
                                                       data_format=data_format),
                           input_shape=_shape(1, (3, 4, 5), 2, data_format))


def test_kernel_layout_config_and_legacy_names():
    layer = layers.Conv2DTranspose(5, (2, 3), input_shape=(6, 7, 4))
    assert tuple(layer.kernel.shape) == (2, 3, 5, 4)  # Keras: (*kernel_size, filters, in)
    assert layer.kernel.permute(3, 2, 0, 1).is_contiguous()  # torch: (in, filters, kh, kw)
    assert_config_matches_keras(lambda L: L.Conv2DTranspose(4, 3, strides=2, padding="same",
                                                            output_padding=1))
    assert_config_matches_keras(lambda L: L.Conv3DTranspose(4, 3))
    assert layers.Conv3DTranspose(4, 3, 2, "same", "channels_first").data_format == \
        "channels_first"  # Keras's argument order for 3D
    with pytest.warns(UserWarning):
        old = layers.Deconvolution2D(8, 3, 3, output_shape=(None, 10, 10, 8), subsample=(2, 2),
                                     border_mode="same")
    assert (old.kernel_size, old.strides, old.padding) == ((3, 3), (2, 2), "same")
    assert old.compute_output_shape((None, 5, 5, 2)) == (None, 10, 10, 8)


def test_bad_arguments():
    with pytest.raises(ValueError, match="output_padding"):
        layers.Conv2DTranspose(4, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match=r"ndim=4.*reshape\(-1, 9, 9, 1\)"):
        layers.Conv2DTranspose(4, 3)(np.zeros((2, 9, 9), "float32"))
