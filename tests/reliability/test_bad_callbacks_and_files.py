"""Catalogue: callbacks given to fit, and model files that are not what their name says."""
import os
import zipfile

import numpy as np
import pytest

import cornu
from cornu import callbacks, layers
from tests.reliability.catalogue import cases, expect_error

X = np.random.RandomState(0).rand(8, 4).astype("float32")
Y = np.random.RandomState(1).rand(8, 1).astype("float32")


def model():
    m = cornu.Sequential([cornu.Input((4,)), layers.Dense(1)])
    m.compile("adam", "mse")
    return m


def fit(cbs, **kwargs):
    return model().fit(X, Y, verbose=0, callbacks=cbs, **kwargs)


CALLBACKS = [
    ("callback-class-not-instance", lambda: fit([callbacks.EarlyStopping]), TypeError,
     "earlystopping", "instance"),
    ("callback-string", lambda: fit(["early_stopping"]), TypeError, "callbacks[0]", "callback"),
    ("callback-function", lambda: fit([lambda epoch, logs: None]), TypeError, "callback"),
    ("callback-dict", lambda: fit({"a": callbacks.History()}), TypeError, "callback"),
    ("checkpoint-save-freq", lambda: callbacks.ModelCheckpoint("m.keras", save_freq="hourly"),
     ValueError, "save_freq"),
    ("reduce-lr-factor", lambda: callbacks.ReduceLROnPlateau(factor=1.5), ValueError, "factor"),
    ("csv-logger-dir-missing", lambda: fit([callbacks.CSVLogger("/nonexistent/dir/log.csv")]),
     (OSError, FileNotFoundError), "log.csv"),
]


@pytest.mark.parametrize("fn, exc, words", cases(CALLBACKS))
def test_bad_callback(fn, exc, words):
    expect_error(fn, exc, *words)


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def _saved(tmp_path, name):
    path = str(tmp_path / name)
    model().save(path)
    return path


def _zip_without(tmp_path, member):
    src = _saved(tmp_path, "full.keras")
    dst = str(tmp_path / "partial.keras")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            if item.filename != member:
                zout.writestr(item, zin.read(item.filename))
    return dst


def _truncated(tmp_path, name):
    path = _saved(tmp_path, name)
    data = open(path, "rb").read()
    return _write(path, data[: len(data) // 2])


def _other_zip(tmp_path):
    path = str(tmp_path / "notes.keras")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    return path


FILES = [
    ("load-missing-file", lambda t: cornu.models.load_model(str(t / "nope.keras")),
     (OSError, ValueError), "nope.keras"),
    ("load-empty-keras", lambda t: cornu.models.load_model(_write(str(t / "e.keras"), b"")),
     ValueError, "e.keras"),
    ("load-empty-h5", lambda t: cornu.models.load_model(_write(str(t / "e.h5"), b"")),
     (ValueError, OSError), "e.h5"),
    ("load-text-as-keras", lambda t: cornu.models.load_model(_write(str(t / "t.keras"),
                                                                    b"not a model")),
     ValueError, "t.keras"),
    ("load-text-as-h5", lambda t: cornu.models.load_model(_write(str(t / "t.h5"), b"hello")),
     (ValueError, OSError), "t.h5"),
    ("load-truncated-keras", lambda t: cornu.models.load_model(_truncated(t, "m.keras")),
     ValueError, "m.keras"),
    ("load-truncated-h5", lambda t: cornu.models.load_model(_truncated(t, "m.h5")),
     (ValueError, OSError), "m.h5"),
    ("load-zip-not-keras", lambda t: cornu.models.load_model(_other_zip(t)), ValueError,
     "notes.keras"),
    ("load-keras-without-config", lambda t: cornu.models.load_model(
        _zip_without(t, "config.json")), ValueError, "config.json"),
    ("load-keras-without-weights", lambda t: cornu.models.load_model(
        _zip_without(t, "model.weights.h5")), ValueError, "model.weights.h5"),
    ("load-weights-missing", lambda t: model().load_weights(str(t / "w.weights.h5")),
     (OSError, ValueError), "w.weights.h5"),
    ("load-weights-text", lambda t: model().load_weights(_write(str(t / "w.weights.h5"), b"x")),
     (ValueError, OSError), "w.weights.h5"),
    ("load-weights-wrong-model", lambda t: (lambda p: cornu.Sequential(
        [cornu.Input((3,)), layers.Dense(2)]).load_weights(p))(_weights(t)), ValueError,
     "shape"),
]


def _weights(tmp_path):
    path = str(tmp_path / "w.weights.h5")
    model().save_weights(path)
    return path


@pytest.mark.parametrize("fn, exc, words", cases(FILES))
def test_bad_file(fn, exc, words, tmp_path):
    expect_error(lambda: fn(tmp_path), exc, *words)
    leftovers = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert not leftovers


def test_unknown_monitor_mode_falls_back_to_auto_as_in_keras_3():
    # Keras 3 warns and uses 'auto' for an unknown `mode` (EarlyStopping, ModelCheckpoint)
    with pytest.warns(UserWarning, match="mode"):
        stop = callbacks.EarlyStopping(mode="bigger")
    fit([stop], epochs=2)


def test_any_other_weights_name_is_the_keras_2_layout(tmp_path):
    # docs/ERAS.md: `.weights.h5` is Keras 3's layout, other names Keras 2's (both load)
    m = model()
    m.save_weights(str(tmp_path / "w.h5"))
    other = model()
    other.load_weights(str(tmp_path / "w.h5"))
    np.testing.assert_array_equal(other.get_weights()[0], m.get_weights()[0])
