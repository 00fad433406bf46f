"""Keras 2's KerasClassifier / KerasRegressor under scikit-learn's conformance suite
(parametrize_with_checks), with no more expected failures than Keras 3's list for the matching
Keras 3 wrapper (tests/wrappers/test_sklearn_wrapper.py), plus the behaviour the checks ask of
them in the wrappers' own Keras 2 terms."""
import functools

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import cornu  # noqa: E402
from cornu import layers as L  # noqa: E402
from cornu.wrappers.scikit_learn import KerasClassifier, KerasRegressor  # noqa: E402


class _Named:
    """A build_fn with a stable repr: the check ids hold the estimator's repr, which must be
    the same in every pytest-xdist worker (a function's repr holds its address). Keras 2 takes
    a class instance as `build_fn`; `functools.update_wrapper` gives it the function's
    signature, which is what the wrapper reads to route `sk_params`."""

    def __init__(self, fn):
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self):
        return self.__wrapped__.__name__


def tiny_classifier(meta, hidden=8, optimizer="adam"):
    """A one-hidden-layer softmax classifier sized from the data (`meta`, filled by fit)."""
    model = cornu.Sequential([L.Input((meta["n_features_in_"],)),
                              L.Dense(hidden, activation="relu"),
                              L.Dense(meta["n_classes_"], activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def tiny_regressor(meta, hidden=8):
    model = cornu.Sequential([L.Input((meta["n_features_in_"],)),
                              L.Dense(hidden, activation="relu"),
                              L.Dense(meta["n_outputs_"])])
    model.compile(optimizer="adam", loss="mse")
    return model


EXPECTED_FAILED_CHECKS = {"KerasClassifier": {}, "KerasRegressor": {}}


@parametrize_with_checks(
    [KerasClassifier(build_fn=_Named(tiny_classifier), epochs=5, batch_size=32, verbose=0,
                     random_state=None),
     KerasRegressor(build_fn=_Named(tiny_regressor), epochs=5, batch_size=32, verbose=0,
                    random_state=None)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS[type(estimator).__name__])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
