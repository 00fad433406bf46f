"""Torch modules inside Keras models: TorchModuleWrapper and Keras 3's automatic wrapping of a
torch module held by a layer, against real Keras 3 (torch backend)."""
import h5py
import numpy as np
import pytest
import torch

import cornu

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(1)
X = RNG.normal(size=(32, 4)).astype("float32")
Y = RNG.normal(size=(32, 1)).astype("float32")


def subclassed(lib):
    class MyModel(lib.Model):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
            self.out = lib.layers.Dense(1)

        def call(self, x):
            return self.out(self.fc(x))
    model = MyModel()
    model(X[:2])
    return model


def test_torch_attribute_is_wrapped_counted_and_listed_as_keras():
    ref, ours = subclassed(keras), subclassed(cornu)
    assert type(ours.fc) is cornu.layers.TorchModuleWrapper
    assert type(ref.fc).__name__ == "TorchModuleWrapper"
    assert ours.count_params() == ref.count_params() == 25
    assert len(ours.trainable_weights) == len(ref.trainable_weights) == 6
    assert len(ours.weights) == len(ref.weights) == 6
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
    assert all(isinstance(w, cornu.Variable) for w in ours.weights)
    # the module's own forward uses the same (now Variable) parameters
    assert ours.fc.module[0].weight is ours.weights[0]


def test_fit_trains_the_torch_module_as_keras():
    ref, ours = subclassed(keras), subclassed(cornu)
    ours.set_weights(ref.get_weights())
    for model, lib in ((ref, keras), (ours, cornu)):
        # (Keras's build call above ran the module in train mode: cornu's, like any direct
        # call without `training`, in inference mode; start both statistics afresh)
        model.fc.module[1].reset_running_stats()
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
        model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.fc.module[1].running_mean.numpy(),
                               ref.fc.module[1].running_mean.cpu().numpy(), rtol=1e-5, atol=1e-6)


def test_weights_file_keeps_the_module_state_by_state_dict_key(tmp_path):
    ours = subclassed(cornu)
    ours.fc.module[1].running_mean.fill_(0.5)  # a buffer: saved too, as Keras 3 saves it
    path = str(tmp_path / "m.weights.h5")
    ours.save_weights(path)
    ref = subclassed(keras)
    ref_path = str(tmp_path / "ref.weights.h5")
    ref.save_weights(ref_path)
    with h5py.File(path) as ours_file, h5py.File(ref_path) as ref_file:
        assert "fc/vars" in ours_file, sorted(ours_file)  # Keras 3's path: the attribute name
        assert set(ours_file["fc/vars"].keys()) == set(ref_file["fc/vars"].keys())
    other = subclassed(cornu)
    other.load_weights(path)
    for a, b in zip(other.get_weights(), ours.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(other.fc.module[1].running_mean.numpy(), [0.5] * 3)


def test_wrapper_layer_direct_and_in_a_functional_model():
    module = torch.nn.Linear(4, 2)
    layer = cornu.layers.TorchModuleWrapper(module, name="lin")
    assert [w.path for w in layer.weights] == ["lin/weight", "lin/bias"]
    assert layer.count_params() == keras.layers.TorchModuleWrapper(torch.nn.Linear(4, 2)) \
        .count_params() == 10
    x = torch.from_numpy(X[:3])
    np.testing.assert_allclose(layer(x).detach().numpy(), module(x).detach().numpy())
    inputs = cornu.Input((4,))
    model = cornu.Model(inputs, cornu.layers.Dense(1)(layer(inputs)))
    assert tuple(model.output_shape) == (None, 1)  # found on meta stand-ins
    assert model.count_params() == 13
    model.compile("adam", "mse")
    before = layer.get_weights()[0]
    model.fit(X, Y, epochs=1, verbose=0)
    assert not np.allclose(before, layer.get_weights()[0])


def test_training_flag_sets_the_module_mode():
    layer = cornu.layers.TorchModuleWrapper(torch.nn.Dropout(0.5))
    x = torch.ones(4, 100)
    assert torch.equal(layer(x, training=False), x) and not layer.module.training
    assert not torch.equal(layer(x, training=True), x) and layer.module.training


def test_config_round_trip_needs_unsafe_mode():
    layer = cornu.layers.TorchModuleWrapper(torch.nn.Linear(4, 2), output_shape=(None, 2))
    config = layer.get_config()
    with pytest.raises(ValueError, match="safe_mode"):
        cornu.layers.TorchModuleWrapper.from_config(config)
    from cornu.utils.registry import SafeModeScope
    with SafeModeScope(False):
        clone = cornu.layers.TorchModuleWrapper.from_config(config)
    for a, b in zip(clone.get_weights(), layer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_bad_modules_are_clear_errors():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        cornu.layers.TorchModuleWrapper("linear")
    with pytest.raises(ValueError, match="lazy"):
        cornu.layers.TorchModuleWrapper(torch.nn.LazyLinear(3))
