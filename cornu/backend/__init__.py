"""`cornu.backend` (Keras's `keras.backend as K`): configuration, values, math, `K.function`."""
import numpy as np
import torch

from cornu.backend import math as _math
from cornu.backend.math import *  # noqa: F401,F403  (K.mean, K.concatenate, ...)

from cornu.backend.config import (epsilon, floatx, get_device, image_data_format,
                                  image_dim_ordering, set_device, set_epsilon, set_floatx,
                                  set_image_data_format, set_image_dim_ordering)
from cornu.graph.keras_tensor import KerasTensor, is_keras_tensor
from cornu.backend.naming import reset_names


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
        value = x.detach().cpu().numpy()
        return value.item() if value.ndim == 0 else value
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


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """`K.function(inputs, outputs)`: a callable mapping a list of arrays to a list of arrays.

    `inputs` and `outputs` are symbolic tensors of a model's graph (`model.layers[0].input`,
    `model.layers[-1].output`); the callable runs the graph between them in inference mode.
    `K.learning_phase()` among the inputs takes the mode (0 or 1) from the matching value.
    """
    from cornu.backend.graph_function import GraphFunction
    return GraphFunction(inputs, outputs, phase_marker=_LEARNING_PHASE)


__all__ = ["backend", "clear_session", "get_value", "set_value", "batch_get_value",
           "batch_set_value", "eval", "epsilon", "set_epsilon", "floatx", "set_floatx",
           "image_data_format", "set_image_data_format", "image_dim_ordering",
           "set_image_dim_ordering", "learning_phase",
           "set_learning_phase", "function", "is_keras_tensor", "get_device",
           "set_device"] + _math.__all__


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
