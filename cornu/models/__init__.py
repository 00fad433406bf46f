"""Models: `Sequential`, functional `Model(inputs, outputs)` and subclassed `Model`s."""
from cornu.models.functional import Functional
from cornu.models.model import Model
from cornu.models.sequential import Sequential

from cornu.saving import load_model, save_model


def model_from_config(config, custom_objects=None):
    from cornu.saving.serialization import deserialize_layer
    return deserialize_layer(config, custom_objects)


def model_from_json(json_string, custom_objects=None):
    import json
    return model_from_config(json.loads(json_string), custom_objects)


def model_from_yaml(yaml_string, custom_objects=None):
    try:
        import yaml
    except ImportError as error:
        raise ImportError("`model_from_yaml` needs PyYAML (pip install pyyaml).") from error
    return model_from_config(yaml.safe_load(yaml_string), custom_objects)


clone_model = None  # set below


def _clone_model(model, input_tensors=None, clone_function=None):
    """A new model of the same architecture with freshly initialized weights."""
    clone = model_from_config({"class_name": type(model).__name__, "config": model.get_config()})
    return clone


clone_model = _clone_model

__all__ = ["Model", "Sequential", "Functional", "load_model", "save_model", "model_from_config",
           "model_from_json", "model_from_yaml", "clone_model"]
