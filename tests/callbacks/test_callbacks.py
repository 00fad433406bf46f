"""Callbacks in the training loop, against Keras 3's behaviour."""
import csv

import numpy as np
import pytest

import cornu
from cornu import callbacks
from cornu.testing import real_keras


def _regression(lib, weights=None, lr=0.01):
    model = lib.Sequential([lib.layers.Dense(1, input_shape=(2,))])
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def _xy():
    rng = np.random.RandomState(0)
    x = rng.rand(32, 2).astype("float32")
    return x, x @ np.array([[1.0], [-2.0]], "float32") + 0.5


def test_early_stopping_stops_and_restores_like_keras():
    keras = real_keras()
    x, y = _xy()
    vx, vy = x[:8], y[:8] + np.linspace(0, 3, 8)[:, None].astype("float32")
    ref = _regression(keras, lr=0.3)
    ours = _regression(cornu, ref.get_weights(), lr=0.3)
    kw = dict(epochs=40, batch_size=8, shuffle=False, verbose=0, validation_data=(vx, vy))
    ref_hist = ref.fit(x, y, callbacks=[keras.callbacks.EarlyStopping(
        patience=2, min_delta=1e-3, restore_best_weights=True)], **kw)
    our_hist = ours.fit(x, y, callbacks=[callbacks.EarlyStopping(
        patience=2, min_delta=1e-3, restore_best_weights=True)], **kw)
    assert len(our_hist.epoch) == len(ref_hist.epoch) < 40
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_early_stopping_modes():
    stop = callbacks.EarlyStopping(monitor="val_acc")
    stop._set_monitor_op()
    assert stop._resolved_mode == "max"
    stop = callbacks.EarlyStopping(monitor="loss")
    stop._set_monitor_op()
    assert stop._resolved_mode == "min"


def test_reduce_lr_on_plateau_lowers_learning_rate_like_keras():
    keras = real_keras()
    x, y = _xy()
    final = []
    for lib in (keras, cornu):
        model = _regression(lib, lr=1e-9)  # (almost) no learning: the loss plateaus
        reduce = lib.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, cooldown=1)
        history = model.fit(x, y, epochs=9, verbose=0, callbacks=[reduce], shuffle=False)
        final.append((float(np.asarray(model.optimizer.learning_rate)),
                      history.history["learning_rate"]))
    assert final[1][0] == pytest.approx(final[0][0], rel=1e-6) and final[1][0] < 1e-9 / 3
    assert final[1][1] == pytest.approx(final[0][1], rel=1e-6)


def test_learning_rate_scheduler_and_set_value():
    x, y = _xy()
    model = _regression(cornu)
    seen = []
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    spy = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(float(model.optimizer.learning_rate)))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[sched, spy])
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3])
    assert history.history["learning_rate"] == pytest.approx(seen)
    cornu.backend.set_value(model.optimizer.lr, 0.002)
    assert cornu.backend.get_value(model.optimizer.lr) == pytest.approx(0.002)


def test_csv_logger(tmp_path):
    x, y = _xy()
    path = tmp_path / "log.csv"
    _regression(cornu).fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                           callbacks=[callbacks.CSVLogger(str(path))])
    rows = list(csv.DictReader(open(path)))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    assert set(rows[0]) == {"epoch", "loss", "val_loss"}


def test_lambda_callback_batch_and_epoch_hooks():
    x, y = _xy()
    events = []
    cb = callbacks.LambdaCallback(on_batch_end=lambda batch, logs: events.append(("b", logs["loss"])),
                                  on_epoch_end=lambda epoch, logs: events.append(("e", epoch)))
    _regression(cornu).fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[cb])
    assert [e[0] for e in events] == ["b", "b", "e", "b", "b", "e"]
    assert all(isinstance(v, float) for k, v in events if k == "b")


def test_custom_callback_hooks_and_stop_training():
    x, y = _xy()
    calls = []

    class Stopper(callbacks.Callback):
        def on_train_begin(self, logs=None):
            calls.append("begin")

        def on_epoch_end(self, epoch, logs=None):
            calls.append(("epoch", epoch, sorted(logs)))
            if epoch == 1:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            calls.append("end")

    history = _regression(cornu).fit(x, y, epochs=10, verbose=0, callbacks=[Stopper()])
    assert calls == ["begin", ("epoch", 0, ["loss"]), ("epoch", 1, ["loss"]), "end"]
    assert history.epoch == [0, 1]


def test_terminate_on_nan(capsys):
    model = _regression(cornu)
    x = np.array([[np.nan, 1.0]] * 8, "float32")
    history = model.fit(x, np.ones((8, 1)), epochs=5, batch_size=4, verbose=0,
                        callbacks=[callbacks.TerminateOnNaN()])
    assert len(history.epoch) == 1 and np.isnan(history.history["loss"][0])
    assert "Invalid loss, terminating training" in capsys.readouterr().out
    assert int(model.optimizer.iterations) == 1  # it stops after the first batch, as Keras's


def test_tensorboard_accepts_keras_arguments_and_does_not_break_fit(tmp_path):
    # Keras 2 scripts pass TensorBoard(log_dir, histogram_freq, write_graph, ...) to fit; cornu
    # writes scalars when `tensorboard` is installed and otherwise warns, but fit always runs.
    x, y = _xy()
    model = _regression(cornu)
    start = model.get_weights()
    board = callbacks.TensorBoard(log_dir=tmp_path / "logs", histogram_freq=0, write_graph=True,
                                  write_grads=False, batch_size=8)
    with _maybe_warns():
        history = model.fit(x, y, epochs=2, verbose=0, validation_split=0.25, shuffle=False,
                            callbacks=[board])
    assert sorted(history.history) == ["loss", "val_loss"]
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["val_loss"]).all()
    # the reference: the same fit without the callback, which must change nothing
    expected = _regression(cornu, start).fit(x, y, epochs=2, verbose=0, validation_split=0.25,
                                             shuffle=False).history
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(history.history[key], expected[key], rtol=1e-6)
    assert history.history["loss"][1] < history.history["loss"][0]


def _maybe_warns():
    import contextlib
    import importlib.util
    if importlib.util.find_spec("tensorboard") is None:
        return pytest.warns(UserWarning, match="tensorboard")
    return contextlib.nullcontext()


def test_keras22_metric_names_in_monitor_and_checkpoint_paths(tmp_path):
    # Keras 2.2 logged metrics=['accuracy'] as `acc`/`val_acc`, and its tutorials monitor
    # 'val_acc' and name files '{val_acc:.2f}'; the same metric is found under either name.
    import warnings
    x, y = _xy()
    model = cornu.Sequential([cornu.layers.Dense(1, input_shape=(2,), activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "w.{epoch:02d}-{val_acc:.2f}.h5"),
                                           monitor="val_acc", save_best_only=True)
    stop = callbacks.EarlyStopping(monitor="val_acc", patience=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, (y > 0).astype("float32"), validation_split=0.25, epochs=2, verbose=0,
                  callbacks=[checkpoint, stop])
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files and files[0].startswith("w.01-") and checkpoint.best is not None
