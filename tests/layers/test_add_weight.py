"""`Layer.add_weight` takes Keras 3's signature (positional order included) and Keras 2's
name-first order; checked against real Keras 3's signature."""
import inspect
import os

import numpy as np
import pytest

import cornu
from cornu.layers.layer import _WEIGHT_ORDER


def _layer():
    layer = cornu.layers.Layer(name="host")
    return layer


def test_positional_order_is_keras_3s():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    # Keras 3.15: `add_weight(*args, shape=None, initializer=None, dtype=None, ...)`, the first
    # three positional arguments read as shape, initializer, dtype.
    params = [p for p in inspect.signature(keras.layers.Layer.add_weight).parameters
              if p not in ("self", "args")]
    assert list(_WEIGHT_ORDER) == params
    ref = keras.layers.Layer().add_weight((2, 3), "ones", "float32")
    ours = _layer().add_weight((2, 3), "ones", "float32")
    assert tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(ours.detach().numpy(), np.asarray(ref.numpy()))


def test_keras_3_positional_shape_with_keyword_name():
    # Keras 1.2 and Keras 3 both write `add_weight((d, u), initializer=..., name=...)`
    w = _layer().add_weight((3, 4), initializer="ones", name="W")
    assert tuple(w.shape) == (3, 4) and w.name == "W" and w.path == "host/W"
    np.testing.assert_array_equal(w.detach().numpy(), np.ones((3, 4)))


def test_keras_3_positional_initializer_dtype_trainable():
    w = _layer().add_weight((2,), "zeros", "float64", False, name="b")
    assert str(w.dtype).endswith("float64") and not w.trainable
    np.testing.assert_array_equal(w.detach().numpy(), np.zeros(2))


def test_keras_2_name_first_order():
    layer = _layer()
    w = layer.add_weight("kernel", (2, 5), initializer="ones", trainable=False)
    assert tuple(w.shape) == (2, 5) and w.name == "kernel" and not w.trainable
    v = layer.add_weight("bias", (5,), "float32", "zeros")  # (name, shape, dtype, initializer)
    np.testing.assert_array_equal(v.detach().numpy(), np.zeros(5))


def test_all_keywords():
    w = _layer().add_weight(shape=(4,), initializer="ones", name="g", trainable=True)
    assert tuple(w.shape) == (4,) and w.trainable and w.requires_grad


def test_an_argument_given_twice_is_a_clear_error():
    with pytest.raises(TypeError, match="multiple values for argument 'shape'"):
        _layer().add_weight((3,), shape=(4,))
    with pytest.raises(TypeError, match="at most 10 positional"):
        _layer().add_weight((3,), *([None] * 10))
