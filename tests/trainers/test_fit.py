"""compile / fit / evaluate / predict: Keras's semantics, names and defaults."""
import numpy as np
import pandas as pd
import pytest
import torch

import cornu
from cornu.layers import Dense
from cornu.testing import real_keras as keras_module


def _data(n=40, features=4, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, features).astype("float32")
    y = (x.sum(axis=1) > features / 2).astype("int64")
    return x, y


def _binary_model(lib, features=4, metrics=("accuracy",), seed_weights=None):
    model = lib.Sequential([lib.layers.Dense(3, activation="relu", input_shape=(features,)),
                            lib.layers.Dense(1, activation="sigmoid")])
    if seed_weights is not None:
        model.set_weights(seed_weights)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=list(metrics))
    return model


def test_history_matches_keras_with_uneven_batches_and_validation():
    keras = keras_module()
    x, y = _data(n=43)
    ref = _binary_model(keras, metrics=["acc"])
    weights = ref.get_weights()
    ours = _binary_model(cornu, metrics=["acc"], seed_weights=weights)
    kw = dict(epochs=3, batch_size=8, shuffle=False, validation_split=0.25, verbose=0)
    expected = ref.fit(x, y, **kw).history
    got = ours.fit(x, y, **kw).history
    # Keras 3's keys in tf.keras 2's order, `loss` first (Keras 3 sorts them; docs/ERAS.md)
    assert sorted(got) == sorted(expected) == ["acc", "loss", "val_acc", "val_loss"]
    assert list(got) == ["loss", "acc", "val_loss", "val_acc"]
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, atol=1e-6)


def test_history_keys_use_given_names_and_any_era_alias_finds_them():
    x, y = _data()
    model = _binary_model(cornu, metrics=["acc", "mae"])
    history = model.fit(x, y, epochs=2, validation_data=[x, y], verbose=0)
    assert list(history.history) == ["loss", "acc", "mae", "val_loss", "val_acc", "val_mae"]
    assert history.history["accuracy"] is history.history["acc"]
    assert history.history["val_mean_absolute_error"] is history.history["val_mae"]
    assert "val_accuracy" in history.history
    assert model.history is history and history.epoch == [0, 1]
    assert model.metrics_names == ["loss", "acc", "mae"]


def test_evaluate_returns_scalar_or_list_in_metrics_names_order():
    x, y = _data()
    model = _binary_model(cornu, metrics=[])
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    model = _binary_model(cornu, metrics=["accuracy"])
    loss, acc = model.evaluate(x, y, verbose=0)
    pred = model.predict(x, verbose=0)[:, 0]
    np.testing.assert_allclose(acc, np.mean((pred > 0.5) == y), rtol=1e-6)
    eps = 1e-7
    p = np.clip(pred, eps, 1 - eps)
    np.testing.assert_allclose(loss, -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rtol=1e-5)
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss", "accuracy"}


def test_sample_and_class_weights_follow_keras_reduction():
    x, y = _data()
    model = _binary_model(cornu, metrics=[])
    pred = np.clip(model.predict(x, verbose=0)[:, 0], 1e-7, 1 - 1e-7)
    per_sample = -(y * np.log(pred) + (1 - y) * np.log(1 - pred))
    w = np.linspace(0.5, 2.0, len(x)).astype("float32")
    np.testing.assert_allclose(model.evaluate(x, y, sample_weight=w, verbose=0, batch_size=len(x)),
                               np.sum(per_sample * w) / len(x), rtol=1e-5)
    keras = keras_module()
    ref = _binary_model(keras, metrics=[], seed_weights=model.get_weights())
    kw = dict(epochs=2, batch_size=10, shuffle=False, verbose=0, class_weight={0: 1.0, 1: 3.0})
    np.testing.assert_allclose(model.fit(x, y, **kw).history["loss"],
                               ref.fit(x, y, **kw).history["loss"], rtol=1e-5)


def test_initial_epoch_and_steps_per_epoch():
    x, y = _data(n=40)
    model = _binary_model(cornu)
    history = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]
    before = int(model.optimizer.iterations)
    model.fit(x, y, epochs=2, steps_per_epoch=3, batch_size=4, verbose=0)
    assert int(model.optimizer.iterations) - before == 6


