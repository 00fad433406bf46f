"""SpatialDropout1D/2D/3D: whole channels dropped while training, identity otherwise."""
import numpy as np
import pytest
import torch

import cornu
from cornu import layers
from cornu.testing import assert_config_matches_keras

CASES = [("SpatialDropout1D", (4, 6, 8), None),
         ("SpatialDropout2D", (4, 5, 6, 8), "channels_last"),
         ("SpatialDropout2D", (4, 8, 5, 6), "channels_first"),
         ("SpatialDropout3D", (4, 3, 4, 5, 8), "channels_last")]


def test_drops_whole_channels_and_rescales():
    for name, shape, data_format in CASES:
        _check_channel_dropout(name, shape, data_format)


def _check_channel_dropout(name, shape, data_format):
    kwargs = {} if data_format is None else {"data_format": data_format}
    layer = getattr(layers, name)(0.5, **kwargs)
    x = np.ones(shape, "float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)  # inference: identity
    torch.manual_seed(0)
    out = layer(x, training=True).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0}
    channel_axis = 1 if data_format == "channels_first" else -1
    per_channel = np.moveaxis(out, channel_axis, 1).reshape(shape[0], out.shape[channel_axis], -1)
    assert (per_channel.min(axis=2) == per_channel.max(axis=2)).all()  # constant per channel
    assert 0 < (per_channel == 0).mean() < 1


def test_config_legacy_and_errors():
    assert_config_matches_keras(lambda L: L.SpatialDropout1D(0.3))
    assert_config_matches_keras(lambda L: L.SpatialDropout2D(0.3, data_format="channels_first"))
    with pytest.warns(UserWarning):
        assert layers.SpatialDropout2D(p=0.25).rate == 0.25
    with pytest.raises(ValueError, match="rate"):
        layers.SpatialDropout2D(1.5)
    with pytest.raises(ValueError, match="ndim=4"):
        layers.SpatialDropout2D(0.5)(np.zeros((2, 4, 4), "float32"))


def test_in_a_cnn_trains():
    model = cornu.Sequential([layers.Conv2D(4, 3, input_shape=(6, 6, 2)),
                              layers.SpatialDropout2D(0.5), layers.GlobalAveragePooling2D(),
                              layers.Dense(1)])
    model.compile("sgd", "mse")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(np.ones((8, 6, 6, 2)), np.ones((8, 1)), epochs=2, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 2 and np.isfinite(losses).all()
    assert int(model.optimizer.iterations) == 2  # one batch of 8 per epoch
    assert all(np.abs(a - b).max() > 0 for a, b in zip(model.get_weights(), before))
