"""The training step without autograd (trainers/flat_step.py) against the autograd step, for
every loss, activation and optimizer it takes: the same model, seeds and data trained both ways
must give the same history, weights and `.grad`s."""
import numpy as np
import pytest
import torch

import cornu
from cornu import layers
from cornu.trainers import flat_step

N, FEATURES = 24, 4


def _data(loss, units, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    name = loss if isinstance(loss, str) else getattr(loss, "name", "")
    if "sparse" in name:
        y = rng.integers(0, units, N)
    elif "categorical" in name or name == "kl_divergence":
        y = np.eye(units, dtype="float32")[rng.integers(0, units, N)]
    elif "binary" in name:
        y = (rng.random((N, units)) > 0.5).astype("float32")
    else:
        y = rng.normal(size=(N, units)).astype("float32")
    return x, y


def _train(enabled, build, loss, optimizer="adam", units=3, fit_kwargs=None, compile_kwargs=None,
           monkeypatch=None):
    monkeypatch.setattr(flat_step, "ENABLED", enabled)
    calls = []
    original = flat_step.FlatStep.__call__

    def spy(self, *args):
        calls.append(1)
        return original(self, *args)
    monkeypatch.setattr(flat_step.FlatStep, "__call__", spy)
    cornu.utils.set_random_seed(1)
    model = build(units)
    model.compile(optimizer=cornu.optimizers.get(optimizer) if isinstance(optimizer, str)
                  else optimizer.from_config(optimizer.get_config()),
                  loss=loss, **(compile_kwargs or {}))
    x, y = _data(loss, units)
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, **(fit_kwargs or {}))
    return (history.history, [w.numpy() for w in model.weights],
            [None if w.value.grad is None else w.value.grad.numpy()
             for w in model.trainable_weights], len(calls))


def _same_both_ways(monkeypatch, build, loss, optimizer="adam", units=3, **kwargs):
    h_ref, w_ref, g_ref, _ = _train(False, build, loss, optimizer, units, monkeypatch=monkeypatch,
                                    **kwargs)
    h, w, g, calls = _train(True, build, loss, optimizer, units, monkeypatch=monkeypatch, **kwargs)
    assert calls == 9  # 3 epochs of 3 batches, all through the flat step
    assert h.keys() == h_ref.keys()
    for key in h_ref:
        np.testing.assert_allclose(h[key], h_ref[key], rtol=1e-5, atol=1e-6, err_msg=key)
    for a, b in zip(w, w_ref):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(g, g_ref):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def _mlp(output_activation=None, hidden="relu"):
    def build(units):
        return cornu.Sequential([cornu.Input((FEATURES,)), layers.Dense(6, activation=hidden),
                                 layers.Dense(units, activation=output_activation)])
    return build


def _scaled_mse(y_true, y_pred):  # a user's loss function: autograd on the loss alone
    return torch.mean((y_true - y_pred) ** 2, dim=-1) * 0.5


LOSSES = [
    ("mse", None), ("mae", None), ("mse", "tanh"),
    ("binary_crossentropy", "sigmoid"), ("binary_crossentropy", "tanh"),
    (cornu.losses.BinaryCrossentropy(from_logits=True), None),
    (cornu.losses.BinaryCrossentropy(label_smoothing=0.1), "sigmoid"),
    ("categorical_crossentropy", "softmax"), ("categorical_crossentropy", "sigmoid"),
    (cornu.losses.CategoricalCrossentropy(from_logits=True), None),
    (cornu.losses.CategoricalCrossentropy(label_smoothing=0.2), "softmax"),
    ("sparse_categorical_crossentropy", "softmax"),
    (cornu.losses.SparseCategoricalCrossentropy(from_logits=True), None),
    ("huber", None), ("kl_divergence", "softmax"), (_scaled_mse, None),
]


@pytest.mark.parametrize("loss,activation", LOSSES,
                         ids=lambda v: getattr(v, "name", getattr(v, "__name__", str(v))))
