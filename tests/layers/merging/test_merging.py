"""Merge layers against real Keras 3: values, output shapes, configs and errors."""
import numpy as np
import pytest
import torch

import cornu
from cornu import layers as L

keras = pytest.importorskip("keras")

rng = np.random.default_rng(0)
A = rng.normal(size=(4, 5)).astype("float32")
B = rng.normal(size=(4, 5)).astype("float32")
C = rng.normal(size=(4, 5)).astype("float32")

CASES = [
    ("Add", {}, [A, B, C]),
    ("Subtract", {}, [A, B]),
    ("Multiply", {}, [A, B, C]),
    ("Average", {}, [A, B, C]),
    ("Maximum", {}, [A, B, C]),
    ("Minimum", {}, [A, B, C]),
    ("Concatenate", {}, [A, B]),
    ("Concatenate", {"axis": 1}, [rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 5, 3))]),
    ("Concatenate", {"axis": 2}, [rng.normal(size=(4, 2, 2, 3)), rng.normal(size=(4, 2, 3, 3))]),
    ("Dot", {"axes": 1}, [A, B]),
    ("Dot", {"axes": 1, "normalize": True}, [A, B]),
    ("Dot", {"axes": (1, 2)}, [rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 2, 3))]),
    ("Dot", {"axes": -1}, [rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 5))]),
    ("Add", {}, [rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 5))]),  # broadcast ranks
]


def _arrays(inputs):
    return [np.asarray(x, "float32") for x in inputs]


@pytest.mark.parametrize("name,kwargs,inputs", CASES)
def test_values_and_shapes_match_keras(name, kwargs, inputs):
    inputs = _arrays(inputs)
    ours = getattr(L, name)(**kwargs)(inputs)
    theirs = getattr(keras.layers, name)(**kwargs)(inputs)
    np.testing.assert_allclose(ours.detach().numpy(), keras.ops.convert_to_numpy(theirs),
                               rtol=1e-5, atol=1e-6)
    sym_ours = getattr(L, name)(**kwargs)([cornu.Input(x.shape[1:]) for x in inputs])
    sym_theirs = getattr(keras.layers, name)(**kwargs)([keras.Input(x.shape[1:]) for x in inputs])
    assert sym_ours.shape == tuple(sym_theirs.shape)


@pytest.mark.parametrize("form,layer,kwargs", [
    ("add", "Add", {}), ("subtract", "Subtract", {}), ("multiply", "Multiply", {}),
    ("average", "Average", {}), ("maximum", "Maximum", {}), ("minimum", "Minimum", {}),
    ("concatenate", "Concatenate", {"axis": -1}), ("dot", "Dot", {"axes": 1})])
def test_functional_forms(form, layer, kwargs):
    a, b = cornu.Input((5,)), cornu.Input((5,))
    out = getattr(L, form)([a, b], **kwargs)
    assert type(out._keras_history[0]).__name__ == layer
    model = cornu.Model([a, b], out)
    expected = getattr(keras.layers, form)([A, B], **kwargs)
    np.testing.assert_allclose(model.predict([A, B], verbose=0),
                               keras.ops.convert_to_numpy(expected), rtol=1e-5, atol=1e-6)


def test_config_round_trip():
    for layer in (L.Concatenate(axis=1, name="c"), L.Dot(axes=(1, 2), normalize=True),
                  L.Subtract()):
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config
    assert L.Dot(axes=[1, 2]).get_config()["axes"] == (1, 2)


def test_concatenate_runs_channels_first_on_feature_maps():
    """Between channels-first layers the graph needs no layout conversion around Concatenate."""
    x1, x2 = cornu.Input((6, 6, 2)), cornu.Input((6, 6, 3))
    b1 = L.BatchNormalization()(x1)
    b2 = L.BatchNormalization()(x2)
    out = L.Concatenate()([b1, b2])
    model = cornu.Model([x1, x2], out)
    kinds = [step[0] for step in model._plan.steps]
    assert kinds.count("convert") == 3  # two inputs in, one output out: none around the merge
    u = rng.normal(size=(2, 6, 6, 2)).astype("float32")
    v = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    np.testing.assert_allclose(model.predict([u, v], verbose=0),
                               np.concatenate([u, v], -1) / np.sqrt(1 + 1e-3), rtol=1e-5)


@pytest.mark.parametrize("make,shapes,message", [
    (lambda: L.Add(), [(5,), (4,)], "incompatible shapes"),
    (lambda: L.Subtract(), [(5,), (5,), (5,)], "exactly 2 inputs"),
    (lambda: L.Concatenate(), [(5, 2), (4, 3)], "matching shapes except"),
    (lambda: L.Dot(axes=1), [(5,), (4,)], "incompatible input shapes"),
    (lambda: L.Dot(axes=1), [(5,), (5,), (5,)], "list of 2 inputs"),
])
def test_errors_name_the_layer_and_shapes(make, shapes, message):
    layer = make()
    with pytest.raises(ValueError, match=message) as info:
        layer([cornu.Input(s) for s in shapes])
    assert layer.name in str(info.value)


def test_merge_needs_a_list():
    with pytest.raises(ValueError, match="list of inputs"):
        L.Add()(cornu.Input((3,)))
    out = L.Add()([torch.ones(2, 3), torch.ones(2, 3)])
    assert torch.equal(out, torch.full((2, 3), 2.0))
