"""Files cornu writes load in real Keras 3, and files Keras writes load in cornu."""
import json
import os

import h5py
import numpy as np
import pytest

import cornu
from cornu import callbacks
from cornu.testing import real_keras


def _cornu_model():
    model = cornu.Sequential([cornu.layers.Dense(4, input_shape=(3,), name="d1", activation="relu"),
                              cornu.layers.BatchNormalization(), cornu.layers.Dropout(0.1),
                              cornu.layers.Dense(2, activation="softmax")])
    model.compile(cornu.optimizers.Adam(learning_rate=0.01), "categorical_crossentropy",
                  metrics=["accuracy"])
    x = np.random.RandomState(0).rand(16, 3).astype("float32")
    model.fit(x, cornu.utils.to_categorical(np.arange(16) % 2), epochs=2, verbose=0)
    return model, x


@pytest.mark.parametrize("name", ["model.keras", "model.h5", "best_model.hd5"])
def test_cornu_files_reload_in_cornu_and_in_keras(tmp_path, name):
    keras = real_keras()
    model, x = _cornu_model()
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / name)
    model.save(path)
    again = cornu.models.load_model(path)
    np.testing.assert_allclose(again.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-7)
    assert again.metrics_names == ["loss", "accuracy"]
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    # Keras 3 cannot compile its own Keras 2 HDF5 files (string losses), so load those uncompiled;
    # it also insists on the `.h5` extension.
    if not name.endswith((".keras", ".h5")):
        os.replace(path, path + ".h5")
        path += ".h5"
    theirs = keras.models.load_model(path, compile=name.endswith(".keras"))
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)), expected, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_weights_files_both_ways(tmp_path, name):
    keras = real_keras()
    model, x = _cornu_model()
    path = str(tmp_path / name)
    model.save_weights(path)
    ref = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                            keras.layers.BatchNormalization(), keras.layers.Dropout(0.1),
                            keras.layers.Dense(2, activation="softmax")])
    ref.load_weights(path)
    np.testing.assert_allclose(np.asarray(ref.predict(x, verbose=0)), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    for w in ref.weights:
        w.assign(np.asarray(w) * 0.5)
    back = str(tmp_path / ("k_" + name))
    ref.save_weights(back) if name.endswith(".weights.h5") else \
        __import__("keras.src.legacy.saving.legacy_h5_format", fromlist=["x"]).save_weights_to_hdf5_group(
            h5py.File(back, "w"), ref)
    model.load_weights(back)
    np.testing.assert_allclose(model.predict(x, verbose=0), np.asarray(ref.predict(x, verbose=0)),
                               rtol=1e-5, atol=1e-6)


def test_keras_saved_models_load_in_cornu(tmp_path):
    keras = real_keras()
    ref = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="tanh"),
                            keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    ref.compile("sgd", "mse", metrics=["mae"])
    x = np.random.RandomState(1).rand(12, 5).astype("float32")
    ref.fit(x, x.sum(axis=1), epochs=2, verbose=0)
    expected = np.asarray(ref.predict(x, verbose=0))
    from keras.src.legacy.saving import legacy_h5_format
    ref.save(str(tmp_path / "k.keras"))
    legacy_h5_format.save_model_to_hdf5(ref, str(tmp_path / "k.h5"))
    for name in ("k.keras", "k.h5"):
        ours = cornu.models.load_model(str(tmp_path / name))
        np.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
        assert ours.metrics_names == ["loss", "mae"]
        ours.fit(x, x.sum(axis=1), epochs=1, verbose=0)  # compiled from the file


def test_keras1_sequential_config_loads():
    config = {"class_name": "Sequential", "config": [
        {"class_name": "Dense", "config": {"name": "dense_1", "trainable": True, "output_dim": 3,
                                           "init": "glorot_uniform", "activation": "relu",
                                           "batch_input_shape": [None, 4], "input_dtype": "float32",
                                           "W_regularizer": None, "b_regularizer": None,
                                           "activity_regularizer": None, "W_constraint": None,
                                           "b_constraint": None, "bias": True, "input_dim": 4}},
        {"class_name": "Dropout", "config": {"name": "dropout_1", "trainable": True, "p": 0.5}},
        {"class_name": "Dense", "config": {"name": "dense_2", "output_dim": 1,
                                           "activation": "sigmoid", "bias": True}}]}
    model = cornu.models.model_from_json(json.dumps(config))
    assert model.input_shape == (None, 4) and model.output_shape == (None, 1)
    assert model.layers[1].rate == 0.5 and model.count_params() == 4 * 3 + 3 + 4


