"""What `run_layer_test` and `compare_with_keras` share: inputs, calls, and the numeric comparison
of two layers that hold the same weights (outputs, then gradients)."""
import re

import numpy as np
import torch


def random_inputs(input_shape, dtype="float32", seed=0):
    """Random arrays of `input_shape` (one shape, a list or a dict of shapes)."""
    rng = np.random.RandomState(seed)

    def one(shape):
        if "int" in str(dtype):
            return rng.randint(0, 10, size=shape).astype(dtype)
        if "bool" in str(dtype):
            return rng.rand(*shape) > 0.5
        return rng.randn(*shape).astype(dtype)
    if input_shape is None:
        raise ValueError("cornu.testing: give `input_shape` or the input data.")
    if isinstance(input_shape, dict):
        return {k: one(tuple(v)) for k, v in input_shape.items()}
    if isinstance(input_shape, list):
        return [one(tuple(s)) for s in input_shape]
    return one(tuple(input_shape))


def map_inputs(fn, inputs):
    if isinstance(inputs, dict):
        return {k: fn(v) for k, v in inputs.items()}
    if isinstance(inputs, list):
        return [fn(v) for v in inputs]
    return fn(inputs)


def values(inputs):
    if isinstance(inputs, dict):
        return list(inputs.values())
    return list(inputs) if isinstance(inputs, list) else [inputs]


def to_torch(inputs, grad):
    def one(a):
        if isinstance(a, torch.Tensor):
            t = a.detach().clone()
        elif isinstance(a, np.ndarray) and a.dtype.kind in "fiub":
            t = torch.as_tensor(a)
        else:
            return a  # strings and other host data go to the layer as they are
        return t.requires_grad_(grad and t.is_floating_point())
    return map_inputs(one, inputs)


def call(layer, inputs, call_kwargs, training):
    kwargs = dict(call_kwargs)
    if training is not None:
        kwargs["training"] = training
    if isinstance(inputs, dict):
        return layer(**inputs, **kwargs)
    return layer(inputs, **kwargs)


def flatten(outputs):
    if isinstance(outputs, dict):
        return list(outputs.values())
    if isinstance(outputs, (list, tuple)):
        return [t for o in outputs for t in flatten(o)]
    return [outputs]


def numpy(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def weighted_sum(outputs, seed):
    # A random cotangent per output: a plain sum would hide errors that sum to zero (softmax).
    rng = np.random.RandomState(seed + 1)
    total = 0
    for out in outputs:
        r = torch.as_tensor(rng.randn(*out.shape).astype("float32"), device=out.device)
        total = total + (out.float() * r).sum()
    return total


def shape_list(shapes):
    """A (possibly nested) shape or list of shapes as a list of tuples, for comparing."""
    if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)):
        return [s for item in shapes for s in shape_list(item)]
    if isinstance(shapes, dict):
        return [s for item in shapes.values() for s in shape_list(item)]
    return [tuple(shapes)]


def weight_paths(layer):
    """Weight paths without the name counters (`lstm_3/cell/kernel` -> `lstm/cell/kernel`)."""
    return [re.sub(r"_\d+(?=/|$)", "", w.path) for w in layer.weights]


def comparable(config):
    """A config with its tuples as lists: a round trip through JSON may turn one into the other."""
    if isinstance(config, dict):
        return {k: comparable(v) for k, v in config.items()}
    if isinstance(config, (list, tuple)):
        return [comparable(v) for v in config]
    return config


def check_clone_weights(name, clone, layer):
    """A layer rebuilt from its config has the same weights (a config that drops an argument,
    `use_bias=False`, gives another layer with the same config)."""
    got = [(w.path.split("/")[-1], tuple(w.shape)) for w in clone.weights]
    want = [(w.path.split("/")[-1], tuple(w.shape)) for w in layer.weights]
    assert got == want, f"{name}: from_config(get_config()) builds the weights {got}, the layer " \
                        f"has {want}: the config loses an argument"


def _differentiable(t):
    return isinstance(t, torch.Tensor) and t.is_floating_point() and t.requires_grad


def assert_same_numbers(name, ours, theirs, inputs, call_kwargs, training, rtol, atol, seed,
                        gradients=True):
    """`ours` (cornu) and `theirs` (Keras) hold the same weights: the same outputs, and the same
    gradients of a random projection of them for each float input and each trainable weight.
    Gradients are compared to `rtol` and `max(atol, 1e-5)` (float32 sums reorder). Returns
    cornu's outputs (flattened)."""
    ours_in, ref_in = to_torch(inputs, grad=gradients), to_torch(inputs, grad=gradients)
    ours_out = flatten(call(ours, ours_in, call_kwargs, training))
    ref_out = flatten(call(theirs, ref_in, call_kwargs, training))
    assert len(ours_out) == len(ref_out), f"{name}: {len(ours_out)} outputs, Keras {len(ref_out)}"
    for i, (o, r) in enumerate(zip(ours_out, ref_out)):
        assert tuple(o.shape) == tuple(r.shape), \
            f"{name}: output {i} has the shape {tuple(o.shape)}, Keras's {tuple(r.shape)}"
        np.testing.assert_allclose(numpy(o), numpy(r), rtol=rtol, atol=atol,
                                   err_msg=f"{name}: outputs differ from Keras 3's (output {i})")
    diff = [i for i, (o, r) in enumerate(zip(ours_out, ref_out))
            if _differentiable(o) and _differentiable(r)]
    if not gradients or not diff:
        return ours_out
    ours_vars = list(ours.trainable_weights)
    ref_vars = [v.value for v in theirs.trainable_weights]
    assert len(ours_vars) == len(ref_vars), \
        f"{name}: {len(ours_vars)} trainable weights, Keras {len(ref_vars)}"
    ours_x = [t for t in values(ours_in) if _differentiable(t)]
    ref_x = [t for t in values(ref_in) if _differentiable(t)]
    g_ours = torch.autograd.grad(weighted_sum([ours_out[i] for i in diff], seed),
                                 ours_x + ours_vars, allow_unused=True)
    g_ref = torch.autograd.grad(weighted_sum([ref_out[i] for i in diff], seed),
                                ref_x + ref_vars, allow_unused=True)
    labels = [f"input {i}" for i in range(len(ours_x))] + [w.path for w in ours_vars]
    for label, g, r in zip(labels, g_ours, g_ref):
        if r is None:  # Keras's output does not depend on it: neither may ours
            assert g is None or not torch.any(g != 0), \
                f"{name}: {label} gets a gradient; in Keras the outputs do not depend on it"
            continue
        assert g is not None, f"{name}: no gradient for {label}; Keras has one"
        np.testing.assert_allclose(numpy(g), numpy(r), rtol=rtol, atol=max(atol, 1e-5),
                                   err_msg=f"{name}: gradient of {label} differs from Keras 3's")
    return ours_out
