"""cornu.ops' NumPy-named functions against real Keras 3's keras.ops: values, shapes, dtypes."""
import numpy as np
import pytest

from cornu import ops
from cornu.testing import assert_allclose_nested

keras = pytest.importorskip("keras")

rng = np.random.default_rng(0)
A = rng.normal(size=(3, 4)).astype("float32")
B = rng.normal(size=(3, 4)).astype("float32")
P = rng.uniform(0.5, 2.0, size=(3, 4)).astype("float32")
U = rng.uniform(-0.9, 0.9, size=(3, 4)).astype("float32")
M = rng.normal(size=(4, 5)).astype("float32")
C = rng.normal(size=(2, 3, 4)).astype("float32")
I = rng.integers(-5, 6, size=(3, 4)).astype("int32")
J = rng.integers(1, 6, size=(3, 4)).astype("int32")
L = rng.integers(0, 10, size=(6,)).astype("int64")
BOOL = A > 0
SQ = rng.normal(size=(4, 4)).astype("float32")

UNARY = ["abs", "absolute", "ceil", "conj", "copy", "cos", "cosh", "exp", "floor", "isfinite",
         "isinf", "isnan", "logical_not", "negative", "ravel", "round", "sign", "sin", "sinh",
         "square", "tan", "tanh", "transpose", "expm1", "arctan", "arcsinh", "trunc"]
POSITIVE = ["log", "log10", "log1p", "log2", "reciprocal", "sqrt"]
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum",
          "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
          "logical_and", "logical_or", "logical_xor", "arctan2"]
REDUCE = ["sum", "mean", "max", "min", "prod", "std", "var", "any", "all", "logsumexp",
          "median"]

CASES = (
    [(f, (A,), {}) for f in UNARY]
    + [(f, (I,), {}) for f in ["abs", "ceil", "exp", "floor", "negative", "round", "sign",
                               "square", "sqrt", "sin"]]
    + [(f, (P,), {}) for f in POSITIVE]
    + [("arcsin", (U,), {}), ("arccos", (U,), {}), ("arctanh", (U,), {})]
    + [(f, (A, B), {}) for f in BINARY]
    + [(f, (I, J), {}) for f in ["add", "subtract", "multiply", "divide", "floor_divide", "mod",
                                 "maximum", "equal", "less"]]
    + [(f, (A, 0.5), {}) for f in ["add", "multiply", "maximum", "greater"]]
    + [("add", (I, 2), {}), ("add", (I, 1.5), {}), ("multiply", (2.0, A), {}),
       ("power", (P, 2.0), {}), ("power", (J, 2), {}), ("floor_divide", (A, B), {}),
       ("mod", (A, P), {})]
    + [(f, (A,), kw) for f in REDUCE for kw in [{}, {"axis": 0}, {"axis": -1, "keepdims": True}]]
    + [(f, (C,), {"axis": (0, 2)}) for f in ["sum", "mean", "max", "std", "prod"]]
    + [(f, (I,), {"axis": 1}) for f in ["sum", "mean", "max", "min", "prod", "var"]]
    + [(f, (BOOL,), {}) for f in ["sum", "mean", "any", "all", "abs", "count_nonzero"]]
    + [("count_nonzero", (I,), {"axis": 0}), ("argmax", (A,), {}), ("argmax", (A,), {"axis": 1}),
       ("argmin", (A,), {"axis": 0}), ("argmin", (I,), {}),
       ("argmax", (A,), {"axis": 1, "keepdims": True}),
       ("argsort", (A,), {}), ("argsort", (A,), {"axis": 0}), ("sort", (A,), {"axis": 0}),
       ("sort", (I,), {}), ("cumsum", (A,), {"axis": 1}), ("cumsum", (I,), {}),
       ("cumprod", (P,), {"axis": 0}), ("cumsum", (BOOL,), {"axis": 0}),
       ("average", (A,), {"axis": 1, "weights": P[0]}), ("average", (A,), {}),
       ("quantile", (A, 0.3), {"axis": 1}), ("quantile", (A, [0.25, 0.75]), {}),
       ("quantile", (C, 0.5), {"axis": (0, 2), "keepdims": True}),
       ("median", (C,), {"axis": 1, "keepdims": True}),
       ("clip", (A, -0.5, 0.5), {}), ("clip", (I, -1, 2), {}),
       ("isclose", (A, A + 1e-7), {}), ("isclose", (A, B), {}),
       ("logsumexp", (C,), {"axis": (1, 2)})]
)


def _id(case):
    name, args, kwargs = case
    return f"{name}-{'-'.join(str(getattr(a, 'dtype', type(a).__name__)) for a in args)}-{kwargs}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_math_matches_keras(case):
    name, args, kwargs = case
    assert_allclose_nested(getattr(ops, name)(*args, **kwargs),
                           getattr(keras.ops, name)(*args, **kwargs))


