"""cornu.ops' core and math functions against real Keras 3's keras.ops."""
import numpy as np
import pytest
import torch

from cornu import ops
from cornu.testing import assert_allclose_nested

keras = pytest.importorskip("keras")

rng = np.random.default_rng(2)
X = rng.normal(size=(4, 6)).astype("float32")
SQ = (X[:, :4] @ X[:, :4].T + 4 * np.eye(4)).astype("float32")
U = rng.uniform(-0.9, 0.9, size=(3, 4)).astype("float32")
DATA = rng.normal(size=(5, 3)).astype("float32")
IDS = np.array([0, 0, 2, 1, 2])

CASES = [
    ("convert_to_tensor", ([1, 2],), {}), ("convert_to_tensor", ([1.5, 2],), {}),
    ("convert_to_tensor", (X,), {"dtype": "float64"}), ("convert_to_tensor", (3,), {}),
    ("cast", (X, "int32"), {}), ("cast", (np.array([1, 0]), "bool"), {}),
    ("scatter", (np.array([[0, 1], [2, 0], [0, 1]]), np.array([1.0, 2.0, 3.0]), (3, 2)), {}),
    ("scatter_update", (np.zeros((3, 2)), np.array([[0, 1], [2, 0]]), np.array([5.0, 6.0])), {}),
    ("slice", (X, (1, 2), (2, 3)), {}),
    ("slice_update", (X, (1, 2), np.ones((2, 3), "float32")), {}),
    ("logsumexp", (X,), {"axis": 1}), ("top_k", (X, 3), {}),
    ("in_top_k", (np.array([0, 1, 2, 3]), X, 2), {}),
    ("segment_sum", (DATA, IDS), {}), ("segment_max", (DATA, IDS), {}),
    ("segment_sum", (DATA, IDS), {"num_segments": 4}),
    ("erf", (X,), {}), ("erfinv", (U,), {}), ("rsqrt", (np.abs(X) + 0.1,), {}),
    ("norm", (X,), {}), ("norm", (X,), {"axis": 1}), ("norm", (X,), {"ord": 1, "axis": 0}),
    ("norm", (X,), {"axis": (0, 1), "keepdims": True}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_core_and_math_match_keras(case):
    name, args, kwargs = case
    assert_allclose_nested(getattr(ops, name)(*args, **kwargs),
                           getattr(keras.ops, name)(*args, **kwargs), atol=1e-5)


@pytest.mark.parametrize("name,args", [
    ("qr", (X.T,)), ("inv", (SQ,)), ("det", (SQ,)), ("cholesky", (SQ,)), ("eigh", (SQ,)),
    ("solve", (SQ, X[:, :2]))])
def test_linalg_matches_keras(name, args):
    assert_allclose_nested(getattr(ops.linalg, name)(*args),
                           getattr(keras.ops.linalg, name)(*args), rtol=1e-4, atol=1e-4)


def test_shape_dtype_and_predicates_match_keras():
    for value in (X, np.arange(3), np.float32(1.5), np.zeros((0, 2), "int64")):
        assert ops.shape(value) == keras.ops.shape(value)
        assert ops.dtype(ops.convert_to_tensor(value)) == \
            keras.ops.dtype(keras.ops.convert_to_tensor(value))
    assert isinstance(ops.shape(X), tuple)
    assert ops.is_tensor(ops.ones((1,))) and not ops.is_tensor(X)
    assert ops.standardize_dtype(torch.float16) == "float16"
    assert ops.standardize_dtype(np.dtype("int8")) == "int8"
    assert isinstance(ops.convert_to_numpy(ops.ones((2,))), np.ndarray)


def test_control_flow_matches_keras():
    assert int(ops.cond(True, lambda: 1, lambda: 2)) == keras.ops.cond(True, lambda: 1, lambda: 2)
    body = (lambda i, s: (i + 1, s + i))
    ours = ops.while_loop(lambda i, s: i < 5, body, (0, 0))
    theirs = keras.ops.while_loop(lambda i, s: i < 5, body, (0, 0))
    assert [int(v) for v in ours] == [int(v) for v in theirs]
    assert int(ops.fori_loop(0, 4, lambda i, v: v * 2 + i, 1)) == \
        int(keras.ops.fori_loop(0, 4, lambda i, v: v * 2 + i, 1))
    assert int(ops.while_loop(lambda i: i < 10, lambda i: i + 3, 0, maximum_iterations=2)) == 6


def test_stop_gradient_cuts_autograd():
    w = torch.ones(3, requires_grad=True)
    out = ops.stop_gradient(w * 2)
    assert not out.requires_grad and torch.equal(out, torch.full((3,), 2.0))
