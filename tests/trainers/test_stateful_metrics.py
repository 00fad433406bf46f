"""A custom Metric holding Variables (the "Training & evaluation with the built-in methods"
guide's CategoricalTruePositives) with compile/fit/evaluate, against real Keras 3."""
import numpy as np
import pytest

import cornu

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(2)
X = RNG.normal(size=(64, 12)).astype("float32")
Y = RNG.integers(0, 5, 64)


def true_positives(lib):
    ops = lib.ops

    class CategoricalTruePositives(lib.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
            values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
            values = ops.cast(values, "float32")
            if sample_weight is not None:
                values = ops.multiply(values, ops.cast(sample_weight, "float32"))
            self.true_positives.assign_add(ops.sum(values))

        def result(self):
            return self.true_positives.value

        def reset_state(self):
            self.true_positives.assign(0.0)
    return CategoricalTruePositives()


def model_for(lib):
    inputs = lib.Input((12,))
    x = lib.layers.Dense(16, activation="relu")(inputs)
    return lib.Model(inputs, lib.layers.Dense(5)(x))


def test_custom_metric_variables_with_fit_and_evaluate():
    ref, ours = model_for(keras), model_for(cornu)
    ours.set_weights(ref.get_weights())
    results = []
    for model, lib in ((ref, keras), (ours, cornu)):
        model.compile(optimizer=lib.optimizers.RMSprop(1e-3),
                      loss=lib.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=[true_positives(lib)])
        history = model.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        evaluated = model.evaluate(X, Y, batch_size=16, verbose=0)
        results.append((history.history, evaluated))
    (ref_history, ref_eval), (our_history, our_eval) = results
    np.testing.assert_allclose(our_history["categorical_true_positives"],
                               ref_history["categorical_true_positives"])
    np.testing.assert_allclose(our_history["loss"], ref_history["loss"], rtol=1e-5)
    np.testing.assert_allclose(our_eval, ref_eval, rtol=1e-5)


def test_metric_variable_api():
    metric = true_positives(cornu)
    metric.update_state(np.array([[1], [2]]), np.eye(5, dtype="float32")[[1, 3]])
    assert float(metric.result()) == 1.0
    assert isinstance(metric.true_positives, cornu.Variable)
    metric.reset_state()
    assert float(metric.result()) == 0.0
