"""Initializers: the statistics of large draws against the Keras 3 formulas (and real Keras's
draws), Keras's fan computation for dense and conv kernels, seeds, names and configs."""
import math

import numpy as np
import pytest
import torch

from cornu import initializers

keras = pytest.importorskip("keras")

DENSE, CONV = (300, 200), (3, 3, 64, 96)


def _fans(shape):
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


@pytest.mark.parametrize("name, scale, mode, uniform", [
    ("glorot_uniform", 1.0, "fan_avg", True), ("glorot_normal", 1.0, "fan_avg", False),
    ("he_uniform", 2.0, "fan_in", True), ("he_normal", 2.0, "fan_in", False),
    ("lecun_uniform", 1.0, "fan_in", True), ("lecun_normal", 1.0, "fan_in", False),
])
@pytest.mark.parametrize("shape", [DENSE, CONV], ids=["dense", "conv"])
def test_variance_scaling_statistics(name, scale, mode, uniform, shape):
    fan_in, fan_out = _fans(shape)
    n = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
    ours = initializers.get(name)(shape).numpy()
    theirs = keras.ops.convert_to_numpy(keras.initializers.get(name)(shape))
    for values in (ours, theirs):
        assert abs(values.mean()) < 4 * math.sqrt(scale / n / values.size)
        np.testing.assert_allclose(values.var(), scale / n, rtol=0.03)
    if uniform:  # bounded by sqrt(3 scale / n)
        limit = math.sqrt(3 * scale / n)
        assert np.abs(ours).max() <= limit and np.abs(ours).max() > 0.99 * limit
    else:  # truncated at two (pre-correction) standard deviations
        cutoff = 2 * math.sqrt(scale / n) / 0.87962566103423978
        assert np.abs(ours).max() <= cutoff * (1 + 1e-6)


@pytest.mark.parametrize("name, kwargs, mean, var", [
    ("random_uniform", {}, 0.0, 0.1 ** 2 / 12),
    ("random_uniform", {"minval": 1.0, "maxval": 3.0}, 2.0, 4 / 12),
    ("random_normal", {}, 0.0, 0.05 ** 2),
    ("random_normal", {"mean": 1.0, "stddev": 0.3}, 1.0, 0.09),
    ("truncated_normal", {"stddev": 0.5}, 0.0, 0.25 * 0.87962566103423978 ** 2),
    ("variance_scaling", {"scale": 3.0, "mode": "fan_out", "distribution": "untruncated_normal"},
     0.0, 3.0 / 200),
])
def test_random_statistics(name, kwargs, mean, var):
    ours = initializers.get({"class_name": name, "config": kwargs})(DENSE).numpy()
    assert abs(ours.mean() - mean) < 4 * math.sqrt(var / ours.size)
    np.testing.assert_allclose(ours.var(), var, rtol=0.03)


def test_orthogonal_identity_constant():
    q = initializers.Orthogonal(gain=2.0)((50, 30)).numpy()
    np.testing.assert_allclose(q.T @ q, 4 * np.eye(30), atol=1e-4)
    q = initializers.Orthogonal()((3, 3, 4, 5)).numpy().reshape(-1, 5)
    np.testing.assert_allclose(q.T @ q, np.eye(5), atol=1e-5)
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((2, 3)).numpy(),
                                  3 * np.eye(2, 3))
    np.testing.assert_array_equal(initializers.get("ones")((2,)).numpy(), [1, 1])
    np.testing.assert_array_equal(initializers.Constant([1.0, 2.0])((2,)).numpy(), [1, 2])
    values = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(initializers.get(values)((2, 3)).numpy(), values)


def test_fans_match_keras():
    from keras.src.initializers.random_initializers import compute_fans
    for shape in [(), (7,), (5, 3), (3, 32, 16), (3, 3, 64, 96), (2, 3, 3, 8, 4)]:
        assert initializers.compute_fans(shape) == compute_fans(shape)


def test_seed_makes_draws_repeatable():
    a = initializers.GlorotUniform(seed=3)((20, 10))
    torch.testing.assert_close(a, initializers.GlorotUniform(seed=3)((20, 10)))
    assert not torch.equal(a, initializers.GlorotUniform(seed=4)((20, 10)))


@pytest.mark.parametrize("name", ["zeros", "ones", "constant", "random_uniform", "random_normal",
                                  "truncated_normal", "variance_scaling", "glorot_uniform",
                                  "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
                                  "lecun_normal", "orthogonal", "identity",
                                  # Keras 1/2 names
                                  "uniform", "normal", "zero", "one"])
def test_names_and_config_round_trip_like_keras(name):
    ours = initializers.get(name)
    # Keras cannot build 'constant' from its name (KeyError 'value'); its Identity forgets gain.
    theirs = keras.initializers.Constant() if name == "constant" else keras.initializers.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    expected = {**theirs.get_config(), **({"gain": 1.0} if name == "identity" else {})}
    assert ours.get_config() == expected
    again = initializers.deserialize(initializers.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == ours.get_config()


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match="Did you mean: 'he_normal'"):
        initializers.get("he_normall")
