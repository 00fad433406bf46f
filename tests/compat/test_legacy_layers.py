"""Keras 1's Highway and MaxoutDense, checked against their documented formulas."""
import numpy as np
import pytest

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


# -- Keras 1's advanced activations and TimeDistributedDense (keras/layers/advanced_activations.py
# and keras/layers/core.py of Keras 1.2), against their documented formulas --

def _x(shape=(4, 3, 5), seed=3):
    return (np.random.RandomState(seed).randn(*shape) * 2).astype("float32")


def test_parametric_softplus_formula_and_contract():
    layer = run_layer_test(cornu.layers.ParametricSoftplus, {"alpha_init": 0.3},
                           (4, 3, 5), compare_with_keras=False)
    alphas, betas = layer.get_weights()
    assert alphas.shape == betas.shape == (3, 5)
    np.testing.assert_array_equal(alphas, np.full((3, 5), 0.3, "float32"))
    np.testing.assert_array_equal(betas, np.full((3, 5), 5.0, "float32"))
    rng = np.random.RandomState(0)
    layer.set_weights([rng.rand(3, 5).astype("float32"), rng.rand(3, 5).astype("float32") + .5])
    alphas, betas = layer.get_weights()
    x = _x()
    np.testing.assert_allclose(layer(x).detach().numpy(), alphas * np.log1p(np.exp(betas * x)),
                               rtol=1e-5, atol=1e-6)
    shared = cornu.layers.ParametricSoftplus(shared_axes=[1])
    shared(x)
    assert shared.get_weights()[0].shape == (1, 5)


def test_thresholded_linear_formula():
    run_layer_test(cornu.layers.ThresholdedLinear, {"theta": 0.5}, (4, 6),
                   compare_with_keras=False, run_training_check=False)
    x = _x()
    got = cornu.layers.ThresholdedLinear(theta=1.5)(x).detach().numpy()
    np.testing.assert_array_equal(got, np.where(np.abs(x) > 1.5, x, 0))


def _srelu(x, t_left, a_left, t_right, a_right):
    t_r = t_left + np.abs(t_right)
    return np.where(x >= t_r, t_r + a_right * (x - t_r),
                    np.where(x <= t_left, t_left + a_left * (x - t_left), x))


def test_srelu_formula_and_contract():
    layer = run_layer_test(cornu.layers.SReLU, {}, (4, 3, 5), compare_with_keras=False)
    t_left, a_left, t_right, a_right = layer.get_weights()
    assert t_left.shape == (3, 5)
    np.testing.assert_array_equal(t_left, 0)
    np.testing.assert_array_equal(a_right, 1)
    rng = np.random.RandomState(1)
    # the paper's piecewise form, for slopes a_left >= 0 (Keras 1 clips the left piece at t_r)
    weights = [rng.randn(3, 5).astype("float32"), rng.rand(3, 5).astype("float32"),
               rng.randn(3, 5).astype("float32"), rng.randn(3, 5).astype("float32")]
    layer.set_weights(weights)
    x = _x()
    np.testing.assert_allclose(layer(x).detach().numpy(), _srelu(x, *weights), rtol=1e-5,
                               atol=1e-6)
    shared = cornu.layers.SReLU(shared_axes=[1, 2])
    shared(x)
    assert [w.shape for w in shared.get_weights()] == [(1, 1)] * 4
    with pytest.raises(ValueError, match="shared_axes"):
        cornu.layers.SReLU(shared_axes=[4])(x)


def test_time_distributed_dense_formula_and_contract():
    layer = run_layer_test(cornu.layers.TimeDistributedDense,
                           {"output_dim": 4, "activation": "tanh"}, (2, 3, 5),
                           compare_with_keras=False, expected_output_shape=(2, 3, 4))
    w, b = layer.get_weights()
    assert w.shape == (5, 4) and b.shape == (4,)
    layer.set_weights([w, np.arange(4, dtype="float32") / 10])
    x = _x((2, 3, 5))
    np.testing.assert_allclose(layer(x).detach().numpy(), np.tanh(x @ w + np.arange(4) / 10),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="steps"):
        cornu.layers.TimeDistributedDense(3)(np.ones((2, 5), "float32"))


def test_keras1_advanced_layers_in_a_script():
    import subprocess
    import sys
    code = ("import cornu; cornu.install_as_keras()\n"
            "from keras.layers import SReLU, ParametricSoftplus, ThresholdedLinear, "
            "TimeDistributedDense\n"
            "from keras.models import Sequential\n"
            "m = Sequential([TimeDistributedDense(6, input_dim=4, input_length=3, init='uniform'),"
            " SReLU(), ParametricSoftplus(), ThresholdedLinear(theta=0.1)])\n"
            "m.compile('sgd', 'mse')\n"
            "import numpy as np; m.fit(np.ones((4, 3, 4)), np.ones((4, 3, 6)), nb_epoch=1, "
            "verbose=0)\n"
            "assert m.output_shape == (None, 3, 6), m.output_shape\n"
            "m2 = cornu.models.model_from_json(m.to_json())\n"
            "assert [type(l).__name__ for l in m2.layers] == [type(l).__name__ for l in m.layers]\n")
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_embedding_word_dropout_keras1():
    # Keras 1: gather(W * B, x), B ~ Bernoulli(1 - p) / (1 - p) per row of the table, in training
    import torch
    layer = cornu.layers.Embedding(4000, 3, dropout=0.3)
    ids = np.stack([np.arange(4000), np.arange(4000)[::-1]])
    table = layer(ids).detach().numpy()[0]  # inference: the plain lookup
    np.testing.assert_array_equal(table, layer.get_weights()[0])
    layer.train()
    out = layer(torch.as_tensor(ids)).detach().numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], (table[ids] / 0.7)[kept], rtol=1e-6)
    np.testing.assert_array_equal(kept[0], kept[1][::-1])  # a word drops everywhere alike
    np.testing.assert_array_equal(kept[0, :, 0], kept[0, :, 2])  # the whole row
    dropped = (~kept[0, :, 0]).mean()
    assert abs(dropped - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 4000)
    layer.eval()
    np.testing.assert_array_equal(layer(ids).detach().numpy(), table[ids])
    clone = cornu.layers.Embedding.from_config(layer.get_config())
    assert clone.word_dropout == 0.3
    assert "dropout" not in cornu.layers.Embedding(5, 2).get_config()
    with pytest.raises(ValueError, match="dropout"):
        cornu.layers.Embedding(5, 2, dropout=1.0)


def test_embedding_word_dropout_in_fit_only():
    seen = []
    model = cornu.Sequential([cornu.Input((6,)), cornu.layers.Embedding(30, 2, dropout=0.5),
                              cornu.layers.Flatten(), cornu.layers.Dense(1)])
    emb = model.layers[0]
    emb.register_forward_hook(lambda layer, args, out: seen.append(layer.training))
    model.compile("sgd", "mse")
    x = np.random.RandomState(0).randint(0, 30, (8, 6))
    model.fit(x, np.ones((8, 1)), epochs=1, batch_size=8, verbose=0)
    assert seen and seen[-1] is True  # the training step
    model.predict(x, verbose=0)
    assert seen[-1] is False
