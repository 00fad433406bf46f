"""Keras 3's SKLearnClassifier / SKLearnRegressor / SKLearnTransformer: scikit-learn's own
conformance suite (parametrize_with_checks) with Keras 3's list of expected failures and no
more, plus the wrappers' documented behaviour."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import cornu  # noqa: E402
from cornu import layers as L  # noqa: E402
from cornu.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402


def dynamic_model(X, y, loss, out_activation_function="softmax", layers=(10,)):
    """Keras 3's own test model: an MLP sized from the data."""
    inp = L.Input((X.shape[1],))
    hidden = inp
    for size in layers:
        hidden = L.Dense(size, activation="relu")(hidden)
    out = L.Dense(y.shape[1] if y.ndim > 1 else 1, activation=out_activation_function)(hidden)
    model = cornu.Model(inp, out)
    model.compile(loss=loss, optimizer="rmsprop")
    return model


class _Named:
    """The model function with a stable repr: the check ids hold the estimator's repr, which
    must be the same in every pytest-xdist worker (a function's repr holds its address)."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __repr__(self):
        return self.fn.__name__


# Keras 3.15's list for its wrappers (keras/src/wrappers/sklearn_test.py), with its reasons.
EXPECTED_FAILED_CHECKS = {
    "SKLearnClassifier": {
        "check_classifiers_regression_target": "not an issue in sklearn>=1.6",
        "check_parameters_default_constructible": "not an issue in sklearn>=1.6",
        "check_classifiers_one_label_sample_weights": "0 sample weight is not ignored",
        "check_classifiers_classes": "with small test cases the estimator returns not all "
                                     "classes sometimes",
        "check_classifier_data_not_an_array": "This test assumes reproducibility in fit.",
        "check_supervised_y_2d": "This test assumes reproducibility in fit.",
        "check_fit_idempotent": "This test assumes reproducibility in fit.",
        "check_classifiers_train": "decision_function can return both probabilities and logits",
    },
    "SKLearnRegressor": {"check_parameters_default_constructible": "not an issue in sklearn>=1.6"},
    "SKLearnTransformer": {"check_parameters_default_constructible": "not an issue in sklearn>=1.6"},
}


@parametrize_with_checks(
    [SKLearnClassifier(model=_Named(dynamic_model), fit_kwargs={"epochs": 5},
                       model_kwargs={"loss": "categorical_crossentropy", "layers": [20, 20, 20]}),
     SKLearnRegressor(model=_Named(dynamic_model), model_kwargs={"loss": "mse"}),
     SKLearnTransformer(model=_Named(dynamic_model), model_kwargs={"loss": "mse"})],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS[type(estimator).__name__])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _data():
    rng = np.random.RandomState(0)
    X = rng.rand(120, 4).astype("float32")
    return X, np.where(X[:, 0] + X[:, 1] > 1, "yes", "no")


def test_classifier_predicts_labels_in_their_type_and_scores_accuracy():
    cornu.utils.set_random_seed(0)  # (its accuracy bound held for most, not all, inits)
    X, y = _data()
    clf = SKLearnClassifier(dynamic_model, model_kwargs={"loss": "categorical_crossentropy"},
                            fit_kwargs={"epochs": 40})
    assert clf.fit(X, y) is clf
    assert list(clf.classes_) == ["no", "yes"] and set(clf.predict(X)) <= {"no", "yes"}
    assert clf.score(X, y) == np.mean(clf.predict(X) == y) and clf.score(X, y) > 0.6
    assert clf.decision_function(X[:3]).shape == (3, 2) and clf.epoch_ == 40


def test_regressor_score_is_r2_and_warm_start_goes_on_training():
    from sklearn.metrics import r2_score
    X, _ = _data()
    y = X @ np.array([1.0, -1.0, 2.0, 0.5], "float32")
    reg = SKLearnRegressor(dynamic_model, warm_start=True, fit_kwargs={"epochs": 3},
                           model_kwargs={"loss": "mse", "out_activation_function": None})
    reg.fit(X, y)
    first = reg.model_
    reg.fit(X, y)
    assert reg.model_ is first and reg.epoch_ == 6 and len(reg.history_["loss"]) == 6
    assert reg.predict(X).shape == (120,)
    assert reg.score(X, y) == pytest.approx(r2_score(y, reg.predict(X)), rel=1e-6)
    cold = SKLearnRegressor(dynamic_model, model_kwargs={"loss": "mse"}, fit_kwargs={"epochs": 1})
    cold.fit(X, y)
    model = cold.model_
    cold.fit(X, y)
    assert cold.model_ is not model and cold.epoch_ == 1


def test_compiled_model_instance_is_cloned_and_transformer_outputs():
    X, _ = _data()
    base = cornu.Sequential([L.Input((4,)), L.Dense(1)])
    base.compile("adam", "mse")
    tr = SKLearnTransformer(base, fit_kwargs={"epochs": 1}).fit(X, X[:, 0])
    assert tr.model_ is not base and tr.transform(X).shape == (120, 1)
    assert not np.allclose(tr.model_.get_weights()[0], base.get_weights()[0])  # fresh weights
    with pytest.raises(RuntimeError, match="compiled"):
        SKLearnRegressor(cornu.Sequential([L.Input((4,)), L.Dense(1)])).fit(X, X[:, 0])
    assert sklearn.base.clone(tr).get_params()["fit_kwargs"] == {"epochs": 1}
