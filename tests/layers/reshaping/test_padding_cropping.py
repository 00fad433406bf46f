"""ZeroPadding1D/2D/3D and Cropping1D/2D/3D against real Keras 3."""
import itertools

import numpy as np
import pytest

import cornu
from cornu import layers
from cornu.testing import assert_config_matches_keras, compare_with_keras

FORMATS = ["channels_last", "channels_first"]


def _shape(spatial, chans, data_format):
    return (2, *spatial, chans) if data_format == "channels_last" else (2, chans, *spatial)


def test_padding_and_cropping_match_keras():
    for data_format in FORMATS:
        for value in [1, (1, 2), ((1, 2), (0, 3))]:
            compare_with_keras(lambda L: L.ZeroPadding2D(value, data_format=data_format),
                               input_shape=_shape((4, 5), 3, data_format))
            compare_with_keras(lambda L: L.Cropping2D(value, data_format=data_format),
                               input_shape=_shape((5, 6), 3, data_format))
        for value in [1, (1, 0, 2), ((1, 2), (0, 3), (1, 0))]:
            compare_with_keras(lambda L: L.ZeroPadding3D(value, data_format=data_format),
                               input_shape=_shape((3, 4, 5), 2, data_format))
            compare_with_keras(lambda L: L.Cropping3D(value, data_format=data_format),
                               input_shape=_shape((4, 5, 6), 2, data_format))
        compare_with_keras(lambda L: L.ZeroPadding1D((1, 2), data_format=data_format),
                           input_shape=_shape((5,), 3, data_format))
    for value in [1, (2, 1)]:
        compare_with_keras(lambda L: L.ZeroPadding1D(value), input_shape=(2, 5, 3))
        compare_with_keras(lambda L: L.Cropping1D(value), input_shape=(2, 5, 3))


def test_configs_match_keras():
    assert_config_matches_keras(lambda L: L.ZeroPadding1D(2))
    assert_config_matches_keras(lambda L: L.ZeroPadding2D(3))
    assert_config_matches_keras(lambda L: L.ZeroPadding2D((1, 2)))
    assert_config_matches_keras("ZeroPadding3D")
    assert_config_matches_keras(lambda L: L.Cropping1D((1, 2)))
    assert_config_matches_keras(lambda L: L.Cropping2D(1))
    assert_config_matches_keras(lambda L: L.Cropping3D(((1, 2), (0, 3), (1, 0))))


def test_notes_user_padding_in_a_functional_model():
    # keras-fundamentals.md 3.3
    input_layer = cornu.layers.Input(shape=(10, 10, 3))
    padding_layer = layers.ZeroPadding2D(padding=(1, 1))(input_layer)
    model = cornu.Model(inputs=input_layer, outputs=padding_layer)
    assert model.output_shape == (None, 12, 12, 3)
    out = model.predict(np.ones((1, 10, 10, 3), "float32"), verbose=0)
    assert out[0, 0].sum() == 0 and out[0, 1:-1, 1:-1].min() == 1


def test_errors():
    with pytest.raises(ValueError, match=r"Cropping2D 'crop'.*\(4, 5\)"):
        layers.Cropping2D(2, name="crop", input_shape=(4, 5, 1))
    with pytest.raises(ValueError, match="`padding`"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="ndim=4"):
        layers.ZeroPadding2D()(np.zeros((2, 4, 4), "float32"))
