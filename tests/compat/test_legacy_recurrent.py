"""Keras 1/2 spellings of the recurrent layers and Embedding, translated by the compat tables."""
import numpy as np
import pytest

import cornu
from cornu.compat import LegacyWarning
from cornu.compat import arguments as legacy
from cornu.compat.keras_alias import resolve


@pytest.fixture(autouse=True)
def _fresh_warnings():
    legacy._WARNED.clear()


def test_keras1_lstm_arguments():
    with pytest.warns(LegacyWarning, match="`output_dim`.*`units`"):
        layer = cornu.layers.LSTM(output_dim=8, input_dim=5, input_length=3,
                                  inner_init="orthogonal", inner_activation="hard_sigmoid",
                                  init="uniform", dropout_W=0.1, dropout_U=0.2,
                                  consume_less="gpu", forget_bias_init="one",
                                  W_regularizer=cornu.regularizers.l2(0.01),
                                  return_sequences=True)
    assert layer.built and layer._batch_input_shape == (None, 3, 5)
    assert layer.units == 8 and layer.dropout == 0.1 and layer.recurrent_dropout == 0.2
    assert layer.recurrent_activation is cornu.activations.hard_sigmoid
    assert type(layer.kernel_initializer).__name__ == "RandomUniform"
    assert layer.unit_forget_bias and len(layer.losses) == 1
    assert [tuple(w.shape) for w in layer.weights] == [(5, 32), (8, 32), (32,)]
    assert layer(np.ones((2, 3, 5), "float32")).shape == (2, 3, 8)


@pytest.mark.parametrize("kwargs,shape", [
    ({"input_dim": 4, "input_length": 7}, (None, 7, 4)),
    ({"input_length": 7, "input_dim": 4}, (None, 7, 4)),
    ({"input_dim": 4}, (None, None, 4)),
    ({"input_shape": (6, 4), "input_dim": 4}, (None, 6, 4)),
])
def test_keras2_input_dim_and_input_length_mean_the_input_shape(kwargs, shape):
    for cls in (cornu.layers.SimpleRNN, cornu.layers.GRU):
        layer = cls(3, **kwargs)
        assert layer._batch_input_shape == shape and layer.built
    model = cornu.Sequential([cornu.layers.GRU(3, **kwargs), cornu.layers.Dense(1)])
    assert model.input_shape == shape


def test_embedding_keeps_its_own_input_and_output_dims():
    model = cornu.Sequential([cornu.layers.Embedding(input_dim=20, output_dim=4, input_length=6),
                              cornu.layers.LSTM(output_dim=3)])
    assert model.output_shape == (None, 3) and model.layers[0].output_dim == 4


def test_legacy_module_paths_resolve():
    assert resolve("keras.layers.recurrent") == "cornu.layers"
    assert resolve("keras.layers.embeddings") == "cornu.layers"
    assert resolve("keras.preprocessing.text") == "cornu.preprocessing.text"
    assert resolve("keras.preprocessing.sequence") == "cornu.preprocessing.sequence"


def test_keras2_cudnn_layers_are_the_same_layers():
    assert cornu.layers.CuDNNLSTM is cornu.layers.LSTM and cornu.layers.CuDNNGRU is cornu.layers.GRU
    layer = cornu.layers.deserialize({"class_name": "CuDNNGRU",
                                      "config": {"units": 3, "return_sequences": True}})
    assert type(layer) is cornu.layers.GRU and layer.reset_after