def test_every_loss_matches_autograd(monkeypatch, loss, activation):
    # (binary crossentropy on tanh: outputs below 0 are clipped, a gradient of 0 on both paths)
    _same_both_ways(monkeypatch, _mlp(activation), loss, units=1 if "binary" in str(
        getattr(loss, "name", loss)) else 3)


ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "elu", "selu",
               "leaky_relu", "relu6", "softplus", "softsign", "silu", "gelu", "hard_sigmoid",
               "exponential"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_hidden_activation_matches_autograd(monkeypatch, activation):
    _same_both_ways(monkeypatch, _mlp(None, hidden=activation), "mse", "sgd")


@pytest.mark.parametrize("layer", [
    lambda: layers.Activation("relu"), lambda: layers.ReLU(), lambda: layers.LeakyReLU(0.1),
    lambda: layers.ELU(0.5), lambda: layers.Dropout(0.3), lambda: layers.Dropout(0.0)],
    ids=["Activation", "ReLU", "LeakyReLU", "ELU", "Dropout", "Dropout0"])
def test_activation_and_dropout_layers_match_autograd(monkeypatch, layer):
    def build(units):
        return cornu.Sequential([cornu.Input((FEATURES,)), layers.Dense(6), layer(),
                                 layers.Dense(units)])
    _same_both_ways(monkeypatch, build, "mse", "sgd")


OPTIMIZERS = ["sgd", cornu.optimizers.SGD(0.05, momentum=0.9, nesterov=True), "adam",
              cornu.optimizers.Adam(amsgrad=True), cornu.optimizers.AdamW(), "rmsprop",
              cornu.optimizers.RMSprop(momentum=0.5, centered=True), "adagrad", "adadelta",
              "adamax", "nadam", "ftrl", "lion", cornu.optimizers.SGD(clipnorm=0.1),
              cornu.optimizers.Adam(clipvalue=0.01, weight_decay=0.01)]


@pytest.mark.parametrize("optimizer", OPTIMIZERS,
                         ids=lambda o: o if isinstance(o, str) else repr(o.get_config()))
def test_every_optimizer_matches_autograd(monkeypatch, optimizer):
    _same_both_ways(monkeypatch, _mlp("sigmoid"), "binary_crossentropy", optimizer, units=1)


@pytest.mark.parametrize("loss,activation,units", [
    ("binary_crossentropy", "sigmoid", 1), ("categorical_crossentropy", "softmax", 3),
    ("sparse_categorical_crossentropy", "softmax", 3), ("mse", None, 2)])
def test_sample_weights_class_weights_and_loss_weights(monkeypatch, loss, activation, units):
    weights = np.linspace(0.1, 2.0, N).astype("float32")
    _same_both_ways(monkeypatch, _mlp(activation), loss, units=units,
                    fit_kwargs={"sample_weight": weights})
    _same_both_ways(monkeypatch, _mlp(activation), loss, units=units,
                    compile_kwargs={"loss_weights": 0.3,
                                    "metrics": ["mae" if loss == "mse" else "accuracy"]})
    if "sparse" in loss:
        _same_both_ways(monkeypatch, _mlp(activation), loss, units=units,
                        fit_kwargs={"class_weight": {0: 1.0, 1: 3.0, 2: 0.5}})


def test_labels_of_rank_one_for_one_output(monkeypatch):
    build = _mlp("sigmoid")

    def with_flat_labels(enabled):
        monkeypatch.setattr(flat_step, "ENABLED", enabled)
        cornu.utils.set_random_seed(1)
        model = build(1)
        model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
        x, y = _data("binary", 1)
        history = model.fit(x, y[:, 0], epochs=2, batch_size=8, verbose=0)
        return history.history, [w.numpy() for w in model.weights]
    (h_ref, w_ref), (h, w) = with_flat_labels(False), with_flat_labels(True)
    np.testing.assert_allclose(h["loss"], h_ref["loss"], rtol=1e-6)
    np.testing.assert_allclose(h["accuracy"], h_ref["accuracy"])
    for a, b in zip(w, w_ref):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_frozen_layer_and_functional_chain(monkeypatch):
    def build(units):
        inputs = cornu.Input((FEATURES,))
        first = layers.Dense(5, activation="tanh", trainable=False)
        hidden = layers.Dense(4, activation="relu", use_bias=False)(first(inputs))
        return cornu.Model(inputs, layers.Dense(units)(hidden))
    _same_both_ways(monkeypatch, build, "mse", "adam")


