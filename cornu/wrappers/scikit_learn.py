"""`keras.wrappers.scikit_learn`: Keras 2's `KerasClassifier` / `KerasRegressor`.

Keras 2's documented behaviour (`build_fn=`, `sk_params` split between `build_fn`, `fit`,
`predict` and `evaluate`; integer labels one-hot encoded for `categorical_crossentropy`;
`KerasClassifier.score` = the model's accuracy, `KerasRegressor.score` = −loss), plus
scikit-learn's estimator contract, checked by its own suite (`parametrize_with_checks`, see
tests/wrappers/test_scikit_learn_checks.py), where Keras 2 was silent:

- `get_params()` returns `build_fn` and the `sk_params` exactly as given (`clone`, grid
  searches, ensembles); `__init__` and `set_params` only store them (typos are still refused,
  as Keras 2 did, once `build_fn` is callable).
- `fit` checks `x` and `y` with scikit-learn (`validate_data`: no NaN, no sparse, 2-D or more
  `x`), sets `n_features_in_`, `classes_`/`n_classes_` (classifier), `n_outputs_`, `model_` and
  `history_`, and returns the estimator (`.model` and `.history`, the History's dict, read as
  in Keras 2: `clf.fit(X, y).history['loss']`). `predict`/`score` before `fit` raise
  `NotFittedError`.
- `random_state=` (an int or a `RandomState`) is one more sk_param: when set, `fit` draws the
  weights and the shuffling from it (and restores the global generators afterwards), so two fits
  give the same model. `build_fn` may take `meta`, a dict of what `fit` learnt about the data
  (`n_features_in_`, `X_shape_`, `n_outputs_`, `classes_`, `n_classes_`), to size its layers,
  as SciKeras (Keras 2's successor) does.
- `score` without an accuracy metric falls back to the accuracy of `predict` (Keras 2 raised);
  regression predictions are float64, as scikit-learn's.
"""
import contextlib
import copy
import inspect
import random

import numpy as np

from cornu.utils import legacy

try:  # scikit-learn's mixins give the estimator its type (classifier/regressor) and tags
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
except ImportError:  # the wrappers work without scikit-learn too (no input validation then)
    sklearn = None

    class BaseEstimator:
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass

# sk_params the wrapper itself reads, whatever build_fn takes.
_OWN_PARAMS = ("random_state",)
_NO_Y = object()


def _validate(estimator, x, y=_NO_Y, reset=True, y_numeric=False):
    """`x` (and `y`) checked by scikit-learn: numeric, finite, dense, `x` 2-D or more."""
    if sklearn is None:
        x = np.asarray(x)
        if reset:
            estimator.n_features_in_ = x.shape[1] if x.ndim > 1 else 1
        return x if y is _NO_Y else (x, np.asarray(y))
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:  # scikit-learn < 1.6
        def validate_data(est, *args, **kwargs):
            return est._validate_data(*args, **kwargs)
    kwargs = dict(reset=reset, allow_nd=True, dtype="numeric")
    if y is _NO_Y:
        return validate_data(estimator, x, **kwargs)
    return validate_data(estimator, x, y, multi_output=True, y_numeric=y_numeric, **kwargs)


def _check_fitted(estimator):
    if sklearn is not None:
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(estimator, "model_")
    elif not hasattr(estimator, "model_"):
        raise AttributeError(f"This {type(estimator).__name__} instance is not fitted yet: "
                             "call `fit` first.")


def _column(y):
    """A column vector `y` as 1-D, with scikit-learn's DataConversionWarning."""
    if sklearn is not None:
        from sklearn.utils.validation import column_or_1d
        return column_or_1d(y, warn=True)
    return np.ravel(y)


def _check_sample_weight(sample_weight, n_samples, owner):
    weights = np.asarray(sample_weight, dtype="float64")
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(f"{owner}.fit: sample_weight must have shape ({n_samples},) (one "
                         f"weight per sample), got shape {weights.shape}.")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError(f"{owner}.fit: sample_weight must be finite and non-negative.")
    if not np.any(weights):
        raise ValueError(f"{owner}.fit: every sample weight is zero; at least one must be "
                         "non-zero.")
    return weights


