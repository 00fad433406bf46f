"""Optimizers with Keras 3's formulas, by class and by name (`'adam'`, `'sgd'`, ...)."""
from cornu.optimizers import schedules
from cornu.optimizers.adadelta import Adadelta
from cornu.optimizers.adagrad import Adagrad
from cornu.optimizers.adam import Adam, AdamW
from cornu.optimizers.adamax import Adamax
from cornu.optimizers.ftrl import Ftrl
from cornu.optimizers.lion import Lion
from cornu.optimizers.nadam import Nadam
from cornu.optimizers.optimizer import Optimizer
from cornu.optimizers.rmsprop import RMSprop
from cornu.optimizers.sgd import SGD
from cornu.utils.registry import Registry

registry = Registry("optimizer")
for _cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam, Ftrl, Lion):
    registry.register(_cls.__name__.lower())(_cls)

# Keras 1/2 module-level spellings (`keras.optimizers.sgd(lr=0.1)`).
sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam = (SGD, RMSprop, Adagrad, Adadelta, Adam,
                                                        Adamax, Nadam)


def get(identifier):
    """An optimizer from a name (`'adam'`), a config dict, a class or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    return registry.get(identifier)


def serialize(optimizer):
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)


__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "AdamW", "Adamax",
           "Nadam", "Ftrl", "Lion", "schedules", "get", "serialize", "deserialize"]
