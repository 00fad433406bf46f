"""SimpleRNN, LSTM and GRU against Keras 3: outputs and gradients from the same weights."""
import numpy as np
import pytest
import torch

import cornu
from cornu.layers.recurrent import fused
from cornu.layers.recurrent.rnn import RNN
from cornu.testing import compare_with_keras, real_keras

TOL = {"rtol": 1e-5, "atol": 1e-5}

X = np.random.RandomState(0).randn(3, 5, 4).astype("float32")
MASK = np.ones((3, 5), bool)
MASK[0, :2] = False  # left padding
MASK[1, 3:] = False  # right padding
MASK[2, 2] = False   # a gap

VARIANTS = [
    ({}, None),
    ({"return_sequences": True, "go_backwards": True}, None),
    ({"return_sequences": True, "return_state": True}, None),
    ({"activation": "relu", "return_sequences": True}, None),
    ({"use_bias": False}, None),
    ({"return_sequences": True}, MASK),
    ({"return_state": True, "go_backwards": True}, MASK),
    ({"recurrent_dropout": 0.3, "dropout": 0.2, "return_sequences": True}, None),
]


@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kwargs,mask", VARIANTS)
def test_outputs_and_gradients_match_keras(cls, kwargs, mask):
    make = lambda L: getattr(L, cls)(3, **kwargs)
    # outputs, gradients, compute_output_shape and weight paths against Keras's:
    layer, ref = compare_with_keras(make, X, call_kwargs=None if mask is None else {"mask": mask},
                                    **TOL)
    config = layer.get_config()
    assert set(config) | {"activity_regularizer"} == set(ref.get_config())
    clone = type(layer).from_config(config)
    clone(X)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(X)[0].detach().numpy() if kwargs.get("return_state")
                               else clone(X).detach().numpy(),
                               layer(X)[0].detach().numpy() if kwargs.get("return_state")
                               else layer(X).detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("kwargs", [{"reset_after": False, "return_sequences": True},
                                    {"reset_after": False, "use_bias": False}])
def test_gru_reset_before_matches_keras(kwargs):
    layer, ref = compare_with_keras(lambda L: L.GRU(3, **kwargs), X, call_kwargs={"mask": MASK},
                                    **TOL)
    assert layer.cell.bias is None or tuple(layer.cell.bias.shape) == (9,)
    compare_with_keras(lambda L: L.GRU(3, **kwargs), X, **TOL)


def test_weights_have_keras_layout_and_are_stored_for_torch():
    layer = cornu.layers.LSTM(3, input_shape=(5, 4))
    gru = cornu.layers.GRU(2, input_shape=(5, 4))
    assert [tuple(w.shape) for w in layer.weights] == [(4, 12), (3, 12), (12,)]
    assert [tuple(w.shape) for w in gru.weights] == [(4, 6), (2, 6), (2, 6)]
    assert [w.path for w in layer.weights] == ["lstm/lstm_cell/kernel",
                                               "lstm/lstm_cell/recurrent_kernel",
                                               "lstm/lstm_cell/bias"]
    assert layer.cell.kernel.t().is_contiguous() and layer.cell.recurrent_kernel.t().is_contiguous()
    np.testing.assert_array_equal(layer.cell.bias.detach().numpy(), [0] * 3 + [1] * 3 + [0] * 6)
    assert not cornu.layers.LSTM(3, unit_forget_bias=False, input_shape=(5, 4)).cell.bias.any()
    assert layer.units == 3 and layer.recurrent_activation is cornu.activations.sigmoid


FULL_MASK = np.concatenate([MASK, np.zeros((1, 5), bool)])  # and a fully masked row


@pytest.mark.parametrize("cls,kwargs", [("SimpleRNN", {}), ("SimpleRNN", {"activation": "relu"}),
                                        ("LSTM", {}), ("LSTM", {"return_state": True}),
                                        ("GRU", {})])
@pytest.mark.parametrize("mask,zero_output", [(None, False), (FULL_MASK, False),
                                              (FULL_MASK, True)])
def test_fused_kernel_equals_the_step_loop_with_gradients(cls, kwargs, mask, zero_output):
    """The fused path (torch._VF, packed for masks) and the reference loop agree, forwards
    and backwards, from non-zero initial states."""
    layer = getattr(cornu.layers, cls)(4, return_sequences=True, go_backwards=True, **kwargs)
    layer.zero_output_for_mask = zero_output
    x4 = np.concatenate([X, X[:1]])
    layer(x4)
    x = torch.tensor(x4, requires_grad=True)
    states = [s + 0.3 for s in layer.get_initial_state(4, x)]
    mask = None if mask is None else torch.as_tensor(mask)

    def run(fn, returned=None):
        last, out, final = fn(layer, x, states, mask, True)
        # A masked LSTM that returns no states does not compute its final c (None).
        returned = returned or [f is not None for f in final]
        final = [f for f, wanted in zip(final, returned) if wanted]
        total = (out ** 2).sum() + sum((s * 0.7).sum() for s in [last] + final)
        return returned, [out, last] + final + list(
            torch.autograd.grad(total, [x] + layer.weights))

    returned, fused_result = run(type(layer).inner_loop)
    _, loop_result = run(RNN.inner_loop, returned)
    assert all(returned) or (cls == "LSTM" and mask is not None and not layer.return_state)
    for a, b in zip(fused_result, loop_result):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **TOL)


