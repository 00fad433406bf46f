"""Learning-rate schedules: functions of the step counter (Keras 3 formulas)."""
import math

import torch

from cornu.utils.registry import Registry

registry = Registry("learning rate schedule")


class LearningRateSchedule:
    """A callable `schedule(step) -> learning rate`; `step` is a number or a 0-d tensor."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _f(step):
    return float(step) if not isinstance(step, torch.Tensor) else step.to(torch.float32)


@registry.register()
class ExponentialDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        if decay_steps <= 0:
            raise ValueError(f"`decay_steps` must be > 0, received: {decay_steps}")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = _f(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p) if not isinstance(p, torch.Tensor) else torch.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


@registry.register()
class InverseTimeDecay(LearningRateSchedule):
    """`initial / (1 + decay_rate * step / decay_steps)`; Keras 2's `decay=d` is this with
    `decay_steps=1`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = _f(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p) if not isinstance(p, torch.Tensor) else torch.floor(p)
        return self.initial_learning_rate / (1 + self.decay_rate * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


def serialize(schedule):
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)