@pytest.mark.parametrize("kind", ["list", "tensor", "pandas", "uint8", "float64"])
def test_inputs_of_every_kind(kind):
    x, y = _data(n=12)
    convert = {"list": lambda a: a.tolist(), "tensor": torch.from_numpy,
               "pandas": pd.DataFrame, "uint8": lambda a: (a * 255).astype("uint8"),
               "float64": lambda a: a.astype("float64")}[kind]
    model = _binary_model(cornu)
    model.fit(convert(x), y.tolist() if kind == "list" else y, epochs=1, verbose=0)
    assert model.predict(convert(x), verbose=0).shape == (12, 1)


def test_predict_reads_1d_array_as_samples_of_one_feature_and_batches():
    model = cornu.Sequential([Dense(1, input_dim=1)])
    model.compile("sgd", "mse")
    kernel, bias = model.get_weights()
    out = model.predict(np.array([4, 5, 6]), verbose=0)
    np.testing.assert_allclose(out, np.array([[4], [5], [6]]) * kernel + bias, rtol=1e-6)
    big = np.arange(70, dtype="float32")
    assert model.predict(big, batch_size=16, verbose=0).shape == (70, 1)


def test_batch_methods():
    x, y = _data(n=16)
    model = _binary_model(cornu)
    loss, acc = model.train_on_batch(x, y)
    assert np.isfinite(loss) and 0 <= acc <= 1
    loss2, _ = model.test_on_batch(x, y)
    assert loss2 < loss + 1.0
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x, verbose=0), rtol=1e-6)


def test_softmax_mlp_learns_digits():
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = digits.data / 16.0
    y = cornu.utils.to_categorical(digits.target)
    model = cornu.Sequential([Dense(64, activation="relu", input_shape=(64,)),
                              Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    cornu.utils.set_random_seed(0)
    model.fit(x[:1400], y[:1400], epochs=30, batch_size=32, verbose=0)
    assert model.evaluate(x[1400:], y[1400:], verbose=0)[1] > 0.9


# ------------------------------------------------------------------------------ bad input
def test_fit_before_compile():
    model = cornu.Sequential([Dense(1, input_shape=(2,))])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((2, 2)), np.zeros(2))


def test_feature_count_mismatch_names_shapes():
    model = cornu.Sequential([Dense(10, input_shape=(13,)), Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"expected shape=\(None, 13\), found shape=\(5, 30\)"):
        model.fit(np.zeros((5, 30)), np.zeros(5), verbose=0)


def test_integer_labels_with_categorical_crossentropy_suggest_fixes():
    model = cornu.Sequential([Dense(3, input_shape=(4,), activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(ValueError, match="to_categorical.*sparse_categorical_crossentropy"):
        model.fit(np.zeros((6, 4)), np.array([0, 1, 2, 0, 1, 2]), verbose=0)


def test_sparse_labels_out_of_range():
    model = cornu.Sequential([Dense(3, input_shape=(4,), activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        model.fit(np.zeros((6, 4)), np.array([0, 1, 2, 0, 1, 7]), verbose=0)


def test_x_and_y_lengths_differ():
    model = cornu.Sequential([Dense(1, input_shape=(4,))])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="x has 6 samples but y has 5"):
        model.fit(np.zeros((6, 4)), np.zeros(5), verbose=0)


@pytest.mark.parametrize("kwargs,match", [
    ({"optimizer": "adamm", "loss": "mse"}, "Did you mean: 'adam'"),
    ({"optimizer": "sgd", "loss": "mean_squared_eror"}, "mean_squared_error"),
    ({"optimizer": "sgd", "loss": "mse", "metrics": ["acuracy"]}, "accuracy"),
])
def test_unknown_names_list_close_matches(kwargs, match):
    model = cornu.Sequential([Dense(1, input_shape=(4,))])
    with pytest.raises(ValueError, match=match):
        model.compile(**kwargs)
        model.fit(np.zeros((2, 4)), np.zeros(2), verbose=0)


def test_unknown_activation_lists_close_matches():
    with pytest.raises(ValueError, match="'relu'"):
        Dense(2, activation="rellu")


def test_nan_loss_keeps_training_as_keras_does():
    model = cornu.Sequential([Dense(1, input_shape=(1,))])
    model.compile("sgd", "mse")
    history = model.fit(np.array([[1.0], [np.nan]]), np.array([1.0, 2.0]), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isnan(history.history["loss"][-1])


def test_accuracy_resolves_from_shapes_like_keras3():
    keras = keras_module()
    x = np.random.RandomState(0).rand(30, 4).astype("float32")
    y = (np.random.RandomState(1).rand(30, 3) > 0.5).astype("float32")  # multi-label
    ref = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="sigmoid")])
    ref.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    ours = cornu.Sequential([Dense(3, input_shape=(4,), activation="sigmoid")])
    ours.set_weights(ref.get_weights())
    ours.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), ref.evaluate(x, y, verbose=0),
                               rtol=1e-5)


def test_a_user_layers_add_loss_counts_in_training_and_evaluation():
    # Keras 3: losses a layer adds in `call` join the compiled loss (with no regularizers).
    from cornu.testing import real_keras as keras_module
    keras = keras_module()
    x = np.random.RandomState(0).rand(8, 3).astype("float32")
    y = np.ones((8, 1), "float32")
    results = []
    for lib in (cornu, keras):
        class ActivityPenalty(lib.layers.Layer):
            def call(self, inputs):
                self.add_loss(0.5 * (inputs ** 2).mean())
                return inputs

        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1, kernel_initializer="ones"),
                                ActivityPenalty()])
        model.compile("sgd", "mse")
        before = model.evaluate(x, y, verbose=0)
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
        results.append((before, np.asarray(model.layers[0].get_weights()[0])))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5)


