"""Keras 1's `keras.layers.recurrent.Recurrent` base class: custom recurrent layers written as
Keras 1 wrote them run under `cornu run`, checked against hand-written PyTorch loops of the
same formulas; and the base's contract (Keras 1.2's recurrent.py, Keras 2's legacy/layers.py):
hooks, masks, `go_backwards`, `stateful`/`reset_states`, output shapes, errors."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import cornu
from cornu import backend as K

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
Recurrent = cornu.layers.Recurrent


def _loop(x, cell, h0, mask=None, backwards=False):
    """A plain PyTorch loop: `h = cell(x_t, h)`; masked steps keep `h`, outputs in the order
    the steps ran."""
    x = torch.as_tensor(x, dtype=torch.float64)
    h, outs = torch.as_tensor(h0, dtype=torch.float64), []
    order = range(x.shape[1] - 1, -1, -1) if backwards else range(x.shape[1])
    for t in order:
        new = cell(x[:, t], h)
        if mask is not None:
            keep = torch.as_tensor(mask[:, t]).unsqueeze(-1)
            new = torch.where(keep, new, h)
        h = new
        outs.append(h)
    return torch.stack(outs, 1).numpy(), h.numpy()


def _t(a):
    return torch.as_tensor(a, dtype=torch.float64)


def test_keras1_custom_recurrent_layers_in_a_script(tmp_path):
    out = tmp_path / "rnn.npz"
    env = {**os.environ, "PYTHONPATH": ROOT, "PRED_OUT": str(out), "KERAS_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "cornu", "run",
         os.path.join(HERE, "era_scripts", "keras1_custom_rnn.py")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "RNN OK (None, 5, 4) (2, 4)" in result.stdout
    r = np.load(out)
    x = r["x"]

    # Elman RNN behind Masking, go_backwards, return_sequences (weights trained by fit)
    W, U, b = _t(r["elman_W"]), _t(r["elman_U"]), _t(r["elman_b"])
    assert W.shape == (3, 4) and U.shape == (4, 4) and b.shape == (4,)
    mask = np.any(x != 0, axis=-1)
    want, _ = _loop(x, lambda xt, h: torch.tanh(xt @ W + b + h @ U), np.zeros((8, 4)), mask,
                    backwards=True)
    np.testing.assert_allclose(r["elman_masked"], want, rtol=1e-5, atol=1e-6)
    # backwards, x[0]'s padded end runs first (zeros out), x[2]'s padded start last (repeats)
    assert np.abs(r["elman_masked"][0, :2]).max() == 0
    np.testing.assert_array_equal(r["elman_masked"][2, -1], r["elman_masked"][2, -2])
    assert np.abs(r["elman_masked"][2, -1]).max() > 0

    # get_constants (a context vector and B_U, ones outside training) and preprocess_input
    for mode in ("cpu", "mem"):
        W, U, V, b = (_t(r[f"context_{mode}_{n}"]) for n in "WUVb")
        context = _t(x).mean(1) @ V
        _, want = _loop(x, lambda xt, h: torch.tanh(xt @ W + b + h @ U + context),
                        np.zeros((8, 6)))
        np.testing.assert_allclose(r[f"context_{mode}"], want, rtol=1e-5, atol=1e-6)

    # stateful: the second batch starts from the first's final state; reset_states() zeros it
    W, U, b = _t(r["stateful_W"]), _t(r["stateful_U"]), _t(r["stateful_b"])

    def cell(xt, h):
        return torch.tanh(xt @ W + b + h @ U)
    _, first = _loop(x[:2], cell, np.zeros((2, 4)))
    _, second = _loop(x[2:4], cell, first)
    _, fresh = _loop(x[2:4], cell, np.zeros((2, 4)))
    np.testing.assert_allclose(r["stateful_first"], first, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(r["stateful_second"], second, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(r["stateful_reset"], fresh, rtol=1e-5, atol=1e-6)
    assert np.abs(second - fresh).max() > 1e-3  # the carried state made a difference
    assert r["trained_state"].shape == (2, 4) and np.abs(r["trained_state"]).max() > 0
    np.testing.assert_array_equal(r["trained_reset"], np.zeros((2, 4)))  # its own reset_states


class Keras2Minimal(Recurrent):
    """Keras 2's spelling of the hooks: `units`, `get_initial_state(inputs)`,
    `get_constants(inputs, training=None)`, weights through `add_weight(shape=...)`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.seen_training = []

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel",
                                      initializer="glorot_uniform")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel",
                                                initializer="orthogonal")
        self.states = [None, None]  # (h, running sum of the inputs' projections)

    def get_initial_state(self, inputs):
        zeros = torch.zeros(inputs.shape[0], self.units)
        return [zeros, zeros + 1.0]

    def get_constants(self, inputs, training=None):
        self.seen_training.append(training)
        return [K.ones_like(inputs[:, 0, :1]) * 0.5]

    def step(self, inputs, states):
        h, total, half = states
        z = K.dot(inputs, self.kernel)
        out = K.tanh(z + K.dot(h, self.recurrent_kernel)) * half
        return out, [out, total + z]


