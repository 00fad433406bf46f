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
     FileNotFoundError, "log.csv"),
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


def _cut(path):
    data = open(path, "rb").read()
    return _write(path, data[: len(data) // 2])


def _truncated(tmp_path, name):
    return _cut(_saved(tmp_path, name))


def _other_zip(tmp_path):
    path = str(tmp_path / "notes.keras")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    return path


FILES = [
    ("load-missing-file", lambda t: cornu.models.load_model(str(t / "nope.keras")),
     FileNotFoundError, "nope.keras"),
    ("load-empty-keras", lambda t: cornu.models.load_model(_write(str(t / "e.keras"), b"")),
     ValueError, "e.keras"),
    ("load-empty-h5", lambda t: cornu.models.load_model(_write(str(t / "e.h5"), b"")),
     ValueError, "e.h5"),
    ("load-text-as-keras", lambda t: cornu.models.load_model(_write(str(t / "t.keras"),
                                                                    b"not a model")),
     ValueError, "t.keras"),
    ("load-text-as-h5", lambda t: cornu.models.load_model(_write(str(t / "t.h5"), b"hello")),
     ValueError, "t.h5"),
    ("load-truncated-keras", lambda t: cornu.models.load_model(_truncated(t, "m.keras")),
     ValueError, "m.keras"),
    ("load-truncated-h5", lambda t: cornu.models.load_model(_truncated(t, "m.h5")),
     ValueError, "m.h5"),
    ("load-zip-not-keras", lambda t: cornu.models.load_model(_other_zip(t)), ValueError,
     "notes.keras"),
    ("load-keras-without-config", lambda t: cornu.models.load_model(
        _zip_without(t, "config.json")), ValueError, "config.json"),
    ("load-keras-without-weights", lambda t: cornu.models.load_model(
        _zip_without(t, "model.weights.h5")), ValueError, "model.weights.h5"),
    ("load-weights-missing", lambda t: model().load_weights(str(t / "w.weights.h5")),
     FileNotFoundError, "w.weights.h5"),
    ("load-weights-text", lambda t: model().load_weights(_write(str(t / "w.weights.h5"), b"x")),
     ValueError, "w.weights.h5"),
    ("load-weights-wrong-model", lambda t: (lambda p: cornu.Sequential(
        [cornu.Input((3,)), layers.Dense(2)]).load_weights(p))(_weights(t)), ValueError,
     "shape"),
]


def _weights(tmp_path):
    path = str(tmp_path / "w.weights.h5")
    model().save_weights(path)
    return path


def _keras_with(tmp_path, member, data=b"x", name="extra.keras"):
    """A good `.keras` file with one more member (or `member` replaced by `data`)."""
    src = _saved(tmp_path, "good.keras")
    dst = str(tmp_path / name)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            if item.filename != member:
                zout.writestr(item, zin.read(item.filename))
        zout.writestr(member, data)
    return dst


def _weights_only_h5(tmp_path):
    path = str(tmp_path / "only.h5")
    model().save_weights(path)
    return path


FILES_MORE = [
    ("load-keras-member-up", lambda t: cornu.models.load_model(
        _keras_with(t, "../evil.txt")), ValueError, "extra.keras", "'../evil.txt'", "outside"),
    ("load-keras-member-deep-up", lambda t: cornu.models.load_model(
        _keras_with(t, "assets/../../evil.txt")), ValueError, "extra.keras", "outside"),
    ("load-keras-member-absolute", lambda t: cornu.models.load_model(
        _keras_with(t, "/tmp/evil.txt")), ValueError, "extra.keras", "'/tmp/evil.txt'",
     "outside"),
    ("load-keras-config-not-json", lambda t: cornu.models.load_model(
        _keras_with(t, "config.json", b"{not json")), ValueError, "extra.keras", "config.json",
     "json"),
    ("load-keras-weights-not-hdf5", lambda t: cornu.models.load_model(
        _keras_with(t, "model.weights.h5", b"not hdf5")), ValueError, "extra.keras",
     "model.weights.h5", "not an hdf5"),
    ("load-model-of-weights-only-h5", lambda t: cornu.models.load_model(_weights_only_h5(t)),
     ValueError, "only.h5", "weights only", "load_weights"),
    ("load-model-directory", lambda t: cornu.models.load_model(str(t)), ValueError,
     "savedmodel"),
    ("load-truncated-weights-h5", lambda t: model().load_weights(_cut(_weights(t))),
     ValueError, "w.weights.h5", "damaged"),
    ("save-weights-h5-to-weights-name", lambda t: model().save(str(t / "m.weights.h5")),
     ValueError, "m.weights.h5", "save_weights"),
]


@pytest.mark.parametrize("fn, exc, words", cases(FILES_MORE))
def test_bad_file_more(fn, exc, words, tmp_path):
    """Nothing is written outside the folder (nor anything new in it but the test's files)."""
    parent_before = sorted(os.listdir(tmp_path.parent))
    expect_error(lambda: fn(tmp_path), exc, *words)
    assert sorted(os.listdir(tmp_path.parent)) == parent_before
    assert not os.path.exists("/tmp/evil.txt")
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp") or "evil" in n]


def _fits_first_layer_only(tmp_path, name):
    saved = cornu.Sequential([cornu.Input((4,)), layers.Dense(3), layers.Dense(2)])
    path = str(tmp_path / name)
    saved.save_weights(path) if name.endswith(".weights.h5") else saved.save(path)
    return path


def _two_layers():
    m = cornu.Sequential([cornu.Input((4,)), layers.Dense(3), layers.Dense(1)])
    m.compile("adam", "mse")
    return m


INTO_MODEL = [
    ("load-weights-fits-first-layer-keras3", lambda m, t: m.load_weights(
        _fits_first_layer_only(t, "a.weights.h5")), ValueError, "a.weights.h5", "(3, 1)",
     "(3, 2)"),
    ("load-weights-fits-first-layer-keras", lambda m, t: m.load_weights(
        _fits_first_layer_only(t, "a.keras")), ValueError, "a.keras", "shape"),
    ("load-weights-fits-first-layer-keras2", lambda m, t: m.load_weights(
        _fits_first_layer_only(t, "a.h5")), ValueError, "dense", "(3, 1)", "(3, 2)"),
    ("load-weights-member-up", lambda m, t: m.load_weights(_keras_with(t, "../w")),
     ValueError, "extra.keras", "outside"),
    ("load-weights-empty", lambda m, t: m.load_weights(_write(str(t / "e.weights.h5"), b"")),
     ValueError, "e.weights.h5", "empty"),
    ("load-weights-zip-not-keras", lambda m, t: m.load_weights(_other_zip(t)), ValueError,
     "notes.keras", "model.weights.h5"),
]


@pytest.mark.parametrize("fn, exc, words", cases(INTO_MODEL))
def test_bad_file_leaves_the_model_as_it_was(fn, exc, words, tmp_path):
    m = _two_layers()
    before = [w.copy() for w in m.get_weights()]
    expect_error(lambda: fn(m, tmp_path), exc, *words)
    for old, new in zip(before, m.get_weights()):
        np.testing.assert_array_equal(old, new)


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