def test_keras2_add_loss_of_graph_tensors_and_compile_without_loss():
    # Keras 2's VAE example: losses built from the model's symbolic tensors with K.* and loss
    # functions, `model.add_loss(tensor)`, `compile(optimizer)` alone, `fit(x)` without y.
    from cornu import backend as K
    inputs = cornu.Input((4,))
    outputs = cornu.layers.Dense(4, kernel_initializer="ones")(inputs)
    model = cornu.Model(inputs, outputs)
    model.add_loss(K.mean(cornu.losses.mse(inputs, outputs) * 4 + K.sum(K.abs(outputs), axis=-1)))
    model.compile(optimizer="sgd")
    x = np.random.RandomState(0).rand(6, 4).astype("float32")
    out = x @ np.ones((4, 4), "float32")
    expected = np.mean(((x - out) ** 2).mean(-1) * 4 + np.abs(out).sum(-1))
    np.testing.assert_allclose(model.evaluate(x, verbose=0), expected, rtol=1e-5)
    history = model.fit(x, epochs=2, batch_size=6, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (6, 4)


def test_a_model_subclass_called_with_inputs_and_outputs_is_functional():
    # Keras 3's "customize fit()" guide builds `CustomModel(inputs, outputs)`: a graph model of
    # that subclass, and fit calls its overridden train_step.
    from cornu.testing import real_keras as keras_module
    keras = keras_module()
    for lib in (cornu, keras):
        class Plain(lib.Model):
            def describe(self):
                return "plain"

        inputs = lib.Input((3,))
        model = Plain(inputs, lib.layers.Dense(1, name="out")(inputs))
        assert isinstance(model, Plain) and type(model).__name__ == "Plain"
        assert [layer.name for layer in model.layers][-1] == "out" and model.describe() == "plain"
        model.compile("sgd", "mse")
        model.fit(np.ones((8, 3)), np.ones((8, 1)), batch_size=4, epochs=1, verbose=0)
        assert model.predict(np.ones((2, 3)), verbose=0).shape == (2, 1)

    class Custom(cornu.Model):
        calls = 0

        def train_step(self, data):
            Custom.calls += 1
            return {"calls": Custom.calls}

    inputs = cornu.Input((3,))
    model = Custom(inputs, cornu.layers.Dense(1)(inputs))
    model.compile("sgd", "mse")
    history = model.fit(np.ones((8, 3)), np.ones((8, 1)), batch_size=4, epochs=2, verbose=0)
    assert history.history["calls"] == [2.0, 4.0]
