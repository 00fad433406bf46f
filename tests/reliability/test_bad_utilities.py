"""Catalogue: identifiers, optimizers' arguments and the data utilities."""
import numpy as np
import pytest

import cornu
from cornu import activations, constraints, initializers, layers, losses, metrics, optimizers
from cornu import regularizers
from cornu.utils import pad_sequences, to_categorical
from tests.reliability.catalogue import cases, expect_error


def two_outputs(**compile_kwargs):
    a = cornu.Input((4,))
    m = cornu.Model(a, [layers.Dense(1, name="p")(a), layers.Dense(2, name="q")(a)])
    m.compile("adam", ["mse", "mse"], **compile_kwargs)
    return m.fit(np.ones((4, 4)), [np.ones((4, 1)), np.ones((4, 2))], verbose=0)


TABLE = [
    ("activation-get", lambda: activations.get("swishy"), ValueError, "swishy"),
    ("activation-get-number", lambda: activations.get(3), ValueError, "3"),
    ("initializer-get", lambda: initializers.get("ones_"), ValueError, "ones_"),
    ("initializer-get-number", lambda: initializers.get(0.5), ValueError, "0.5"),
    ("regularizer-get", lambda: regularizers.get("l3"), ValueError, "l3"),
    ("constraint-get", lambda: constraints.get("positive"), ValueError, "positive"),
    ("loss-get", lambda: losses.get("cross_entropy"), ValueError, "cross_entropy"),
    ("metric-get", lambda: metrics.get("acuracy"), ValueError, "acuracy"),
    ("optimizer-get", lambda: optimizers.get("sgdd"), ValueError, "sgdd"),
    ("optimizer-get-number", lambda: optimizers.get(1), ValueError, "1"),
    ("sgd-momentum-negative", lambda: optimizers.SGD(momentum=-0.5), ValueError, "momentum"),
    ("sgd-momentum-string", lambda: optimizers.SGD(momentum="0.9"), ValueError,
     "momentum"),
    ("clipnorm-and-clipvalue", lambda: optimizers.Adam(clipnorm=1.0, clipvalue=1.0),
     ValueError, "clipnorm", "clipvalue"),
    ("adam-unknown-kwarg", lambda: optimizers.Adam(beta1=0.9), TypeError, "beta1"),
    ("schedule-bad-decay-steps", lambda: optimizers.schedules.ExponentialDecay(0.1, 0, 0.9)(1),
     ValueError, "decay_steps"),
    ("loss-weights-length", lambda: two_outputs(loss_weights=[1.0]), ValueError,
     "loss_weights"),
    ("loss-weights-unknown-output", lambda: two_outputs(loss_weights={"r": 1.0}), ValueError,
     "'r'"),
    ("losses-list-length", lambda: (lambda a: cornu.Model(
        a, [layers.Dense(1)(a), layers.Dense(1)(a)]).compile("adam", ["mse"] * 3))(
        cornu.Input((2,))), ValueError, "loss", "3", "2"),
    ("to-categorical-negative", lambda: to_categorical([1, -1], 3), ValueError, "-1"),
    ("to-categorical-too-many", lambda: to_categorical([0, 5], 3), ValueError, "5", "3"),
    ("pad-sequences-padding", lambda: pad_sequences([[1, 2]], padding="middle"), ValueError,
     "padding", "middle"),
    ("pad-sequences-truncating", lambda: pad_sequences([[1, 2]], maxlen=1, truncating="mid"),
     ValueError, "truncating"),
    ("pad-sequences-maxlen", lambda: pad_sequences([[1, 2]], maxlen=-1), ValueError, "maxlen"),
    ("pad-sequences-not-lists", lambda: pad_sequences([1, 2]), ValueError, "sequences"),
]


@pytest.mark.parametrize("fn, exc, words", cases(TABLE))
def test_bad_utility_input(fn, exc, words):
    expect_error(fn, exc, *words)
