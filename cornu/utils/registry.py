"""Name registries: every serializable object is found by its name and its aliases.

One `Registry` per kind (layers, activations, losses, ...). `get()` accepts what Keras accepts
everywhere: a name, a `{'class_name': ..., 'config': ...}` dict, an instance or a callable.
"""
import difflib
import inspect

_CUSTOM_OBJECTS = {}


class Registry:
    def __init__(self, kind):
        self.kind = kind
        self._by_name = {}

    def register(self, *aliases):
        """Decorator: registers a class or function under its own name and `aliases`."""
        def decorator(obj):
            for name in (obj.__name__,) + aliases:
                self._by_name[name] = obj
            return obj
        return decorator

    def add(self, name, obj):
        self._by_name[name] = obj

    def names(self):
        return sorted(self._by_name)

    def __contains__(self, name):
        return name in self._by_name

    def lookup(self, name, custom_objects=None):
        """Finds a registered object by name; raises a ValueError listing close matches."""
        for table in (custom_objects or {}, _CUSTOM_OBJECTS, self._by_name):
            if name in table:
                return table[name]
        lowered = {k.lower(): v for k, v in self._by_name.items()}
        if isinstance(name, str) and name.lower() in lowered:
            return lowered[name.lower()]
        close = difflib.get_close_matches(str(name), self.names(), n=5, cutoff=0.6)
        hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"Unknown {self.kind}: {name!r}.{hint} "
                         f"Known {self.kind}{'es' if self.kind.endswith('s') else 's'}: {', '.join(self.names())}.")

    def get(self, identifier, custom_objects=None, instantiate=True):
        """Resolves `identifier` (None, name, config dict, class, instance or callable)."""
        if identifier is None:
            return None
        if isinstance(identifier, dict):
            return deserialize(identifier, self, custom_objects)
        if isinstance(identifier, str):
            obj = self.lookup(identifier, custom_objects)
            if inspect.isclass(obj) and instantiate:
                return obj()
            return obj
        if inspect.isclass(identifier) and instantiate:
            return identifier()
        if callable(identifier) or hasattr(identifier, "get_config"):
            return identifier
        raise ValueError(f"Could not interpret {self.kind} identifier: {identifier!r}")


def serialize(obj):
    """`{'class_name': ..., 'config': ...}` for objects with `get_config`, the name for functions."""
    if obj is None:
        return None
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if hasattr(obj, "__name__"):
        return obj.__name__
    raise ValueError(f"Cannot serialize {obj!r}: it has no `get_config()` and no name.")


def accepted_arguments(cls):
    """The keyword arguments `cls(...)` accepts, or None when it takes any (`**kwargs`)."""
    names = set()
    for klass in inspect.getmro(cls):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        init = inspect.unwrap(init)
        params = inspect.signature(init).parameters.values()
        names.update(p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            return names - {"self"}
    return None


def drop_unknown_keys(cls, config):
    """Config keys another Keras version wrote that `cls` has no argument for are dropped."""
    accepted = accepted_arguments(cls)
    if accepted is None:
        return config
    return {k: v for k, v in config.items() if k in accepted}


def deserialize(config, registry, custom_objects=None):
    if isinstance(config, str):
        return registry.get(config, custom_objects)
    class_name = config["class_name"]
    cls = registry.lookup(class_name, custom_objects)
    inner = config.get("config", {})
    if not inspect.isclass(cls):
        return cls
    try:
        return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)
    except TypeError:
        # A config written by another Keras version may carry keys this class has no use for.
        inner = drop_unknown_keys(cls, inner)
        return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)


class CustomObjectScope:
    """`with CustomObjectScope({'MyLayer': MyLayer}):` makes custom names resolvable."""

    def __init__(self, *objects):
        self._objects = {}
        for mapping in objects:
            self._objects.update(mapping)

    def __enter__(self):
        self._saved = dict(_CUSTOM_OBJECTS)
        _CUSTOM_OBJECTS.update(self._objects)
        return self

    def __exit__(self, *exc):
        _CUSTOM_OBJECTS.clear()
        _CUSTOM_OBJECTS.update(self._saved)


custom_object_scope = CustomObjectScope


def get_custom_objects():
    return _CUSTOM_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    def decorator(obj):
        key = name or obj.__name__
        _CUSTOM_OBJECTS[key] = obj
        _CUSTOM_OBJECTS[f"{package}>{key}"] = obj
        return obj
    return decorator


# Safe mode: loading never runs code stored in a config (a Lambda's bytecode) unless asked.
_SAFE_MODE = [True]


def in_safe_mode():
    return _SAFE_MODE[-1]


class SafeModeScope:
    """`with SafeModeScope(False):` allows loading configs that carry Python bytecode."""

    def __init__(self, safe_mode=True):
        self.safe_mode = True if safe_mode is None else bool(safe_mode)

    def __enter__(self):
        _SAFE_MODE.append(self.safe_mode)
        return self

    def __exit__(self, *exc):
        _SAFE_MODE.pop()


def enable_unsafe_deserialization():
    """Keras 3's switch: from now on, loading may run code stored in configs."""
    _SAFE_MODE[0] = False
