"""Keras 1/2 spellings are translated at the API boundary, each warning once."""
import warnings

import numpy as np
import pytest

import cornu
from cornu.compat import LegacyWarning
from cornu.compat import arguments as legacy
from cornu.layers import Dense, Dropout, Input


@pytest.fixture(autouse=True)
def _fresh_warnings():
    legacy._WARNED.clear()


def test_dense_keras1_arguments():
    with pytest.warns(LegacyWarning, match="`output_dim`.*`units`"):
        layer = Dense(output_dim=3, input_dim=2, init="uniform", W_regularizer=cornu.regularizers.l2(0.1),
                      bias=False)
    assert layer.units == 3 and not layer.use_bias and layer.built
    assert type(layer.kernel_initializer).__name__ == "RandomUniform"
    assert layer.kernel_regularizer.l2 == pytest.approx(0.1)
    assert [tuple(w.shape) for w in layer.weights] == [(2, 3)]


def test_each_legacy_spelling_warns_once():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Dropout(p=0.2)
        Dropout(p=0.3)
    assert len([w for w in caught if issubclass(w.category, LegacyWarning)]) == 1
    assert Dropout(p=0.25).rate == 0.25


def test_unknown_argument_raises_type_error_naming_class():
    with pytest.raises(TypeError, match="Dense: unexpected keyword argument.*'bogus'"):
        Dense(2, bogus=True)


def test_fit_legacy_arguments():
    model = cornu.Sequential([Dense(1, input_dim=2)])
    model.compile("sgd", "mse")
    x, y = np.random.rand(20, 2), np.random.rand(20)
    history = model.fit(x, y, nb_epoch=3, verbose=0)
    assert history.epoch == [0, 1, 2]
    before = int(model.optimizer.iterations)
    model.fit(x, y, samples_per_epoch=12, batch_size=5, nb_epoch=1, verbose=0)
    assert int(model.optimizer.iterations) - before == 3  # ceil(12 / 5)


def test_sgd_decay_is_keras2_time_based_decay():
    """`SGD(lr=0.1, decay=0.5)`: each step uses lr / (1 + decay * iterations)."""
    model = cornu.Sequential([Dense(1, input_dim=1, use_bias=False, kernel_initializer="zeros")])
    model.compile(cornu.optimizers.SGD(lr=0.1, decay=0.5), "mse")
    x, y = np.ones((1, 1)), np.ones((1, 1))
    w = 0.0
    for t in range(4):
        model.train_on_batch(x, y)
        w -= 0.1 / (1 + 0.5 * t) * 2 * (w - 1.0)
    assert model.get_weights()[0][0, 0] == pytest.approx(w, rel=1e-6)


def test_model_input_output_keywords():
    inp = Input(shape=(3,))
    out = Dense(2)(inp)
    with pytest.warns(LegacyWarning):
        model = cornu.Model(input=inp, output=out)
    assert model.output_shape == (None, 2)


def test_dim_ordering_transform():
    assert legacy.translate("layer", {"dim_ordering": "th"}, "X") == {"data_format": "channels_first"}
    assert legacy.translate("layer", {"dim_ordering": "default"}, "X") == {}
    with pytest.raises(ValueError, match="dim_ordering"):
        legacy.translate("layer", {"dim_ordering": "xy"}, "X")


def test_keras2_positional_compile_metrics():
    model = cornu.Sequential([Dense(1, input_dim=2, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", ["accuracy"])
    assert model.metrics_names == ["loss", "accuracy"]
    model.compile("sgd", "binary_crossentropy", [1.0])
    assert model.metrics_names == ["loss"]


def test_a_user_layer_keeps_its_own_arguments_named_like_legacy_ones():
    # Keras 2 docs' custom layer takes `output_dim`; Keras 1's Dense spelling of `units` must
    # not be read into it (nor a user's `init`), in the constructor or from its config.
    class MyLayer(cornu.layers.Layer):
        def __init__(self, output_dim, init="uniform", **kwargs):
            self.output_dim, self.init = output_dim, init
            super().__init__(**kwargs)

        def get_config(self):
            return {**super().get_config(), "output_dim": self.output_dim, "init": self.init}

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = MyLayer(output_dim=4, init="zeros")
        clone = MyLayer.from_config(layer.get_config())
    assert (clone.output_dim, clone.init) == (4, "zeros")


def test_keras1_compile_class_mode_is_accepted_and_accuracy_still_binary():
    # Keras 0.x/1: compile(..., class_mode='binary') picked binary accuracy for show_accuracy;
    # Keras 3's 'accuracy' with one sigmoid unit is binary accuracy too.
    model = cornu.Sequential([Dense(1, input_dim=2, activation="sigmoid")])
    with pytest.warns(LegacyWarning, match="class_mode"):
        model.compile("sgd", "binary_crossentropy", metrics=["accuracy"], class_mode="binary")
    x = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
    model.set_weights([np.array([[5.0], [-5.0]], "float32"), np.zeros(1, "float32")])
    _, acc = model.evaluate(x, np.array([1, 0]), verbose=0)
    assert acc == 1.0
