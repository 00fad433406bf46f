"""Shared check: a cornu.ops call against the same call of real Keras 3 (torch backend)."""
import numpy as np
import torch

from cornu.ops import convert_to_numpy


def _leaves(x):
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [x]


def assert_matches(ours, theirs, rtol=1e-5, atol=1e-6):
    """Same structure, shapes, dtype names and values (to rtol/atol)."""
    ours_l, theirs_l = _leaves(ours), _leaves(theirs)
    assert len(ours_l) == len(theirs_l), (ours, theirs)
    for a, b in zip(ours_l, theirs_l):
        assert isinstance(a, torch.Tensor), f"expected a torch tensor, got {type(a).__name__}"
        b = b if isinstance(b, torch.Tensor) else torch.as_tensor(np.asarray(b))
        assert tuple(a.shape) == tuple(b.shape), (tuple(a.shape), tuple(b.shape))
        assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
        np.testing.assert_allclose(convert_to_numpy(a).astype("float64"),
                                   convert_to_numpy(b).astype("float64"),
                                   rtol=rtol, atol=atol, equal_nan=True)
