"""A layer called eagerly on a concrete tensor while a functional graph is being built (the
positional embedding of Keras's transformer examples: `Embedding(n, d)(ops.arange(n))` added to
the symbolic inputs). Its output carries autograd history, so the graph cannot hold it as a
constant (Keras 3 on torch does, and its second training step fails with "Trying to backward
through the graph a second time"): the call is recorded as a node, run at each forward pass, and
the layer's weights train. References: the same model computed by hand in NumPy from the
model's weights, and torch's gradients of that computation."""
import os

import numpy as np
import pytest
import torch

import cornu

RNG = np.random.default_rng(7)
X = RNG.random((24, 4, 6)).astype("float32")
Y = RNG.random((24, 4, 1)).astype("float32")


def _positional_model():
    inputs = cornu.Input((4, 6))
    embedding = cornu.layers.Embedding(4, 6)
    positions = embedding(cornu.ops.arange(4))  # eager: a concrete (4, 6) tensor
    outputs = cornu.layers.Dense(1)(inputs + positions)
    return cornu.Model(inputs, outputs), embedding


def _by_hand(model, embedding, x):
    table = embedding.get_weights()[0]
    kernel, bias = model.layers[-1].get_weights()
    return (x + table[np.arange(4)]) @ kernel + bias


class _EveryBatch(cornu.callbacks.Callback):
    def __init__(self, layer):
        super().__init__()
        self.layer, self.seen = layer, []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(self.layer.get_weights()[0].copy())


def test_an_embedding_of_arange_trains_at_every_step_and_the_loss_is_the_hand_computed_one():
    model, embedding = _positional_model()
    assert any(w is embedding.embeddings for w in model.trainable_weights)
    model.compile(cornu.optimizers.SGD(0.1), "mse")
    expected = np.mean((_by_hand(model, embedding, X) - Y) ** 2)
    np.testing.assert_allclose(model.evaluate(X, Y, verbose=0), expected, rtol=1e-5)
    start = embedding.get_weights()[0].copy()
    watch = _EveryBatch(embedding)
    model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0, callbacks=[watch])
    first = embedding.get_weights()[0].copy()
    model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    second = embedding.get_weights()[0]
    assert len(watch.seen) == 6
    for before, after in zip([start] + watch.seen[:-1], watch.seen):  # a gradient every step
        assert np.abs(after - before).max() > 1e-6
    assert np.abs(first - start).max() > 1e-6 and np.abs(second - first).max() > 1e-6
    expected = np.mean((_by_hand(model, embedding, X) - Y) ** 2)  # with the trained weights
    np.testing.assert_allclose(model.evaluate(X, Y, verbose=0), expected, rtol=1e-5)
    np.testing.assert_allclose(model.predict(X, verbose=0), _by_hand(model, embedding, X),
                               rtol=1e-5, atol=1e-6)


