"""Hashing: Keras's exact bins without TensorFlow, checked against the bins Keras 3 documents
(Keras 3 itself needs TensorFlow for this layer) and, when TensorFlow is installed, Keras 3."""
import numpy as np
import pytest
import torch

import cornu
from cornu.utils.hashing import fingerprint64

L = cornu.layers
LETTERS = [["A"], ["B"], ["C"], ["D"], ["E"]]


@pytest.mark.parametrize("kwargs,data,want", [
    ({}, LETTERS, [[1], [0], [1], [1], [2]]),
    ({"mask_value": ""}, [["A"], ["B"], [""], ["C"], ["D"]], [[1], [1], [0], [2], [2]]),
    ({"salt": [133, 137]}, LETTERS, [[1], [2], [1], [0], [2]]),
    ({"salt": 133}, LETTERS, [[0], [0], [2], [1], [0]]),
])
def test_keras_documented_bins(kwargs, data, want):
    out = L.Hashing(num_bins=3, **kwargs)(data)
    assert out.dtype == torch.int64 and out.tolist() == want
    assert L.Hashing(num_bins=3, **kwargs)(np.array(data, dtype=object)).tolist() == want


def test_integers_and_floats_hash_as_decimal_strings():
    ints = np.array([[0, 7, -12], [123456789012, 3, 7]])
    want = (fingerprint64([str(v) for v in ints.ravel()]) % np.uint64(11)).reshape(2, 3)
    layer = L.Hashing(11)
    np.testing.assert_array_equal(layer(ints).numpy(), want)
    np.testing.assert_array_equal(layer(torch.as_tensor(ints)).numpy(), want)
    # floats are cast to int64 first (truncation), as Keras does
    np.testing.assert_array_equal(layer(np.array([[0.9, 7.5, -12.7]])).numpy(), want[:1])
    masked = L.Hashing(11, mask_value=7)(ints).numpy()
    np.testing.assert_array_equal(masked, np.where(ints == 7, 0, (fingerprint64(
        [str(v) for v in ints.ravel()]) % np.uint64(10)).reshape(2, 3) + 1))


def test_encoded_outputs():
    data = np.array([["A", "B", "B"], ["C", "D", "E"]], dtype=object)
    bins = L.Hashing(4)(data).numpy()
    count = L.Hashing(4, output_mode="count")(data).numpy()
    want = np.stack([np.bincount(row, minlength=4) for row in bins]).astype("float32")
    np.testing.assert_array_equal(count, want)
    np.testing.assert_array_equal(L.Hashing(4, output_mode="multi_hot")(data).numpy(),
                                  np.minimum(want, 1))
    one_hot = L.Hashing(4, output_mode="one_hot")(np.array([["A"], ["C"]], dtype=object))
    assert one_hot.shape == (2, 4)
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(4)[bins[[0, 1], 0]])
    assert L.Hashing(4, output_mode="one_hot").compute_output_shape((None, 1)) == (None, 4)
    assert L.Hashing(4, output_mode="count").compute_output_shape((None, 3)) == (None, 4)


def test_config_round_trip_and_errors():
    layer = L.Hashing(num_bins=7, mask_value="", salt=5, output_mode="count")
    config = layer.get_config()
    assert config["salt"] == [5, 5] and config["num_bins"] == 7 and config["dtype"]
    # Keras 3.15's Hashing.get_config keys (its constructor needs TensorFlow)
    assert {"name", "trainable", "dtype", "num_bins", "salt", "mask_value", "output_mode",
            "sparse"} <= set(config)
    clone = L.Hashing.from_config(config)
    data = [["a", "", "b", "c"]]
    np.testing.assert_array_equal(clone(data).numpy(), layer(data).numpy())
    assert L.Hashing(3).get_config()["dtype"]["config"]["name"] == "int64"  # as Keras
    assert L.Hashing(3, output_mode="count").get_config()["dtype"]["config"]["name"] == \
        "float32"
    with pytest.raises(ValueError, match="num_bins"):
        L.Hashing(0)
    with pytest.raises(ValueError, match="output_mode"):
        L.Hashing(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="salt"):
        L.Hashing(3, salt="x")
    with pytest.raises(NotImplementedError, match="sparse"):
        L.Hashing(3, output_mode="multi_hot", sparse=True)


def test_a_model_on_raw_strings():
    inputs = cornu.Input(shape=(1,), dtype="string")
    x = L.Hashing(16)(inputs)
    x = L.Embedding(16, 4)(x)
    outputs = L.Dense(1, activation="sigmoid")(L.Flatten()(x))
    model = cornu.Model(inputs, outputs)
    model.compile("adam", "binary_crossentropy")
    words = np.array(["cat", "dog", "bird", "fish"] * 8, dtype=object)
    labels = np.array([0, 1, 0, 1] * 8)
    model.fit(words, labels, epochs=1, batch_size=8, verbose=0)
    assert model.predict(words[:4], verbose=0).shape == (4, 1)


def test_against_keras_with_tensorflow():
    pytest.importorskip("tensorflow")
    import keras
    data = np.array([["alpha", "beta", ""], ["gamma", "a" * 80, "beta"]], dtype=object)
    for kwargs in ({"num_bins": 5}, {"num_bins": 5, "mask_value": ""},
                   {"num_bins": 9, "salt": [3, 4], "output_mode": "count"}):
        want = keras.ops.convert_to_numpy(keras.layers.Hashing(**kwargs)(data))
        np.testing.assert_array_equal(L.Hashing(**kwargs)(data).numpy(), want)
    ints = np.array([[1, 20, -3]])
    want = keras.ops.convert_to_numpy(keras.layers.Hashing(num_bins=13)(ints))
    np.testing.assert_array_equal(L.Hashing(13)(ints).numpy(), want)