@contextlib.contextmanager
def _seeded(random_state, owner):
    """Python's, NumPy's and torch's generators seeded from `random_state` inside, restored
    after; nothing changes for None."""
    if random_state is None:
        yield
        return
    import torch
    from cornu.utils import set_random_seed
    if isinstance(random_state, np.random.RandomState):
        seed = int(random_state.randint(np.iinfo(np.int32).max))
    elif isinstance(random_state, np.random.Generator):
        seed = int(random_state.integers(np.iinfo(np.int32).max))
    elif isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        seed = int(random_state)
    else:
        raise ValueError(f"{owner}: random_state must be None, an int or a numpy RandomState, "
                         f"got {random_state!r}.")
    python_state, numpy_state = random.getstate(), np.random.get_state()
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
    with torch.random.fork_rng(devices=devices):
        try:
            set_random_seed(seed)
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)


class BaseWrapper(BaseEstimator):
    """Keras 2's base: `build_fn` (a function, a callable object, or None to use the
    subclass's `__call__`) builds and compiles the model; `sk_params` are its arguments and
    those of `fit`, `predict` and `evaluate`, each given to the functions that take it."""

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self._sk_params = dict(sk_params)
        self.check_params(sk_params)

    @property
    def sk_params(self):
        """The keyword arguments given to the constructor or `set_params` (Keras 2's dict)."""
        return self._sk_params

    # --------------------------------------------------------------- parameters
    def _build_function(self, build_fn):
        """The callable that builds the model (`__call__` for None), or None if there is none."""
        if build_fn is None:
            return getattr(self, "__call__", None)
        return build_fn if callable(build_fn) else None

    def _legal_functions(self, build_fn):
        from cornu.models import Sequential
        fns = [Sequential.fit, Sequential.predict, Sequential.evaluate]
        built = self._build_function(build_fn)
        return fns + [built] if built is not None else fns

    def check_params(self, params):
        """Raises ValueError for a name in `params` that is an argument of neither
        `build_fn`, `fit`, `predict` nor `evaluate` (a typo). Not checked while `build_fn`
        is not callable: `fit` says so then."""
        self._check_params(params, self.build_fn)

    def _check_params(self, params, build_fn):
        if build_fn is not None and not callable(build_fn):
            return
        legal = set(_OWN_PARAMS) | legacy.argument_names(kind="fit")
        for fn in self._legal_functions(build_fn):
            legal |= _arguments(fn)
        for name in params:
            if name not in legal:
                raise ValueError(f"{name!r} is not a legal parameter of {type(self).__name__}: "
                                 "it is an argument of neither build_fn, fit, predict nor "
                                 "evaluate.")

    def get_params(self, deep=False):
        """`build_fn` and the sk_params, unchanged."""
        params = dict(self._sk_params)
        params["build_fn"] = self.build_fn
        return params

    def set_params(self, **params):
        """Sets `build_fn` and sk_params (checked as in the constructor); returns self."""
        build_fn = params.pop("build_fn", self.build_fn)
        self._check_params(params, build_fn)
        self.build_fn = build_fn
        self._sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        """The sk_params (and `override`, which wins) that are arguments of `fn`."""
        names = _arguments(fn)
        out = {k: v for k, v in self._sk_params.items() if k in names}
        out.update({k: v for k, v in (override or {}).items() if k in names})
        return out

    def __sklearn_clone__(self):
        return type(self)(**copy.deepcopy(self.get_params(), {id(self.build_fn): self.build_fn}))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True  # without random_state, each fit draws new weights
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True, "poor_score": True}

    # ---------------------------------------------------------- fitted attributes
    @property
    def model(self):
        """The fitted model (Keras 2's attribute; `model_` in scikit-learn's spelling)."""
        try:
            return self.model_
        except AttributeError:
            raise AttributeError(f"{type(self).__name__} has no model before `fit`.") from None

    @model.setter
    def model(self, value):
        self.model_ = value

    @property
    def history(self):
        """The last fit's History dict (`fit(...).history['loss']`, as with Keras 2)."""
        try:
            return self.history_
        except AttributeError:
            raise AttributeError(f"{type(self).__name__} has no history before `fit`.") from None

    # ------------------------------------------------------------------- fitting
    def _meta(self, x):
        meta = {"n_features_in_": self.n_features_in_, "X_shape_": x.shape,
                "n_outputs_": self.n_outputs_}
        if hasattr(self, "classes_"):
            meta.update(classes_=self.classes_, n_classes_=self.n_classes_)
        return meta

    def _build(self, x, kwargs):
        fn = self._build_function(self.build_fn)
        if fn is None:
            if self.build_fn is None:
                raise ValueError(f"{type(self).__name__}: build_fn is None and the class has no "
                                 "`__call__` method to build the model with.")
            raise ValueError(f"{type(self).__name__}: build_fn must be a function or a callable "
                             f"object returning a compiled model, got {self.build_fn!r}.")
        args = self.filter_sk_params(fn, kwargs)
        if "meta" in _arguments(fn) and "meta" not in args:
            args["meta"] = self._meta(x)
        model = fn(**args)
        if not hasattr(model, "fit") or getattr(model, "optimizer", None) is None:
            raise ValueError(f"{type(self).__name__}: build_fn must return a compiled model, "
                             f"got {type(model).__name__}"
                             + (" (not compiled)" if hasattr(model, "fit") else "") + ".")
        return model

    def _prepare_target(self, y, sample_weight):
        """`y` as the model takes it; sets `n_outputs_` (the classifier: `classes_` too)."""
        self.n_outputs_ = 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
        return y

    def fit(self, x, y, **kwargs):
        """Builds a new model with `build_fn` and fits it to `(x, y)`; `kwargs` are arguments
        of `Sequential.fit` (they win over sk_params). Returns the estimator."""
        from cornu.models import Sequential
        from cornu.utils import to_categorical
        x, y = _validate(self, x, y, reset=True, y_numeric=not isinstance(self, ClassifierMixin))
        if kwargs.get("sample_weight") is not None:
            kwargs["sample_weight"] = _check_sample_weight(kwargs["sample_weight"], len(x),
                                                           type(self).__name__)
        y = self._prepare_target(y, kwargs.get("sample_weight"))
        with _seeded(self._sk_params.get("random_state"), type(self).__name__):
            model = self._build(x, kwargs)
            loss = getattr(model, "loss", None)
            names = [loss] if not isinstance(loss, (list, tuple)) else list(loss)
            names = [getattr(n, "__name__", n) for n in names]
            if "categorical_crossentropy" in names and y.ndim == 1:
                y = to_categorical(y, getattr(self, "n_classes_", None))
            fit_args = self.filter_sk_params(Sequential.fit, kwargs)
            old = {k: v for k, v in self._sk_params.items()
                   if k in legacy.argument_names(kind="fit")}
            if old:  # Keras 1/2's spellings (`nb_epoch`), which name fit arguments
                old = legacy.translate("fit", {**old, "batch_size": fit_args.get("batch_size")},
                                       type(self).__name__)
                old.pop("batch_size", None)
                fit_args = {**old, **fit_args}
            history = model.fit(_floats(x), y, **fit_args)
        self.model_ = model
        self.history_ = history.history
        return self

    def _predict_args(self, kwargs, fn_name="predict"):
        from cornu.models import Sequential
        kwargs = self.filter_sk_params(getattr(Sequential, fn_name), kwargs)
        kwargs.setdefault("verbose", 0)
        return kwargs


