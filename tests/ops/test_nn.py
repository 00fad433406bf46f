"""cornu.ops' neural-network functions against real Keras 3's keras.ops."""
import numpy as np
import pytest

from cornu import ops
from cornu.testing import assert_allclose_nested

keras = pytest.importorskip("keras")

rng = np.random.default_rng(1)
X = rng.normal(size=(4, 5)).astype("float32")
P = rng.uniform(0.05, 1.0, size=(4, 5)).astype("float32")
Y = np.eye(5, dtype="float32")[[0, 3, 1, 4]]
T = rng.integers(0, 2, size=(4, 5)).astype("float32")
LABELS = np.array([0, 3, 1, 4])
IMG = rng.normal(size=(2, 7, 6, 3)).astype("float32")
SEQ = rng.normal(size=(2, 9, 3)).astype("float32")
K2 = rng.normal(size=(3, 2, 3, 4)).astype("float32")
K1 = rng.normal(size=(3, 3, 4)).astype("float32")
DK = rng.normal(size=(3, 3, 3, 2)).astype("float32")

ACTIVATIONS = ["relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "swish", "gelu",
               "elu", "selu", "leaky_relu", "hard_sigmoid", "log_sigmoid", "softmax",
               "log_softmax", "hard_silu"]

CASES = (
    [(f, (X,), {}) for f in ACTIVATIONS]
    + [("gelu", (X,), {"approximate": False}), ("softmax", (X,), {"axis": 0}),
       ("log_softmax", (X,), {"axis": 0}), ("elu", (X,), {"alpha": 0.5}),
       ("leaky_relu", (X,), {"negative_slope": 0.1}), ("relu", (np.arange(-3, 3),), {}),
       ("one_hot", (LABELS, 5), {}), ("one_hot", (np.array([[1, 0], [3, 2]]), 4), {}),
       ("one_hot", (LABELS, 5), {"axis": 0}), ("multi_hot", (np.array([[0, 2], [1, 1]]), 4), {}),
       ("binary_crossentropy", (T, P), {}), ("binary_crossentropy", (T, X), {"from_logits": True}),
       ("categorical_crossentropy", (Y, P), {}),
       ("categorical_crossentropy", (Y, X), {"from_logits": True}),
       ("sparse_categorical_crossentropy", (LABELS, P), {}),
       ("sparse_categorical_crossentropy", (LABELS, X), {"from_logits": True}),
       ("moments", (X, [0]), {}), ("moments", (IMG, [0, 1, 2]), {"keepdims": True}),
       ("batch_normalization", (X, P[0], P[1]), {"axis": -1, "offset": X[0], "scale": P[2]}),
       ("normalize", (X,), {}), ("normalize", (X,), {"axis": 0, "order": 1}),
       ("conv", (IMG, K2), {}), ("conv", (IMG, K2), {"padding": "same", "strides": 2}),
       ("conv", (IMG, K2), {"dilation_rate": 2}), ("conv", (SEQ, K1), {"padding": "same"}),
       ("conv", (SEQ, K1), {"strides": 2}),
       ("depthwise_conv", (IMG, DK), {"padding": "same"}),
       ("max_pool", (IMG, 2), {}), ("max_pool", (IMG, 3), {"strides": 2, "padding": "same"}),
       ("average_pool", (IMG, 2), {}),
       ("average_pool", (IMG, (3, 2)), {"strides": 2, "padding": "same"}),
       ("max_pool", (SEQ, 2), {"strides": 1})]
)


def _id(case):
    name, args, kwargs = case
    return f"{name}-{'-'.join(str(np.shape(a)) for a in args)}-{kwargs}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_nn_matches_keras(case):
    name, args, kwargs = case
    assert_allclose_nested(getattr(ops, name)(*args, **kwargs),
                           getattr(keras.ops, name)(*args, **kwargs), rtol=1e-5, atol=1e-5)


def test_conv_channels_first_matches_keras():
    x = np.moveaxis(IMG, -1, 1)
    assert_allclose_nested(ops.conv(x, K2, data_format="channels_first"),
                   keras.ops.conv(x, K2, data_format="channels_first"), atol=1e-5)
