"""Models: `Sequential`, functional `Model(inputs, outputs)` and subclassed `Model`s."""
from cornu.models.functional import Functional, get_source_inputs
from cornu.models.model import Model
from cornu.models.sequential import Sequential
from cornu.models.serialization import (model_from_config, model_from_json, model_from_yaml)

from cornu.saving import load_model, save_model
from cornu import utils as _utils
from cornu.utils import legacy

_utils.provide(get_source_inputs=get_source_inputs)  # Keras 3's keras.utils.get_source_inputs


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model of the same architecture, with freshly initialized weights."""
    return model_from_config({"class_name": type(model).__name__, "config": model.get_config()})

def __getattr__(name):
    found = legacy.lookup("models", name)  # Keras 0.x's Graph
    if found is not None:
        return found
    raise AttributeError(f"module 'cornu.models' has no attribute {name!r}")


__all__ = ["Model", "Sequential", "Functional", "model_from_config", "model_from_json",
           "model_from_yaml", "load_model", "save_model", "clone_model"]
