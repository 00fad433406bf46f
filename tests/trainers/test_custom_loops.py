"""The patterns of Keras 3's "Writing a training loop from scratch in PyTorch" guide, run as the
same code on cornu and on real Keras 3 (torch backend) from identical initial weights: the final
weights agree within 1e-5, and the metrics read in the loop agree."""
import numpy as np
import pytest
import torch

import cornu

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 20)).astype("float32")
Y = np.eye(10, dtype="float32")[RNG.integers(0, 10, 64)]


class _ActivityRegularization:
    @staticmethod
    def make(lib):
        class ActivityRegularizationLayer(lib.layers.Layer):
            def call(self, inputs):
                self.add_loss(1e-2 * torch.sum(inputs))
                return inputs
        return ActivityRegularizationLayer()


def get_model(lib, regularized=False):
    inputs = lib.Input(shape=(20,), name="digits")
    x = lib.layers.Dense(16, activation="relu")(inputs)
    if regularized:
        x = _ActivityRegularization.make(lib)(x)
    x = lib.layers.Dense(16, activation="relu")(x)
    outputs = lib.layers.Dense(10, name="predictions")(x)
    return lib.Model(inputs=inputs, outputs=outputs)


def twin_models(regularized=False):
    ref, ours = get_model(keras, regularized), get_model(cornu, regularized)
    ours.set_weights(ref.get_weights())
    return ref, ours


def loader():
    data = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    return torch.utils.data.DataLoader(data, batch_size=16, shuffle=False)


def loop_torch_optimizer(lib, model):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(2):
        for inputs, targets in loader():
            logits = model(inputs)
            loss = loss_fn(logits, targets)
            model.zero_grad()
            loss.backward()
            optimizer.step()
    return []


def loop_keras_optimizer(lib, model, no_grad=True):
    optimizer = lib.optimizers.Adam(learning_rate=1e-3)
    loss_fn = lib.losses.CategoricalCrossentropy(from_logits=True)
    train_acc = lib.metrics.CategoricalAccuracy()
    val_acc = lib.metrics.CategoricalAccuracy()
    results = []
    for _ in range(2):
        for inputs, targets in loader():
            logits = model(inputs, training=True)
            loss = loss_fn(targets, logits)
            if model.losses:
                loss = loss + torch.sum(*model.losses)
            model.zero_grad()
            trainable_weights = [v for v in model.trainable_weights]
            loss.backward()
            gradients = [v.value.grad for v in trainable_weights]
            if no_grad:
                with torch.no_grad():
                    optimizer.apply(gradients, trainable_weights)
            else:
                optimizer.apply(gradients, trainable_weights)
            train_acc.update_state(targets, logits)
        results.append(float(train_acc.result()))
        train_acc.reset_state()
        for inputs, targets in loader():
            val_acc.update_state(targets, model(inputs, training=False))
        results.append(float(val_acc.result()))
        val_acc.reset_state()
    results.append(len(model.losses))
    return results


def _check(ref, ours, ref_results, our_results):
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(our_results, ref_results, rtol=1e-6)


def test_keras_model_trained_by_torch_optim():
    ref, ours = twin_models()
    start = ours.get_weights()
    _check(ref, ours, loop_torch_optimizer(keras, ref), loop_torch_optimizer(cornu, ours))
    assert not np.allclose(start[0], ours.get_weights()[0])


def test_keras_optimizer_apply_with_metrics():
    ref, ours = twin_models()
    _check(ref, ours, loop_keras_optimizer(keras, ref), loop_keras_optimizer(cornu, ours))


def test_apply_outside_no_grad_is_the_same_update():
    ref, ours = twin_models()
    _check(ref, ours, loop_keras_optimizer(keras, ref),
           loop_keras_optimizer(cornu, ours, no_grad=False))
    assert all(w.grad_fn is None for w in ours.trainable_weights)


def test_model_losses_hold_the_latest_call_only():
    ref, ours = twin_models(regularized=True)
    ref_results, our_results = loop_keras_optimizer(keras, ref), loop_keras_optimizer(cornu, ours)
    assert our_results[-1] == ref_results[-1] == 1
    _check(ref, ours, ref_results, our_results)
    ours(X[:4])
    ours(X[:4])
    assert len(ours.losses) == 1


def test_keras_model_inside_a_torch_module():
    def make(lib, seed_model=None):
        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.body = seed_model if seed_model is not None else get_model(lib)
                self.scale = torch.nn.Parameter(torch.ones(()))

            def forward(self, x):
                return self.body(x) * self.scale
        return Net()
    ref_body, our_body = twin_models()
    nets = [make(keras, ref_body), make(cornu, our_body)]
    for net in nets:
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for inputs, targets in loader():
            loss = torch.nn.functional.cross_entropy(net(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    assert len(list(nets[1].parameters())) == len(list(nets[0].parameters())) == 7
    _check(ref_body, our_body, [nets[0].scale.item()], [nets[1].scale.item()])
