"""Compare one cornu layer with the same layer of real Keras 3, from the same weights.

`compare_with_keras` is what `run_layer_test` does against Keras, for a caller that builds the
layer itself (a wrapper around an inner layer, positional arguments, a mask, given data) and
wants both layers back to check more. `assert_config_matches_keras` compares the two configs.
Both need real Keras 3 on the torch backend (`real_keras()`).
"""
import importlib
import os

import numpy as np
import torch

from cornu import layers as cornu_layers
from cornu.layers import Input
from cornu.testing._common import (assert_same_numbers, call, check_clone_weights, comparable,
                                   flatten, numpy, random_inputs, shape_list, to_torch,
                                   weight_paths)

__all__ = ["real_keras", "keras_reference", "compare_with_keras", "assert_config_matches_keras"]


def real_keras():
    """Real Keras 3 (the `keras` package) on the torch backend, for a test's reference.

    Sets `KERAS_BACKEND=torch` unless it is already set, so that Keras's tensors are torch
    tensors and its weights can be copied into cornu's.

    Raises:
        ImportError: Keras is not installed (`pytest.importorskip("keras")` skips instead).
        RuntimeError: the installed Keras is not Keras 3, or runs on another backend.
    """
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = importlib.import_module("keras")
    version = str(getattr(keras, "__version__", "0"))
    if not version.startswith("3"):
        raise RuntimeError(f"real_keras(): the reference is Keras 3; Keras {version} is installed")
    if keras.backend.backend() != "torch":
        raise RuntimeError("real_keras(): Keras runs on the backend "
                           f"{keras.backend.backend()!r}; set KERAS_BACKEND=torch before it loads")
    return keras


def keras_reference(class_name):
    """Real Keras 3's layer class of that name, or None when Keras 3 (torch backend) is absent."""
    try:
        keras = real_keras()
    except (ImportError, RuntimeError):
        return None
    return getattr(keras.layers, class_name, None)


def _builder(layer, kwargs, cornu_kwargs):
    if callable(layer):
        return layer, layer
    if not isinstance(layer, str):
        raise TypeError("cornu.testing: `layer` is a class name of keras.layers or a function "
                        f"of a layers module; got {type(layer).__name__}")
    name = layer
    keras_side = dict(kwargs or {})
    cornu_side = dict(cornu_kwargs if cornu_kwargs is not None else keras_side)
    return (lambda layers: getattr(layers, name)(**keras_side),
            lambda layers: getattr(layers, name)(**cornu_side))


def compare_with_keras(layer, x=None, *, kwargs=None, cornu_kwargs=None, input_shape=None,
                       call_kwargs=None, training=False, rtol=1e-5, atol=1e-6, seed=0,
                       check_gradients=True, check_weight_paths=True):
    """Builds one layer in cornu and in real Keras 3, copies Keras's weights into cornu's and
    checks that they agree. Returns `(cornu_layer, keras_layer)`, built, with the same weights.

    What it checks:

    1. the weights: the same shapes, in the same order, and (unless `check_weight_paths=False`)
       the same paths up to name counters (`dense_3/kernel` and `dense/kernel` agree);
    2. `compute_output_shape` on a `None` batch equals Keras's, and the layer called on a cornu
       `Input` of that shape gives it;
    3. the config round trip: `from_config(get_config())` has the same config and, given the same
       weights, computes the same outputs (to 1e-6);
    4. the outputs of one call on `x` equal Keras's (`rtol`, `atol`), and so do the gradients of
       a random projection of them for the input and every trainable weight (`rtol`,
       `max(atol, 1e-5)`; `check_gradients=False` skips them).

    Args:
        layer: a class name of `keras.layers`, built from `kwargs` in both libraries (in cornu
            from `cornu_kwargs` when they differ), or a function of a layers module that builds
            the layer, called with `keras.layers` and with `cornu.layers`:
            `lambda layers: layers.Bidirectional(layers.LSTM(3), merge_mode="sum")`.
        x: the input array; when None, random normal float32 data of `input_shape` (`seed`).
        call_kwargs: keyword arguments of every call (`{"mask": mask}`); arrays go as tensors.
        training: the `training` flag of the compared call (None: not passed).
        rtol, atol: tolerances of the outputs (and, with at least 1e-5 for `atol`, gradients).

    Example:

    >>> from cornu.testing import compare_with_keras
    >>> ours, theirs = compare_with_keras("Dense", kwargs={"units": 2}, input_shape=(3, 4))
    >>> ours.kernel.shape
    torch.Size([4, 2])
    """
    keras = real_keras()
    make_keras, make_cornu = _builder(layer, kwargs, cornu_kwargs)
    x = random_inputs(input_shape, "float32", seed) if x is None else x
    call_kwargs = {k: torch.as_tensor(v) if isinstance(v, np.ndarray) else v
                   for k, v in (call_kwargs or {}).items()}
    theirs, ours = make_keras(keras.layers), make_cornu(cornu_layers)
    name = type(ours).__name__
    call(theirs, to_torch(x, grad=False), call_kwargs, None)  # builds each
    eager = [tuple(o.shape) for o in flatten(call(ours, to_torch(x, grad=False), call_kwargs,
                                                  None))]
    ref_weights = theirs.get_weights()
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in ref_weights], \
        f"{name}: weight shapes {[w.shape for w in ours.get_weights()]} != Keras's " \
        f"{[w.shape for w in ref_weights]}"
    ours.set_weights(ref_weights)
    if check_weight_paths:
        assert weight_paths(ours) == weight_paths(theirs), \
            f"{name}: weight paths {weight_paths(ours)} != Keras's {weight_paths(theirs)}"
    if isinstance(x, (np.ndarray, torch.Tensor)):
        _check_shapes(name, ours, theirs, x, eager, call_kwargs)
    clone = _clone(name, ours, x, call_kwargs)
    got = assert_same_numbers(name, ours, theirs, x, call_kwargs, training, rtol, atol, seed,
                              gradients=check_gradients)
    for g, w in zip(flatten(call(clone, to_torch(x, grad=False), call_kwargs, training)), got):
        np.testing.assert_allclose(numpy(g), numpy(w), rtol=1e-6, atol=1e-7,
                                   err_msg=f"{name}: its clone from the config computes otherwise")
    return ours, theirs


