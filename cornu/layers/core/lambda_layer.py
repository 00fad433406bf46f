"""Lambda (a function as a layer) and TorchOp (arithmetic on symbolic tensors)."""
import inspect

from cornu.layers.layer import Layer, registry


@registry.register()
class Lambda(Layer):
    """Wraps a function of tensors as a layer: `Lambda(lambda x: x ** 2)`.

    `output_shape` (a shape without the batch dimension, or a function of the input shape) is
    used when given; otherwise the shape is found by running the function on the `meta` device.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_takes_training = "training" in params

    def call(self, inputs, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:
            return super().compute_output_spec(*args, **kwargs)
        from cornu.layers.layer import _shapes_to_tensors
        from cornu.utils import nest
        input_shape = nest.map_structure(lambda t: t.shape, args[0])
        if callable(self._output_shape):
            shape = self._output_shape(input_shape)
        else:
            batch = nest.flatten(input_shape)[0] if input_shape else None
            shape = (batch,) + tuple(self._output_shape)
        return _shapes_to_tensors(shape, self.dtype)

    def get_config(self):
        import marshal, base64
        config = super().get_config()
        fn = self.function
        if getattr(fn, "__name__", "<lambda>") != "<lambda>" and not fn.__closure__:
            config["function"] = fn.__name__
            config["function_type"] = "function"
        else:
            config["function"] = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
            config["function_type"] = "lambda"
        config["output_shape"] = self._output_shape if not callable(self._output_shape) else None
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=True):
        config = dict(config)
        kind = config.pop("function_type", "function")
        fn = config["function"]
        if kind == "lambda":
            if safe_mode:
                raise ValueError("Loading a Lambda layer's bytecode executes code from the file; "
                                 "pass `safe_mode=False` if you trust its source.")
            import marshal, base64, types
            code = marshal.loads(base64.b64decode(fn))
            config["function"] = types.FunctionType(code, globals())
        elif isinstance(fn, str):
            from cornu.utils.registry import get_custom_objects
            objects = {**get_custom_objects(), **(custom_objects or {})}
            if fn not in objects:
                raise ValueError(f"Lambda function {fn!r} is not a registered custom object.")
            config["function"] = objects[fn]
        return cls(**config)


class TorchOp(Layer):
    """A torch function of several (symbolic or constant) arguments, recorded as a graph node."""

    def __init__(self, fn, **kwargs):
        super().__init__(**kwargs)
        self.fn = fn

    def call(self, *args):
        return self.fn(*args)

    def _symbolic_call(self, args, kwargs):
        self.built = True
        return super()._symbolic_call(args, kwargs)
