"""DepthwiseConv1D/2D and SeparableConv1D/2D against real Keras 3."""
import itertools

import numpy as np
import pytest

from cornu import layers
from cornu.testing import assert_config_matches_keras, compare_with_keras

FORMATS = ["channels_last", "channels_first"]


def _shape(batch, spatial, chans, data_format):
    return (batch, *spatial, chans) if data_format == "channels_last" else (batch, chans, *spatial)


def test_depthwise_and_separable_2d_grid_match_keras():
    for data_format, k, s, p, d, m in itertools.product(FORMATS, [1, 2, 3], [1, 2],
                                                        ["valid", "same"], [1, 2], [1, 2]):
        if s > 1 and d > 1:
            continue
        shape = _shape(2, (6, 7), 3, data_format)
        compare_with_keras(lambda L: L.DepthwiseConv2D(k, strides=s, padding=p, dilation_rate=d,
                                                       depth_multiplier=m,
                                                       data_format=data_format), input_shape=shape)
        compare_with_keras(lambda L: L.SeparableConv2D(4, k, strides=s, padding=p, dilation_rate=d,
                                                       depth_multiplier=m,
                                                       data_format=data_format), input_shape=shape)


def test_depthwise_and_separable_1d_match_keras():
    for data_format, k, s, p in itertools.product(FORMATS, [2, 3], [1, 2], ["valid", "same"]):
        shape = _shape(2, (8,), 3, data_format)
        compare_with_keras(lambda L: L.DepthwiseConv1D(k, strides=s, padding=p, depth_multiplier=2,
                                                       data_format=data_format), input_shape=shape)
        compare_with_keras(lambda L: L.SeparableConv1D(4, k, strides=s, padding=p,
                                                       activation="relu", data_format=data_format),
                           input_shape=shape)


def test_weight_layouts_are_keras_and_free_views_for_torch():
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2, input_shape=(8, 8, 4))
    assert [w.shape for w in dw.get_weights()] == [(3, 3, 4, 2), (8,)]
    assert dw.kernel.permute(2, 3, 0, 1).is_contiguous()
    sep = layers.SeparableConv2D(5, 3, depth_multiplier=2, input_shape=(8, 8, 4))
    assert [w.shape for w in sep.get_weights()] == [(3, 3, 4, 2), (1, 1, 8, 5), (5,)]
    assert sep.depthwise_kernel.permute(2, 3, 0, 1).is_contiguous()
    assert sep.pointwise_kernel.permute(3, 2, 0, 1).is_contiguous()


def test_config_errors_and_legacy_name():
    assert_config_matches_keras(lambda L: L.DepthwiseConv2D(3, depth_multiplier=2, padding="same"))
    assert_config_matches_keras(lambda L: L.SeparableConv2D(4, 3, depth_multiplier=2))
    with pytest.raises(ValueError, match="depth_multiplier"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match=r"'dw'.*rows \(2 < 3\)"):
        layers.DepthwiseConv2D(3, name="dw", input_shape=(2, 5, 1))
    with pytest.warns(UserWarning):
        old = layers.SeparableConvolution2D(8, 3, 3, border_mode="same")
    assert type(old) is layers.SeparableConv2D and old.kernel_size == (3, 3)
    out = old(np.ones((1, 5, 5, 2), "float32"))
    assert out.shape == (1, 5, 5, 8)
