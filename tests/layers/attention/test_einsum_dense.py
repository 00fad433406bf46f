"""EinsumDense against Keras 3, over the equation forms Keras documents."""
import numpy as np
import pytest

import cornu
from cornu.testing import run_layer_test


@pytest.mark.parametrize("kwargs,shape,out", [
    ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"}, (2, 3), (2, 4)),
    ({"equation": "ab,bc->ac", "output_shape": 4}, (2, 3), (2, 4)),
    ({"equation": "abc,cd->abd", "output_shape": (None, 4), "bias_axes": "d"}, (2, 5, 3), (2, 5, 4)),
    ({"equation": "abc,cde->abde", "output_shape": (None, 2, 4), "bias_axes": "de",
      "activation": "relu"}, (2, 5, 3), (2, 5, 2, 4)),
    ({"equation": "abcd,cde->abe", "output_shape": (None, 6), "bias_axes": "e"},
     (2, 5, 3, 4), (2, 5, 6)),
    ({"equation": "...b,bc->...c", "output_shape": 4, "bias_axes": "c"}, (2, 5, 3), (2, 5, 4)),
    ({"equation": "ab...,bc->ac...", "output_shape": (4,), "bias_axes": "c"},
     (2, 3, 5), (2, 4, 5)),
    ({"equation": "abc,cd->abd", "output_shape": (5, 4), "bias_axes": "b"}, (2, 5, 3), (2, 5, 4)),
])
def test_against_keras(kwargs, shape, out):
    run_layer_test(cornu.layers.EinsumDense, kwargs, shape, expected_output_shape=out)


def test_kernel_fans_follow_the_equation():
    # (dim, heads, key_dim): fan_in 64 (the contracted axis), fan_out 8 * 16 = 128
    layer = cornu.layers.EinsumDense("abc,cde->abde", (None, 8, 16),
                                     kernel_initializer="glorot_uniform")
    layer(np.zeros((1, 2, 64), "float32"))
    limit = np.sqrt(6 / (64 + 128))
    kernel = layer.kernel.numpy()
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit


def test_bad_equations_say_why():
    with pytest.raises(ValueError, match="invalid equation"):
        cornu.layers.EinsumDense("ab->b", 3)
    layer = cornu.layers.EinsumDense("ab,bc->ac", 4, bias_axes="x")
    with pytest.raises(ValueError, match="bias axes"):
        layer(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="size"):
        cornu.layers.EinsumDense("abc,cd->abd", (6, 4))(np.zeros((2, 5, 3), "float32"))