ARRAY_CASES = [
    ("zeros", ((2, 3),), {}), ("ones", ((2,),), {"dtype": "int32"}), ("eye", (3,), {}),
    ("eye", (3, 4), {"k": 1}), ("identity", (3,), {}), ("full", ((2, 2), 3), {}),
    ("full", ((2,), 1.5), {"dtype": "float64"}), ("zeros_like", (I,), {}),
    ("ones_like", (A,), {}), ("full_like", (A, 2), {}), ("full_like", (I, 7), {}),
    ("zeros_like", (A,), {"dtype": "int32"}),
    ("arange", (5,), {}), ("arange", (1, 7, 2), {}), ("arange", (0.0, 2.0, 0.5), {}),
    ("linspace", (0, 1, 5), {}), ("linspace", (0, 1, 4), {"endpoint": False}),
    ("array", ([1, 2, 3],), {}), ("array", ([1.0, 2.0],), {}), ("array", (A,), {}),
    ("reshape", (A, (4, 3)), {}), ("reshape", (C, (-1, 4)), {}),
    ("expand_dims", (A, 1), {}), ("expand_dims", (A, (0, 3)), {}),
    ("squeeze", (A[None],), {}), ("squeeze", (A[:, None],), {"axis": 1}),
    ("transpose", (C, (2, 0, 1)), {}), ("moveaxis", (C, 0, -1), {}),
    ("swapaxes", (C, 0, 2), {}), ("broadcast_to", (A[0], (2, 4)), {}),
    ("concatenate", ([A, B],), {}), ("concatenate", ([A, B],), {"axis": 1}),
    ("stack", ([A, B],), {"axis": 1}),
    ("hstack", ([A, B],), {}), ("vstack", ([A, B],), {}), ("append", (A, B), {}),
    ("append", (A, B), {"axis": 0}), ("split", (M, 2), {}), ("split", (M, [1, 3], 1), {}),
    ("tile", (A, (2, 1)), {}), ("repeat", (A, 2), {}), ("repeat", (A, 2), {"axis": 0}),
    ("flip", (A,), {}), ("flip", (C,), {"axis": 1}), ("pad", (A, ((1, 0), (0, 2))), {}),
    ("take", (A, [0, 2]), {}), ("take", (A, [[0, -1]]), {"axis": 1}),
    ("take_along_axis", (A, np.argsort(A, axis=1)), {"axis": 1}),
    ("where", (BOOL, A, B), {}), ("where", (BOOL, A, 0.0), {}), ("where", (BOOL, I, 0), {}),
    ("tril", (SQ,), {}), ("triu", (SQ,), {"k": 1}), ("diag", (SQ,), {}),
    ("diag", (A[0],), {"k": -1}), ("diagonal", (C,), {"axis1": 1, "axis2": 2}),
    ("trace", (SQ,), {}), ("trace", (I,), {}),
    ("matmul", (A, M), {}), ("matmul", (C, M), {}), ("dot", (A, M), {}),
    ("dot", (A[0], M), {}), ("tensordot", (C, M), {"axes": 1}),
    ("tensordot", (A, A), {"axes": [[0, 1], [0, 1]]}), ("outer", (A[0], B[1]), {}),
    ("einsum", ("ij,jk->ik", A, M), {}), ("einsum", ("bij->bji", C), {}),
    ("meshgrid", (A[0], B[:, 0]), {}), ("meshgrid", (A[0], B[:, 0]), {"indexing": "ij"}),
    ("unique", (L,), {}),
]


@pytest.mark.parametrize("case", ARRAY_CASES, ids=[_id(c) for c in ARRAY_CASES])
def test_arrays_match_keras(case):
    name, args, kwargs = case
    assert_allclose_nested(getattr(ops, name)(*args, **kwargs),
                           getattr(keras.ops, name)(*args, **kwargs))


def test_nonzero_gives_the_indices_numpy_gives():
    x = np.array([[1, 0, 2], [0, 3, 0]])
    assert [i.tolist() for i in ops.nonzero(x)] == [i.tolist() for i in np.nonzero(x)]
    assert all(str(i.dtype) == "torch.int32" for i in ops.nonzero(x))


def test_ops_keep_autograd_through_weights():
    import torch
    w = torch.nn.Parameter(torch.ones(4, 2))
    loss = ops.sum(ops.square(ops.matmul(A, w)))
    loss.backward()
    expected = 2 * A.T @ (A @ np.ones((4, 2), "float32"))
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-5)


# Keras's torch backend pads only the last axis for an int `pad_width` and lacks 'edge': NumPy
# (whose semantics keras.ops documents) is the reference here.
@pytest.mark.parametrize("x,width,kwargs", [
    (A, 1, {"constant_values": 2.0}), (A, 1, {"mode": "reflect"}),
    (I, ((0, 1), (2, 0)), {"mode": "edge"}), (C, ((1, 1), (0, 2), (1, 0)), {"mode": "wrap"})])
def test_pad_matches_numpy(x, width, kwargs):
    ours = ops.pad(x, width, **kwargs)
    expected = np.pad(x, width, **kwargs)
    assert ours.shape == expected.shape and str(ours.dtype) == f"torch.{expected.dtype}"
    np.testing.assert_allclose(ops.convert_to_numpy(ours), expected)
