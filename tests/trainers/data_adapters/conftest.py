"""What the data adapter tests share: one small model, its data, and the array path's result.

Every input kind is checked the same way: a model trained on the source reaches the weights the
array path reaches from the same batches in the same order (shuffle=False), and where real
Keras 3 takes the same source, Keras's weights too."""
import types

import numpy as np
import pytest

X = np.random.RandomState(0).rand(40, 3).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.25).astype("float32")
W = np.random.RandomState(1).rand(40).astype("float32") + 0.5
INIT = [np.array([[0.3], [-0.1], [0.2]], dtype="float32"), np.array([0.05], dtype="float32")]


def model(K=None, loss="mse"):
    """Dense(1) from fixed weights, plain SGD (each step's update shows in the weights)."""
    if K is None:
        import cornu as K
    m = K.Sequential([K.Input((3,)), K.layers.Dense(1)])
    m.compile(optimizer=K.optimizers.SGD(0.1), loss=loss)
    m.set_weights(INIT)
    return m


def batches(n=4, size=10, weights=False):
    """The batches of X, Y in order: what a source yields, and what the array path cuts."""
    out = []
    for i in range(n):
        part = slice(i * size, (i + 1) * size)
        out.append((X[part], Y[part], W[part]) if weights else (X[part], Y[part]))
    return out


def array_weights(epochs=2, **kwargs):
    """The array path's weights after `epochs` epochs of batches of 10, in order."""
    m = model()
    m.fit(X, Y, batch_size=10, epochs=epochs, shuffle=False, verbose=0, **kwargs)
    return m.get_weights()


def assert_same_weights(got, expected, rtol=1e-6, atol=1e-7):
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    assert not np.allclose(got[0], INIT[0])  # it trained


@pytest.fixture
def data():
    return types.SimpleNamespace(X=X, Y=Y, W=W, INIT=INIT, model=model, batches=batches,
                                 array_weights=array_weights, assert_same=assert_same_weights)


@pytest.fixture
def keras():
    import keras
    return keras
