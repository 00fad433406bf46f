"""Catalogue: arguments of compile/fit/evaluate/predict, checked once per call."""
import numpy as np
import pytest

import cornu
from cornu import layers
from tests.reliability.catalogue import cases, expect_error

X = np.random.RandomState(0).rand(20, 4).astype("float32")
Y = np.random.RandomState(1).rand(20, 1).astype("float32")


def model(loss="mse", optimizer="adam", **compile_kwargs):
    m = cornu.Sequential([cornu.Input((4,)), layers.Dense(1)])
    m.compile(optimizer, loss, **compile_kwargs)
    return m


def fit(**kwargs):
    return model().fit(X, Y, verbose=0, **kwargs)


TABLE = [
    ("batch-size-negative", lambda: fit(batch_size=-5), ValueError, "fit", "batch_size", "-5"),
    ("batch-size-float", lambda: fit(batch_size=2.5), ValueError, "batch_size", "2.5"),
    ("batch-size-string", lambda: fit(batch_size="32"), ValueError, "batch_size", "'32'"),
    ("epochs-negative", lambda: fit(epochs=-1), ValueError, "epochs", "-1"),
    ("epochs-float", lambda: fit(epochs=2.5), ValueError, "epochs", "2.5"),
    ("epochs-string", lambda: fit(epochs="3"), ValueError, "epochs", "'3'"),
    ("epochs-none", lambda: fit(epochs=None), ValueError, "epochs"),
    ("initial-epoch-negative", lambda: fit(initial_epoch=-2), ValueError, "initial_epoch"),
    ("validation-split-negative", lambda: fit(validation_split=-0.5), ValueError,
     "validation_split", "-0.5", "[0.0, 1.0)"),
    ("validation-split-one", lambda: fit(validation_split=1.0), ValueError, "validation_split"),
    ("validation-split-percent", lambda: fit(validation_split=20), ValueError,
     "validation_split", "20"),
    ("validation-split-string", lambda: fit(validation_split="0.2"), ValueError,
     "validation_split"),
    ("validation-split-tiny", lambda: fit(validation_split=0.99), ValueError,
     "validation_split", "20 samples"),
    ("validation-freq-zero", lambda: fit(validation_freq=0, validation_split=0.2), ValueError,
     "validation_freq"),
    ("validation-data-one-array", lambda: fit(validation_data=X), ValueError,
     "validation_data", "tuple"),
    ("validation-data-4-tuple", lambda: fit(validation_data=(X, Y, Y, Y)), ValueError,
     "validation_data"),
    ("steps-per-epoch-negative", lambda: fit(steps_per_epoch=-1), ValueError,
     "steps_per_epoch"),
    ("steps-per-epoch-string", lambda: fit(steps_per_epoch="2"), ValueError, "steps_per_epoch"),
    ("validation-steps-zero", lambda: fit(validation_steps=0, validation_data=(X, Y)),
     ValueError, "validation_steps"),
    ("class-weight-list", lambda: fit(class_weight=[1, 2]), ValueError, "class_weight", "dict"),
    ("fit-unknown-kwarg", lambda: fit(epoch=3), TypeError, "fit", "epoch"),
    ("evaluate-batch-size", lambda: model().evaluate(X, Y, batch_size=-1, verbose=0),
     ValueError, "evaluate", "batch_size"),
    ("evaluate-steps", lambda: model().evaluate(X, Y, steps=-3, verbose=0), ValueError,
     "evaluate", "steps"),
    ("evaluate-unknown-kwarg", lambda: model().evaluate(X, Y, epochs=2, verbose=0), TypeError,
     "evaluate", "epochs"),
    ("predict-batch-size", lambda: model().predict(X, batch_size=0.5, verbose=0), ValueError,
     "predict", "batch_size"),
    ("predict-steps", lambda: model().predict(X, steps=0, verbose=0), ValueError, "predict",
     "steps"),
    ("predict-unknown-kwarg", lambda: model().predict(X, y=Y, verbose=0), TypeError, "predict"),
    ("learning-rate-string", lambda: cornu.optimizers.Adam(learning_rate="0.01"), ValueError,
     "adam", "learning_rate", "'0.01'"),
    ("learning-rate-none", lambda: cornu.optimizers.SGD(learning_rate=None), ValueError,
     "sgd", "learning_rate"),
    ("learning-rate-list", lambda: cornu.optimizers.RMSprop(learning_rate=[0.1]), ValueError,
     "learning_rate"),
    ("optimizer-typo", lambda: model(optimizer="adamx"), ValueError, "optimizer", "adamx",
     "adam"),
    ("loss-typo", lambda: model(loss="msex"), ValueError, "loss", "msex", "mse"),
    ("metric-typo", lambda: model(metrics=["accx"]).fit(X, Y, verbose=0), ValueError, "metric",
     "accx"),
    ("optimizer-unknown-kwarg", lambda: cornu.optimizers.Adam(learnin_rate=0.1), TypeError,
     "learnin_rate"),
    ("compile-unknown-kwarg", lambda: model(metrix=["mae"]), TypeError, "metrix"),
]


@pytest.mark.parametrize("fn, exc, words", cases(TABLE))
def test_bad_fit_argument(fn, exc, words):
    expect_error(fn, exc, *words)


@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"batch_size": np.int64(5)},
                                    {"epochs": 0}, {"epochs": np.int32(2)},
                                    {"steps_per_epoch": 2.5}, {"callbacks": None}])
def test_fit_arguments_keras_accepts(kwargs):
    # Keras 3 reads batch_size=0 as the default; Keras 2 ran ceil(2.5) steps; epochs=0 trains
    # nothing; NumPy integers are integers
    fit(**kwargs)


def test_a_single_callback_is_accepted_as_in_keras_3():
    seen = []
    callback = cornu.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    fit(callbacks=callback, epochs=2)
    assert seen == [0, 1]
