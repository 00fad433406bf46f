"""Keras 1/2's engine and utils modules: `keras.engine`, `keras.initializations` (Keras 1's
functions) apart from `keras.initializers` (classes), `Progbar`, `slice_X`, the Keras 2
serialization pair, `np_utils`' Keras 1 helpers."""
import io
import contextlib

import numpy as np
import pytest

import cornu
from cornu.compat import engine, generic_utils, initializations, np_utils


def test_engine_names_are_the_modern_objects():
    assert engine.Layer is cornu.layers.Layer
    assert engine.InputSpec is cornu.InputSpec is cornu.layers.InputSpec
    assert engine.Model is cornu.Model and engine.Input is cornu.layers.Input


def test_slice_x_slices_arrays_and_lists_as_keras1():
    a, b = np.arange(10), np.arange(20).reshape(10, 2)
    np.testing.assert_array_equal(engine.slice_X(a, 2, 5), a[2:5])
    left, right = engine.slice_X([a, b], [1, 3, 5])
    np.testing.assert_array_equal(left, a[[1, 3, 5]])
    np.testing.assert_array_equal(right, b[[1, 3, 5]])


def test_keras1_initializations_return_variables_with_keras1_formulas():
    cornu.utils.set_random_seed(0)
    w = initializations.glorot_uniform((300, 400), name="W")
    assert isinstance(w, cornu.Variable)
    limit = np.sqrt(6.0 / 700)
    values = np.asarray(w.detach())
    assert values.max() <= limit and values.min() >= -limit
    assert abs(values.std() - limit / np.sqrt(3)) < 0.002  # uniform(-l, l): std = l / sqrt(3)
    # Keras 1's default 'th' ordering: a kernel (out, in, rows, cols), fan_in = in * rows * cols.
    kernel = np.asarray(initializations.he_normal((64, 32, 3, 3)).detach())
    assert abs(kernel.std() - np.sqrt(2.0 / (32 * 9))) < 0.003
    eye = np.asarray(initializations.identity((3, 3), scale=2).detach())
    np.testing.assert_array_equal(eye, 2 * np.eye(3))
    q = np.asarray(initializations.orthogonal((6, 6)).detach())
    np.testing.assert_allclose(q @ q.T, 1.1 ** 2 * np.eye(6), atol=1e-5)
    assert initializations.get("zero") is initializations.zero


def test_keras2_initializers_are_classes_taking_a_seed():
    init = cornu.initializers.glorot_uniform(seed=1)
    assert isinstance(init, cornu.initializers.GlorotUniform)
    a, b = init((30, 20)), cornu.initializers.glorot_uniform(seed=1)((30, 20))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert isinstance(cornu.initializers.normal(stddev=0.1), cornu.initializers.RandomNormal)


def test_progbar_averages_values_except_stateful_metrics_as_keras():
    keras = pytest.importorskip("keras")
    steps = [(1, [("loss", 4.0), ("acc", 0.5)]), (3, [("loss", 1.0), ("acc", 0.75)])]
    # Target 4: neither bar is finalized (Keras 3.15 shows the last value as given there).
    ours = generic_utils.Progbar(4, verbose=0, stateful_metrics=["acc"])
    ref = keras.utils.Progbar(4, verbose=0, stateful_metrics=["acc"])
    for current, values in steps:
        ours.update(current, values)
        ref.update(current, values)
    assert ours.average("loss") == pytest.approx(ref._values["loss"][0] / ref._values["loss"][1])
    assert ours.average("loss") == pytest.approx((4.0 * 1 + 1.0 * 2) / 3)
    assert ours.average("acc") == 0.75
    bar = generic_utils.Progbar(4, verbose=1)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        bar.add(2, [("loss", 1.0)])
        bar.add(2, [("loss", 3.0)])
    assert "4/4" in buffer.getvalue() and "loss: 2.0000" in buffer.getvalue()


def test_serialize_keras_object_round_trip_with_a_custom_layer():
    class Scale(cornu.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    config = generic_utils.serialize_keras_object(Scale(3.0, name="s"))
    assert config["class_name"] == "Scale" and config["config"]["factor"] == 3.0
    layer = generic_utils.deserialize_keras_object(config, custom_objects={"Scale": Scale})
    assert isinstance(layer, Scale) and layer.factor == 3.0
    assert generic_utils.deserialize_keras_object("relu", module_objects={"relu": abs}) is abs
    with pytest.raises(ValueError, match="Unknown layer: 'Nope'"):
        generic_utils.deserialize_keras_object({"class_name": "Nope", "config": {}},
                                               printable_module_name="layer")


def test_np_utils_keras1_helpers():
    p = np.array([[0.1, 0.9], [0.7, 0.3]])
    np.testing.assert_array_equal(np_utils.probas_to_classes(p), [1, 0])
    np.testing.assert_array_equal(np_utils.probas_to_classes(np.array([[0.2], [0.8]])), [0, 1])
    kernel = np.arange(2 * 3 * 1 * 1).reshape(2, 3, 1, 1)
    np.testing.assert_array_equal(np_utils.convert_kernel(kernel), kernel[::-1, ::-1])
