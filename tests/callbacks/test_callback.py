"""Every hook's arguments, `self.params` and the callbacks of callbacks/basic.py, run beside
real Keras 3 (torch backend) on the same model, data and initial weights."""
import csv

import numpy as np
import pytest
import torch

import cornu

keras = pytest.importorskip("keras")

HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
         "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
         "on_predict_batch_begin", "on_predict_batch_end"]
X = np.random.default_rng(0).random((10, 2)).astype("float32")
Y = X[:, :1] * 2 - X[:, 1:]


def _recorder(lib, calls):
    def make(name):
        def hook(self, *args, logs="missing"):
            if logs == "missing":  # Keras passes batch logs by keyword, the others by position
                args, logs = args[:-1], args[-1]
                name_ = name + "(positional logs)"
            else:
                name_ = name
            keys = sorted(logs) if isinstance(logs, dict) else repr(logs)
            calls.append((name_, args, keys))
        return hook
    return type("Recorder", (lib.callbacks.Callback,), {n: make(n) for n in HOOKS})()


def _model(lib, custom, weights=None):
    base = lib.Model
    if custom:
        class Custom(base):  # Keras 3's default train_step, written out
            def train_step(self, data):
                x, y = data
                y_pred = self(x, training=True)
                self.zero_grad()
                loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
                loss.backward()
                weights = self.trainable_weights
                with torch.no_grad():
                    self.optimizer.apply([v.value.grad for v in weights], weights)
                for metric in self.metrics:
                    metric.update_state(loss) if metric.name == "loss" else \
                        metric.update_state(y, y_pred)
                return {m.name: m.result() for m in self.metrics}
        base = Custom
    inputs = lib.Input((2,))
    model = base(inputs, lib.layers.Dense(1)(inputs))
    if weights is not None:
        model.set_weights(weights)
    return model


@pytest.mark.parametrize("custom", [False, True], ids=["builtin", "train_step"])
def test_every_hook_gets_keras3s_arguments_and_a_dict(custom):
    seen = {}
    for lib in (keras, cornu):
        calls = []
        model = _model(lib, custom)
        model.compile("sgd", "mse", metrics=["mae"])
        recorder = _recorder(lib, calls)
        model.fit(X, Y, batch_size=5, epochs=2, validation_data=(X, Y), callbacks=[recorder],
                  verbose=0)
        params = {k: recorder.params[k] for k in ("epochs", "steps", "verbose")}
        model.evaluate(X, Y, batch_size=5, callbacks=[recorder], verbose=0)
        model.predict(X, batch_size=4, callbacks=[recorder], verbose=0)
        seen[lib.__name__] = (calls, params, recorder.model is model)
    assert seen["cornu"] == seen["keras"]


def test_lambda_callback_takes_any_hook_by_keyword_like_keras():
    seen = {}
    for lib in (keras, cornu):
        events = []
        callback = lib.callbacks.LambdaCallback(
            on_train_begin=lambda logs: events.append(("train_begin", sorted(logs))),
            on_train_batch_end=lambda batch, logs: events.append(("batch", batch, sorted(logs))),
            on_test_batch_end=lambda batch, logs: events.append(("test_batch", batch)),
            on_predict_end=lambda logs: events.append(("predict_end", sorted(logs))))
        model = _model(lib, False)
        model.compile("sgd", "mse")
        model.fit(X, Y, batch_size=5, epochs=1, validation_data=(X, Y), callbacks=[callback],
                  verbose=0)
        model.predict(X, callbacks=[callback], verbose=0)
        seen[lib.__name__] = events
    assert seen["cornu"] == seen["keras"]


def _fit_both(callback_of, x=X, y=Y, **fit_kwargs):
    """Fits the same model in Keras and cornu with `callback_of(lib)`; returns both."""
    out = {}
    reference = _model(keras, False)
    weights = reference.get_weights()
    for lib in (keras, cornu):
        model = reference if lib is keras else _model(cornu, False, weights)
        model.compile(lib.optimizers.SGD(0.1), "mse", metrics=["mae"])
        history = model.fit(x, y, batch_size=5, shuffle=False, verbose=0,
                            callbacks=[callback_of(lib)], **fit_kwargs)
        out[lib.__name__] = (model, history.history)
    return out


def test_csv_logger_writes_keras3s_file(tmp_path):
    paths = {"keras": tmp_path / "keras.csv", "cornu": tmp_path / "cornu.csv"}
    _fit_both(lambda lib: lib.callbacks.CSVLogger(str(paths[lib.__name__])), epochs=3,
              validation_data=(X, Y))
    rows = {name: list(csv.reader(open(path))) for name, path in paths.items()}
    assert rows["cornu"][0] == rows["keras"][0]  # header: epoch, then sorted keys
    assert len(rows["cornu"]) == len(rows["keras"]) == 4
    np.testing.assert_allclose(np.array(rows["cornu"][1:], float),
                               np.array(rows["keras"][1:], float), rtol=1e-5)


def test_learning_rate_scheduler_matches_keras():
    runs = _fit_both(lambda lib: lib.callbacks.LearningRateScheduler(
        lambda epoch, lr: lr * 0.5 if epoch else lr), epochs=4)
    (k_model, k_hist), (c_model, c_hist) = runs["keras"], runs["cornu"]
    assert sorted(c_hist) == sorted(k_hist)
    for key in k_hist:
        np.testing.assert_allclose(c_hist[key], k_hist[key], rtol=1e-5, err_msg=key)
    assert float(c_model.optimizer.learning_rate) == pytest.approx(
        float(k_model.optimizer.learning_rate.numpy()), rel=1e-6)


def test_reduce_lr_on_plateau_matches_keras():
    runs = _fit_both(lambda lib: lib.callbacks.ReduceLROnPlateau(
        monitor="val_loss", factor=0.2, patience=1, min_delta=10.0), epochs=4,
        validation_data=(X, Y))
    (_, k_hist), (_, c_hist) = runs["keras"], runs["cornu"]
    assert sorted(c_hist) == sorted(k_hist)
    np.testing.assert_allclose(c_hist["learning_rate"], k_hist["learning_rate"], rtol=1e-6)
    assert c_hist["learning_rate"][-1] < c_hist["learning_rate"][0]


def test_terminate_on_nan_stops_where_keras_stops():
    y = Y.copy()
    y[7] = np.nan  # the second batch's loss is NaN
    runs = _fit_both(lambda lib: lib.callbacks.TerminateOnNaN(), y=y, epochs=3)
    (_, k_hist), (_, c_hist) = runs["keras"], runs["cornu"]
    assert len(c_hist["loss"]) == len(k_hist["loss"]) == 1
    assert np.isnan(c_hist["loss"][0]) and np.isnan(k_hist["loss"][0])
