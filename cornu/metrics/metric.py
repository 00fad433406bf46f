"""Stateful metrics: `update_state`, `result`, `reset_state` (Keras 3's `Metric`).

A metric's state lives in `Variable`s on the device of the data it sees (moved there on the first
update), so accumulating it in the training loop never waits for the device; only `result()`
read by the host (`float(metric.result())`) does.
"""
import torch

from cornu.backend.config import detached, to_tensor, torch_dtype
from cornu.backend.naming import to_snake_case
from cornu.backend.variables import Variable
from cornu.utils.compiling import eager_under_compile

_EAGER = ("update_state", "result", "reset_state")  # under torch.compile (utils/compiling.py)


class Metric:
    """Base class of metrics.

    Subclasses create their state with `add_variable(shape, initializer, name=...)` (also
    spelled `add_weight`, Keras 2's `add_weight(name, shape, ...)` included) and implement
    `update_state(y_true, y_pred, sample_weight=None)` and `result()`.

    Args:
        name: the metric's name (in logs and history).
        dtype: dtype of the state and result, float32 by default.
    """

    _is_metric = True  # layers holding one list it in `metrics` (layers cannot import this class)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _EAGER:  # a compiled train_step runs the metrics' Python state eagerly
            if name in cls.__dict__:
                setattr(cls, name, eager_under_compile(cls.__dict__[name]))

    def __init__(self, name=None, dtype=None, **kwargs):
        kwargs.pop("synchronization", None)
        kwargs.pop("aggregation", None)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{sorted(kwargs)}.")
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = dtype if isinstance(dtype, str) else (
            str(dtype).replace("torch.", "") if dtype is not None else "float32")
        self._variables = []
        self._device = torch.device("cpu")

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                     name=None):
        """Adds a state variable (a 0-d or shaped tensor with `assign`/`assign_add`)."""
        if isinstance(shape, str):  # Keras 2 order: add_weight(name, shape=...)
            shape, name = (), shape
        from cornu import initializers
        init = initializers.get(initializer if initializer is not None else "zeros")
        value = torch.as_tensor(init(tuple(shape or ()), dtype=torch_dtype(dtype or self.dtype)))
        # `aggregation`: how processes combine it (trainers/distributed.py sums "sum")
        var = Variable(value.to(self._device), trainable=False, name=name,
                       aggregation=aggregation)
        self._variables.append(var)
        return var

    def add_weight(self, name=None, shape=(), initializer=None, dtype=None, **kwargs):
        if name is not None and not isinstance(name, str):
            name, shape = None, name  # Keras 3: add_weight(shape, ...)
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self):
        out = list(self._variables)
        for value in vars(self).values():
            if isinstance(value, Metric) and value is not self:
                out.extend(value.variables)
        return out

    def _to(self, device):
        """Moves the state to `device` (in place: references to the variables stay valid)."""
        if device == self._device:
            return
        self._device = device
        for var in self._variables:
            var.data = var.data.to(device)
        for value in vars(self).values():
            if isinstance(value, Metric) and value is not self:
                value._to(device)

    @eager_under_compile
    def reset_state(self):
        """Sets every state variable to zero."""
        variables = self.variables
        if variables:
            torch._foreach_zero_(variables)  # (one op for all; no `.data`: state has no grad)

    reset_states = reset_state  # Keras 2

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def as_tensors(y_true, y_pred, dtype=None):
    """`y_pred` as a tensor (float32 unless floating already, or `dtype`) and `y_true` on its
    device (cast to `dtype` when given). Gradients are cut: metrics are not differentiated."""
    y_pred = detached(to_tensor(y_pred, dtype))
    if dtype is None and not y_pred.is_floating_point():
        y_pred = y_pred.float()
    return detached(to_tensor(y_true, dtype, y_pred.device)), y_pred
