"""The whole `fit` history (loss, metrics, validation) of small models, `shuffle=False`, equals
real Keras 3's from the same initial weights: optimizer, loss, metrics, regularizers,
constraints and sample/class weights together."""
import numpy as np
import pytest

import cornu

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(5)
X = RNG.normal(size=(50, 6)).astype("float32")
X_VAL = RNG.normal(size=(20, 6)).astype("float32")
Y_BIN = (X[:, :1] + X[:, 1:2] > 0).astype("float32")
Y_BIN_VAL = (X_VAL[:, :1] + X_VAL[:, 1:2] > 0).astype("float32")
Y_CLASS = (np.argmax(X[:, :3], axis=1)).astype("int64")
Y_REG = np.stack([X[:, 0] * 2 - X[:, 3], X[:, 4] ** 2], axis=1).astype("float32")
SW = RNG.uniform(0.2, 2.0, 50).astype("float32")


def _model(lib, layers):
    model = lib.Sequential([lib.layers.Input((6,))] + [
        lib.layers.Dense(units, **kwargs) for units, kwargs in layers])
    return model


def _objects(lib, spec):
    """Builds metric/optimizer objects of `lib` from ('ClassName', {...}) tuples."""
    if isinstance(spec, tuple):
        module, name, kwargs = spec
        return getattr(getattr(lib, module), name)(**{k: _objects(lib, v)
                                                      for k, v in kwargs.items()})
    if isinstance(spec, list):
        return [_objects(lib, s) for s in spec]
    if isinstance(spec, dict):
        return {k: _objects(lib, v) for k, v in spec.items()}
    return spec


def _fit(lib, case, weights):
    layers, compile_args, fit_args = case
    model = _model(lib, [(u, _objects(lib, kw)) for u, kw in layers])
    if weights is not None:
        model.set_weights(weights)
    model.compile(**{k: _objects(lib, v) for k, v in compile_args.items()})
    history = model.fit(verbose=0, shuffle=False, **fit_args)
    return model.get_weights(), history.history


CASES = {
    "binary_adam": (
        [(8, {"activation": "relu"}), (1, {"activation": "sigmoid"})],
        {"optimizer": ("optimizers", "Adam", {"learning_rate": 0.01}),
         "loss": "binary_crossentropy",
         "metrics": ["accuracy", ("metrics", "AUC", {"name": "auc"}),
                     ("metrics", "Precision", {"name": "precision"})]},
        {"x": X, "y": Y_BIN, "batch_size": 16, "epochs": 4,
         "validation_data": (X_VAL, Y_BIN_VAL)}),
    "sparse_rmsprop_sample_weights": (
        [(8, {"activation": "tanh"}), (3, {"activation": "softmax"})],
        {"optimizer": "rmsprop", "loss": "sparse_categorical_crossentropy",
         "metrics": ["accuracy"],
         "weighted_metrics": [("metrics", "SparseCategoricalAccuracy", {"name": "w_acc"})]},
        {"x": X, "y": Y_CLASS, "batch_size": 8, "epochs": 3, "sample_weight": SW,
         "validation_split": 0.2}),
    "categorical_nadam_class_weights": (
        [(3, {"activation": "softmax"})],
        {"optimizer": ("optimizers", "Nadam", {"learning_rate": 0.02}),
         "loss": ("losses", "CategoricalCrossentropy", {"label_smoothing": 0.1}),
         "metrics": [("metrics", "TopKCategoricalAccuracy", {"k": 2, "name": "top2"}),
                     ("metrics", "F1Score", {"average": "macro", "name": "f1"})]},
        {"x": X, "y": np.eye(3, dtype="float32")[Y_CLASS], "batch_size": 10, "epochs": 3,
         "class_weight": {0: 1.0, 1: 2.0, 2: 0.5}}),
    "regression_regularized_sgd": (
        [(5, {"activation": "tanh",
              "kernel_regularizer": ("regularizers", "L2", {"l2": 0.01}),
              "bias_regularizer": ("regularizers", "L1", {"l1": 0.01}),
              "activity_regularizer": ("regularizers", "L1L2", {"l1": 0.001, "l2": 0.001}),
              "kernel_constraint": ("constraints", "MaxNorm", {"max_value": 1.0})}),
         (2, {})],
        {"optimizer": ("optimizers", "SGD", {"learning_rate": 0.05, "momentum": 0.9,
                                              "nesterov": True, "clipnorm": 1.0}),
         "loss": "mse",
         "metrics": ["mae", ("metrics", "RootMeanSquaredError", {"name": "rmse"}),
                     ("metrics", "R2Score", {"name": "r2"})]},
        {"x": X, "y": Y_REG, "batch_size": 16, "epochs": 4,
         "validation_data": (X_VAL, X_VAL[:, :2])}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_history_matches_keras(case):
    keras.utils.set_random_seed(0)
    keras_model = _model(keras, [(u, _objects(keras, kw)) for u, kw in CASES[case][0]])
    weights = keras_model.get_weights()
    their_weights, theirs = _fit(keras, CASES[case], weights)
    our_weights, ours = _fit(cornu, CASES[case], weights)
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, atol=1e-6, err_msg=key)
    for a, b in zip(our_weights, their_weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_evaluate_and_test_on_batch_count_activity_penalties_once():
    layers = [(4, {"activation": "relu", "activity_regularizer": ("regularizers", "L2",
                                                                  {"l2": 0.1})}), (1, {})]
    keras_model = _model(keras, [(u, _objects(keras, kw)) for u, kw in layers])
    weights = keras_model.get_weights()
    results = []
    for lib, model in ((keras, keras_model), (cornu, None)):
        model = model or _model(lib, [(u, _objects(lib, kw)) for u, kw in layers])
        model.set_weights(weights)
        model.compile(optimizer="sgd", loss="mse")
        results.append([model.evaluate(X, Y_REG[:, :1], batch_size=16, verbose=0),
                        model.test_on_batch(X, Y_REG[:, :1]),
                        model.test_on_batch(X, Y_REG[:, :1])])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)


def test_learning_rate_scheduler_and_set_value_during_fit_match_keras():
    def schedule(epoch, lr):
        return lr * 0.5 if epoch else lr

    def run(lib):
        model = _model(lib, [(4, {"activation": "tanh"}), (1, {})])
        model.set_weights(weights)
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1, momentum=0.5), loss="mse")
        halve = lib.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: (
            model.optimizer.learning_rate.assign(model.optimizer.learning_rate * 0.8)
            if lib is keras else cornu.backend.set_value(
                model.optimizer.lr, cornu.backend.get_value(model.optimizer.lr) * 0.8)))
        history = model.fit(X, Y_REG[:, :1], batch_size=25, epochs=4, verbose=0, shuffle=False,
                            callbacks=[lib.callbacks.LearningRateScheduler(schedule), halve])
        return history.history, model.get_weights()

    weights = _model(keras, [(4, {"activation": "tanh"}), (1, {})]).get_weights()
    (theirs, their_weights), (ours, our_weights) = run(keras), run(cornu)
    assert sorted(ours) == sorted(theirs) == ["learning_rate", "loss"]
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, atol=1e-6, err_msg=key)
    for a, b in zip(our_weights, their_weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert ours["lr"] == ours["learning_rate"]  # tf.keras 2's key finds it