def test_json_and_yaml_round_trip():
    model, x = _cornu_model()
    for text, loader in ((model.to_json(), cornu.models.model_from_json),
                         (model.to_yaml(), cornu.models.model_from_yaml)):
        clone = loader(text)
        assert clone.count_params() == model.count_params()
        clone.set_weights(model.get_weights())
        np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_failed_save_leaves_previous_file_intact(tmp_path, monkeypatch):
    model, _ = _cornu_model()
    path = tmp_path / "m.h5"
    model.save(str(path))
    before = path.read_bytes()
    from cornu.saving import h5_weights

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(h5_weights, "save_keras2_weights", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save(str(path))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.h5"]


def test_lambda_bytecode_needs_safe_mode_off(tmp_path):
    model = cornu.Sequential([cornu.layers.Lambda(lambda t: t * 2, input_shape=(2,))])
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        cornu.models.load_model(path)
    again = cornu.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(again.predict(np.ones((1, 2)), verbose=0), [[2.0, 2.0]])


def test_model_checkpoint_saves_best(tmp_path):
    model, x = _cornu_model()
    y = cornu.utils.to_categorical(np.arange(16) % 2)
    path = str(tmp_path / "best_model.hd5")
    check = callbacks.ModelCheckpoint(path, save_best_only=True, monitor="loss")
    model.fit(x, y, epochs=3, verbose=0, callbacks=[check])
    assert os.path.exists(path)
    weights_path = str(tmp_path / "w-{epoch:02d}.weights.h5")
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[callbacks.ModelCheckpoint(weights_path, save_weights_only=True)])
    assert sorted(os.listdir(tmp_path)) == ["best_model.hd5", "w-01.weights.h5", "w-02.weights.h5"]


@pytest.mark.parametrize("name", ["model.keras", "model.h5"])
def test_custom_loss_and_metric_in_the_training_config_load_via_custom_objects(tmp_path, name):
    # As in Keras, `custom_objects` also resolves the compiled loss and metrics by name.
    keras = real_keras()

    def my_loss(y_true, y_pred):
        return ((y_pred - y_true) ** 2).mean(-1)

    def my_metric(y_true, y_pred):
        return (y_pred - y_true).abs().mean(-1)

    for lib in (cornu, keras):
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1)])
        model.compile("sgd", loss=my_loss, metrics=[my_metric])
        path = str(tmp_path / f"{lib.__name__}_{name}")
        model.save(path)
        loaded = lib.models.load_model(path, custom_objects={"my_loss": my_loss,
                                                             "my_metric": my_metric})
        x = np.ones((4, 3), "float32")
        result = loaded.evaluate(x, np.zeros((4, 1), "float32"), verbose=0, return_dict=True)
        assert set(result) == {"loss", "my_metric"}, lib.__name__


def test_keras3_saving_namespace_registers_custom_layers(tmp_path):
    # Keras 3 scripts decorate with `keras.saving.register_keras_serializable(package=...)`.
    keras = real_keras()
    classes = {}
    for lib in (cornu, keras):
        @lib.saving.register_keras_serializable(package="tests_ns")
        class Doubler(lib.layers.Layer):
            def call(self, inputs):
                return inputs * 2

        assert lib.saving.get_registered_name(Doubler) == "tests_ns>Doubler"
        assert lib.saving.get_registered_object("tests_ns>Doubler") is Doubler
        classes[lib] = Doubler
    model = cornu.Sequential([cornu.Input((2,)), classes[cornu](), cornu.layers.Dense(1)])
    model.save(str(tmp_path / "m.keras"))
    loaded = cornu.saving.load_model(str(tmp_path / "m.keras"))
    assert type(loaded.layers[0]).__name__ == "Doubler"