def _check_shapes(name, ours, theirs, x, eager, call_kwargs):
    shape = (None,) + tuple(x.shape[1:])
    computed = shape_list(ours.compute_output_shape(shape))
    expected = shape_list(theirs.compute_output_shape(shape))
    assert computed == expected, \
        f"{name}: compute_output_shape({shape}) gives {computed}, Keras's {expected}"
    assert computed == [(None,) + s[1:] for s in eager], \
        f"{name}: compute_output_shape({shape}) gives {computed}; the call gives {eager}"
    dtype = str(x.dtype).replace("torch.", "")
    # tensors (a mask, initial states) cannot join a symbolic call; the shapes do not need them
    plain = {k: v for k, v in call_kwargs.items() if not isinstance(v, (torch.Tensor, list))}
    symbolic = call(ours, Input(shape=shape[1:], dtype=dtype), plain, None)
    got = [tuple(t.shape) for t in flatten(symbolic)]
    assert got == computed, f"{name}: called on Input(shape={shape[1:]}) it gives {got}, " \
                            f"compute_output_shape gives {computed}"


def _clone(name, layer, x, call_kwargs):
    """`from_config(get_config())`, built, with the layer's weights."""
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert comparable(clone.get_config()) == comparable(config), \
        f"{name}: from_config(get_config()) gives another config:\n  {config}\n  " \
        f"{clone.get_config()}"
    call(clone, to_torch(x, grad=False), call_kwargs, None)
    check_clone_weights(name, clone, layer)
    clone.set_weights(layer.get_weights())
    return clone


def assert_config_matches_keras(layer, kwargs=None):
    """Checks that cornu's config has every key of Keras 3's config (but `dtype`), with the same
    value (but `name`, `dtype` and nested configs, which hold names and class paths).

    Args:
        layer: a class name of `keras.layers` (built from `kwargs` in both libraries) or a
            function of a layers module: `lambda layers: layers.Conv2D(8, 3, strides=2)`.

    >>> from cornu.testing import assert_config_matches_keras
    >>> assert_config_matches_keras("Dense", {"units": 3, "use_bias": False})
    """
    make_keras, make_cornu = _builder(layer, kwargs, None)
    theirs = make_keras(real_keras().layers).get_config()
    built = make_cornu(cornu_layers)
    ours = built.get_config()
    name = type(built).__name__
    missing = sorted(set(theirs) - set(ours) - {"dtype"})
    assert not missing, f"{name}: the config lacks Keras's keys {missing}"
    for key, value in theirs.items():
        if key in ("name", "dtype") or isinstance(value, dict):
            continue
        assert ours[key] == value, f"{name}: config[{key!r}] is {ours[key]!r}, Keras's {value!r}"
