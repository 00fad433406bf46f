"""Catalogue: shapes given to Input/input_shape, axes out of range, layers called on the wrong
rank or on incompatible shapes."""
import numpy as np
import pytest

import cornu
from cornu import layers
from tests.reliability.catalogue import cases, expect_error

Input = cornu.Input


def seq(*stack):
    return cornu.Sequential(list(stack))


TABLE = [
    ("input-negative", lambda: Input(shape=(-3,)), ValueError, "shape", "negative"),
    ("input-string", lambda: Input(shape="44"), ValueError, "shape", "'44'"),
    ("input-float-dim", lambda: Input(shape=(4.7,)), ValueError, "shape", "4.7", "integer"),
    ("input-bare-int", lambda: Input(shape=4), ValueError, "shape", "(4,)"),
    ("input-string-dim", lambda: Input(shape=("4",)), ValueError, "shape", "'4'"),
    ("input-none", lambda: Input(), ValueError, "shape"),
    ("input-batch-size-negative", lambda: Input(shape=(3,), batch_size=-1), ValueError,
     "batch_size"),
    ("input-batch-shape-negative", lambda: Input(batch_shape=(None, -2)), ValueError,
     "batch_shape", "negative"),
    ("input-shape-of-floats", lambda: Input(shape=(2.0, 3.0)), ValueError, "shape"),
    ("layer-input-shape-int", lambda: layers.Dense(3, input_shape=4), ValueError, "dense",
     "input_shape", "(4,)"),
    ("layer-input-shape-negative", lambda: layers.Dense(3, input_shape=(-1,)), ValueError,
     "input_shape", "negative"),
    ("layer-input-shape-string", lambda: layers.Dense(3, input_shape="4"), ValueError,
     "input_shape"),
    ("layer-batch-input-shape-float", lambda: layers.Dense(3, batch_input_shape=(None, 2.5)),
     ValueError, "batch_input_shape"),
    ("concatenate-axis-3-of-2d", lambda: layers.Concatenate(axis=3)([Input((4,)), Input((4,))]),
     ValueError, "concatenate", "axis", "rank 2"),
    ("concatenate-axis-minus-3", lambda: layers.Concatenate(axis=-3)([Input((4,)), Input((4,))]),
     ValueError, "axis", "-3"),
    ("concatenate-mismatch", lambda: layers.Concatenate()([Input((4, 3)), Input((5, 2))]),
     ValueError, "concatenate", "shapes"),
    ("concatenate-ranks", lambda: layers.Concatenate()([Input((4, 3)), Input((4,))]),
     ValueError, "rank"),
    ("batchnorm-axis-5", lambda: layers.BatchNormalization(axis=5)(Input((4,))), ValueError,
     "batchnormalization", "axis", "out of range"),
    ("batchnorm-axis-minus-5", lambda: layers.BatchNormalization(axis=-5)(Input((4,))),
     ValueError, "axis"),
    ("layernorm-axis-5", lambda: layers.LayerNormalization(axis=5)(Input((4,))), ValueError,
     "layernormalization", "axis"),
    ("layernorm-axes-list", lambda: layers.LayerNormalization(axis=[1, 4])(Input((4, 2))),
     ValueError, "axis"),
    ("softmax-axis-5", lambda: layers.Softmax(axis=5)(Input((4,))), ValueError, "softmax",
     "axis"),
    ("softmax-axis-eager", lambda: layers.Softmax(axis=2)(np.ones((2, 4), "float32")),
     ValueError, "softmax", "axis"),
    ("groupnorm-axis", lambda: layers.GroupNormalization(groups=2, axis=4)(Input((4,))),
     ValueError, "axis"),
    ("groupnorm-split", lambda: layers.GroupNormalization(groups=3)(Input((4,))), ValueError,
     "groups", "4"),
    ("normalization-axis", lambda: layers.Normalization(axis=3)(Input((4,))), ValueError,
     "axis"),
    ("conv2d-on-2d", lambda: layers.Conv2D(3, 3)(Input((4,))), ValueError, "conv2d", "ndim"),
    ("conv1d-on-4d", lambda: layers.Conv1D(3, 3)(Input((4, 4, 4))), ValueError, "conv1d"),
    ("conv2d-kernel-too-big", lambda: layers.Conv2D(3, 5)(Input((4, 4, 1))), ValueError,
     "conv2d"),
    ("maxpool2d-on-2d", lambda: layers.MaxPooling2D()(Input((4,))), ValueError, "ndim"),
    ("lstm-on-2d", lambda: layers.LSTM(3)(Input((4,))), ValueError, "lstm", "3"),
    ("reshape-size", lambda: layers.Reshape((3, 3))(Input((4,))), ValueError, "reshape", "9",
     "4"),
    ("reshape-two-minus-one", lambda: layers.Reshape((-1, -1))(Input((4,))), ValueError,
     "-1"),
    ("add-mismatch", lambda: layers.Add()([Input((4,)), Input((5,))]), ValueError, "add",
     "incompatible"),
    ("multiply-mismatch", lambda: layers.Multiply()([Input((4,)), Input((3,))]), ValueError,
     "multiply"),
    ("dot-axes", lambda: layers.Dot(axes=1)([Input((4,)), Input((3,))]), ValueError, "dot"),
    ("dense-after-flatten-none", lambda: layers.Flatten()(Input((None, 3))).shape, None),
    ("sequential-first-layer-mismatch",
     lambda: seq(Input((4,)), layers.Dense(3)).predict(np.ones((2, 5)), verbose=0), ValueError,
     "expected shape", "(none, 4)", "5"),
    ("embedding-index-out-of-range", lambda: seq(Input((3,)), layers.Embedding(10, 2))
     .predict(np.full((2, 3), 12), verbose=0), RuntimeError, "embedding",
     "input_dim=10", "12"),
]


@pytest.mark.parametrize("fn, exc, words", cases([r for r in TABLE if r[2] is not None]))
def test_bad_shape(fn, exc, words):
    expect_error(fn, exc, *words)


def test_concatenate_of_one_input_is_accepted_as_in_keras():
    assert tuple(layers.Concatenate()([Input((4,))]).shape) == (None, 4)


def test_flatten_of_unknown_length_is_accepted_as_in_keras():
    # Keras 3 builds Flatten on (None, None, 3) (an output of unknown size): so does cornu
    assert tuple(layers.Flatten()(Input((None, 3))).shape) == (None, None)


@pytest.mark.parametrize("shape", [[4], (np.int64(4),), (0,), (None, 3)])
def test_shapes_keras_accepts(shape):
    # Keras 3 takes lists, NumPy integers, zero and None dimensions
    assert tuple(Input(shape=shape).shape)[1:] == tuple(None if d is None else int(d)
                                                         for d in shape)