def _arguments(fn):
    """The parameter names of `fn` (a callable object's `__call__`, a wrapped function's)."""
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


def _floats(x):
    from cornu.backend import floatx
    return x if x.dtype == np.dtype(floatx()) else x.astype(floatx())


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """Implements the scikit-learn classifier interface around a model-building function.

    `y` may be labels of any type (`predict` returns them in that type) or one-hot rows
    (classes `0..n-1`); labels are given to the model as integers `0..n-1`, one-hot when its
    loss is `categorical_crossentropy`. `score` is the model's accuracy.

    Example:
        def build(hidden=16):
            model = Sequential([Input((4,)), Dense(hidden, activation="relu"),
                                Dense(3, activation="softmax")])
            model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
        clf = KerasClassifier(build_fn=build, hidden=32, epochs=20, verbose=0)
        clf.fit(X, labels).predict(X[:3])
    """

    def fit(self, x, y, sample_weight=None, **kwargs):
        """Fits a new model to samples `x` and labels `y`; returns the estimator."""
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return super().fit(x, y, **kwargs)

    def _prepare_target(self, y, sample_weight):
        name = type(self).__name__
        if sklearn is not None:
            from sklearn.utils.multiclass import check_classification_targets
            check_classification_targets(y)
        if y.ndim == 2 and y.shape[1] > 1:  # one-hot rows (Keras 2): classes are the columns
            classes = np.arange(y.shape[1])
            present = np.flatnonzero(np.any(y[sample_weight > 0] if sample_weight is not None
                                            else y, axis=0))
            encoded = y
        elif y.ndim <= 2:
            if y.ndim == 2:
                y = _column(y)
            classes, encoded = np.unique(y, return_inverse=True)
            present = np.unique(encoded if sample_weight is None else encoded[sample_weight > 0])
        else:
            raise ValueError(f"{name}.fit: y must be labels (n_samples,) or one-hot rows "
                             f"(n_samples, n_classes), got shape {y.shape}.")
        if len(present) < 2:
            raise ValueError(f"{name}.fit: y has only one class ({classes[present].tolist()}"
                             + (" with non-zero sample_weight" if sample_weight is not None
                                else "") + "); a classifier needs at least two classes.")
        self.classes_ = classes
        self.n_classes_ = len(classes)
        self.n_outputs_ = 1
        return encoded

    def _probabilities(self, x, kwargs):
        _check_fitted(self)
        x = _validate(self, x, reset=False)
        return np.asarray(self.model_.predict(_floats(x), **self._predict_args(kwargs)))

    def predict(self, x, **kwargs):
        """The labels the model gives the highest probability (its argmax, or a single
        sigmoid unit's output > 0.5), in the type of `y`."""
        probs = self._probabilities(x, kwargs)
        if probs.shape[-1] > 1:
            index = probs.argmax(axis=-1)
        else:
            index = (probs[:, 0] > 0.5).astype("int64")
        return self.classes_[index]

    def predict_proba(self, x, **kwargs):
        """The model's output `(n_samples, n_classes)`; a single sigmoid unit `p` gives the
        two columns `[1 - p, p]`."""
        probs = self._probabilities(x, kwargs)
        if probs.shape[1] == 1:  # one sigmoid unit: both columns, as scikit-learn expects
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, sample_weight=None, **kwargs):
        """The accuracy on `(x, y)`: the model's `accuracy` metric from `evaluate` (Keras 2),
        else the accuracy of `predict`."""
        from cornu.utils import to_categorical
        _check_fitted(self)
        x, y = _validate(self, x, y, reset=False)
        onehot = y.ndim == 2 and y.shape[1] > 1
        labels = y if onehot else np.ravel(y)
        index = None if onehot else np.searchsorted(self.classes_, labels)
        known = onehot or (np.all(index < len(self.classes_)) and
                           np.all(self.classes_[np.minimum(index, len(self.classes_) - 1)]
                                  == labels))
        names = getattr(self.model_, "metrics_names", [])
        if known and any(n in ("accuracy", "acc") for n in names):
            target = labels if onehot else index
            loss = getattr(self.model_, "loss", None)
            if getattr(loss, "__name__", loss) == "categorical_crossentropy" and not onehot:
                target = to_categorical(index, len(self.classes_))
            outputs = self.model_.evaluate(_floats(x), target, sample_weight=sample_weight,
                                           **self._predict_args(kwargs, "evaluate"))
            outputs = outputs if isinstance(outputs, list) else [outputs]
            for name, value in zip(names, outputs):
                if name in ("accuracy", "acc"):
                    return float(value)
        predicted = self.predict(x, **kwargs)
        truth = self.classes_[labels.argmax(axis=-1)] if onehot else labels
        weights = None if sample_weight is None else np.asarray(sample_weight)
        return float(np.average(predicted == truth, weights=weights))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True  # a few epochs of a small network
        return tags


