"""`assert_allclose_nested`: cornu's result against a reference, leaf by leaf."""
import numpy as np
import torch

from cornu.ops import convert_to_numpy

__all__ = ["assert_allclose_nested"]


def _leaves(x):
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [x]


def assert_allclose_nested(actual, expected, rtol=1e-5, atol=1e-6, check_dtype=True):
    """Checks that `actual` (what cornu returned) matches `expected`: the same nesting of lists
    and tuples, and leaf by leaf a torch tensor of the same shape, the same dtype name (unless
    `check_dtype=False`) and the same values to `rtol`/`atol` (NaNs where `expected` has NaNs).

    `expected` may hold torch tensors (real Keras 3 on the torch backend), NumPy arrays or
    numbers.

    >>> import torch
    >>> from cornu.testing import assert_allclose_nested
    >>> assert_allclose_nested([torch.ones(2)], [torch.ones(2)])
    """
    ours, theirs = _leaves(actual), _leaves(expected)
    assert len(ours) == len(theirs), \
        f"{len(ours)} results, the reference has {len(theirs)}: {actual!r} vs {expected!r}"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert isinstance(a, torch.Tensor), \
            f"result {i}: expected a torch tensor, got {type(a).__name__}"
        b = b if isinstance(b, torch.Tensor) else torch.as_tensor(np.asarray(b))
        assert tuple(a.shape) == tuple(b.shape), \
            f"result {i}: shape {tuple(a.shape)}, the reference's {tuple(b.shape)}"
        if check_dtype:
            assert str(a.dtype) == str(b.dtype), \
                f"result {i}: dtype {a.dtype}, the reference's {b.dtype}"
        np.testing.assert_allclose(convert_to_numpy(a).astype("float64"),
                                   convert_to_numpy(b).astype("float64"),
                                   rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=f"result {i} differs from the reference")
