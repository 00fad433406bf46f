"""`cornu.backend` (Keras's `keras.backend as K`): configuration and value access."""
import numpy as np
import torch

from cornu.backend.config import (epsilon, floatx, get_device, image_data_format, set_device,
                                  set_epsilon, set_floatx, set_image_data_format)
from cornu.backend.keras_tensor import KerasTensor, is_keras_tensor
from cornu.backend.naming import reset_names


def backend():
    return "torch"


def clear_session(free_memory=True):
    """Resets layer-name counters (`dense`, `dense_1`, ... start again)."""
    reset_names()
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


def int_shape(x):
    if isinstance(x, KerasTensor):
        return x.shape
    return tuple(x.shape)


def learning_phase():
    return 0


__all__ = ["backend", "clear_session", "get_value", "set_value", "batch_get_value",
           "batch_set_value", "eval", "epsilon", "set_epsilon", "floatx", "set_floatx",
           "image_data_format", "set_image_data_format", "int_shape", "learning_phase",
           "is_keras_tensor", "get_device", "set_device"]
