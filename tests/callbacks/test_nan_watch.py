"""fit's NaN warning (issue 18): once per fit, naming the epoch, a batch range that holds the
batch where the loss first went bad, and the likely cause; Keras 3 trains on silently, with the
same losses (the warning changes nothing else), and TerminateOnNaN still stops."""
import os
import warnings

import numpy as np
import pytest

import cornu
from cornu.callbacks.nan_watch import NanWatch

os.environ.setdefault("KERAS_BACKEND", "torch")

X = np.random.RandomState(0).rand(16, 3).astype("float32")
Y = X.sum(axis=1, keepdims=True)


def _model(lib, lr=0.01):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1)])
    model.compile(lib.optimizers.SGD(lr), "mse")
    return model


def _fit(lib, x=X, y=Y, lr=0.01, **kwargs):
    model = _model(lib, lr)
    if lib is not cornu:
        model.set_weights(_fit.weights)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, batch_size=4, shuffle=False, **kwargs)
    return history.history["loss"], [w for w in caught if issubclass(w.category, RuntimeWarning)
                                     and "training loss became" in str(w.message)]


def _pair(**kwargs):
    """cornu and Keras 3 from the same weights: (cornu losses, its warnings, Keras losses)."""
    keras = pytest.importorskip("keras")
    ours = _model(cornu)
    _fit.weights = ours.get_weights()
    losses, warned = _fit(cornu, **kwargs)
    keras_losses, _ = _fit(keras, **kwargs)
    return losses, warned, keras_losses


def test_nan_in_the_data_warns_once_with_the_epoch_the_batches_and_the_data_cause():
    y = Y.copy()
    y[5] = np.nan  # the second batch (samples 4-7) of four
    losses, warned, keras_losses = _pair(y=y, epochs=3, verbose=0)
    assert np.isnan(losses).all() and np.isnan(keras_losses).all()  # Keras: silent, the same
    assert len(warned) == 1  # once, not per epoch
    message = str(warned[0].message)
    assert "became NaN in epoch 1" in message
    assert "batches 1-4 of 4" in message  # verbose=0: only the epoch's logs are read
    assert "No finite loss" in message and "np.isfinite(x).all()" in message
    assert "TerminateOnNaN" in message


def test_a_diverging_fit_names_the_learning_rate_and_the_last_finite_loss():
    losses, warned, keras_losses = _pair(x=X * 10, y=Y * 10, lr=0.3, epochs=40, verbose=0)
    bad = next(i for i, v in enumerate(losses) if not np.isfinite(v))
    assert not np.isfinite(keras_losses[bad]) and np.isfinite(keras_losses[:bad]).all()
    assert len(warned) == 1
    message = str(warned[0].message)
    kind = "NaN" if np.isnan(losses[bad]) else "infinite"
    assert f"became {kind} in epoch {bad + 1}," in message
    assert "so training diverged" in message and "learning rate" in message
    assert f"last {losses[bad - 1]:.4g}" in message  # the previous epoch's loss


def test_a_finite_fit_gives_no_warning():
    losses, warned, _ = _pair(epochs=2, verbose=0)
    assert np.isfinite(losses).all() and warned == []


def test_the_batch_range_narrows_with_the_progress_bar_readings():
    """Readings at batches 0 and 1 finite, at 2 NaN: the loss first went bad at batch 2 (1-based
    3), and only there; the watch names exactly it."""
    watch = NanWatch()
    watch.seen(0, 0, [("loss", 1.0)])
    watch.seen(0, 1, [("loss", 1.2)])
    watch.seen(0, 2, [("loss", float("nan"))])
    with pytest.warns(RuntimeWarning, match=r"epoch 1, batch 3 of 5\. The loss was finite "
                                            r"before \(1 at epoch 1, last 1\.2\)"):
        watch.epoch_end(0, 5, {"loss": float("nan")})
    watch = NanWatch()
    watch.seen(1, 0, [("loss", 2.0)])
    watch.seen(1, 3, [("loss", float("inf"))])
    with pytest.warns(RuntimeWarning, match=r"became infinite in epoch 2, batches 2-4 of 6"):
        watch.epoch_end(1, 6, {"loss": float("inf")})


def test_the_watch_reads_only_values_already_on_the_host():
    """No host sync per step: with verbose=0 the watch is read at epoch end only, from the
    logs' floats; a tensor is never converted (the loop hands over floats)."""
    calls = []
    real_seen, real_end = NanWatch.seen, NanWatch.epoch_end
    try:
        NanWatch.seen = lambda self, *a: calls.append("seen") or real_seen(self, *a)
        NanWatch.epoch_end = lambda self, e, s, logs: (
            calls.append(type(logs["loss"]).__name__) or real_end(self, e, s, logs))
        _model(cornu).fit(X, Y, batch_size=4, epochs=2, verbose=0)
    finally:
        NanWatch.seen, NanWatch.epoch_end = real_seen, real_end
    assert calls == ["float", "float"]


def test_terminate_on_nan_still_stops_and_the_warning_still_comes():
    y = Y.copy()
    y[5] = np.nan
    losses, warned = _fit(cornu, y=y, epochs=5, verbose=0,
                          callbacks=[cornu.callbacks.TerminateOnNaN()])
    assert len(losses) == 1 and len(warned) == 1
