"""Keras 2's `keras.utils.generic_utils` and `layer_utils` (also Keras 3's `keras.utils.legacy` and
`keras.legacy.saving`): `Progbar`, custom-object scopes, and the Keras 2 serialization pair.

`serialize_keras_object(obj)` writes Keras 2's `{"class_name", "config"}` layout;
`deserialize_keras_object` reads it (or a name) back through `module_objects` and the custom
objects in scope, as custom layers' `get_config`/`from_config` code of that era calls them.
"""
import numpy as np

from cornu.utils import (CustomObjectScope, Progbar, custom_object_scope,  # noqa: F401
                         get_custom_objects)
from cornu.utils.registry import get_custom_objects as _custom_objects


def serialize_keras_object(instance):
    """`{"class_name": ..., "config": instance.get_config()}`; a function or class gives its
    name; None gives None."""
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        return {"class_name": type(instance).__name__, "config": instance.get_config()}
    if hasattr(instance, "__name__"):
        return instance.__name__
    raise ValueError(f"serialize_keras_object: cannot serialize {instance!r} (it has neither "
                     "`get_config` nor a name).")


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """The object a name or a `{"class_name", "config"}` dict stands for: the class built
    with `from_config(config)` (or `cls(**config)`), the function of that name."""
    objects = {**(module_objects or {}), **_custom_objects(), **(custom_objects or {})}
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        name, config = identifier.get("class_name"), identifier.get("config", {})
        cls = objects.get(name)
        if cls is None:
            raise ValueError(f"Unknown {printable_module_name}: {name!r}. Pass it in "
                             "`custom_objects` (or register it with "
                             "`register_keras_serializable`).")
        if hasattr(cls, "from_config"):
            return cls.from_config(config)
        return cls(**config)
    if isinstance(identifier, str):
        if identifier not in objects:
            raise ValueError(f"Unknown {printable_module_name}: {identifier!r}.")
        return objects[identifier]
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier!r}")


def to_list(x, allow_tuple=False):
    """`x` as a list (Keras 2's helper): a list stays, anything else is wrapped."""
    if isinstance(x, list) or (allow_tuple and isinstance(x, tuple)):
        return list(x)
    return [x]


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Keras 2's `keras.utils.print_summary(model)`: `model.summary(...)`."""
    model.summary(line_length=line_length, positions=positions, print_fn=print_fn)


def count_params(weights):
    """The number of values in a list of weights."""
    return int(sum(int(np.prod(tuple(w.shape))) for w in weights))


def get_source_inputs(tensor, layer=None, node_index=None):
    from cornu.models.functional import get_source_inputs as source_inputs
    return source_inputs(tensor)


__all__ = ["print_summary", "count_params", "get_source_inputs", "Progbar", "CustomObjectScope",
           "custom_object_scope", "get_custom_objects",
           "serialize_keras_object", "deserialize_keras_object", "to_list"]


def __getattr__(name):
    from cornu import utils  # the rest of keras.utils, as generic_utils re-exported it
    return getattr(utils, name)
