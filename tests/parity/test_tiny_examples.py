"""The course notes' tiny examples train exactly as real Keras 3 does, from the same weights."""
import numpy as np
import pytest

import cornu

keras = pytest.importorskip("keras")


def _train(lib, x, y, activation, loss, optimizer, epochs, weights):
    model = lib.Sequential([lib.layers.Dense(1, activation=activation)])
    model.build((None, x.shape[1]))
    model.set_weights(weights)
    model.compile(loss=loss, optimizer=optimizer)
    model.fit(x, y, epochs=epochs, verbose=0, shuffle=False)
    return model.get_weights(), model.predict(x, verbose=0)


@pytest.mark.parametrize("case", ["y_equals_x_adam", "logistic_regression_sgd"])
def test_same_weights_and_predictions_as_keras(case):
    if case == "y_equals_x_adam":
        x = np.array([[1], [2], [3]])
        y = x.copy()
        args = (None, "mse", "adam", 1000, [np.array([[0.5]], "float32"), np.array([0.1], "float32")])
    else:
        x = np.array([[1, 2], [2, 3], [3, 1], [4, 3], [5, 3], [6, 2]])
        y = np.array([[0], [0], [0], [1], [1], [1]])
        args = ("sigmoid", "binary_crossentropy", "sgd", 2000,
                [np.array([[0.3], [-0.2]], "float32"), np.array([0.0], "float32")])
    ref_weights, ref_pred = _train(keras, x, y, *args)
    weights, pred = _train(cornu, x, y, *args)
    for ours, theirs in zip(weights, ref_weights):
        np.testing.assert_allclose(ours, theirs, atol=1e-4, rtol=0)
    np.testing.assert_allclose(pred, ref_pred, atol=1e-4, rtol=0)
