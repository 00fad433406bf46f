"""predict() on a few samples through the model's plan (trainers/fast_predict.py), against the
formula (NumPy) and the ordinary call on the same model."""
import numpy as np
import pytest
import torch

import cornu
from cornu.trainers import data_adapters, fast_predict, threads


def _mlp(activation="relu", extra=()):
    return cornu.Sequential([cornu.Input((5,)), cornu.layers.Dense(7, activation=activation),
                             cornu.layers.Dropout(0.5), *extra,
                             cornu.layers.Dense(3, activation="softmax")])


def _numpy_forward(model, x):
    (k1, b1), (k2, b2) = [l.get_weights() for l in model.layers if l.get_weights()]
    h = np.maximum(x.astype("float64") @ k1 + b1, 0)
    z = h @ k2 + b2
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _ordinary(model, x, **kwargs):
    """The ordinary call's result (the plan switched off for it)."""
    real = fast_predict.run
    fast_predict.run = lambda *args: None
    try:
        return model.predict(x, verbose=0, **kwargs)
    finally:
        fast_predict.run = real


def _planned(model, x):
    model.predict(x, verbose=0)
    assert isinstance(model.__dict__.get("_predict_plan"), fast_predict.Plan)


def test_the_plan_gives_the_formula_and_the_ordinary_call(monkeypatch):
    model, rng = _mlp(), np.random.default_rng(0)
    x = rng.normal(size=(1, 5)).astype("float32")
    _planned(model, x)
    for n, batch_size in ((1, None), (4, None), (32, None), (33, None), (100, None), (5, 2),
                          (7, 7)):  # (several batches from 33 on, and for 5 in twos)
        xs = rng.normal(size=(n, 5)).astype("float32")
        expected = _ordinary(model, xs, batch_size=batch_size)
        with monkeypatch.context() as m:
            m.setattr(data_adapters, "get", lambda *a, **k: pytest.fail("ordinary call"))
            out = model.predict(xs, batch_size=batch_size, verbose=0)
        assert out.dtype == np.float32 and out.shape == (n, 3)
        np.testing.assert_array_equal(out, expected)
        np.testing.assert_allclose(out, _numpy_forward(model, xs), rtol=1e-5, atol=1e-6)


def test_float64_input(monkeypatch):
    model = _mlp()
    x = np.random.default_rng(1).normal(size=(2, 5))
    expected = _ordinary(model, x)
    _planned(model, x)
    monkeypatch.setattr(data_adapters, "get", lambda *a, **k: pytest.fail("ordinary call"))
    np.testing.assert_array_equal(model.predict(x, verbose=0), expected)


def test_new_weights_and_activations_are_read_at_each_call(monkeypatch):
    model, rng = _mlp(), np.random.default_rng(2)
    x = rng.normal(size=(3, 5)).astype("float32")
    _planned(model, x)
    model.set_weights([w * 2 + 0.1 for w in model.get_weights()])
    model.compile("sgd", "mse")
    model.fit(rng.normal(size=(8, 5)), rng.random((8, 3)), epochs=2, verbose=0)
    model.layers[0].activation = cornu.activations.tanh
    plan = model.__dict__["_predict_plan"]
    out = model.predict(x, verbose=0)
    assert model.__dict__["_predict_plan"] is plan
    k1, b1 = model.layers[0].get_weights()
    k2, b2 = model.layers[2].get_weights()
    z = np.tanh(x @ k1 + b1) @ k2 + b2
    np.testing.assert_allclose(out, np.exp(z) / np.exp(z).sum(-1, keepdims=True), rtol=1e-5)


def test_a_model_changed_after_the_plan_runs_the_ordinary_way():
    model = _mlp()
    x = np.ones((1, 5), "float32")
    _planned(model, x)
    model.add(cornu.layers.Dense(2))  # a new layer: the ordinary call, then a new plan
    assert model.predict(x, verbose=0).shape == (1, 2)
    model.layers[-1].kernel = cornu.Variable(np.zeros((3, 2), "float32"))
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.layers[-1].bias.numpy()[None])


def test_hooks_and_pending_losses_run_the_ordinary_way():
    model = _mlp()
    x = np.ones((1, 5), "float32")
    _planned(model, x)
    seen = []
    handle = model.layers[0].register_forward_hook(lambda m, i, o: seen.append(o.shape))
    model.predict(x, verbose=0)
    assert seen == [(1, 7)]
    handle.remove()
    handle = torch.nn.modules.module.register_module_forward_hook(
        lambda m, i, o: seen.append(type(m).__name__))
    try:
        model.predict(x, verbose=0)
    finally:
        handle.remove()
    assert "Dense" in seen


@pytest.mark.parametrize("kwargs", [dict(verbose=1), dict(verbose=0, steps=1),
                                    dict(verbose=0, callbacks=[cornu.callbacks.Callback()])])
