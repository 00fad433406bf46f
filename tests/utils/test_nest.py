"""NumPy scalars as arguments: tf.keras 2's `int(units)` leniency (docs/ERAS.md, Argument types)."""
import numpy as np
import pytest

import cornu
from cornu.utils.nest import python_scalars


def test_python_scalars_converts_numpy_scalars_inside_structures():
    out = python_scalars({"a": (np.int64(3), [np.float32(0.5), np.bool_(True)]), "b": "x"})
    assert out == {"a": (3, [0.5, True]), "b": "x"}
    assert type(out["a"][0]) is int and type(out["a"][1][0]) is float
    assert type(out["a"][1][1]) is bool
    array = np.ones(3)
    assert python_scalars(array) is array  # arrays (e.g. `weights=`) pass untouched


def test_dense_units_from_np_prod():
    # Keras 2 scripts: `Dense(np.prod(input_shape[1:]))` after a Flatten-less reshape.
    shape = (None, 4, 3)
    model = cornu.Sequential([cornu.layers.Input((4, 3)), cornu.layers.Reshape((12,)),
                              cornu.layers.Dense(np.prod(shape[1:]))])
    assert model.layers[-1].units == 12 and type(model.layers[-1].units) is int
    assert model.predict(np.ones((2, 4, 3), "float32"), verbose=0).shape == (2, 12)


def test_numpy_scalars_everywhere_an_int_or_float_is_expected():
    conv = cornu.layers.Conv2D(np.int32(4), (np.int64(3), np.int64(3)), strides=np.int64(1))
    assert conv.filters == 4 and conv.kernel_size == (3, 3)
    assert cornu.layers.Embedding(np.int64(10), np.int64(4)).output_dim == 4
    assert cornu.layers.Dropout(np.float32(0.25)).rate == 0.25
    assert cornu.layers.Input(shape=(np.int64(7),)).shape == (None, 7)
    assert cornu.layers.LSTM(np.int64(5)).units == 5
    opt = cornu.optimizers.SGD(np.float32(0.1), momentum=np.float64(0.9))
    assert abs(float(opt.learning_rate) - 0.1) < 1e-7


@pytest.mark.parametrize("bad", [6.5, np.float64(6.5), -3, "6"])
def test_non_integral_units_still_raise(bad):
    with pytest.raises(ValueError, match="units"):
        cornu.layers.Dense(bad)


def test_bad_shapes_still_raise():
    with pytest.raises((ValueError, TypeError)):
        cornu.layers.Input(shape=(-3,))
