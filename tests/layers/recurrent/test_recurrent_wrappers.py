"""Bidirectional, TimeDistributed, RNN(cell) and stacked cells against Keras 3."""
import numpy as np
import pytest
import torch

import cornu
from cornu.testing import compare_with_keras, real_keras

TOL = {"rtol": 1e-5, "atol": 1e-5}

X = np.random.RandomState(1).randn(3, 5, 4).astype("float32")
MASK = np.ones((3, 5), bool)
MASK[0, :2] = False
MASK[1, 4:] = False


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("inner", [{"return_sequences": True}, {"return_state": True}])
def test_bidirectional_matches_keras(merge_mode, inner):
    make = lambda L: L.Bidirectional(L.LSTM(3, **inner), merge_mode=merge_mode)
    compare_with_keras(make, X, **TOL)  # with compute_output_shape and weight paths


@pytest.mark.parametrize("cls", ["GRU", "SimpleRNN"])
def test_bidirectional_with_mask_zeroes_masked_outputs_as_keras(cls):
    make = lambda L: L.Bidirectional(getattr(L, cls)(2, return_sequences=True))
    layer, ref = compare_with_keras(make, X, call_kwargs={"mask": MASK}, **TOL)
    clone = cornu.layers.Bidirectional.from_config(layer.get_config())
    assert clone.backward_layer.go_backwards and clone.forward_layer.name.startswith("forward_")


def test_bidirectional_input_shape_and_initial_state():
    keras = real_keras()
    model = cornu.Sequential([cornu.layers.Bidirectional(cornu.layers.LSTM(4), input_shape=(5, 4)),
                              cornu.layers.Dense(1)])
    assert model.output_shape == (None, 1) and model.count_params() == 2 * (4 * (4 * 8 + 4)) + 9
    ref = keras.layers.Bidirectional(keras.layers.GRU(2))
    layer = cornu.layers.Bidirectional(cornu.layers.GRU(2))
    states = [np.full((3, 2), 0.5, "float32"), np.full((3, 2), -0.5, "float32")]
    ref(X, initial_state=states)
    layer(X)
    layer.set_weights(ref.get_weights())
    np.testing.assert_allclose(layer(X, initial_state=[torch.as_tensor(s) for s in states])
                               .detach().numpy(),
                               np.asarray(ref(X, initial_state=states).detach()), rtol=1e-5,
                               atol=1e-5)


def test_time_distributed_matches_keras():
    for make, shape in [(lambda L: L.TimeDistributed(L.Dense(2, activation="relu")), (3, 5, 4)),
                        (lambda L: L.TimeDistributed(L.Dense(2)), (2, 3, 4, 4))]:
        x = np.random.RandomState(2).randn(*shape).astype("float32")
        layer, ref = compare_with_keras(make, x, **TOL)
        assert tuple(layer.compute_output_shape((None,) + shape[1:])) == \
            ref.compute_output_shape((None,) + shape[1:])
        clone = cornu.layers.TimeDistributed.from_config(layer.get_config())
        assert type(clone.layer).__name__ == "Dense"
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        cornu.layers.TimeDistributed(cornu.layers.Dense(2))(np.ones((2, 3), "float32"))


def test_time_distributed_batch_normalization_uses_per_step_statistics_in_training():
    keras = real_keras()
    x = np.random.RandomState(3).randn(8, 3, 4).astype("float32") * 2 + 1
    ref = keras.layers.TimeDistributed(keras.layers.BatchNormalization())
    layer = cornu.layers.TimeDistributed(cornu.layers.BatchNormalization())
    expected = np.asarray(ref(x, training=True).detach())
    np.testing.assert_allclose(layer(x, training=True).detach().numpy(), expected, rtol=1e-5,
                               atol=1e-5)
    for ours, theirs in zip(layer.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda L: L.RNN(L.LSTMCell(3), return_sequences=True),
    lambda L: L.RNN(L.GRUCell(3, reset_after=False), go_backwards=True),
    lambda L: L.RNN([L.LSTMCell(3), L.GRUCell(2), L.SimpleRNNCell(4)], return_state=True),
])
def test_generic_rnn_with_cells_matches_keras(make):
    compare_with_keras(make, X, call_kwargs={"mask": MASK}, **TOL)
    layer, ref = compare_with_keras(make, X, **TOL)  # with the weight paths
    clone = cornu.layers.RNN.from_config(layer.get_config())
    clone(X)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(cornu.utils.nest.flatten(clone(X))[0].detach().numpy(),
                               cornu.utils.nest.flatten(layer(X))[0].detach().numpy(), rtol=1e-6)


def test_custom_cell_in_keras_3_style():
    class MinimalCell(cornu.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel",
                                          initializer="ones")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    name="recurrent_kernel", initializer="ones")

        def call(self, inputs, states):
            output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
            return output, [output]

    layer = cornu.layers.RNN(MinimalCell(2), return_sequences=True)
    out = layer(np.ones((1, 3, 1), "float32")).detach().numpy()
    np.testing.assert_allclose(out[0, :, 0], [1, 3, 7])  # h = x + 2h


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "SimpleRNN"])
def test_bidirectional_runs_both_directions_in_one_kernel_call(cls, monkeypatch):
    from cornu.layers.recurrent import fused
    kind = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn_tanh"}[cls]
    calls = []
    kernel = fused._KERNELS[kind]
    monkeypatch.setitem(fused._KERNELS, kind, lambda *a: calls.append(a[-2]) or kernel(*a))
    make = lambda L: L.Bidirectional(getattr(L, cls)(3, return_sequences=True), merge_mode="sum")
    layer, ref = compare_with_keras(make, X, **TOL)
    assert calls[-1] is True  # `bidirectional=True`: one call
    layer(X, mask=torch.as_tensor(MASK))
    assert calls[-2:] == [False, False]  # masks: one call per direction
