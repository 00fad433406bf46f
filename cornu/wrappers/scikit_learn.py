"""`keras.wrappers.scikit_learn`: Keras 2's `KerasClassifier` / `KerasRegressor`.

Keras 2's documented behaviour (`build_fn=`, `sk_params` split between `build_fn`, `fit`,
`predict` and `evaluate`; integer labels one-hot encoded for `categorical_crossentropy`;
`KerasRegressor.score` = −loss), plus scikit-learn's contract where Keras 2 was silent:
`fit` returns the estimator (its `.history` is the History dict, so
`clf.fit(X, y).history['loss']` keeps working), `get_params`/`set_params` round-trip for
`clone`, grid searches and ensembles, and `score` without an accuracy metric falls back to
the accuracy of `predict` (Keras 2 raised).
"""
import copy
import inspect
import types

import numpy as np

from cornu.utils import legacy

try:  # scikit-learn's mixins give the estimator its type (classifier/regressor) and tags
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
except ImportError:  # the wrappers work without scikit-learn too
    class BaseEstimator:
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass


class BaseWrapper(BaseEstimator):
    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    # --------------------------------------------------------------- parameters
    def _legal_functions(self):
        from cornu.models import Sequential
        fns = [Sequential.fit, Sequential.predict, Sequential.evaluate]
        if self.build_fn is None:
            fns.append(self.__call__)
        elif not isinstance(self.build_fn, types.FunctionType) and \
                not isinstance(self.build_fn, types.MethodType):
            fns.append(self.build_fn.__call__)
        else:
            fns.append(self.build_fn)
        return fns

    def check_params(self, params):
        legal = set()
        for fn in self._legal_functions():
            legal |= set(inspect.signature(fn).parameters)
        for name in params:
            if name not in legal and name not in legacy.argument_names(kind="fit"):
                raise ValueError(f"{name!r} is not a legal parameter of {type(self).__name__}: "
                                 "it is an argument of neither build_fn, fit, predict nor "
                                 "evaluate.")

    def get_params(self, deep=False):
        params = dict(self.sk_params)
        params["build_fn"] = self.build_fn
        return params

    def set_params(self, **params):
        self.check_params({k: v for k, v in params.items() if k != "build_fn"})
        if "build_fn" in params:
            self.build_fn = params.pop("build_fn")
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        names = inspect.signature(fn).parameters
        out = {k: v for k, v in self.sk_params.items() if k in names}
        out.update({k: v for k, v in (override or {}).items() if k in names})
        return out

    def __sklearn_clone__(self):
        return type(self)(**copy.deepcopy(self.get_params(), {id(self.build_fn): self.build_fn}))

    # ------------------------------------------------------------------- fitting
    def _build(self, **kwargs):
        if self.build_fn is None:
            return self.__call__(**self.filter_sk_params(self.__call__, kwargs))
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn(**self.filter_sk_params(self.build_fn.__call__, kwargs))
        return self.build_fn(**self.filter_sk_params(self.build_fn, kwargs))

    def fit(self, x, y, **kwargs):
        from cornu.models import Sequential
        from cornu.utils import to_categorical
        self.model = self._build(**kwargs)
        loss = getattr(self.model, "loss", None)
        names = [loss] if not isinstance(loss, (list, tuple)) else list(loss)
        names = [getattr(n, "__name__", n) for n in names]
        y = np.asarray(y)
        if "categorical_crossentropy" in names and y.ndim == 1:
            y = to_categorical(y)
        fit_args = self.filter_sk_params(Sequential.fit, kwargs)
        old = {k: v for k, v in self.sk_params.items() if k in legacy.argument_names(kind="fit")}
        if old:  # Keras 1/2's spellings (`nb_epoch`), which name fit arguments
            old = legacy.translate("fit", {**old, "batch_size": fit_args.get("batch_size")},
                                   type(self).__name__)
            old.pop("batch_size", None)
            fit_args = {**old, **fit_args}
        history = self.model.fit(x, y, **fit_args)
        self.history = history.history
        self.history_ = history.history
        return self


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """Implements the scikit-learn classifier interface around a model-building function."""

    def fit(self, x, y, sample_weight=None, **kwargs):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (y.ndim == 2 and y.shape[1] == 1) or y.ndim == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, np.ravel(y))
        else:
            raise ValueError(f"Invalid shape for y: {y.shape}")
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return super().fit(x, y, **kwargs)

    def _probabilities(self, x, **kwargs):
        from cornu.models import Sequential
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        kwargs.setdefault("verbose", 0)
        return np.asarray(self.model.predict(x, **kwargs))

    def predict(self, x, **kwargs):
        probs = self._probabilities(x, **kwargs)
        if probs.shape[-1] > 1:
            index = probs.argmax(axis=-1)
        else:
            index = (probs[:, 0] > 0.5).astype("int64")
        return self.classes_[index]

    def predict_proba(self, x, **kwargs):
        probs = self._probabilities(x, **kwargs)
        if probs.shape[1] == 1:  # one sigmoid unit: both columns, as scikit-learn expects
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, sample_weight=None, **kwargs):
        from cornu.models import Sequential
        y = np.searchsorted(self.classes_, np.asarray(y).ravel()) if np.asarray(y).ndim == 1 else \
            np.asarray(y)
        loss = getattr(self.model, "loss", None)
        if loss == "categorical_crossentropy" and np.asarray(y).ndim == 1:
            from cornu.utils import to_categorical
            y = to_categorical(y, len(self.classes_))
        names = self.model.metrics_names
        if any(n in ("accuracy", "acc") for n in names):
            kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
            kwargs.setdefault("verbose", 0)
            outputs = self.model.evaluate(x, y, sample_weight=sample_weight, **kwargs)
            outputs = outputs if isinstance(outputs, list) else [outputs]
            for name, value in zip(names, outputs):
                if name in ("accuracy", "acc"):
                    return value
        predicted = np.searchsorted(self.classes_, self.predict(x))
        truth = y.argmax(axis=-1) if np.asarray(y).ndim == 2 else y
        weights = None if sample_weight is None else np.asarray(sample_weight)
        return float(np.average(predicted == truth, weights=weights))


class KerasRegressor(RegressorMixin, BaseWrapper):
    """Implements the scikit-learn regressor interface; `score` is the negated loss."""

    def predict(self, x, **kwargs):
        from cornu.models import Sequential
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        kwargs.setdefault("verbose", 0)
        out = np.asarray(self.model.predict(x, **kwargs))
        return np.squeeze(out, axis=-1) if out.ndim > 1 and out.shape[-1] == 1 else out

    def score(self, x, y, **kwargs):
        from cornu.models import Sequential
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        kwargs.setdefault("verbose", 0)
        loss = self.model.evaluate(x, y, **kwargs)
        return -(loss[0] if isinstance(loss, list) else loss)