def test_other_arguments_run_the_ordinary_way(kwargs, capsys):
    model = _mlp()
    x = np.ones((2, 5), "float32")
    _planned(model, x)
    calls = []
    real = data_adapters.get
    try:
        data_adapters.get = lambda *a, **k: calls.append(1) or real(*a, **k)
        out = model.predict(x, **kwargs)
    finally:
        data_adapters.get = real
    assert calls == [1] and out.shape == (2, 3)
    if kwargs.get("verbose") == 1:
        assert "1/1" in capsys.readouterr().out


@pytest.mark.parametrize("make", [
    lambda x: x.astype("int64"), lambda x: [x], lambda x: torch.from_numpy(x)])
def test_other_data_runs_the_ordinary_way(make):
    model = _mlp()
    x = np.ones((1, 5), "float32")
    _planned(model, x)
    calls, real = [], data_adapters.get
    try:
        data_adapters.get = lambda *a, **k: calls.append(1) or real(*a, **k)
        model.predict(make(x), verbose=0)
    finally:
        data_adapters.get = real
    assert calls == [1]


def test_a_bad_batch_size_is_the_ordinary_error():
    model = _mlp()
    x = np.ones((1, 5), "float32")
    _planned(model, x)
    with pytest.raises(ValueError, match="batch_size"):
        model.predict(x, batch_size=-1, verbose=0)


def test_no_plan_for_models_it_would_change():
    class Doubled(cornu.Sequential):
        def predict_step(self, data):
            return super().predict_step(data) * 2

    class Custom(cornu.layers.Dense):
        pass

    x = np.ones((1, 5), "float32")
    doubled = Doubled([cornu.Input((5,)), cornu.layers.Dense(3)])
    base = doubled.predict(x, verbose=0)
    assert not isinstance(doubled.__dict__.get("_predict_plan"), fast_predict.Plan)
    np.testing.assert_allclose(doubled.predict(x, verbose=0), base)
    for model in (cornu.Sequential([cornu.Input((5,)), Custom(3)]),
                  _mlp(extra=[cornu.layers.BatchNormalization()]),
                  cornu.Sequential([cornu.Input((5,)), cornu.layers.Dense(
                      3, activity_regularizer="l2")])):
        model.predict(x, verbose=0)
        assert not isinstance(model.__dict__.get("_predict_plan"), fast_predict.Plan)


def _thread_spy(features, units):
    """A Dense model whose last layer records torch's thread count at each batch."""
    seen = []

    def spy(x):
        seen.append(torch.get_num_threads())
        return x

    return cornu.Sequential([cornu.Input((features,)), cornu.layers.Dense(units),
                             cornu.layers.Activation(spy)]), seen


@pytest.mark.skipif(threads.ENV_SET, reason="OMP_NUM_THREADS/MKL_NUM_THREADS set")
def test_threads_one_for_the_call_and_the_users_count_kept():
    model, seen = _thread_spy(5, 3)
    x = np.ones((1, 5), "float32")
    before = torch.get_num_threads()
    _planned(model, x)
    seen.clear()
    model.predict(x, verbose=0)
    assert seen == [1] and torch.get_num_threads() == before
    users = threads.AT_IMPORT + 1
    try:
        torch.set_num_threads(users)
        model.predict(x, verbose=0)
        assert seen[-1] == users and torch.get_num_threads() == users
    finally:
        torch.set_num_threads(before)


def test_wrong_features_get_the_ordinary_error():
    model = _mlp()
    _planned(model, np.ones((1, 5), "float32"))
    with pytest.raises(ValueError, match="incompatible"):
        model.predict(np.ones((1, 4), "float32"), verbose=0)


def test_a_model_built_by_its_first_predict_and_one_left_in_training_mode():
    model = cornu.Sequential([cornu.layers.Dense(4, activation="relu"), cornu.layers.Dropout(0.9),
                              cornu.layers.Dense(2)])
    x = np.random.default_rng(4).normal(size=(3, 6)).astype("float32")
    first = model.predict(x, verbose=0)  # builds the model: the ordinary call
    model.train(True)
    np.testing.assert_array_equal(model.predict(x, verbose=0), first)  # Dropout: inference
    assert isinstance(model.__dict__.get("_predict_plan"), fast_predict.Plan)
    assert model.training


@pytest.mark.skipif(threads.ENV_SET, reason="OMP_NUM_THREADS/MKL_NUM_THREADS set")
def test_a_larger_model_takes_the_policys_choice_for_the_call(monkeypatch):
    busy = threads.busy_cores()  # (held still: both calls must see the same machine)
    monkeypatch.setattr(threads, "busy_cores", lambda: busy)
    model, seen = _thread_spy(512, 512)
    x = np.ones((64, 512), "float32")
    before = torch.get_num_threads()
    _planned(model, x)
    seen.clear()
    expected = _ordinary(model, x)
    chosen = list(seen)
    seen.clear()
    np.testing.assert_array_equal(model.predict(x, verbose=0), expected)
    assert len(seen) == 2 and seen == chosen and all(1 <= n <= max(before, 1) for n in seen)
    assert torch.get_num_threads() == before and "_thread_choice" not in model.__dict__