def test_one_sgd_step_moves_the_embedding_by_torchs_gradient_of_the_hand_computation():
    model, embedding = _positional_model()
    table = torch.tensor(embedding.get_weights()[0], requires_grad=True)
    kernel, bias = (torch.tensor(w) for w in model.layers[-1].get_weights())
    pred = (torch.from_numpy(X[:8]) + table[torch.arange(4)]) @ kernel + bias
    torch.mean((pred - torch.from_numpy(Y[:8])) ** 2).backward()
    model.compile(cornu.optimizers.SGD(0.5), "mse")
    model.train_on_batch(X[:8], Y[:8])
    np.testing.assert_allclose(embedding.get_weights()[0],
                               (table - 0.5 * table.grad).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_a_keras_3_train_step_trains_it_too():
    class Custom(cornu.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            loss = self.compute_loss(y=y, y_pred=self(x, training=True))
            loss.backward()
            weights = self.trainable_weights
            with torch.no_grad():
                self.optimizer.apply([v.value.grad for v in weights], weights)
            return {"loss": loss.detach()}

    model, embedding = _positional_model()
    custom = Custom(model.inputs, model.outputs)
    custom.compile(cornu.optimizers.SGD(0.1), "mse")
    start = embedding.get_weights()[0].copy()
    custom.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    assert np.abs(embedding.get_weights()[0] - start).max() > 1e-6


def test_chained_and_reused_eager_outputs_are_one_node_each():
    inputs = cornu.Input((4, 6))
    embedding, project = cornu.layers.Embedding(4, 6), cornu.layers.Dense(6)
    positions = embedding(cornu.ops.arange(4))
    projected = project(positions)  # an eager call on an eager call's output
    outputs = cornu.layers.Dense(1)(inputs + projected + positions)
    model = cornu.Model(inputs, outputs)
    assert len(embedding._inbound_nodes) == 1 and len(project._inbound_nodes) == 1
    assert {embedding.name, project.name} <= {layer.name for layer in model.layers}
    table = embedding.get_weights()[0]
    k1, b1 = project.get_weights()
    k2, b2 = model.layers[-1].get_weights()
    expected = (X + (table @ k1 + b1) + table) @ k2 + b2
    np.testing.assert_allclose(model.predict(X, verbose=0), expected, rtol=1e-5, atol=1e-6)
    model.compile("adam", "mse")
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)  # (no "backward a second time")


def test_a_layer_with_two_outputs_called_eagerly():
    class Pair(cornu.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, x):
            return [x * self.scale, x - self.scale]

    inputs = cornu.Input((3,))
    pair = Pair()
    first, second = pair(cornu.ops.ones((3,)))
    model = cornu.Model(inputs, inputs * first + second)
    assert len(pair._inbound_nodes) == 1
    scale = pair.get_weights()[0]
    x = RNG.random((5, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), x * scale + (1 - scale), rtol=1e-6)
    model.compile(cornu.optimizers.SGD(0.1), "mse")
    model.fit(x, np.zeros((5, 3), "float32"), epochs=2, batch_size=5, verbose=0)
    assert np.abs(pair.get_weights()[0] - scale).max() > 1e-6


def test_the_recorded_call_is_saved_and_loaded(tmp_path):
    model, _ = _positional_model()
    model.compile("adam", "mse")
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    path = os.path.join(tmp_path, "positional.keras")
    model.save(path)
    loaded = cornu.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)
    loaded.fit(X, Y, epochs=2, batch_size=8, verbose=0)  # and it trains after loading
    rebuilt = cornu.Model.from_config(model.get_config())
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]


def test_a_tensor_with_history_that_no_layer_call_made_is_a_clear_error():
    embedding = cornu.layers.Embedding(4, 6)
    positions = embedding(cornu.ops.arange(4)) * 2.0  # torch math after the call: not recorded
    inputs = cornu.Input((4, 6))
    with pytest.raises(ValueError, match=r"concrete tensor of shape \(4, 6\) that carries "
                                         r"autograd history \(MulBackward0\).*detach\(\)"):
        inputs + positions
    constant = positions.detach()  # as a constant it is taken, and stays one
    model = cornu.Model(inputs, inputs + constant)
    assert not any(w is embedding.embeddings for w in model.weights)
    np.testing.assert_allclose(model.predict(X, verbose=0), X + constant.numpy(), rtol=1e-6)


def test_a_channels_first_layers_eager_call_on_an_image_is_a_clear_error():
    conv = cornu.layers.Conv2D(2, 3, padding="same")
    features = conv(np.ones((1, 5, 5, 1), "float32"))  # eager; it runs channels-first inside
    inputs = cornu.Input((5, 5, 2))
    with pytest.raises(ValueError, match=r"conv2d.*channels-first.*symbolic tensors"):
        inputs + features


def test_an_eager_output_changed_in_place_is_a_clear_error():
    embedding = cornu.layers.Embedding(4, 6)
    positions = embedding(cornu.ops.arange(4))
    positions *= 2.0  # the graph would replay the call without the change
    inputs = cornu.Input((4, 6))
    with pytest.raises(ValueError, match=r"eager call of layer 'embedding.*changed in place"):
        inputs + positions
