"""Optimizers with Keras 3's formulas, by class and by name."""
from cornu.optimizers import schedules
from cornu.optimizers.adam import Adam
from cornu.optimizers.optimizer import Optimizer
from cornu.optimizers.rmsprop import RMSprop
from cornu.optimizers.sgd import SGD
from cornu.utils.registry import Registry

registry = Registry("optimizer")
for _cls in (SGD, Adam, RMSprop):
    registry.register(_cls.__name__.lower())(_cls)


def get(identifier):
    if isinstance(identifier, Optimizer):
        return identifier
    return registry.get(identifier)


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)


__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "schedules", "get", "serialize", "deserialize"]
