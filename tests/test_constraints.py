"""Constraints against real Keras 3: projected values, names and configs. (That the optimizer
applies them after each update is checked in tests/parity/test_optimizers_parity.py.)"""
import numpy as np
import pytest
import torch

from cornu import constraints

keras = pytest.importorskip("keras")

W = np.random.default_rng(4).normal(size=(3, 3, 4, 5)).astype("float32")


@pytest.mark.parametrize("class_name, kwargs", [
    ("MaxNorm", {}), ("MaxNorm", {"max_value": 1.5, "axis": [0, 1, 2]}), ("NonNeg", {}),
    ("UnitNorm", {}), ("UnitNorm", {"axis": -1}), ("MinMaxNorm", {}),
    ("MinMaxNorm", {"min_value": 2.0, "max_value": 3.0, "rate": 0.5, "axis": 3}),
])
def test_projection_and_config(class_name, kwargs):
    ours = getattr(constraints, class_name)(**kwargs)
    theirs = getattr(keras.constraints, class_name)(**kwargs)
    np.testing.assert_allclose(ours(torch.tensor(W)).numpy(),
                               keras.ops.convert_to_numpy(theirs(torch.tensor(W))),
                               rtol=1e-5, atol=1e-6)
    assert ours.get_config() == theirs.get_config()
    assert constraints.deserialize(constraints.serialize(ours)).get_config() == ours.get_config()


@pytest.mark.parametrize("name", ["max_norm", "maxnorm", "non_neg", "nonneg", "unit_norm",
                                  "unitnorm", "min_max_norm", "MaxNorm"])
def test_names(name):
    assert isinstance(constraints.get(name), constraints.Constraint)


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match="Did you mean"):
        constraints.get("max_nrm")
