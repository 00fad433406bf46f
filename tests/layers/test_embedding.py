"""Embedding and Masking against real Keras 3."""
import numpy as np
import pytest
import torch

import cornu
from cornu.testing import real_keras


def _pair(kwargs, x):
    keras = real_keras()
    ref = keras.layers.Embedding(**kwargs)
    expected = np.asarray(ref(x).detach())
    layer = cornu.layers.Embedding(**kwargs)
    layer(x)
    layer.set_weights(ref.get_weights())
    return layer, ref, expected


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32"])
def test_embedding_lookup_matches_keras_for_any_index_dtype(dtype):
    x = np.random.RandomState(0).randint(0, 10, size=(4, 6)).astype(dtype)
    layer, ref, expected = _pair({"input_dim": 10, "output_dim": 3}, x.astype("int32"))
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-6)
    assert [w.path for w in layer.weights] == ["embedding/embeddings"]
    assert tuple(layer.compute_output_shape((None, 6))) == ref.compute_output_shape((None, 6))
    clone = cornu.layers.Embedding.from_config(layer.get_config())
    assert clone.get_config()["embeddings_initializer"] == \
        ref.get_config()["embeddings_initializer"]


def test_embedding_mask_zero_and_out_of_range_error():
    x = np.array([[0, 3, 4], [5, 0, 0]])
    layer, ref, expected = _pair({"input_dim": 6, "output_dim": 2, "mask_zero": True}, x)
    assert layer.supports_masking
    np.testing.assert_array_equal(layer.compute_mask(torch.as_tensor(x)).numpy(),
                                  np.asarray(ref.compute_mask(x, None)))
    out = layer(x)
    np.testing.assert_array_equal(out._keras_mask.numpy(), x != 0)  # eager mask, as Keras 3
    with pytest.raises(IndexError, match=r"Embedding 'embedding.*index 6 is out of range.*\[0, 5\]"):
        layer(np.array([[1, 6]]))
    assert not cornu.layers.Embedding(3, 2).supports_masking


def test_embedding_trains_in_a_model_fed_float_arrays():
    model = cornu.Sequential([cornu.layers.Embedding(7, 4, input_length=3),
                              cornu.layers.Flatten(), cornu.layers.Dense(1)])
    assert model.input_shape == (None, 3) and model.output_shape == (None, 1)
    model.compile("sgd", "mse")
    x = np.random.RandomState(0).randint(0, 7, size=(16, 3)).astype("float32")
    before = model.layers[0].get_weights()[0].copy()
    model.fit(x, np.ones((16, 1)), epochs=1, verbose=0)
    assert not np.allclose(before, model.layers[0].get_weights()[0])


def test_embedding_keras1_arguments():
    layer = cornu.layers.Embedding(10, 3, input_length=5, init="normal",
                                   W_regularizer=cornu.regularizers.l2(0.1), dropout=0.2)
    assert layer.built and layer._batch_input_shape == (None, 5)
    assert type(layer.embeddings_initializer).__name__ == "RandomNormal"
    assert layer.embeddings_regularizer.l2 == pytest.approx(0.1)
    assert len(layer.losses) == 1


def test_masking_matches_keras():
    keras = real_keras()
    x = np.random.RandomState(0).randn(3, 5, 4).astype("float32")
    x[0, 1] = 0
    x[2, 3:] = 0
    ref = keras.layers.Masking(0.0)
    layer = cornu.layers.Masking(0.0)
    out = layer(x)
    np.testing.assert_array_equal(out.numpy(), np.asarray(ref(x).detach()))
    np.testing.assert_array_equal(out._keras_mask.numpy(), np.asarray(ref.compute_mask(x)))
    assert cornu.layers.Masking.from_config(layer.get_config()).mask_value == 0.0