class KerasRegressor(RegressorMixin, BaseWrapper):
    """Implements the scikit-learn regressor interface; `score` is the negated loss (Keras 2:
    greater is better), `y` may have several columns (`n_outputs_`)."""

    def _prepare_target(self, y, sample_weight):
        return _floats(np.asarray(super()._prepare_target(y, sample_weight)))

    def predict(self, x, **kwargs):
        """The model's output, float64, with a last axis of size 1 dropped."""
        _check_fitted(self)
        x = _validate(self, x, reset=False)
        out = np.asarray(self.model_.predict(_floats(x), **self._predict_args(kwargs)))
        out = np.squeeze(out, axis=-1) if out.ndim > 1 and out.shape[-1] == 1 else out
        return out.astype("float64")

    def score(self, x, y, **kwargs):
        """−loss of the model on `(x, y)` (`evaluate`'s first value)."""
        _check_fitted(self)
        x, y = _validate(self, x, y, reset=False, y_numeric=True)
        loss = self.model_.evaluate(_floats(x), _floats(np.asarray(y)),
                                    **self._predict_args(kwargs, "evaluate"))
        return -float(loss[0] if isinstance(loss, list) else loss)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        tags.target_tags.multi_output = True  # y of shape (n_samples, n_outputs)
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {**super()._more_tags(), "multioutput": True}
