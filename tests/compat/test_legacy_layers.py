"""Keras 1's Highway and MaxoutDense, checked against their documented formulas."""
import numpy as np

import cornu
from cornu.testing import run_layer_test


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_highway_formula_and_contract():
    layer = run_layer_test(cornu.layers.Highway, {"activation": "relu"}, (3, 4),
                           compare_with_keras=False)
    w, w_carry, b, b_carry = layer.get_weights()
    np.testing.assert_array_equal(b_carry, np.full(4, -2.0))
    x = np.random.RandomState(1).randn(3, 4).astype("float32")
    t = _sigmoid(x @ w_carry + b_carry)
    want = t * np.maximum(x @ w + b, 0) + (1 - t) * x
    np.testing.assert_allclose(layer(x).detach().numpy(), want, rtol=1e-5, atol=1e-6)


def test_maxout_dense_formula_and_contract():
    layer = run_layer_test(cornu.layers.MaxoutDense, {"output_dim": 3, "nb_feature": 2},
                           (5, 4), compare_with_keras=False, expected_output_shape=(5, 3))
    w, b = layer.get_weights()
    assert w.shape == (2, 4, 3) and b.shape == (2, 3)
    layer.set_weights([w, np.random.RandomState(2).randn(2, 3).astype("float32")])
    w, b = layer.get_weights()
    x = np.random.RandomState(1).randn(5, 4).astype("float32")
    want = np.max(np.einsum("ni,kio->nko", x, w) + b, axis=1)
    np.testing.assert_allclose(layer(x).detach().numpy(), want, rtol=1e-5, atol=1e-6)


def test_keras1_script_spelling():
    import subprocess
    import sys
    code = ("import cornu; cornu.install_as_keras()\n"
            "from keras.layers import Highway, MaxoutDense\n"
            "from keras.models import Sequential\n"
            "m = Sequential([MaxoutDense(8, nb_feature=3, input_dim=4), Highway(activation='tanh')])\n"
            "m.compile('sgd', 'mse')\n"
            "import numpy as np; m.fit(np.ones((4, 4)), np.ones((4, 8)), nb_epoch=1, verbose=0)\n"
            "assert m.output_shape == (None, 8)\n")
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr[-2000:]
