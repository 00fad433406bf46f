"""cornu.random: seeds behave as in Keras 3 (an int seed repeats, a SeedGenerator advances),
and the samples have the distributions, shapes and dtypes Keras gives."""
import numpy as np
import pytest
import torch

from cornu import random

keras = pytest.importorskip("keras")

SAMPLERS = [
    ("normal", lambda seed: random.normal((2000,), mean=1.0, stddev=2.0, seed=seed),
     lambda seed: keras.random.normal((2000,), mean=1.0, stddev=2.0, seed=seed)),
    ("uniform", lambda seed: random.uniform((2000,), -1.0, 3.0, seed=seed),
     lambda seed: keras.random.uniform((2000,), -1.0, 3.0, seed=seed)),
    ("randint", lambda seed: random.randint((2000,), 2, 9, seed=seed),
     lambda seed: keras.random.randint((2000,), 2, 9, seed=seed)),
    ("truncated_normal", lambda seed: random.truncated_normal((2000,), seed=seed),
     lambda seed: keras.random.truncated_normal((2000,), seed=seed)),
    ("gamma", lambda seed: random.gamma((2000,), 2.0, seed=seed),
     lambda seed: keras.random.gamma((2000,), 2.0, seed=seed)),
    ("beta", lambda seed: random.beta((2000,), 2.0, 3.0, seed=seed),
     lambda seed: keras.random.beta((2000,), 2.0, 3.0, seed=seed)),
]


@pytest.mark.parametrize("name,ours,theirs", SAMPLERS, ids=[s[0] for s in SAMPLERS])
def test_samples_match_keras_in_distribution(name, ours, theirs):
    a, b = ours(1), theirs(1)
    assert isinstance(a, torch.Tensor)
    assert a.shape == b.shape and str(a.dtype) == str(b.dtype)
    a, b = a.double().cpu().numpy(), b.double().cpu().numpy()
    assert abs(a.mean() - b.mean()) < 0.15 * max(1.0, abs(b.mean()))
    assert abs(a.std() - b.std()) < 0.15 * b.std()
    assert a.min() >= b.min() - 0.5 and a.max() <= b.max() + 0.5


@pytest.mark.parametrize("name,ours,theirs", SAMPLERS, ids=[s[0] for s in SAMPLERS])
def test_an_int_seed_repeats_and_a_seed_generator_advances(name, ours, theirs):
    assert torch.equal(ours(7), ours(7))
    assert not torch.equal(ours(7), ours(8))
    g1, g2 = random.SeedGenerator(5), random.SeedGenerator(5)
    first = ours(g1)
    assert not torch.equal(first, ours(g1))
    assert torch.equal(first, ours(g2))
    assert not torch.equal(ours(None), ours(None))


def test_truncated_normal_stays_within_two_stddevs():
    x = random.truncated_normal((5000,), mean=3.0, stddev=0.5, seed=0)
    assert float(x.min()) >= 2.0 and float(x.max()) <= 4.0


def test_dropout_zeroes_rate_and_rescales_as_keras():
    x = torch.ones(200, 50)
    ours = random.dropout(x, 0.3, seed=3)
    theirs = keras.random.dropout(x, 0.3, seed=3)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    kept = ours[ours != 0]
    assert torch.allclose(kept, torch.full_like(kept, 1 / 0.7))
    assert abs(float((ours == 0).float().mean()) - 0.3) < 0.03
    shared = random.dropout(x, 0.5, noise_shape=(None, 1), seed=1)
    assert all(len(set(row.tolist())) == 1 for row in shared)


def test_shuffle_permutes_along_axis():
    x = np.arange(20).reshape(10, 2)
    out = random.shuffle(x, seed=4)
    assert sorted(out[:, 0].tolist()) == list(range(0, 20, 2))
    assert torch.equal(out[:, 1] - out[:, 0], torch.ones(10, dtype=out.dtype))
    assert torch.equal(out, random.shuffle(x, seed=4))


def test_categorical_follows_the_logits():
    logits = np.log(np.array([[0.1, 0.9], [0.8, 0.2]]))
    ours = random.categorical(logits, 4000, seed=2)
    theirs = keras.random.categorical(logits, 4000, seed=2)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours.float().mean(1).numpy(), [0.9, 0.2], atol=0.03)


def test_bad_seed_names_the_function():
    with pytest.raises(ValueError, match="normal: `seed`"):
        random.normal((2,), seed="abc")
