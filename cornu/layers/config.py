"""A layer's config from its constructor (scikit-learn's contract, Keras 3's JSON).

`Layer.get_config` writes each constructor parameter from the attribute of the same name,
serialized by type (`serialize`). Which parameters a class has is read from its `__init__`
signatures once per class (`constructor_keys`, cached), never per call. A class adjusts the
list with two class attributes:

- `_config_omit`: parameters Keras 3 leaves out of its config (Dense's `activity_regularizer`,
  written only when set, as Keras's base layer does).
- `_config_extra`: keys Keras 3 adds with a fixed value (`quantization_config: None`).
"""
import inspect

import torch

from cornu import activations, constraints, initializers, regularizers
from cornu.backend.config import floatx

# Written by the base layer itself (or never written: shapes live in the InputLayer).
_BASE = frozenset({"self", "name", "trainable", "dtype"})


def constructor_keys(cls):
    """The constructor parameters `cls.get_config` writes, in signature order (cached)."""
    cached = cls.__dict__.get("_config_keys_cache")
    if cached is not None:
        return cached
    from cornu.layers.layer import Layer
    keys, strict = [], []
    for klass in cls.__mro__:
        if klass is Layer or not issubclass(klass, Layer):
            break
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        builtin = klass.__module__.startswith("cornu.")
        # A user's class that writes its own get_config says which of its arguments to keep.
        skip = not builtin and "get_config" in klass.__dict__
        params = inspect.signature(inspect.unwrap(init)).parameters.values()
        for p in params:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in _BASE or skip:
                continue
            if p.name not in keys:
                keys.append(p.name)
                strict.append(builtin)
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            break
    omit = set(getattr(cls, "_config_omit", ()))
    cached = tuple((k, s) for k, s in zip(keys, strict) if k not in omit)
    cls._config_keys_cache = cached
    return cached


_MISSING = object()


def from_constructor(layer):
    """The default `Layer.get_config`: base keys, then each constructor argument by type."""
    config = {"name": layer.name, "trainable": layer.trainable,
              "dtype": dtype_policy(layer.dtype)}
    if layer.activity_regularizer is not None:
        config["activity_regularizer"] = regularizers.serialize(layer.activity_regularizer)
    # A class that writes its own get_config on top of this one fills in the arguments it keeps
    # under other names: here only the attributes that exist count.
    overridden = any("get_config" in vars(c) for c in type(layer).__mro__
                     if c.__name__ != "Layer" and c.__module__ != "cornu.layers.layer")
    for key, strict in constructor_keys(type(layer)):
        strict = strict and not overridden
        try:
            value = getattr(layer, key)
        except AttributeError:
            # an argument whose name is taken by a Layer property (MultiHeadAttention's
            # `output_shape`) is kept as `_<name>`
            value = layer.__dict__.get(f"_{key}", _MISSING)
            if value is not _MISSING:
                config[key] = serialize(value, key)
                continue
            if not strict:
                continue  # a user's argument kept under another name
            raise AttributeError(f"{type(layer).__name__}.get_config: the constructor argument "
                                 f"{key!r} has no attribute of the same name.") from None
        config[key] = serialize(value, key)
    config.update(layer._config_extra)
    return config


def layer_entry(layer):
    """`{"module", "class_name", "config", "registered_name"}` of a (nested) layer, with its
    `build_config` once built, as Keras 3 writes them."""
    module, class_name, registered = keras_module(layer)
    entry = {"module": module, "class_name": class_name, "config": layer.get_config(),
             "registered_name": registered}
    shape = layer.__dict__.get("_build_input_shape") if layer.built else None
    if shape is not None:
        entry["build_config"] = {"input_shape": _plain_shape(shape)}
    return entry


# Where Keras 3.15 says its models live (its loader imports `module` to find the class).
_MODEL_MODULES = {"Functional": ("keras.src.models.functional", "Functional"),
                  "Model": ("keras.src.models.functional", "Functional"),
                  "Sequential": ("keras", None)}


def keras_module(layer):
    """(module, class_name, registered_name) that Keras 3 writes for `layer`'s class."""
    cls = type(layer)
    if not cls.__module__.startswith("cornu."):
        return cls.__module__, cls.__name__, cls.__name__
    if cls.__name__ in _MODEL_MODULES:
        module, registered = _MODEL_MODULES[cls.__name__]
        return module, "Functional" if cls.__name__ == "Model" else cls.__name__, registered
    return "keras.layers", cls.__name__, None


def _plain_shape(shape):
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int) for d in shape):
        return list(shape)
    if isinstance(shape, (list, tuple)):
        return [_plain_shape(s) for s in shape]
    return shape


def serialize(value, key=""):
    """The JSON-ready form of one constructor argument, chosen by its type."""
    from cornu.layers.layer import Layer
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Layer):
        return layer_entry(value)
    if isinstance(value, initializers.Initializer):
        return initializers.serialize(value)
    if isinstance(value, regularizers.Regularizer):
        return regularizers.serialize(value)
    if isinstance(value, constraints.Constraint):
        return constraints.serialize(value)
    if key.endswith("activation") and callable(value):
        return activations.serialize(value)
    if isinstance(value, torch.nn.ModuleList):
        return [serialize(v) for v in value]
    if isinstance(value, (list, tuple)):
        return type(value)(serialize(v) for v in value)
    return value


def dtype_policy(dtype):
    """Keras 3's `DTypePolicy` entry for a dtype name."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": dtype},
            "registered_name": None}


def dtype_from_config(dtype):
    """A dtype name from a name or a Keras 3 policy dict (mixed policies: `floatx()`)."""
    if not isinstance(dtype, dict):
        return dtype
    inner = dtype.get("config")
    name = inner.get("name") if isinstance(inner, dict) else None
    return floatx() if name is None or str(name).startswith("mixed") else name


def check_quantization_config(layer, quantization_config):
    """Keras 3.15 writes `quantization_config: null`; a quantized layer cornu cannot load."""
    if quantization_config is not None:
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: `quantization_config` must be "
                         f"None (cornu does not quantize layers), got {quantization_config!r}.")
