"""ModelCheckpoint file names: a key that the logs lack, or a format the value does not take,
is a clear error naming the key and what exists (Keras 3 also raises KeyError for the first)."""
import os
import warnings

import numpy as np
import pytest

import cornu
from cornu import callbacks
from cornu.testing import real_keras


def _fit(path):
    model = cornu.Sequential([cornu.layers.Input((2,)), cornu.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0,
              callbacks=[callbacks.ModelCheckpoint(path)])


def test_a_typo_in_a_key_names_it_and_the_keys_that_exist(tmp_path):
    with pytest.raises(KeyError, match=r"names \{epoc\}, which is not among this epoch's keys: "
                                       r"\['epoch', 'loss'\]"):
        _fit(str(tmp_path / "m_{epoc:02d}.h5"))
    assert not list(tmp_path.iterdir())


def test_a_format_the_value_does_not_take_is_a_value_error_naming_the_path(tmp_path):
    with pytest.raises(ValueError, match=r"cannot format filepath .*\{loss:02d\}"):
        _fit(str(tmp_path / "m_{loss:02d}.h5"))


def test_the_keys_that_exist_format_as_keras_formats_them(tmp_path):
    _fit(str(tmp_path / "m_{epoch:02d}_{loss:.2f}.h5"))
    (name,) = [p.name for p in tmp_path.iterdir()]
    assert name.startswith("m_01_") and name.endswith(".h5")


# ------------------------------------------------------------ against Keras 3, side by side
X = np.random.RandomState(0).rand(10, 3).astype("float32")
Y = (X.sum(1) > 1.5).astype("float32")[:, None]


def _run(lib, checkpoint_args, path, values=None, epochs=3, monitor=None):
    """Trains a small model in `lib` (cornu or keras) with a ModelCheckpoint; `values`, if
    given, overwrite the monitored log key epoch by epoch (a callback ahead of the checkpoint),
    so both libraries see the same sequence. Returns the names of the files written."""
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    inject = lib.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: logs.__setitem__(monitor, values[epoch]))
    cbs = ([inject] if values else []) + [lib.callbacks.ModelCheckpoint(path, **checkpoint_args)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, Y, batch_size=2, epochs=epochs, verbose=0, callbacks=cbs)
    return sorted(os.listdir(os.path.dirname(path)))


def test_an_integer_save_freq_saves_after_exactly_those_batches_as_keras(tmp_path):
    keras = real_keras()
    args = {"save_freq": 3, "save_weights_only": True}
    ours = _run(cornu, args, str(tmp_path / "c" / "m_{epoch}_{batch}.weights.h5"))
    theirs = _run(keras, args, str(tmp_path / "k" / "m_{epoch}_{batch}.weights.h5"))
    # 5 batches an epoch, every 3rd batch counted across epochs
    assert ours == theirs == sorted(f"m_{e}_{b}.weights.h5"
                                    for e, b in [(1, 3), (2, 1), (2, 4), (3, 2), (3, 5)])


@pytest.mark.parametrize("monitor,mode", [("score", "min"), ("score", "max"),
                                          ("accuracy", "auto"), ("val_accuracy", "auto"),
                                          ("loss", "auto"), ("val_loss", "min")])
@pytest.mark.parametrize("threshold", [None, 0.65])
def test_save_best_only_follows_every_mode_and_threshold_as_keras(tmp_path, monitor, mode,
                                                                   threshold):
    keras = real_keras()
    values = [0.5, 0.7, 0.6, 0.9, 0.4]
    args = {"save_best_only": True, "monitor": monitor, "mode": mode,
            "initial_value_threshold": threshold}
    ours = _run(cornu, args, str(tmp_path / "c" / "m_{epoch}.keras"), values, 5, monitor)
    theirs = _run(keras, args, str(tmp_path / "k" / "m_{epoch}.keras"), values, 5, monitor)
    maximize = mode == "max" or (mode == "auto" and "acc" in monitor)
    best, expected = threshold, []
    for epoch, value in enumerate(values, 1):  # the rule, written out
        if best is None or (value > best if maximize else value < best):
            best = value
            expected.append(f"m_{epoch}.keras")
    assert ours == theirs == sorted(expected)


@pytest.mark.parametrize("name,weights_only", [("m.keras", False), ("m.weights.h5", True),
                                               ("m.h5", False), ("best_model.hd5", False),
                                               ("w.h5", True)])
def test_every_format_is_written_and_loads(tmp_path, name, weights_only):
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(2), cornu.layers.Dense(1)])
    model.compile("adam", "mse")
    path = str(tmp_path / name)
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[
        callbacks.ModelCheckpoint(path, save_weights_only=weights_only, save_freq=2)])
    if weights_only:
        again = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(2), cornu.layers.Dense(1)])
        again.load_weights(path)
    else:
        again = cornu.models.load_model(path)
    np.testing.assert_array_equal(again.predict(X, verbose=0), model.predict(X, verbose=0))


def test_a_template_takes_any_log_key_with_its_format(tmp_path):
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    history = model.fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y), callbacks=[
        callbacks.ModelCheckpoint(str(tmp_path / "{epoch:02d}-{val_loss:.2f}-{mae:.3f}.keras"))])
    h = history.history
    assert sorted(os.listdir(tmp_path)) == sorted(
        f"{e + 1:02d}-{h['val_loss'][e]:.2f}-{h['mae'][e]:.3f}.keras" for e in range(2))
