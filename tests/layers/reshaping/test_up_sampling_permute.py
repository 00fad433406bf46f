"""UpSampling1D/2D/3D, Permute and RepeatVector against real Keras 3."""
import numpy as np
import pytest

import cornu
from cornu import layers
from cornu.testing import assert_config_matches_keras, compare_with_keras

def test_up_sampling_matches_keras():
    for data_format in ["channels_last", "channels_first"]:
        cl = data_format == "channels_last"
        for interpolation in ["nearest", "bilinear", "bicubic"]:
            for size in [2, (2, 3)]:
                compare_with_keras(lambda L: L.UpSampling2D(size, data_format=data_format,
                                                            interpolation=interpolation),
                                   input_shape=(2, 4, 5, 3) if cl else (2, 3, 4, 5))
        compare_with_keras(lambda L: L.UpSampling3D((2, 1, 3), data_format=data_format),
                           input_shape=(2, 3, 4, 2, 2) if cl else (2, 2, 3, 4, 2))
    compare_with_keras(lambda L: L.UpSampling1D(3), input_shape=(2, 5, 3))


def test_permute_and_repeat_vector_match_keras():
    compare_with_keras(lambda L: L.Permute((2, 1)), input_shape=(2, 5, 3))
    compare_with_keras(lambda L: L.Permute((3, 1, 2)), input_shape=(2, 5, 3, 4))
    compare_with_keras(lambda L: L.RepeatVector(3), input_shape=(2, 5))


def test_configs_and_errors():
    assert_config_matches_keras(lambda L: L.UpSampling1D(3))
    assert_config_matches_keras(lambda L: L.UpSampling2D(2, interpolation="bilinear"))
    assert_config_matches_keras("UpSampling3D")
    assert_config_matches_keras(lambda L: L.Permute((2, 1)))
    assert_config_matches_keras(lambda L: L.RepeatVector(4))
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="cubic")
    with pytest.raises(ValueError, match="permutation"):
        layers.Permute((1, 3))
    with pytest.raises(ValueError, match=r"RepeatVector.*\(None, 3, 4\)"):
        layers.RepeatVector(2)(cornu.layers.Input(shape=(3, 4)))
    with pytest.warns(UserWarning, match="length"):
        assert layers.UpSampling1D(length=3).size == (3,)


def test_conv_autoencoder_shapes_through_upsampling_and_permute():
    inputs = cornu.layers.Input(shape=(8, 8, 1))
    x = layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D()(x)
    x = layers.UpSampling2D()(x)
    x = layers.Conv2D(1, 3, padding="same")(x)
    x = layers.Permute((3, 1, 2))(x)
    model = cornu.Model(inputs, x)
    assert model.output_shape == (None, 1, 8, 8)
    out = model.predict(np.ones((2, 8, 8, 1), "float32"), verbose=0)
    assert out.shape == (2, 1, 8, 8)
