"""Model and layer configs in every era's dialect: written as Keras 3 writes them, read from
Keras 1, 2 and 3 (old argument names go through cornu/compat, unknown keys are dropped)."""
import inspect
import json

from cornu.backend.config import floatx
from cornu.utils import legacy

_IGNORED_TOP = ("module", "registered_name", "build_config", "compile_config", "shared_object_id")


def to_keras3(obj_config, module="keras.layers"):
    """`{'class_name', 'config'}` → Keras 3's `{'module', 'class_name', 'config', 'registered_name'}`."""
    return {"module": module, "class_name": obj_config["class_name"],
            "config": obj_config["config"], "registered_name": None}


def layer_config(layer):
    from cornu.utils.registry import serialize
    return serialize(layer)


def _accepted_layer_arguments(cls):
    from cornu.layers.layer import _BASE_KWARGS
    names = set(_BASE_KWARGS) | legacy.argument_names([k.__name__ for k in inspect.getmro(cls)])
    for klass in inspect.getmro(cls):
        init = klass.__dict__.get("__init__")
        if init is not None:
            params = inspect.signature(inspect.unwrap(init)).parameters.values()
            names |= {p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    return names


def clean_layer_config(cls, config):
    """Normalizes a foreign layer config: dtype policies → dtype names, unknown keys dropped."""
    from cornu.layers.layer import Layer
    config = dict(config)
    dtype = config.get("dtype")
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy
        inner = dtype.get("config", {})
        name = inner.get("name", floatx()) if isinstance(inner, dict) else floatx()
        config["dtype"] = floatx() if str(name).startswith("mixed") else name
    if getattr(cls.from_config, "__func__", None) is Layer.from_config.__func__:
        accepted = _accepted_layer_arguments(cls)
        config = {k: v for k, v in config.items() if k in accepted}
    return config


def deserialize_layer(config, custom_objects=None, safe_mode=None):
    """A layer or model from its config, whichever Keras wrote it.

    `safe_mode` (None: the enclosing `SafeModeScope`, True by default) decides whether
    configs carrying Python bytecode (Lambda) may load.
    """
    # Every class is registered by now: importing any cornu module runs `cornu/__init__`,
    # which imports every package (models register Sequential, Model, Functional).
    from cornu.layers.layer import registry
    from cornu.utils.registry import CustomObjectScope, SafeModeScope
    if isinstance(config, str):
        config = json.loads(config)
    if safe_mode is not None:
        with SafeModeScope(safe_mode):
            return deserialize_layer(config, custom_objects)
    class_name = config["class_name"]
    if class_name == "Model":
        class_name = "Functional"
    cls = registry.lookup(class_name, custom_objects)
    inner = config.get("config", {})
    if isinstance(inner, dict):
        inner = clean_layer_config(cls, inner)
    kwargs = {}
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        kwargs["custom_objects"] = custom_objects
    with CustomObjectScope(custom_objects or {}):
        layer = cls.from_config(inner, **kwargs)
    build = config.get("build_config")
    shape = (build or {}).get("input_shape")
    if shape is not None and not layer.built:
        single = all(d is None or isinstance(d, int) for d in shape)
        layer._build_once(tuple(shape) if single else [tuple(s) for s in shape])
    return layer
