"""Runs a cornu recurrent layer and the same Keras 3 layer from the same weights."""
import re

import numpy as np
import torch

import cornu
from cornu.utils import nest
from tests.helpers import keras_module

TOL = {"rtol": 1e-5, "atol": 1e-5}


def build_pair(make, x):
    """`make(layers_module)` in Keras and cornu; cornu gets Keras's weights."""
    keras = keras_module()
    ref = make(keras.layers)
    ref(x)
    layer = make(cornu.layers)
    layer(x)
    layer.set_weights(ref.get_weights())
    return layer, ref


def outputs_and_grads(layer, weights, x, mask=None, seed=0):
    """Outputs, and gradients of a fixed random projection of them w.r.t. weights and input."""
    inputs = torch.tensor(x, requires_grad=True)
    kwargs = {} if mask is None else {"mask": torch.as_tensor(mask)}
    out = nest.flatten(layer(inputs, **kwargs))
    rng = np.random.RandomState(seed)
    total = sum((o * torch.as_tensor(rng.randn(*o.shape).astype("float32"))).sum() for o in out)
    grads = torch.autograd.grad(total, [inputs] + list(weights))
    return [o.detach().numpy() for o in out], [g.numpy() for g in grads]


def assert_matches_keras(layer, ref, x, mask=None):
    ours, our_grads = outputs_and_grads(layer, layer.weights, x, mask)
    theirs, their_grads = outputs_and_grads(ref, [w.value for w in ref.weights], x, mask)
    assert [o.shape for o in ours] == [t.shape for t in theirs]
    for a, b in zip(ours + our_grads, theirs + their_grads):
        np.testing.assert_allclose(a, b, **TOL)


def same_shapes(a, b):
    """Shapes equal up to list/tuple nesting."""
    def norm(s):
        return [norm(i) for i in s] if s and isinstance(s[0], (list, tuple)) else tuple(s)
    return norm(a) == norm(b)


def weight_paths(layer):
    """Weight paths without the name counters (`lstm_3/...` → `lstm/...`)."""
    return [re.sub(r"_\d+(?=/|$)", "", w.path) for w in layer.weights]
