"""Runs a layer in cornu and in real Keras 3 from the same weights and compares."""
import numpy as np
import pytest

import cornu

keras = pytest.importorskip("keras")

RTOL, ATOL = 1e-5, 1e-6


def random_input(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def compare_with_keras(name, *args, input_shape, seed=0, training=None, **kwargs):
    """Builds `name(*args, **kwargs)` in both libraries on a batch of `input_shape`, copies the
    Keras weights into cornu, and checks output shapes (eager, symbolic, compute_output_shape)
    and values. Returns the cornu layer."""
    x = random_input(input_shape, seed)
    theirs = getattr(keras.layers, name)(*args, **kwargs)
    expected = np.asarray(keras.ops.convert_to_numpy(theirs(x)))
    ours = getattr(cornu.layers, name)(*args, **kwargs)
    ours.build(input_shape)
    weights = theirs.get_weights()
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in weights]
    ours.set_weights(weights)
    got = ours(x).detach().cpu().numpy()
    assert got.shape == expected.shape, (name, args, kwargs, input_shape)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    symbolic = (None,) + tuple(input_shape[1:])
    assert tuple(ours.compute_output_shape(symbolic)) == \
        tuple(theirs.compute_output_shape(symbolic))
    assert cornu.layers.Input(shape=input_shape[1:]).shape == symbolic
    return ours


def same_config_keys(name, *args, **kwargs):
    ours = getattr(cornu.layers, name)(*args, **kwargs).get_config()
    theirs = getattr(keras.layers, name)(*args, **kwargs).get_config()
    missing = set(theirs) - set(ours) - {"dtype"}
    assert not missing, missing
    for key in theirs:
        if key in ("name", "dtype") or isinstance(theirs[key], dict):
            continue
        assert ours[key] == theirs[key], (key, ours[key], theirs[key])
