"""Stateful metrics: `update_state`, `result`, `reset_state`. States are device tensors, so
accumulating a metric in the training loop never waits for the device."""
import torch

from cornu.backend.naming import to_snake_case


class Metric:
    def __init__(self, name=None, dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = dtype or "float32"
        self._states = []

    def add_variable(self, name, shape=(), initializer="zeros", dtype=None):
        value = torch.zeros(shape, dtype=torch.float32) if initializer == "zeros" else \
            torch.full(shape, float(initializer), dtype=torch.float32)
        setattr(self, name, value)
        self._states.append((name, value.clone()))
        return value

    add_weight = add_variable

    def _to(self, device):
        for name, _ in self._states:
            value = getattr(self, name)
            if value.device != device:
                setattr(self, name, value.to(device))

    def reset_state(self):
        for name, initial in self._states:
            getattr(self, name).copy_(initial)

    reset_states = reset_state

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    @property
    def variables(self):
        return [getattr(self, name) for name, _ in self._states]

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
