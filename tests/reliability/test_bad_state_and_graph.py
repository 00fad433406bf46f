"""Catalogue: model state (compile, build, call) and functional graph construction."""
import numpy as np
import pytest

import cornu
from cornu import layers
from tests.reliability.catalogue import cases, expect_error

X = np.random.RandomState(0).rand(6, 4).astype("float32")
Y = np.random.RandomState(1).rand(6, 1).astype("float32")
Input = cornu.Input


def uncompiled():
    return cornu.Sequential([Input((4,)), layers.Dense(1)])


class NoCall(cornu.Model):
    pass


class Tiny(cornu.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)

    def call(self, x):
        return self.dense(x)


def unbuilt_weights():
    return layers.Dense(3).set_weights([np.ones((4, 3)), np.zeros(3)])


def set_wrong_weights():
    dense = layers.Dense(3)
    dense.build((None, 4))
    dense.set_weights([np.ones((5, 3)), np.ones(3)])


def set_too_few_weights():
    dense = layers.Dense(3)
    dense.build((None, 4))
    dense.set_weights([np.ones((4, 3))])


def disconnected():
    a, b = Input((4,)), Input((4,))
    return cornu.Model(a, layers.Dense(1)(b))


def reuse_name():
    a = Input((4,))
    return cornu.Model(a, layers.Add()([layers.Dense(2, name="d")(a), layers.Dense(2, name="d")(a)]))


TABLE = [
    ("fit-before-compile", lambda: uncompiled().fit(X, Y, verbose=0), RuntimeError, "compile()"),
    ("evaluate-before-compile", lambda: uncompiled().evaluate(X, Y, verbose=0), RuntimeError,
     "compile()"),
    ("train-on-batch-before-compile", lambda: uncompiled().train_on_batch(X, Y), RuntimeError,
     "compile()"),
    ("subclass-without-call-predict", lambda: NoCall().predict(X, verbose=0),
     NotImplementedError, "nocall", "call()"),
    ("subclass-without-call-fit", lambda: (lambda m: (m.compile("adam", "mse"),
                                                      m.fit(X, Y, verbose=0)))(NoCall()),
     NotImplementedError, "call()"),
    ("subclass-positional-args", lambda: Tiny.__mro__[1](3), TypeError, "positional"),
    ("summary-unbuilt-subclass", lambda: Tiny().summary(), ValueError, "build"),
    ("count-params-unbuilt", lambda: layers.Dense(3).count_params(), ValueError, "built"),
    ("set-weights-unbuilt", unbuilt_weights, ValueError, "dense", "0", "2"),
    ("set-weights-shape", set_wrong_weights, ValueError, "(5, 3)", "(4, 3)"),
    ("set-weights-count", set_too_few_weights, ValueError, "dense", "2", "1"),
    ("model-disconnected", disconnected, ValueError, "graph", "disconnected"),
    ("model-duplicate-names", reuse_name, ValueError, "name", "'d'"),
    ("model-outputs-not-tensors", lambda: cornu.Model(Input((4,)), np.ones(3)), ValueError,
     "output"),
    ("model-inputs-not-input", lambda: (lambda a: cornu.Model(layers.Dense(2)(a),
                                                              layers.Dense(1)(a)))(Input((4,))),
     ValueError, "input"),
    ("layer-on-numpy-list-of-bad", lambda: layers.Add()(Input((4,))), ValueError,
     "add", "list"),
    ("sequential-add-non-layer", lambda: cornu.Sequential().add("dense"), TypeError, "layer"),
    ("sequential-list-non-layer", lambda: cornu.Sequential([layers.Dense(2), 5]), TypeError,
     "layer"),
    ("sequential-pop-empty", lambda: cornu.Sequential().pop(), TypeError, "no layers"),
    ("get-layer-unknown", lambda: uncompiled().get_layer("nope"), ValueError, "nope"),
    ("get-layer-index", lambda: uncompiled().get_layer(index=9), ValueError, "9"),
    ("predict-multi-input-wrong-count", lambda: cornu.Model(
        [Input((4,)), Input((4,))], layers.Add()([Input((4,)), Input((4,))])), ValueError,
     "graph"),
    ("lambda-output-shape-bad", lambda: layers.Lambda(lambda t: t, output_shape="x")(Input((4,))),
     TypeError, "output_shape"),
]


@pytest.mark.parametrize("fn, exc, words", cases(TABLE))
def test_bad_state_or_graph(fn, exc, words):
    expect_error(fn, exc, *words)


def test_predict_builds_an_unbuilt_sequential_as_keras_3_does():
    m = cornu.Sequential([layers.Dense(2)])
    assert m.predict(X, verbose=0).shape == (6, 2)


def test_an_unbuilt_layer_has_no_weights_as_in_keras_3():
    keras = pytest.importorskip("keras")
    assert layers.Dense(3).get_weights() == keras.layers.Dense(3).get_weights() == []
