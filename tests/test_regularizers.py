"""Regularizers against real Keras 3: penalty values and gradients, names and configs."""
import numpy as np
import pytest
import torch

from cornu import regularizers

keras = pytest.importorskip("keras")

W = np.random.default_rng(3).normal(size=(6, 4)).astype("float32")


@pytest.mark.parametrize("class_name, kwargs", [
    ("L1", {}), ("L1", {"l1": 0.3}), ("L2", {}), ("L2", {"l2": 0.2}),
    ("L1L2", {"l1": 0.01, "l2": 0.02}), ("L1L2", {}),
    ("OrthogonalRegularizer", {}), ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}),
])
def test_penalty_value_gradient_and_config(class_name, kwargs):
    results = []
    for module in (regularizers, keras.regularizers):
        w = torch.tensor(W, requires_grad=True)
        value = torch.as_tensor(getattr(module, class_name)(**kwargs)(w))
        grad = torch.autograd.grad(value, [w], allow_unused=True)[0] if value.requires_grad \
            else torch.zeros_like(w)
        results.append((value.detach().numpy(), grad.numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    ours = getattr(regularizers, class_name)(**kwargs)
    # (Keras keeps L1's and the orthogonal factor as float32 tensors: 0.01 → 0.009999999776)
    assert ours.get_config() == pytest.approx(
        getattr(keras.regularizers, class_name)(**kwargs).get_config())
    assert regularizers.deserialize(regularizers.serialize(ours)).get_config() == \
        ours.get_config()


def test_names():
    assert regularizers.get("l2").l2 == 0.01 and regularizers.get("l1").l1 == 0.01
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.01, "l2": 0.01}
    assert isinstance(regularizers.get("orthogonal_regularizer"),
                      regularizers.OrthogonalRegularizer)
    assert regularizers.l1_l2(l1=0.1).get_config() == {"l1": 0.1, "l2": 0.0}  # Keras 3
    assert regularizers.l2(0.5).l2 == 0.5
    with pytest.raises(ValueError, match="Did you mean"):
        regularizers.get("l22")
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L2(-1.0)