class _MyDense(layers.Dense):
    pass


def _refused(build, **compile_kwargs):
    cornu.utils.set_random_seed(0)
    model = build()
    model.compile("sgd", "mse", **compile_kwargs)
    x, y = _data("mse", 1)
    model.fit(x[:8], y[:8], epochs=1, verbose=0)  # builds and compiles everything
    return flat_step.plan(model, model._trainable_params())


@pytest.mark.parametrize("case", ["subclass", "regularizer", "hook", "branches", "run_eagerly",
                                  "conv"])
def test_models_with_anything_custom_keep_the_autograd_step(monkeypatch, case):
    def build():
        inputs = cornu.Input((FEATURES,))
        if case == "subclass":
            return cornu.Model(inputs, _MyDense(1)(inputs))
        if case == "regularizer":
            return cornu.Model(inputs, layers.Dense(1, kernel_regularizer="l2")(inputs))
        if case == "branches":
            a, b = layers.Dense(2)(inputs), layers.Dense(2)(inputs)
            return cornu.Model(inputs, layers.Dense(1)(layers.Add()([a, b])))
        if case == "conv":
            reshaped = layers.Reshape((FEATURES, 1))(inputs)
            return cornu.Model(inputs, layers.Dense(1)(layers.Flatten()(
                layers.Conv1D(1, 2)(reshaped))))
        model = cornu.Model(inputs, layers.Dense(1)(inputs))
        if case == "hook":
            model.layers[-1].register_forward_hook(lambda *args: None)
        return model
    step, reason = _refused(build, run_eagerly=case == "run_eagerly")
    assert step is None and reason


def test_a_hook_is_honoured_by_fit(monkeypatch):
    """A forward hook sees every step: the flat step (which would skip it) is not used."""
    seen = []
    cornu.utils.set_random_seed(0)
    model = cornu.Sequential([cornu.Input((FEATURES,)), layers.Dense(1)])
    model.layers[0].register_forward_hook(lambda module, args, out: seen.append(out.shape[0]))
    model.compile("sgd", "mse")
    x, y = _data("mse", 1)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert seen[-3:] == [8, 8, 8]


def test_targets_outside_zero_one_and_float64(monkeypatch):
    """Binary crossentropy on noisy labels (a GAN's 0.9/1.1) takes the loss's formula, and a
    float64 model trains in float64, both as with autograd."""
    def noisy(enabled, dtype):
        monkeypatch.setattr(flat_step, "ENABLED", enabled)
        cornu.utils.set_random_seed(3)
        model = cornu.Sequential([cornu.Input((FEATURES,), dtype=dtype),
                                  layers.Dense(5, activation="relu", dtype=dtype),
                                  layers.Dense(1, activation="sigmoid", dtype=dtype)])
        model.compile("adam", "binary_crossentropy")
        x, _ = _data("mse", 1)
        y = np.where(np.arange(N) % 2 == 0, 1.1, -0.1).reshape(N, 1)
        history = model.fit(x.astype(dtype), y.astype(dtype), epochs=2, batch_size=8, verbose=0)
        return history.history["loss"], [w.numpy() for w in model.weights]
    calls, original = [], flat_step.FlatStep.__call__
    monkeypatch.setattr(flat_step.FlatStep, "__call__",
                        lambda self, *args: calls.append(1) or original(self, *args))
    for dtype in ("float32", "float64"):
        calls.clear()
        (l_ref, w_ref), (loss, w) = noisy(False, dtype), noisy(True, dtype)
        assert len(calls) == 6  # 2 epochs of 3 batches, trained without autograd
        np.testing.assert_allclose(loss, l_ref, rtol=1e-5)
        for a, b in zip(w, w_ref):
            assert a.dtype == b.dtype == np.dtype(dtype)
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
