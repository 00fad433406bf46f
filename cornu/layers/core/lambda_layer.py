"""Lambda (a function as a layer), Identity, and TorchOp (an op on symbolic tensors)."""
import base64
import importlib
import inspect
import marshal
import types

from cornu.backend import layout as layouts
from cornu.graph.keras_tensor import KerasTensor
from cornu.graph.symbolic import resolve, set_node_factory
from cornu.backend.naming import uniquify
from cornu.layers.layer import Layer, _shapes_to_tensors, registry
from cornu.utils import nest
from cornu.utils.registry import get_custom_objects, in_safe_mode


@registry.register()
class Lambda(Layer):
    """Wraps a function of tensors as a layer: `Lambda(lambda x: x ** 2)`.

    Args:
        function: a function of the input tensor(s) (torch tensors; `cornu.backend` math works).
        output_shape: the output shape without the batch dimension (a tuple), or a function
            of the full input shape returning the full output shape (Keras 1/2). When omitted,
            the shape is found by running `function` on the `meta` device.
        mask: None (the layer drops an input mask), a function `mask(inputs, previous_mask)`
            returning the output mask, or a fixed boolean mask for every output. A `function`
            that takes `mask` receives the input's mask.
        arguments: extra keyword arguments passed to `function`.

    A Lambda saved in a config stores the function's bytecode; loading it executes that code,
    so it needs `safe_mode=False` (as in Keras 3). Named functions registered as custom objects
    load without it.
    """

    _config_omit = ("function", "output_shape", "mask", "arguments")  # see get_config
    supports_masking = False  # True for a Lambda given a `mask`

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda {self.name!r}: `function` must be callable, got {function!r}.")
        self.function = function
        self.arguments = dict(arguments or {})
        if output_shape is not None and not callable(output_shape) and (
                isinstance(output_shape, (str, bytes)) or not hasattr(output_shape, "__iter__")):
            raise TypeError(f"Lambda {self.name!r}: `output_shape` must be a tuple (without the "
                            f"batch axis) or a function of the input shape; received "
                            f"output_shape={output_shape!r}.")
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_takes_training = "training" in params
        self._fn_takes_mask = "mask" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_training:
            kwargs["training"] = training
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, previous_mask=None):
        if callable(self.mask):
            return self.mask(inputs, previous_mask)
        return self.mask

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:
            return self._meta_run(args, kwargs)
        return _shapes_to_tensors(self.compute_output_shape(_shapes(args[0])), self.dtype)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = nest.flatten(input_shape)[0] if input_shape else None
        batch = first if first is None or isinstance(first, int) else None
        return (batch,) + tuple(self._output_shape)

    def get_config(self):
        # A function is written as its name or bytecode, which no constructor argument holds.
        config = super().get_config()
        config.update(_dump_function(self.function, "function"))
        if callable(self._output_shape):
            config.update(_dump_function(self._output_shape, "output_shape"))
        else:
            config["output_shape"] = self._output_shape
        if callable(self.mask):
            config.update(_dump_function(self.mask, "mask"))
        elif self.mask is not None:
            raise ValueError(f"Lambda {self.name!r}: a fixed `mask` tensor cannot be written to "
                             "a config; pass a function `mask(inputs, previous_mask)` instead.")
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        config = dict(config)
        safe_mode = in_safe_mode() if safe_mode is None else safe_mode
        if "module" in config:  # tf.keras 2 names the function's module `module`
            config.setdefault("function_module", config.pop("module"))
        for key in ("function", "output_shape", "mask"):
            kind = config.pop(f"{key}_type", None)
            module = config.pop(f"{key}_module", None)
            if config.get(key) is not None and kind not in (None, "raw"):  # raw: the value
                config[key] = _load_function(config[key], kind, module, custom_objects,
                                             safe_mode)
            elif isinstance(config.get(key), dict) and config[key].get("class_name") in (
                    "__lambda__", "function"):  # Keras 3's layouts
                config[key] = _load_keras3_function(config[key], custom_objects, safe_mode)
        if isinstance(config.get("output_shape"), list):
            config["output_shape"] = tuple(config["output_shape"])
        return cls(**config)


@registry.register()
class Identity(Layer):
    """Returns its input unchanged (a placeholder layer)."""

    layout = layouts.ANY

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


