"""Catalogue: data given to fit/evaluate/predict (checked once per call in the adapter)."""
import numpy as np
import pytest

import cornu
from cornu import layers
from tests.reliability.catalogue import cases, expect_error

X = np.random.RandomState(0).rand(20, 4).astype("float32")
Y = np.random.RandomState(1).rand(20, 1).astype("float32")
LABELS = np.random.RandomState(2).randint(0, 3, size=(20,))


def model(loss="mse", units=1, activation=None, metrics=None):
    m = cornu.Sequential([cornu.Input((4,)), layers.Dense(units, activation=activation)])
    m.compile("adam", loss, metrics=metrics)
    return m


def two_inputs():
    a, b = cornu.Input((4,), name="a"), cornu.Input((2,), name="b")
    m = cornu.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    m.compile("adam", "mse")
    return m


TABLE = [
    ("x-none-fit", lambda: model().fit(None, Y, verbose=0), ValueError, "fit", "x", "none"),
    ("x-none-predict", lambda: model().predict(None, verbose=0), ValueError, "predict", "none"),
    ("x-none-evaluate", lambda: model().evaluate(None, Y, verbose=0), ValueError, "evaluate",
     "none"),
    ("y-none-fit", lambda: model().fit(X, None, verbose=0), ValueError, "fit", "y"),
    ("x-strings", lambda: model().fit(np.array([["a"] * 4] * 20), Y, verbose=0), ValueError,
     "strings", "numbers", "textvectorization"),
    ("x-strings-predict", lambda: model().predict(np.array([["1"] * 4] * 2), verbose=0),
     ValueError, "strings", "float32"),
    ("x-objects", lambda: model().fit(np.array([object()] * 20), Y, verbose=0), TypeError,
     "object", "numeric"),
    ("x-ragged", lambda: model().fit([[1, 2, 3, 4], [1, 2]], [1, 2], verbose=0), ValueError,
     "x", "lengths", "pad_sequences"),
    ("x-ragged-predict", lambda: model().predict([[1, 2, 3, 4], [1]], verbose=0), ValueError,
     "predict", "lengths"),
    ("y-ragged", lambda: model(units=2).fit([[1, 2, 3, 4]] * 2, [[1, 2], [1]], verbose=0),
     ValueError, "y", "lengths"),
    ("x-features", lambda: model().fit(np.ones((20, 5)), Y, verbose=0), ValueError,
     "expected shape", "5 features", "input_shape"),
    ("x-rank", lambda: model().fit(np.ones((20, 4, 2)), Y, verbose=0), ValueError,
     "incompatible", "(none, 4)"),
    ("x-y-length", lambda: model().fit(X, Y[:10], verbose=0), ValueError, "cardinality", "20",
     "10"),
    ("x-sample-weight-length", lambda: model().fit(X, Y, sample_weight=np.ones(7), verbose=0),
     ValueError, "sample_weight", "7"),
    ("validation-length", lambda: model().fit(X, Y, validation_data=(X, Y[:3]), verbose=0),
     ValueError, "cardinality", "3"),
    ("two-inputs-one-array", lambda: two_inputs().fit(X, Y, verbose=0), ValueError,
     "2 input", "1"),
    ("two-inputs-missing-key", lambda: two_inputs().fit({"a": X}, Y, verbose=0), ValueError,
     "'b'"),
    ("two-inputs-length", lambda: two_inputs().fit([X, np.ones((5, 2))], Y, verbose=0),
     ValueError, "samples"),
    ("mse-width", lambda: model(units=2).fit(X, np.ones((20, 3)), verbose=0), ValueError,
     "mean_squared_error", "(20, 3)", "(none, 2)"),
    ("mae-width", lambda: model("mae", units=2).fit(X, np.ones((20, 3)), verbose=0),
     ValueError, "mean_absolute_error", "(20, 3)"),
    ("sparse-cce-range", lambda: model("sparse_categorical_crossentropy", 3, "softmax")
     .fit(X, np.full((20,), 7), verbose=0), ValueError, "sparse_categorical_crossentropy",
     "[0, 3)", "7"),
    ("sparse-cce-negative", lambda: model("sparse_categorical_crossentropy", 3, "softmax")
     .fit(X, np.full((20,), -1), verbose=0), ValueError, "[0, 3)", "-1"),
    ("sparse-cce-one-hot", lambda: model("sparse_categorical_crossentropy", 3, "softmax")
     .fit(X, np.eye(3)[LABELS] * 5, verbose=0), ValueError, "sparse_categorical_crossentropy"),
    ("cce-width", lambda: model("categorical_crossentropy", 3, "softmax")
     .fit(X, np.eye(5)[np.zeros(20, int)], verbose=0), ValueError, "categorical_crossentropy",
     "(20, 5)", "(20, 3)"),
    ("cce-integer-labels", lambda: model("categorical_crossentropy", 3, "softmax")
     .fit(X, LABELS, verbose=0), ValueError, "categorical_crossentropy"),
    ("bce-width", lambda: model("binary_crossentropy", 1, "sigmoid")
     .fit(X, np.ones((20, 3)), verbose=0), ValueError, "binary_crossentropy", "(20, 3)"),
    ("class-weight-unknown-class", lambda: model("sparse_categorical_crossentropy", 3, "softmax")
     .fit(X, LABELS, class_weight={0: 1.0, "one": 2.0}, verbose=0), ValueError,
     "class_weight"),
    ("dict-x-for-sequential-extra", lambda: two_inputs().predict({"a": X, "c": X}, verbose=0),
     ValueError, "'b'"),
    ("generator-with-y", lambda: model().fit(iter([(X, Y)]), Y, verbose=0), ValueError, "y",
     "generator"),
]


@pytest.mark.parametrize("fn, exc, words", cases(TABLE))
def test_bad_data(fn, exc, words):
    expect_error(fn, exc, *words)


def test_one_dimensional_x_for_one_feature_is_accepted():
    # Keras 2 and 3 both read a 1-D array as one feature per sample
    m = cornu.Sequential([cornu.Input((1,)), layers.Dense(1)])
    m.compile("sgd", "mse")
    m.fit(np.arange(8.0), np.arange(8.0), verbose=0)


def test_mse_target_of_width_one_broadcasts_as_in_keras():
    # Keras 3 broadcasts a (n, 1) prediction against a (n, 3) target for mse
    model(units=1).fit(X, np.ones((20, 3)), verbose=0)


def test_text_reaches_a_first_text_vectorization_layer():
    vectorize = layers.TextVectorization(max_tokens=10, output_sequence_length=3)
    vectorize.adapt(["a b c", "b c d"])
    m = cornu.Sequential([vectorize, layers.Embedding(10, 2)])
    assert m.predict(np.array(["a b", "c d"]), verbose=0).shape == (2, 3, 2)


def test_a_generator_that_runs_out_warns_and_stops_as_keras():
    """Not an error in Keras 3: it warns that the input ran out and interrupts training."""
    m = model()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = m.fit(iter([(X, Y)]), steps_per_epoch=3, epochs=2, verbose=0)
    assert int(m.optimizer.iterations) == 1 and len(history.history["loss"]) == 1
