"""LoRA on Dense, Embedding and Conv2D against real Keras 3: weight names, shapes, trainability
and order, outputs from identical weights, enable_lora, config, and the errors."""
import numpy as np
import pytest
import torch

import cornu
from cornu.testing import real_keras

CASES = [
    ("Dense", dict(units=5), (2, 4), "float32"),
    ("Embedding", dict(input_dim=7, output_dim=3), (2, 5), "int32"),
    ("Conv2D", dict(filters=4, kernel_size=3), (2, 6, 6, 2), "float32"),
    ("Conv1D", dict(filters=3, kernel_size=2, lora_alpha=6), (2, 5, 4), "float32"),
]


def _inputs(shape, dtype):
    rng = np.random.RandomState(0)
    if dtype == "int32":
        return rng.randint(0, 7, size=shape).astype("int32")
    return rng.randn(*shape).astype("float32")


def _random_weights(layer, seed=1):
    rng = np.random.RandomState(seed)
    return [rng.randn(*w.shape).astype("float32") for w in layer.get_weights()]


def _describe(layer):
    return [(w.path.split("/")[-1], tuple(w.shape), bool(w.trainable)) for w in layer.weights]


@pytest.mark.parametrize("class_name, kwargs, shape, dtype", CASES)
def test_lora_rank_matches_keras(class_name, kwargs, shape, dtype):
    keras = real_keras()
    x = _inputs(shape, dtype)
    ref = getattr(keras.layers, class_name)(**kwargs, lora_rank=2)
    ref(x)
    layer = getattr(cornu.layers, class_name)(**kwargs, lora_rank=2)
    layer(x)
    assert _describe(layer) == _describe(ref)
    # b starts at zero (the outputs are the frozen weights'); then give both the same values
    assert np.all(layer.get_weights()[-1] == 0)
    weights = _random_weights(ref)
    ref.set_weights(weights)
    layer.set_weights(weights)
    assert layer.lora_alpha == ref.lora_alpha == kwargs.get("lora_alpha", 2)
    np.testing.assert_allclose(layer(x).detach().numpy(), np.asarray(ref(x).detach()),
                               rtol=1e-5, atol=1e-5)
    config = layer.get_config()
    assert config["lora_rank"] == 2 and config["lora_alpha"] == ref.get_config()["lora_alpha"]


@pytest.mark.parametrize("class_name, kwargs, shape, dtype", CASES[:3])
def test_enable_lora_after_build_matches_keras(class_name, kwargs, shape, dtype):
    keras = real_keras()
    x = _inputs(shape, dtype)
    ref = getattr(keras.layers, class_name)(**kwargs)
    layer = getattr(cornu.layers, class_name)(**kwargs)
    ref(x)
    layer(x)
    ref.enable_lora(3, lora_alpha=6)
    layer.enable_lora(3, lora_alpha=6)
    assert _describe(layer) == _describe(ref)
    weights = _random_weights(ref, seed=2)
    ref.set_weights(weights)
    layer.set_weights(weights)
    np.testing.assert_allclose(layer(x).detach().numpy(), np.asarray(ref(x).detach()),
                               rtol=1e-5, atol=1e-5)
    # the formula: W + (alpha / rank) * a @ b
    if class_name == "Dense":
        kernel, bias, a, b = weights
        np.testing.assert_allclose(layer(x).detach().numpy(), x @ (kernel + 2.0 * a @ b) + bias,
                                   rtol=1e-5, atol=1e-5)


def test_only_the_lora_factors_train():
    x = np.random.RandomState(0).randn(8, 4).astype("float32")
    layer = cornu.layers.Dense(3, lora_rank=2)
    layer(x)
    loss = layer(torch.as_tensor(x)).square().sum()
    loss.backward()
    assert layer.kernel.grad is None
    assert layer.lora_kernel_a.grad is not None and layer.bias.grad is not None
    assert [w.path for w in layer.trainable_weights] == [
        f"{layer.name}/bias", f"{layer.name}/lora_kernel_a", f"{layer.name}/lora_kernel_b"]


def test_lora_errors_name_the_layer():
    layer = cornu.layers.Dense(3, name="d")
    with pytest.raises(ValueError, match="isn't built"):
        layer.enable_lora(2)
    layer(np.ones((1, 4), "float32"))
    layer.enable_lora(2)
    with pytest.raises(ValueError, match="already enabled"):
        layer.enable_lora(2)
    constrained = cornu.layers.Dense(3, kernel_constraint="non_neg")
    constrained(np.ones((1, 4), "float32"))
    with pytest.raises(ValueError, match="kernel_constraint"):
        constrained.enable_lora(2)
    with pytest.raises(ValueError, match="lora_rank"):
        cornu.layers.Dense(3, lora_rank=0)
    with pytest.raises(ValueError, match="quantization_config"):
        cornu.layers.Embedding(3, 2, quantization_config={"mode": "int8"})
