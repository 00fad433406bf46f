"""Keras 3's scikit-learn wrappers: `SKLearnClassifier`, `SKLearnRegressor`,
`SKLearnTransformer` (`keras.wrappers.SKLearn*`).

`model` is a compiled Model (cloned for each fit) or a callable `model(X=X, y=y, **model_kwargs)`
returning one; `fit_kwargs` go to `Model.fit` (arguments given to `fit` win). With
`warm_start=True` a second `fit` goes on training the fitted model instead of starting afresh.
The classifier one-hot encodes the labels (any labels scikit-learn calls binary or multiclass)
and `predict` returns them in their own type; the regressor's score is R², the classifier's
accuracy (scikit-learn's mixins). scikit-learn is required for these three.
"""
import copy

import numpy as np

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:  # the module imports without scikit-learn; the classes then say what is missing
    sklearn = None

    class BaseEstimator:
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass

    class TransformerMixin:
        pass

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]


def _validate(estimator, *args, **kwargs):
    from sklearn.utils.validation import validate_data
    return validate_data(estimator, *args, **kwargs)


class SKLBase(BaseEstimator):
    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        if sklearn is None:
            raise ImportError(f"{type(self).__name__} needs scikit-learn: `pip install scikit-learn`.")
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def __sklearn_clone__(self):
        model = self.model if callable(self.model) and not hasattr(self.model, "layers") \
            else copy.deepcopy(self.model)
        return type(self)(model=model, warm_start=self.warm_start,
                          model_kwargs=copy.deepcopy(self.model_kwargs),
                          fit_kwargs=copy.deepcopy(self.fit_kwargs))

    @property
    def epoch_(self):
        """Epochs trained so far."""
        return len(getattr(self, "history_", {}).get("loss", []))

    def _get_model(self, X, y):
        from cornu.models import Model, clone_model
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if isinstance(self.model, Model):  # a fresh copy, compiled as the given one
            source = self.model
            model = clone_model(source)
            if getattr(source, "optimizer", None) is not None:
                optimizer = type(source.optimizer).from_config(source.optimizer.get_config())
                model.compile(optimizer=optimizer, loss=source.loss,
                              metrics=getattr(source, "_metrics_spec", None))
            return model
        if not callable(self.model):
            raise TypeError(f"{type(self).__name__}: `model` must be a Model or a callable "
                            f"returning one, got {type(self.model).__name__}.")
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        """Trains the model on `X` `(n_samples, n_features)` and `y`; returns self."""
        X, y = _validate(self, X, y, reset=not (self.warm_start and hasattr(self, "model_")))
        y = self._process_target(y, reset=not (self.warm_start and hasattr(self, "model_")))
        model = self._get_model(X, y)
        if not getattr(model, "optimizer", None) or not getattr(model, "loss", None):
            raise RuntimeError(f"{type(self).__name__}: the model must be compiled with a loss "
                               "and an optimizer.")
        fit_kwargs = dict(self.fit_kwargs or {}, **kwargs)
        fit_kwargs.setdefault("verbose", 0)
        history = model.fit(X, y, **fit_kwargs)
        previous = getattr(self, "history_", {}) if self.warm_start else {}
        self.history_ = {k: list(previous.get(k, [])) + list(v) for k, v in history.history.items()}
        self.model_ = model
        return self

    def predict(self, X):
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = _validate(self, X, reset=False)
        return self._reverse_process_target(self.model_.predict(X, verbose=0))

    def _process_target(self, y, reset=False):
        if reset:
            self._ndim = np.ndim(y)
        return np.asarray(y).reshape(-1, 1) if np.ndim(y) == 1 else np.asarray(y)

    def _reverse_process_target(self, y):
        return y.reshape(-1) if self._ndim == 1 and y.ndim == 2 and y.shape[1] == 1 else y


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A scikit-learn classifier around a Keras model (Keras 3's `keras.wrappers`).

    Example:
        def build(X, y, hidden=16):
                model = Sequential([Input((X.shape[1],)), Dense(hidden, activation="relu"),
                                    Dense(y.shape[1], activation="softmax")])
                model.compile("adam", "categorical_crossentropy")
                return model
        clf = SKLearnClassifier(build, model_kwargs={"hidden": 32}, fit_kwargs={"epochs": 20})
        clf.fit(X, labels).predict(X[:3])
    """

    def _process_target(self, y, reset=False):
        from sklearn.utils.multiclass import type_of_target
        kind = type_of_target(y, raise_unknown=True)
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"SKLearnClassifier takes binary or multiclass targets; these are "
                             f"{kind}.")
        if reset:
            from sklearn.preprocessing import OneHotEncoder
            self._ndim = np.ndim(y)
            self._encoder = OneHotEncoder(sparse_output=False).fit(np.reshape(y, (-1, 1)))
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return self._encoder.transform(np.reshape(y, (-1, 1)))

    def _reverse_process_target(self, y):
        labels = self._encoder.inverse_transform(y)
        return labels.reshape(-1) if self._ndim == 1 else labels

    def decision_function(self, X):
        """The model's raw outputs."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        return self.model_.predict(_validate(self, X, reset=False), verbose=0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


class SKLearnRegressor(RegressorMixin, SKLBase):
    """A scikit-learn regressor around a Keras model; `score` is R²."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A scikit-learn transformer: `transform(X)` is the fitted model's output (e.g. an
    encoder trained with `fit(X, y)`)."""

    def transform(self, X):
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        return self.model_.predict(_validate(self, X, reset=False), verbose=0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