def test_keras2_hooks_return_state_and_initial_state():
    layer = Keras2Minimal(3, return_sequences=True, return_state=True)
    x = np.random.RandomState(0).randn(2, 4, 5).astype("float32")
    seq, h, total = layer(x)
    kernel, recurrent = (_t(w) for w in layer.get_weights())
    want, want_h = _loop(x, lambda xt, hh: torch.tanh(xt @ kernel + hh @ recurrent) * 0.5,
                         np.zeros((2, 3)))
    np.testing.assert_allclose(seq.detach().numpy(), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.detach().numpy(), want_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(total.detach().numpy(), 1 + (_t(x) @ kernel).sum(1).numpy(),
                               rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape((None, 4, 5)) == [(None, 4, 3), (None, 3), (None, 3)]
    layer(x, training=True)
    assert layer.seen_training[-1] is True
    # initial states given to the call replace get_initial_state's
    h0 = np.ones((2, 3), "float32")
    seq2 = layer(x, initial_state=[h0, np.zeros((2, 3), "float32")])[0]
    want2, _ = _loop(x, lambda xt, hh: torch.tanh(xt @ kernel + hh @ recurrent) * 0.5, h0)
    np.testing.assert_allclose(seq2.detach().numpy(), want2, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="has 2 states but received 1 initial states"):
        layer(x, initial_state=[h0])


def test_functional_model_shapes_masks_and_config_round_trip():
    inputs = cornu.Input((6, 4))
    masked = cornu.layers.Masking()(inputs)
    seq = Keras2Minimal(3, return_sequences=True, name="rec")(masked)
    model = cornu.Model(inputs, cornu.layers.GlobalAveragePooling1D()(seq))
    assert model.output_shape == (None, 3)
    assert model.get_layer("rec").compute_mask(None, torch.ones(2, 6, dtype=torch.bool)).shape \
        == (2, 6)
    assert Keras2Minimal(3).compute_mask(None, torch.ones(2, 6, dtype=torch.bool)) is None
    config = model.get_layer("rec").get_config()
    assert config["return_sequences"] is True and config["units"] == 3
    clone = cornu.models.model_from_json(model.to_json(),
                                         custom_objects={"Keras2Minimal": Keras2Minimal})
    clone.set_weights(model.get_weights())
    x = np.random.RandomState(1).randn(2, 6, 4).astype("float32")
    x[0, 3:] = 0
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_k_rnn_matches_a_loop_with_constants_and_mask():
    x = np.random.RandomState(2).randn(3, 5, 2).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [0, 1, 1, 1, 1]], bool)
    w = torch.randn(2, 2, dtype=torch.float64).float()
    calls = []

    def step(xt, states):
        calls.append(len(states))
        h, c = states
        out = torch.tanh(xt @ w + h) + c
        return out, [out]
    last, outs, states = K.rnn(step, x, [torch.zeros(3, 2)], mask=mask,
                               constants=[torch.full((3, 2), 0.1)])
    want, want_h = _loop(x, lambda xt, h: torch.tanh(xt @ w.double() + h) + 0.1,
                         np.zeros((3, 2)), mask)
    assert set(calls) == {2}
    np.testing.assert_allclose(outs.numpy(), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(last.numpy(), want[:, -1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(states[0].numpy(), want_h, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"K.rnn: `mask` must be \(batch, time\)"):
        K.rnn(step, x, [torch.zeros(3, 2)], mask=mask[:, :4])


def test_stateful_states_carry_over_and_keep_the_graph_intact():
    layer = Keras2Minimal(3, stateful=True, batch_input_shape=(2, 4, 5))
    x = torch.as_tensor(np.random.RandomState(4).rand(2, 4, 5).astype("float32"))
    first, second = layer(x), layer(x)  # two calls, then one backward through both
    (first.sum() + second.sum()).backward()
    kernel, recurrent = (_t(w) for w in layer.get_weights())

    def cell(xt, h):
        return torch.tanh(xt @ kernel + h @ recurrent) * 0.5
    _, h1 = _loop(x.numpy(), cell, np.zeros((2, 3)))
    _, h2 = _loop(x.numpy(), cell, h1)
    np.testing.assert_allclose(second.detach().numpy(), h2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.states[0].numpy(), h2, rtol=1e-5, atol=1e-6)
    model = cornu.Sequential([layer, cornu.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.random.rand(4, 4, 5), np.ones((4, 1)), batch_size=2, shuffle=False,
              epochs=2, verbose=0)
    model.reset_states()
    np.testing.assert_array_equal(layer.states[0].numpy(), np.zeros((2, 3)))


def test_errors_name_the_layer_and_shapes():
    class NoStep(Recurrent):
        def __init__(self, output_dim, **kwargs):
            self.output_dim = output_dim
            super().__init__(**kwargs)

    with pytest.raises(NotImplementedError, match="NoStep.*step"):
        NoStep(2)(np.ones((1, 3, 2), "float32"))
    with pytest.raises(ValueError, match=r"'r1'.*expected ndim=3.*\(1, 3\)"):
        NoStep(2, name="r1")(np.ones((1, 3), "float32"))
    with pytest.raises(AttributeError, match="stateful=True"):
        NoStep(2).reset_states()
    layer = Keras2Minimal(3, stateful=True, batch_input_shape=(2, 4, 5), name="st")
    layer(np.ones((2, 4, 5), "float32"))
    with pytest.raises(ValueError, match=r"'st' is stateful with batch size 2.*batch of 3"):
        layer(np.ones((3, 4, 5), "float32"))
    with pytest.raises(ValueError, match=r"'st': state 0 must have shape \(2, 3\).*\(2, 4\)"):
        layer.reset_states([np.zeros((2, 4)), np.zeros((2, 3))])


def test_keras1_spellings_reach_the_base():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = Keras2Minimal(3, input_dim=5, input_length=4, consume_less="mem")
    assert layer._batch_input_shape == (None, 4, 5) and layer.built
    assert layer.consume_less == "mem" and layer.input_dim == 5 and layer.input_length == 4
    rng = np.random.RandomState(3)
    given = [rng.randn(5, 3).astype("float32"), rng.randn(3, 3).astype("float32")]
    layer = Keras2Minimal(3, weights=given, input_shape=(4, 5))  # Keras 1's `weights=`
    for got, want in zip(layer.get_weights(), given):
        np.testing.assert_array_equal(got, want)
    from cornu.compat.keras_alias import resolve
    assert resolve("keras.layers.recurrent") == "cornu.layers"
    assert resolve("keras.legacy.layers") == "cornu.compat.legacy_models"  # Keras 2's path
    from cornu.compat import legacy_models
    assert legacy_models.Recurrent is Recurrent
    assert cornu.layers.deserialize({"class_name": "Recurrent", "config": {}}).__class__ \
        is Recurrent


class _Elman(Recurrent):
    """A minimal Keras 2-style subclass for the layer contract check."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel",
                                      initializer="glorot_uniform")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel", initializer="orthogonal")
        self.states = [None]

    def get_initial_state(self, inputs):
        return [torch.zeros(inputs.shape[0], self.units)]

    def step(self, inputs, states):
        h = K.tanh(K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel))
        return h, [h]

    def get_config(self):  # (the subclass's own argument; the base's come from Recurrent)
        return {**super().get_config(), "units": self.units}


@pytest.mark.parametrize("kwargs, expected", [
    ({"units": 3}, (2, 3)),
    ({"units": 3, "return_sequences": True}, (2, 5, 3)),
    ({"units": 2, "go_backwards": True}, (2, 2)),
])
def test_a_recurrent_subclass_passes_the_layer_contract(kwargs, expected):
    # Keras 3 has no Recurrent base: config round trip, eager and symbolic calls, shapes,
    # gradients and a fit step, with the values checked against the loop below
    from cornu.testing import run_layer_test
    layer = run_layer_test(_Elman, kwargs, (2, 5, 4), compare_with_keras=False,
                           expected_output_shape=expected)
    x = np.random.RandomState(1).rand(2, 5, 4).astype("float32")
    w, u = (p.detach() for p in (layer.kernel, layer.recurrent_kernel))
    h, outs = torch.zeros(2, kwargs["units"]), []
    steps = range(4, -1, -1) if kwargs.get("go_backwards") else range(5)
    for t in steps:
        h = torch.tanh(torch.from_numpy(x[:, t]) @ w + h @ u)
        outs.append(h)
    ref = torch.stack(outs, 1) if kwargs.get("return_sequences") else h
    np.testing.assert_allclose(layer(x).detach().numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)
