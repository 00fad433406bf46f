"""The optimizer's state (iterations, learning rate, slots) round-trips through every file Keras
writes it to, between cornu and real Keras 3, and training continues as if never stopped."""
import warnings

import h5py
import numpy as np
import pytest

import cornu
from cornu.testing import real_keras

X = np.random.RandomState(0).rand(32, 3).astype("float32")
Y = np.random.RandomState(1).rand(32, 1).astype("float32")


def _optimizer(lib, kind):
    if kind == "adam":
        return lib.optimizers.Adam(learning_rate=0.01)
    if kind == "sgd":
        return lib.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    schedule = lib.optimizers.schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5)
    return lib.optimizers.Adam(learning_rate=schedule)


def _model(lib, kind, train=True):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, activation="tanh"),
                            lib.layers.BatchNormalization(), lib.layers.Dense(1)])
    model.compile(_optimizer(lib, kind), "mse")
    if train:
        model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return model


def _state(optimizer):
    return [np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v)
            for v in optimizer.variables]


def _assert_same_state(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        np.testing.assert_allclose(a.astype("float64"), b.astype("float64"), rtol=1e-6, atol=1e-7)


def _copy_weights(source, target):
    target.set_weights([np.asarray(w) for w in source.get_weights()])


@pytest.mark.parametrize("kind", ["adam", "sgd", "schedule"])
@pytest.mark.parametrize("name", ["m.keras", "m.weights.h5", "m.h5"])
def test_keras3_files_restore_their_optimizer_in_cornu(tmp_path, kind, name):
    keras = real_keras()
    ref = _model(keras, kind)
    path = str(tmp_path / name)
    if name.endswith(".weights.h5"):
        ref.save_weights(path)
        model = _model(cornu, kind, train=False)
        model.load_weights(path)
    else:
        ref.save(path)
        model = cornu.models.load_model(path)
    assert int(model.optimizer.iterations) == int(ref.optimizer.iterations) == 8
    _assert_same_state(_state(model.optimizer), _state(ref.optimizer))
    # one more epoch on both sides lands on the same weights
    ref.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    model.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["adam", "sgd", "schedule"])
@pytest.mark.parametrize("name", ["m.keras", "m.weights.h5", "m.h5"])
def test_cornu_files_restore_their_optimizer_in_keras3(tmp_path, kind, name):
    keras = real_keras()
    model = _model(cornu, kind)
    path = str(tmp_path / name)
    ref = _model(keras, kind, train=False)
    if name.endswith(".weights.h5"):
        model.save_weights(path)
        ref.optimizer.build(ref.trainable_variables)
        ref.load_weights(path)
    elif name.endswith(".keras"):
        model.save(path)
        ref = keras.models.load_model(path)
    else:  # Keras 3 cannot compile a Keras 2 file's string loss itself: its own legacy path
        model.save(path)
        ref.optimizer.build(ref.trainable_variables)
        _copy_weights(model, ref)
        with h5py.File(path, "r") as f:
            names = [n.decode() if isinstance(n, bytes) else n
                     for n in f["optimizer_weights"].attrs["weight_names"]]
            ref.optimizer.set_weights([f["optimizer_weights"][n][()] for n in names])
    assert int(ref.optimizer.iterations) == 8
    _assert_same_state(_state(model.optimizer), _state(ref.optimizer))


@pytest.mark.parametrize("style", ["legacy", "tf_keras_2_11"])
def test_keras2_names_are_matched_whatever_their_order(tmp_path, style):
    """tf.keras 2 files name slots `Adam/dense/kernel/m:0` (legacy optimizers, with extra
    hyperparameters) or `Adam/m/dense/kernel:0` (2.11+, no learning rate); cornu matches them
    by name, in any order."""
    model = _model(cornu, "adam")
    path = str(tmp_path / "m.h5")
    model.save(path)
    expected = _state(model.optimizer)
    params = model.optimizer._params
    if style == "legacy":
        legacy = {"Adam/iter:0": np.int64(8), "Adam/beta_1:0": np.float32(0.9),
                  "Adam/decay:0": np.float32(0.0), "Adam/learning_rate:0": np.float32(0.01)}
    else:
        legacy = {"iteration:0": np.int64(8)}
    for i, p in enumerate(params):
        m, v = ((f"Adam/{p.path}/m:0", f"Adam/{p.path}/v:0") if style == "legacy" else
                (f"Adam/m/{p.path}:0", f"Adam/v/{p.path}:0"))
        legacy[m], legacy[v] = expected[2 + 2 * i], expected[3 + 2 * i]
    names = list(legacy)[::-1]  # reversed: only the names tell which is which
    with h5py.File(path, "a") as f:
        del f["optimizer_weights"]
        group = f.create_group("optimizer_weights")
        group.attrs["weight_names"] = [n.encode() for n in names]
        for n in names:
            group.create_dataset(n, data=legacy[n])
    again = cornu.models.load_model(path)
    _assert_same_state(_state(again.optimizer), expected)


def test_a_state_that_does_not_fit_loads_the_weights_and_warns(tmp_path):
    keras = real_keras()
    ref = _model(keras, "adam")
    path = str(tmp_path / "m.weights.h5")
    ref.save_weights(path)
    model = _model(cornu, "sgd", train=False)  # SGD with momentum: other slots
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer 'sgd'"):
        model.load_weights(path)
    for a, b in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(model.optimizer.iterations) == 0


def test_include_optimizer_false_writes_no_state(tmp_path):
    model = _model(cornu, "adam")
    model.save(str(tmp_path / "m.h5"), include_optimizer=False)
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert "optimizer_weights" not in f
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = cornu.models.load_model(str(tmp_path / "m.h5"))
    assert int(again.optimizer.iterations) == 0


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
@pytest.mark.parametrize("kind", ["adam", "schedule"])
def test_save_load_fit_continues_as_one_run(tmp_path, name, kind):
    """3 epochs, save, load, 3 more: the same per-epoch losses as 6 epochs in one run."""
    cornu.utils.set_random_seed(3)
    one = _model(cornu, kind, train=False)
    start = one.get_weights()
    full = one.fit(X, Y, batch_size=8, epochs=6, shuffle=False, verbose=0).history["loss"]
    two = _model(cornu, kind, train=False)
    two.set_weights(start)
    first = two.fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0).history["loss"]
    two.save(str(tmp_path / name))
    again = cornu.models.load_model(str(tmp_path / name))
    second = again.fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(first + second, full, rtol=0, atol=1e-6)