@registry.register()
class TorchOp(Layer):
    """One op on symbolic tensors (`x + y`, `x[:, 0]`, `K.mean(x, axis=1)`) as a graph node.

    `op` names an operator (`add`, `get_item`, ...) or a `cornu.backend` function (`mean`,
    `concatenate`, ...), so a model holding the node can be saved and rebuilt. A plain callable
    also works, but such a node cannot be saved. Constant arguments are kept in the node.
    """

    def __init__(self, op, **kwargs):
        if callable(op):
            self.fn, self.op = op, None
        else:
            self.fn, self.op = resolve(op), str(op)
        kwargs.setdefault("name", uniquify(self.op or "torch_op"))
        super().__init__(**kwargs)
        self.built = True
        self._elementwise = self.op in _ELEMENTWISE

    def call(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def _symbolic_call(self, args, kwargs):
        # Element-wise ops run in either layout when all their tensors share one rank.
        tensors = [t for t in nest.flatten([list(args), kwargs]) if hasattr(t, "ndim")]
        same_rank = len({t.ndim for t in tensors}) == 1
        self.layout = layouts.ANY if self._elementwise and same_rank else layouts.KERAS
        return super()._symbolic_call(args, kwargs)

    def get_config(self):
        # cornu's own op recorder: only the op's name can be written (Keras has no such layer).
        if self.op is None:
            raise ValueError(f"TorchOp {self.name!r} wraps the function {self.fn!r}, which "
                             "cannot be saved; use a Lambda layer for custom functions.")
        return {"name": self.name, "op": self.op}


_ELEMENTWISE = {"add", "radd", "subtract", "rsubtract", "multiply", "rmultiply", "divide",
                "rdivide", "power", "rpower", "negative", "absolute", "less", "greater",
                "less_equal", "greater_equal", "square", "sqrt", "exp", "log", "abs", "sigmoid",
                "relu", "tanh", "clip", "maximum", "minimum", "equal", "not_equal", "cast",
                "switch", "round", "sign", "pow", "elu", "softplus", "softsign"}


set_node_factory(TorchOp)  # cornu.graph records ops on symbolic tensors as TorchOp nodes


def _shapes(structure):
    return nest.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, structure)


# ----------------------------------------------------------- function (de)serialization
def _dump_function(fn, key):
    """tf.keras 2's layout: `key`, `key_type` ('function' or 'lambda') and the module, under
    `module` for the function and `output_shape_module` for the output shape (tf.keras 2's
    names, which its `from_config` reads)."""
    name = getattr(fn, "__name__", "<lambda>")
    module_key = "module" if key == "function" else f"{key}_module"
    if name != "<lambda>" and not getattr(fn, "__closure__", None):
        return {key: name, f"{key}_type": "function", module_key: getattr(fn, "__module__", None)}
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    defaults = list(fn.__defaults__) if fn.__defaults__ else None
    closure = [cell.cell_contents for cell in fn.__closure__ or ()]
    if not all(_plain(value) for value in closure):
        closure = []  # as before: a closure of objects cannot be written to JSON
    return {key: [code, defaults, closure or None], f"{key}_type": "lambda",
            module_key: getattr(fn, "__module__", None)}


def _plain(value):
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, float, str))


def _load_function(value, kind, module, custom_objects, safe_mode):
    if kind == "function":
        objects = {**get_custom_objects(), **(custom_objects or {})}
        if value in objects:
            return objects[value]
        from cornu import backend
        if module and module.startswith(("cornu.", "keras")) and hasattr(backend, value):
            return getattr(backend, value)
        if safe_mode:
            raise ValueError(f"Lambda function {value!r} (module {module!r}) is not a registered "
                             "custom object. Pass it in `custom_objects`, or load with "
                             "`safe_mode=False` to import it from its module.")
        return getattr(importlib.import_module(module), value)
    if safe_mode:
        raise ValueError("Loading a Lambda layer's Python bytecode executes code from the "
                         "config. Pass `safe_mode=False` if you trust its source.")
    code, defaults, closure = (list(value) + [None, None])[:3] if isinstance(
        value, (list, tuple)) else (value, None, None)
    try:
        code = marshal.loads(base64.b64decode(code))
        cells = None if closure is None else tuple(types.CellType(v) for v in closure)
        return types.FunctionType(code, _globals_for(module), code.co_name,
                                  tuple(defaults) if defaults else None, cells)
    except (TypeError, ValueError, EOFError) as error:
        raise ValueError(f"A Lambda layer's function bytecode in the config cannot be loaded "
                         f"({type(error).__name__}: {error}). Bytecode only loads in the "
                         "Python version that wrote it; rebuild the Lambda in code.") from None


def _load_keras3_function(config, custom_objects, safe_mode):
    """Keras 3's layouts: `{"class_name": "__lambda__", "config": {"code", "defaults",
    "closure"}}` (the Lambda layer's), `{"class_name": "__lambda__", "config": {"value"}}`
    (Keras's other serialized lambdas), or a function by name (`"class_name": "function"`)."""
    if config.get("class_name") == "__lambda__":
        inner = config.get("config") or {}
        value = ([inner.get("code"), inner.get("defaults"), inner.get("closure")]
                 if "code" in inner else inner.get("value"))
        return _load_function(value, "lambda", None, custom_objects, safe_mode)
    name = config.get("config")
    return _load_function(name, "function", config.get("module"), custom_objects, safe_mode)


def _globals_for(module):
    """Bytecode runs with its module's globals when importable, else with the backend's."""
    from cornu import backend
    scope = {"K": backend, "backend": backend}
    try:
        scope.update(vars(importlib.import_module(module)) if module else {})
    except ImportError:
        pass
    import numpy
    import torch
    scope.setdefault("np", numpy)
    scope.setdefault("torch", torch)
    return scope
