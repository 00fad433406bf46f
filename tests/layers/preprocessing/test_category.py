"""CategoryEncoding and Discretization against Keras 3 (both run there without TensorFlow)."""
import numpy as np
import pytest

import cornu
from cornu.testing import run_layer_test

IDS = np.array([[0, 1, 1, 3], [2, 2, 2, 0]], "int32")


@pytest.mark.parametrize("mode,data", [("multi_hot", IDS), ("count", IDS),
                                       ("one_hot", np.array([[1], [3]], "int32")),
                                       ("one_hot", np.array([1, 3, 0], "int32")),
                                       ("one_hot", IDS), ("multi_hot", np.array([0, 3], "int32"))])
def test_category_encoding_against_keras(mode, data):
    run_layer_test(cornu.layers.CategoryEncoding, {"num_tokens": 4, "output_mode": mode},
                   input_data=data, run_training_check=False, run_symbolic_check=data.ndim > 1)


def test_category_encoding_count_weights_and_errors():
    import keras
    w = np.array([[0.5, 1.0, 2.0, 1.0], [1.0, 1.0, 1.0, 3.0]], "float32")
    want = np.asarray(keras.layers.CategoryEncoding(4, "count")(IDS, count_weights=w))
    got = cornu.layers.CategoryEncoding(4, "count")(IDS, count_weights=w).numpy()
    np.testing.assert_allclose(got, want)
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        cornu.layers.CategoryEncoding(4)(np.array([[5]]))
    with pytest.raises(ValueError, match="num_tokens"):
        cornu.layers.CategoryEncoding()


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_against_keras(mode):
    x = np.array([[-1.5, 0.0, 1.0, 2.5], [1.99, 0.5, -0.1, 2.0]], "float32")
    run_layer_test(cornu.layers.Discretization,
                   {"bin_boundaries": [0.0, 1.0, 2.0], "output_mode": mode}, input_data=x,
                   run_training_check=False)


def test_discretization_adapt_quantiles():
    data = np.random.RandomState(0).rand(10_000)
    layer = cornu.layers.Discretization(num_bins=4)
    layer.adapt(data)
    np.testing.assert_allclose(layer.bin_boundaries, [0.25, 0.5, 0.75], atol=0.02)
    counts = np.bincount(layer(data).numpy(), minlength=4)
    assert (np.abs(counts - 2500) < 30).all()
