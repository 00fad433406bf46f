"""Rescaling and Normalization against Keras 3."""
import numpy as np
import pytest

import cornu
from cornu.testing import compare_with_keras, real_keras


def test_rescaling_matches_keras():
    compare_with_keras("Rescaling", kwargs={"scale": 1 / 127.5, "offset": -1},
                       input_shape=(2, 4, 4, 3))
    compare_with_keras("Rescaling", kwargs={"scale": [0.5, 1.0, 2.0]}, input_shape=(2, 4, 3))
    out = cornu.layers.Rescaling(1 / 255)(np.full((1, 2), 255, "uint8"))
    assert out.dtype.is_floating_point and np.allclose(out.numpy(), 1)


@pytest.mark.parametrize("kwargs, shape", [({}, (50, 3)), ({"axis": -1}, (20, 4, 3)),
                                           ({"axis": None}, (30, 2)), ({"axis": (1, 2)}, (10, 2, 3))])
def test_adapted_normalization_matches_keras(kwargs, shape):
    keras = real_keras()
    data = np.random.RandomState(0).rand(*shape).astype("float32") * 5 + 2
    ref, ours = keras.layers.Normalization(**kwargs), cornu.layers.Normalization(**kwargs)
    ref.adapt(data)
    ours.adapt(data)
    x = data[:4] + 1
    np.testing.assert_allclose(ours(x).detach().numpy(), np.asarray(ref(x).detach().cpu()), rtol=1e-4, atol=1e-5)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in ref.get_weights()]
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4)


def test_given_statistics_and_invert_match_keras():
    keras = real_keras()
    x = np.random.RandomState(0).rand(5, 2).astype("float32")
    for invert in (False, True):
        kw = {"mean": [1.0, 2.0], "variance": [4.0, 0.25], "invert": invert}
        np.testing.assert_allclose(cornu.layers.Normalization(**kw)(x).detach().numpy(),
                                   np.asarray(keras.layers.Normalization(**kw)(x).detach().cpu()),
                                   rtol=1e-5)


def test_adapted_normalization_saves_with_the_model(tmp_path):
    data = np.random.RandomState(0).rand(40, 3).astype("float32") * 10
    norm = cornu.layers.Normalization()
    norm.adapt(data)
    model = cornu.Sequential([cornu.Input((3,)), norm, cornu.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(data, data[:, :1], epochs=1, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = cornu.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(data[:3], verbose=0), model.predict(data[:3], verbose=0),
                               rtol=1e-5)
    ref = real_keras().models.load_model(path)  # and real Keras reads the file
    np.testing.assert_allclose(np.asarray(ref.predict(data[:3], verbose=0)),
                               model.predict(data[:3], verbose=0), rtol=1e-4, atol=1e-5)