def test_fused_kernel_runs_when_keras_semantics_allow(monkeypatch):
    used = []
    monkeypatch.setitem(fused._KERNELS, "lstm", _spy(fused._KERNELS["lstm"], used))
    layer = cornu.layers.LSTM(3)
    layer(X)
    layer(X, training=True)
    layer(X, mask=torch.as_tensor(MASK))  # masks too: as a packed sequence
    assert len(used) == 3
    cornu.layers.LSTM(3, activation="relu")(X)
    cornu.layers.LSTM(3, recurrent_dropout=0.5)(X, training=True)
    assert len(used) == 3


def _spy(fn, log):
    def wrapped(*args):
        log.append(args)
        return fn(*args)
    return wrapped


def test_dropout_uses_one_mask_per_sequence():
    layer = cornu.layers.SimpleRNN(6, dropout=0.5, return_sequences=True,
                                   kernel_initializer="identity", recurrent_initializer="zeros",
                                   activation="linear")
    x = np.ones((4, 5, 6), "float32")
    out = layer(x, training=True).detach().numpy()
    assert set(np.unique(out)) <= {0.0, 2.0}
    np.testing.assert_array_equal(out, np.repeat(out[:, :1], 5, axis=1))  # same at every step
    np.testing.assert_array_equal(layer(x).detach().numpy(), x)  # no dropout in inference


def test_stateful_layer_carries_states_between_calls():
    keras = real_keras()
    ref = keras.Sequential([keras.Input(batch_shape=(3, 5, 4)), keras.layers.LSTM(3, stateful=True)])
    layer = cornu.layers.LSTM(3, stateful=True, batch_input_shape=(3, 5, 4))
    layer.set_weights(ref.layers[0].get_weights())
    for _ in range(2):
        np.testing.assert_allclose(layer(X).detach().numpy(),
                                   np.asarray(ref(X).detach()), **TOL)
    layer.reset_states()
    ref.layers[0].reset_states()
    np.testing.assert_allclose(layer(X).detach().numpy(), np.asarray(ref(X).detach()), **TOL)
    with pytest.raises(ValueError, match="stateful.*batch size 3.*batch of 2"):
        layer(X[:2])
    with pytest.raises(ValueError, match="batch size must be fixed"):
        cornu.layers.GRU(2, stateful=True, input_shape=(5, 4))


def test_rank_error_names_the_layer():
    with pytest.raises(ValueError, match=r"layer 'lstm'.*expected ndim=3.*found ndim=2"):
        cornu.layers.LSTM(3)(np.ones((2, 4), "float32"))


@pytest.mark.parametrize("cls,kwargs", [("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}),
                                        ("SimpleRNN", {})])
def test_training_dropout_and_recurrent_dropout_match_keras_given_the_same_masks(cls, kwargs):
    """With recurrent dropout each gate has its own input and recurrent masks (Keras's
    implementation 1), drawn once per sequence: injected into both, the math must agree."""
    make = lambda L: getattr(L, cls)(3, dropout=0.3, recurrent_dropout=0.4,
                                     return_sequences=True, **kwargs)
    layer, ref = compare_with_keras(make, X, **TOL)
    gates = {"LSTM": 4, "GRU": 3}.get(cls)
    rng = np.random.RandomState(5)
    masks = [(rng.rand(*((gates,) if gates else ()) + (3, n)) > rate) / (1 - rate)
             for n, rate in ((4, 0.3), (3, 0.4))]
    masks = [torch.as_tensor(m.astype("float32")) for m in masks]
    layer.cell.__dict__.update(_dropout_mask=masks[0], _recurrent_dropout_mask=masks[1])
    ours = layer(X, training=True).detach().numpy()
    assert layer.cell.__dict__["_dropout_mask"] is None  # drawn anew at the next call
    as_list = (lambda m: list(m)) if gates else (lambda m: m)  # Keras keeps a list per gate
    ref.cell._dropout_mask, ref.cell._recurrent_dropout_mask = map(as_list, masks)
    np.testing.assert_allclose(ours, np.asarray(ref(X, training=True).detach()), **TOL)
    assert not np.allclose(ours, layer(X).detach().numpy(), atol=1e-3)  # the masks mattered
