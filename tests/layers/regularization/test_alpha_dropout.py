"""AlphaDropout (exact in inference, statistical in training) and ActivityRegularization."""
import numpy as np
import pytest
import torch

import cornu
from cornu.testing import run_layer_test

ALPHA_P = -1.6732632423543772 * 1.0507009873554805


@pytest.mark.parametrize("kwargs", [{"rate": 0.2}, {"rate": 0.5, "noise_shape": (None, 1, 4)}])
def test_alpha_dropout_inference_against_keras(kwargs):
    run_layer_test(cornu.layers.AlphaDropout, kwargs, (2, 3, 4))


def test_alpha_dropout_training_statistics():
    rate = 0.3
    x = torch.randn(200_000)
    out = cornu.layers.AlphaDropout(rate, seed=1)(x, training=True)
    a = ((1 - rate) * (1 + rate * ALPHA_P ** 2)) ** -0.5
    b = -a * ALPHA_P * rate
    dropped = torch.isclose(out, torch.full_like(out, a * ALPHA_P + b))
    assert abs(dropped.float().mean().item() - rate) < 0.01
    kept = ~dropped
    torch.testing.assert_close(out[kept], a * x[kept] + b)
    assert abs(out.mean().item()) < 0.01 and abs(out.var().item() - 1) < 0.02  # SELU's fixed point


def test_alpha_dropout_seeded_and_noise_shape():
    x = torch.randn(4, 3, 5)
    one = cornu.layers.AlphaDropout(0.5, seed=7)(x, training=True)
    two = cornu.layers.AlphaDropout(0.5, seed=7)(x, training=True)
    torch.testing.assert_close(one, two)
    shared = cornu.layers.AlphaDropout(0.5, noise_shape=(None, 1, 5), seed=3)(x, training=True)
    a = ((1 - 0.5) * (1 + 0.5 * ALPHA_P ** 2)) ** -0.5
    const = a * ALPHA_P - a * ALPHA_P * 0.5
    is_drop = torch.isclose(shared, torch.full_like(shared, const))
    assert torch.equal(is_drop, is_drop[:, :1].expand_as(is_drop))  # same mask along axis 1
    assert 0 < is_drop.float().mean() < 1


def test_activity_regularization_against_keras_and_loss():
    run_layer_test(cornu.layers.ActivityRegularization, {"l1": 0.01, "l2": 0.1}, (3, 4))
    x = np.random.RandomState(0).randn(3, 4).astype("float32")
    layer = cornu.layers.ActivityRegularization(l1=0.01, l2=0.1)
    layer(x)
    want = (0.01 * np.abs(x).sum() + 0.1 * (x ** 2).sum()) / 3
    np.testing.assert_allclose(float(sum(layer.losses)), want, rtol=1e-5)
    assert layer.get_config()["l2"] == 0.1 and "activity_regularizer" not in layer.get_config()
