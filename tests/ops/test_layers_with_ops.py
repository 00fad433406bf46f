"""Keras 3 style code on cornu: a custom layer whose `call` uses ops trains in a Sequential
model; ops on symbolic tensors build functional models; `keras.ops` and `keras.random` resolve
through cornu's `keras` alias."""
import subprocess
import sys
import textwrap

import numpy as np

import cornu
from cornu import layers, ops


class Linear(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


def test_custom_layer_using_ops_trains_with_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3
    model = cornu.Sequential([cornu.Input((3,)), Linear(1)])
    model.compile(optimizer=cornu.optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.01 * history.history["loss"][0]
    w, b = model.layers[-1].get_weights()
    np.testing.assert_allclose(w[:, 0], [1.0, -2.0, 0.5], atol=0.05)
    np.testing.assert_allclose(b, [0.3], atol=0.05)
    np.testing.assert_allclose(model.predict(x, verbose=0), x @ w + b, rtol=1e-5, atol=1e-5)


def test_ops_on_symbolic_tensors_build_a_functional_model(tmp_path):
    inputs = cornu.Input((4,))
    hidden = layers.Dense(3)(inputs)
    outputs = ops.softmax(ops.concatenate([hidden, ops.square(hidden)], axis=-1))
    model = cornu.Model(inputs, outputs)
    x = np.random.default_rng(1).normal(size=(5, 4)).astype("float32")
    h = model.layers[1](ops.convert_to_tensor(x)).detach().numpy()
    z = np.concatenate([h, h ** 2], axis=-1)
    expected = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "ops.keras")
    loaded = cornu.models.load_model(tmp_path / "ops.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_keras_ops_and_random_through_cornu_run(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import keras
        from keras import ops, random
        from keras.ops import nn
        x = ops.convert_to_tensor([[1.0, -2.0]])
        print(type(x).__module__, ops.shape(ops.matmul(x, ops.ones((2, 3)))),
              float(ops.sum(nn.relu(x))), tuple(random.normal((2,), seed=1).shape),
              keras.ops.mean is ops.mean, keras.random.SeedGenerator.__module__)
    """))
    result = subprocess.run([sys.executable, "-m", "cornu", "run", str(script)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["torch", "(1,", "3)", "1.0", "(2,)", "True", "cornu.random"]
