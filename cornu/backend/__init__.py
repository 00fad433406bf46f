"""`cornu.backend` (Keras's `keras.backend as K`): configuration, values, math, `K.function`.

This package is the bottom of cornu (config, device, variables, layout, names): it imports
nothing else of cornu. The packages above it add their public names to the `K` namespace
through `extend`: `cornu.graph` adds `is_keras_tensor`, compat the Keras 2 math (`K.mean`,
`K.concatenate`, ...) and `K.function`.
"""
import numpy as np
import torch

from cornu.backend.config import (epsilon, floatx, get_device, image_data_format, set_device,
                                  set_epsilon, set_floatx, set_image_data_format)
from cornu.backend.naming import reset_names


def extend(names):
    """Adds `names` ({name: object}) to this namespace and its `__all__` (see the docstring)."""
    globals().update(names)
    __all__.extend(name for name in names if name not in __all__)


def backend():
    return "torch"


def clear_session(free_memory=True):
    """Resets layer-name counters (`dense`, `dense_1`, ... start again); with `free_memory`,
    also runs the garbage collector (as Keras does; it takes a large part of a second)."""
    reset_names()
    if free_memory:
        import gc
        gc.collect()


def get_value(x):
    """The value of a tensor, variable or learning rate as NumPy (a Python float for 0-d)."""
    if isinstance(x, torch.Tensor):
        value = x.detach().cpu().numpy()  # (a view of a CPU tensor: copied, as Keras returns)
        return value.item() if value.ndim == 0 else value.copy()
    if hasattr(x, "numpy"):
        return x.numpy()
    return np.asarray(x)


def set_value(x, value):
    """Sets a tensor or variable in place (e.g. `K.set_value(model.optimizer.lr, 1e-4)`)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"set_value() needs a tensor or variable, got {type(x).__name__}.")
    with torch.no_grad():
        x.copy_(torch.as_tensor(np.asarray(value), dtype=x.dtype))


def batch_get_value(tensors):
    return [get_value(t) for t in tensors]


def batch_set_value(pairs):
    for x, value in pairs:
        set_value(x, value)


def eval(x):  # noqa: A001  (Keras's name)
    return get_value(x)


class _LearningPhase(int):
    """`K.learning_phase()`: 0 (inference); as an input of `K.function` it feeds the mode."""

    def __repr__(self):
        return "<learning_phase>"


_LEARNING_PHASE = _LearningPhase(0)


def learning_phase():
    return _LEARNING_PHASE


def set_learning_phase(value):
    """Kept for old scripts: cornu's mode follows `fit`/`predict` (and `training=`)."""


__all__ = ["backend", "clear_session", "get_value", "set_value", "batch_get_value",
           "batch_set_value", "eval", "epsilon", "set_epsilon", "floatx", "set_floatx",
           "image_data_format", "set_image_data_format", "learning_phase",
           "set_learning_phase", "get_device", "set_device", "extend"]


# TensorFlow/Theano graph-mode functions, which have no meaning in eager PyTorch.
_GRAPH_ONLY = {"gradients", "placeholder", "get_session", "set_session", "update", "update_add",
               "update_sub", "moving_average_update", "tf", "get_graph", "manual_variable_initialization"}


def __getattr__(name):
    if name in _GRAPH_ONLY:
        raise AttributeError(
            f"keras.backend.{name} is a TensorFlow graph-mode function, which cornu (eager "
            "PyTorch) does not have. Compute gradients with torch.autograd (loss.backward() or "
            "torch.autograd.grad) on tensors from model(x), or write a custom train_step.")
    raise AttributeError(f"module 'cornu.backend' has no attribute {name!r}")
