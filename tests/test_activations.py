"""Every activation against real Keras 3, value and gradient; names; Keras 2's hard sigmoid."""
import numpy as np
import pytest
import torch

from cornu import activations

keras = pytest.importorskip("keras")

X = np.concatenate([np.linspace(-4, 4, 33), [-1.0, 0.0, 1.0, 0.5, 6.0, 7.0, -3.0]])
X = X.astype("float32").reshape(4, 10)

CASES = {
    "linear": {}, "relu": {}, "relu-slope": {"negative_slope": 0.1},
    "relu-max": {"max_value": 2.5}, "relu-six": {"max_value": 6},
    "relu-threshold": {"threshold": 0.5}, "relu-all": {"negative_slope": 0.2, "max_value": 3.0,
                                                       "threshold": -1.0},
    "relu6": {}, "sigmoid": {}, "hard_sigmoid": {}, "hard_silu": {}, "tanh": {}, "softmax": {},
    "softmax-axis0": {"axis": 0}, "log_softmax": {}, "softplus": {}, "softsign": {}, "elu": {},
    "elu-alpha": {"alpha": 0.5}, "selu": {}, "exponential": {}, "silu": {}, "gelu": {},
    "gelu-approximate": {"approximate": True}, "mish": {}, "leaky_relu": {},
    "leaky_relu-slope": {"negative_slope": 0.3}, "celu": {}, "glu": {}, "hard_tanh": {},
    "hard_shrink": {}, "soft_shrink": {"threshold": 0.3}, "tanh_shrink": {}, "squareplus": {},
    "sparse_plus": {}, "log_sigmoid": {}, "sparse_sigmoid": {},
    "threshold": {"threshold": 0.5, "default_value": -2.0},
}


def _value_and_grad(fn, **kwargs):
    x = torch.tensor(X, requires_grad=True)
    y = fn(x, **kwargs)
    weights = torch.linspace(0.5, 1.5, y.numel()).reshape(y.shape)
    (grad,) = torch.autograd.grad((y * weights).sum(), [x])
    return y.detach().numpy(), grad.numpy()


@pytest.mark.parametrize("case", sorted(CASES))
def test_activation_value_and_gradient_match_keras(case):
    name = case.split("-")[0]
    for a, b in zip(_value_and_grad(activations.get(name), **CASES[case]),
                    _value_and_grad(getattr(keras.activations, name), **CASES[case])):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_sparsemax_is_the_simplex_projection():
    # Keras 3.15's sparsemax is wrong for supports of 2+ (keras-team/keras#23425); the
    # definition: max(x - tau, 0) with outputs summing to 1.
    x = torch.tensor([[0.0, 0.5, 1.0], [0.1, 0.2, 0.3], [3.0, 0.0, -1.0]])
    expected = torch.tensor([[0.0, 0.25, 0.75], [0.7 / 3, 1.0 / 3, 1.3 / 3],
                             [1.0, 0.0, 0.0]])
    torch.testing.assert_close(activations.sparsemax(x), expected)
    torch.testing.assert_close(activations.sparsemax(x.T, axis=0), expected.T)
    out = activations.sparsemax(torch.tensor(X))
    torch.testing.assert_close(out.sum(-1), torch.ones(4))


def test_hard_sigmoid_is_keras3_and_keras2_formula_is_kept_apart():
    x = torch.tensor([-4.0, -2.5, -1.0, 0.0, 1.0, 2.5, 4.0])
    torch.testing.assert_close(activations.hard_sigmoid(x), torch.clamp(x / 6 + 0.5, 0, 1))
    torch.testing.assert_close(activations.hard_sigmoid_legacy(x),
                               torch.clamp(0.2 * x + 0.5, 0, 1))


def test_names_aliases_and_serialization():
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.get(None) is activations.linear
    assert activations.serialize(activations.get("relu")) == "relu"
    assert activations.deserialize("gelu") is activations.gelu
    # Keras 2 spelling of relu's slope
    torch.testing.assert_close(activations.relu(torch.tensor([-1.0]), alpha=0.1),
                               torch.tensor([-0.1]))
    with pytest.raises(ValueError, match="Did you mean: 'softmax'"):
        activations.get("sofmax")
