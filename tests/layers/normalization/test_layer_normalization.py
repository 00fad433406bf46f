"""LayerNormalization against Keras 3, from the same (non-trivial) weights."""
import numpy as np
import pytest

import cornu
from cornu.testing import compare_with_keras, real_keras


@pytest.mark.parametrize("kwargs, shape", [
    ({}, (4, 6)),
    ({"axis": -1, "epsilon": 1e-5}, (2, 5, 6)),
    ({"center": False}, (3, 7)),
    ({"rms_scaling": True}, (3, 7)),
])
def test_matches_keras(kwargs, shape):
    keras = real_keras()
    x = np.random.RandomState(1).randn(*shape).astype("float32") * 3 + 1
    ref = keras.layers.LayerNormalization(**kwargs)
    ref(x)
    ref.set_weights([np.random.RandomState(i).rand(*w.shape).astype("float32") + 0.5
                     for i, w in enumerate(ref.get_weights())])
    layer = cornu.layers.LayerNormalization(**kwargs)
    layer(x)
    assert [w.shape for w in layer.get_weights()] == [w.shape for w in ref.get_weights()]
    layer.set_weights(ref.get_weights())
    np.testing.assert_allclose(layer(x).detach().numpy(), np.asarray(ref(x).detach().cpu()),
                               rtol=1e-5, atol=1e-5)
    compare_with_keras("LayerNormalization", kwargs=kwargs, input_shape=shape)


@pytest.mark.parametrize("axis, shape", [([1, 2], (2, 3, 4, 5)), (1, (2, 3, 4)), ([1, 3], (2, 3, 4, 5))])
def test_non_trailing_axes_follow_the_formula(axis, shape):
    # Keras 3's torch backend hands contiguous non-trailing axes to F.layer_norm, which
    # normalizes the trailing ones: a Keras bug, so the reference here is the documented formula.
    x = np.random.RandomState(1).randn(*shape).astype("float32")
    layer = cornu.layers.LayerNormalization(axis=axis, epsilon=1e-3)
    layer(x)
    gamma = np.random.RandomState(2).rand(*layer.get_weights()[0].shape).astype("float32")
    beta = np.random.RandomState(3).rand(*gamma.shape).astype("float32")
    layer.set_weights([gamma, beta])
    axes = tuple(np.atleast_1d(axis))
    bshape = [shape[a] if a in axes else 1 for a in range(len(shape))]
    mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma.reshape(bshape) + beta.reshape(bshape)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-4, atol=1e-5)


def test_trains_in_a_model_with_images():
    model = cornu.Sequential([cornu.Input((4, 4, 3)), cornu.layers.Conv2D(2, 3),
                              cornu.layers.LayerNormalization(), cornu.layers.Flatten(),
                              cornu.layers.Dense(1)])
    model.compile("adam", "mse")
    x = np.random.rand(8, 4, 4, 3).astype("float32")
    out = model.layers[1](model.layers[0](x)).detach().numpy()  # normalized over channels (last axis)
    np.testing.assert_allclose(out.mean(-1), 0, atol=1e-5)
    model.fit(x, np.ones((8, 1)), epochs=1, verbose=0)
