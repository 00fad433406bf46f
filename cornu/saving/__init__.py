"""Saving and loading models and weights, in every Keras era's file layout."""
from cornu.saving.api import load_model, load_weights, save_model, save_weights
from cornu.utils.registry import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                  register_keras_serializable)


def get_registered_name(obj):
    """The name `register_keras_serializable` filed `obj` under (`'package>Name'`)."""
    for key, value in get_custom_objects().items():
        if value is obj and ">" in key:
            return key
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    for table in (custom_objects or {}, get_custom_objects(), module_objects or {}):
        if name in table:
            return table[name]
    return None


__all__ = ["load_model", "save_model", "save_weights", "load_weights", "CustomObjectScope",
           "custom_object_scope", "get_custom_objects", "register_keras_serializable",
           "get_registered_name", "get_registered_object"]

from cornu import utils as _utils  # noqa: E402
from cornu.saving.export import export_onnx  # noqa: E402

_utils.provide(export_onnx=export_onnx)  # keras.utils-style access, as scripts call it
