"""GroupNormalization, UnitNormalization and SpectralNormalization against Keras 3."""
import numpy as np
import pytest

import cornu
from cornu.testing import run_layer_test


@pytest.mark.parametrize("kwargs,shape", [
    ({"groups": 2}, (2, 5, 4)),
    ({"groups": 1}, (2, 6)),
    ({"groups": -1}, (2, 3, 3, 4)),
    ({"groups": 3, "axis": 1}, (2, 6, 4)),
    ({"groups": 2, "center": False, "epsilon": 1e-5}, (2, 3, 3, 4)),
    ({"groups": 2, "scale": False, "gamma_initializer": "ones"}, (2, 3, 2, 2, 4)),
])
def test_group_normalization_against_keras(kwargs, shape):
    run_layer_test(cornu.layers.GroupNormalization, kwargs, shape)


def test_group_normalization_formula():
    x = np.random.RandomState(0).randn(2, 3, 4).astype("float32")
    out = cornu.layers.GroupNormalization(groups=2, epsilon=1e-3)(x).detach().numpy()
    g = x.reshape(2, 3, 2, 2)
    ref = (g - g.mean(axis=(1, 3), keepdims=True)) / np.sqrt(g.var(axis=(1, 3), keepdims=True)
                                                             + 1e-3)
    np.testing.assert_allclose(out, ref.reshape(2, 3, 4), rtol=1e-5, atol=1e-5)


def test_group_normalization_errors():
    with pytest.raises(ValueError, match="groups"):
        cornu.layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="divide"):
        cornu.layers.GroupNormalization(groups=3)(np.zeros((2, 4), "float32"))


@pytest.mark.parametrize("kwargs,shape", [({}, (2, 5)), ({"axis": [1, 2]}, (2, 3, 4)),
                                          ({"axis": 1}, (2, 3, 4))])
def test_unit_normalization_against_keras(kwargs, shape):
    run_layer_test(cornu.layers.UnitNormalization, kwargs, shape)


@pytest.mark.parametrize("inner,shape", [
    (lambda lib: lib.layers.Dense(3), (2, 4)),
    (lambda lib: lib.layers.Conv2D(2, 3), (2, 5, 5, 3)),
])
@pytest.mark.parametrize("power_iterations", [1, 3])
def test_spectral_normalization_against_keras(inner, shape, power_iterations):
    import keras
    x = np.random.RandomState(0).randn(*shape).astype("float32")
    ref = keras.layers.SpectralNormalization(inner(keras), power_iterations=power_iterations)
    ref(x)
    ours = cornu.layers.SpectralNormalization(inner(cornu), power_iterations=power_iterations)
    ours(x)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in ref.get_weights()]
    ours.set_weights(ref.get_weights())
    for training in (True, True, False):  # two power-method updates, then inference
        want = np.asarray(ref(x, training=training).detach())
        got = ours(x, training=training).detach().numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # the kernel's largest singular value is ~1 after training calls
    kernel = ours.layer.kernel.numpy().reshape(-1, ours.layer.kernel.shape[-1])
    for _ in range(30):
        ours(x, training=True)
    kernel = ours.layer.kernel.numpy().reshape(-1, ours.layer.kernel.shape[-1])
    assert abs(np.linalg.svd(kernel, compute_uv=False)[0] - 1) < 1e-2


def test_spectral_normalization_in_a_model_trains_and_round_trips():
    run_layer_test(cornu.layers.SpectralNormalization, {"layer": cornu.layers.Dense(3)}, (4, 5),
                   keras_kwargs={"layer": __import__("keras").layers.Dense(3)})
    with pytest.raises(ValueError, match="kernel"):
        cornu.layers.SpectralNormalization(cornu.layers.ReLU())(np.zeros((2, 3), "float32"))
