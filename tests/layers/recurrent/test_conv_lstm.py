"""ConvLSTM1D/2D/3D against Keras 3 from the same weights (outputs and gradients)."""
import numpy as np
import pytest

import cornu
from cornu.testing import run_layer_test

L = cornu.layers


@pytest.mark.parametrize("cls,kwargs,shape", [
    (L.ConvLSTM2D, {"filters": 3, "kernel_size": 3}, (2, 4, 6, 6, 2)),
    (L.ConvLSTM2D, {"filters": 2, "kernel_size": (3, 2), "padding": "same",
                    "return_sequences": True}, (2, 3, 5, 6, 2)),
    (L.ConvLSTM2D, {"filters": 2, "kernel_size": 2, "padding": "same", "strides": 2},
     (2, 3, 6, 6, 1)),
    (L.ConvLSTM2D, {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "go_backwards": True,
                    "recurrent_activation": "hard_sigmoid"}, (2, 3, 7, 7, 2)),
    (L.ConvLSTM2D, {"filters": 2, "kernel_size": 3, "return_state": True, "use_bias": False},
     (2, 3, 5, 5, 2)),
    (L.ConvLSTM2D, {"filters": 2, "kernel_size": 3, "dropout": 0.3, "recurrent_dropout": 0.2},
     (2, 3, 5, 5, 2)),
    (L.ConvLSTM1D, {"filters": 3, "kernel_size": 3, "return_sequences": True}, (2, 4, 8, 2)),
    (L.ConvLSTM3D, {"filters": 2, "kernel_size": 2}, (1, 2, 4, 4, 4, 1)),
])
def test_against_keras(cls, kwargs, shape):
    run_layer_test(cls, kwargs, shape, rtol=1e-4, atol=1e-5)


def test_weight_layout_and_forget_bias():
    layer = L.ConvLSTM2D(4, (3, 2))
    layer(np.zeros((1, 2, 5, 5, 3), "float32"))
    assert [tuple(w.shape) for w in layer.weights] == [(3, 2, 3, 16), (3, 2, 4, 16), (16,)]
    np.testing.assert_array_equal(layer.bias.detach().numpy(), [0] * 4 + [1] * 4 + [0] * 8)


def test_conv_lstm_model_trains():
    x = np.random.RandomState(0).rand(16, 3, 8, 8, 1).astype("float32")
    y = x[:, -1].mean(axis=(1, 2))
    model = cornu.Sequential([cornu.Input((3, 8, 8, 1)), L.ConvLSTM2D(4, 3, padding="same"),
                              L.GlobalAveragePooling2D(), L.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(x, y, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
