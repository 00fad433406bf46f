"""Losses compute their formula for any target (no torch-only preconditions), checked in NumPy."""
import numpy as np
import pytest

import cornu

EPS = 1e-7


def _bce(t, p):
    p = np.clip(p.astype("float64"), EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


def _soft_targets(seed=0):
    rng = np.random.default_rng(seed)
    # A GAN's noisy labels (`labels += 0.05 * np.random.random(...)`): some are above 1.
    labels = np.concatenate([np.ones((4, 1)), np.zeros((4, 1))]).astype("float32")
    labels += 0.05 * rng.random(labels.shape).astype("float32")
    return labels, rng.random(labels.shape).astype("float32")


def test_binary_crossentropy_soft_targets_outside_unit_interval():
    t, p = _soft_targets()
    assert t.max() > 1.0
    got = cornu.losses.binary_crossentropy(t, p).numpy()
    np.testing.assert_allclose(got, _bce(t, p), rtol=1e-5)
    mean = cornu.losses.BinaryCrossentropy()(t, p).numpy()
    np.testing.assert_allclose(mean, _bce(t, p).mean(), rtol=1e-5)
    # Negative targets too (label noise subtracted).
    np.testing.assert_allclose(cornu.losses.binary_crossentropy(-t, p).numpy(), _bce(-t, p),
                               rtol=1e-5)


def test_binary_crossentropy_from_logits_soft_targets():
    t, p = _soft_targets(1)
    logits = np.log(p / (1 - p))
    got = cornu.losses.binary_crossentropy(t, logits, from_logits=True).numpy()
    np.testing.assert_allclose(got, _bce(t, p), rtol=1e-4)


def test_binary_focal_crossentropy_soft_targets():
    t, p = _soft_targets(2)
    pc = np.clip(p.astype("float64"), EPS, 1 - EPS)
    bce = -(t * np.log(pc) + (1 - t) * np.log(1 - pc))
    p_t = t * p + (1 - t) * (1 - p)
    want = ((1 - p_t) ** 2.0 * bce).mean(-1)
    got = cornu.losses.binary_focal_crossentropy(t, p).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_binary_crossentropy_metric_soft_targets():
    t, p = _soft_targets(3)
    metric = cornu.metrics.BinaryCrossentropy()
    metric.update_state(t, p)
    np.testing.assert_allclose(float(metric.result()), _bce(t, p).mean(), rtol=1e-5)


def test_gan_discriminator_trains_on_noisy_labels():
    # Keras 2 GAN pattern: fit/train_on_batch with noisy labels must run, not raise torch's
    # "all elements of target should be between 0 and 1".
    cornu.utils.set_random_seed(0)
    d = cornu.Sequential([cornu.layers.Input((3,)), cornu.layers.Dense(1, activation="sigmoid")])
    d.compile(optimizer="adam", loss="binary_crossentropy")
    x = np.random.default_rng(0).random((8, 3)).astype("float32")
    t, _ = _soft_targets()
    loss = d.train_on_batch(x, t)
    assert np.isfinite(np.asarray(loss)).all()


@pytest.mark.parametrize("fn", ["binary_crossentropy", "binary_focal_crossentropy"])
def test_in_range_targets_match_keras(fn):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(4)
    t = rng.integers(0, 2, (6, 5)).astype("float32")
    p = rng.random((6, 5)).astype("float32")
    ref = np.asarray(getattr(keras.losses, fn)(t, p).detach().cpu())
    np.testing.assert_allclose(getattr(cornu.losses, fn)(t, p).numpy(), ref, rtol=1e-6, atol=1e-7)
