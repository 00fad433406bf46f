"""Global max and average pooling against real Keras 3."""
import itertools

import numpy as np
import pytest
import torch

import cornu
from cornu import layers
from cornu.testing import assert_config_matches_keras, compare_with_keras

NAMES = [(1, "GlobalMaxPooling1D"), (1, "GlobalAveragePooling1D"), (2, "GlobalMaxPooling2D"),
         (2, "GlobalAveragePooling2D"), (3, "GlobalMaxPooling3D"), (3, "GlobalAveragePooling3D")]


def test_global_pooling_matches_keras():
    for (rank, name), data_format, keepdims in itertools.product(
            NAMES, ["channels_last", "channels_first"], [False, True]):
        shape = (2,) + (4,) * rank + (3,) if data_format == "channels_last" \
            else (2, 3) + (4,) * rank
        compare_with_keras(lambda L: getattr(L, name)(data_format=data_format, keepdims=keepdims),
                           input_shape=shape)


def test_config_aliases_and_mask():
    assert_config_matches_keras("GlobalAveragePooling2D", {"keepdims": True})
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D
    x = torch.arange(24, dtype=torch.float32).reshape(2, 4, 3)
    mask = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]], dtype=torch.bool)
    layer = layers.GlobalAveragePooling1D()
    out = torch.nn.Module.__call__(layer, x.permute(0, 2, 1).contiguous(), mask=mask)
    np.testing.assert_allclose(out.numpy(), [x[0, :2].mean(0).numpy(), x[1].mean(0).numpy()])


def test_keepdims_output_feeds_a_conv_in_a_model():
    inputs = cornu.layers.Input(shape=(6, 6, 3))
    pooled = layers.GlobalAveragePooling2D(keepdims=True)(inputs)
    out = layers.Conv2D(2, 1)(pooled)
    model = cornu.Model(inputs, out)
    assert model.output_shape == (None, 1, 1, 2)
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 3)).astype("float32")
    conv = model.layers[-1]
    expected = x.mean(axis=(1, 2), keepdims=True) @ conv.get_weights()[0][0, 0] + \
        conv.get_weights()[1]
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
