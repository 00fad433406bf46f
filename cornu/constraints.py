"""Weight constraints, applied by the optimizer to a weight after each update (Keras 3)."""
import torch

from cornu.backend.config import epsilon
from cornu.utils.registry import Registry

registry = Registry("constraint")


class Constraint:
    """Base class: `constraint(w)` returns the projected weight."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return torch.sqrt(torch.sum(torch.square(w), dim=axis, keepdim=True))


@registry.register("max_norm", "maxnorm")
class MaxNorm(Constraint):
    """Rescales each slice along `axis` (default 0: each output unit's incoming weights of a
    Dense or Conv kernel) to an L2 norm of at most `max_value`."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        return w * (torch.clamp(norms, 0, self.max_value) / (epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@registry.register("non_neg", "nonneg")
class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        return torch.clamp(w, min=0)


@registry.register("unit_norm", "unitnorm")
class UnitNorm(Constraint):
    """Rescales each slice along `axis` to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


@registry.register("min_max_norm")
class MinMaxNorm(Constraint):
    """Moves each slice's L2 norm into `[min_value, max_value]`, by the fraction `rate`."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = (self.rate * torch.clamp(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm


def get(identifier):
    """A constraint from a name, a config, a class, an instance or a function of the weight."""
    return registry.get(identifier)


def serialize(constraint):
    return {"module": "keras.constraints", "class_name": type(constraint).__name__,
            "config": constraint.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)


__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "max_norm", "non_neg",
           "unit_norm", "min_max_norm", "get", "serialize", "deserialize"]

# Keras 1/2's lower-case names.
maxnorm, nonneg, unitnorm = MaxNorm, NonNeg, UnitNorm
__all__ += ["maxnorm", "nonneg", "unitnorm"]
