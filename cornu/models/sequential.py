"""Sequential: a linear stack of layers, built on the functional graph.

When the first layer declares an input shape (`input_shape=`, `input_dim=`, `batch_input_shape=`
or an `Input`/`InputLayer`), every `add()` calls the new layer on the graph's last symbolic
tensor, so shapes and weights exist at once. Otherwise the model waits for its first data
(`fit`, `predict`, a call) and builds from that, as Keras does.
"""
from cornu.backend.keras_tensor import KerasTensor
from cornu.layers.core.input_layer import Input, InputLayer
from cornu.layers.layer import Layer, registry
from cornu.models.functional import Functional
from cornu.models.model import Model


@registry.register()
class Sequential(Functional):
    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._stack = []
        self._input_tensor = None
        self._graph_nodes = []
        self.built = False
        for layer in layers or []:
            self.add(layer)

    @classmethod
    def _default_name(cls):
        return "sequential"

    def add(self, layer, rebuild=True):
        if isinstance(layer, KerasTensor) and isinstance(layer._keras_history[0], InputLayer):
            layer = layer._keras_history[0]
        if isinstance(layer, InputLayer):
            if self._stack:
                raise ValueError(f"Sequential {self.name!r}: an InputLayer can only be the first "
                                 "layer added.")
            self._input_tensor = layer._input_tensor
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add() expects a Layer instance; received {layer!r} "
                            f"(of type {type(layer).__name__}).")
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(f"All layers added to a Sequential model should have unique names. "
                             f"Name {layer.name!r} is already the name of a layer in this model.")
        self._stack.append(layer)
        self.add_module(layer.name, layer)
        if self._input_tensor is None and len(self._stack) == 1:
            shape = _declared_input_shape(layer)
            if shape is not None:
                self._input_tensor = Input(batch_shape=shape, dtype=getattr(layer, "input_dtype", None))
        if rebuild:
            self._rebuild()

    def pop(self, rebuild=True):
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        del self._modules[layer.name]
        if rebuild:
            self._rebuild()
        return layer

    def _rebuild(self):
        self._forget_graph_nodes()
        if self._input_tensor is None or not self._stack:
            self.built = False
            return
        x = self._input_tensor
        for layer in self._stack:
            before = len(layer._inbound_nodes)
            x = layer(x)
            self._graph_nodes.extend((layer, n) for n in layer._inbound_nodes[before:])
        self._init_graph(self._input_tensor, x)
        for layer in self._stack:
            self.add_module(layer.name, layer)

    def _forget_graph_nodes(self):
        """Drops the nodes of the previous rebuild, so layers keep one node per model graph."""
        for layer, node in reversed(self._graph_nodes):
            if layer._inbound_nodes and layer._inbound_nodes[-1] is node:
                layer._inbound_nodes.pop()
                for tensor in node.input_tensors:
                    if tensor._keras_history is not None:
                        parent = tensor._keras_history[0]
                        if parent._outbound_nodes and parent._outbound_nodes[-1] is node:
                            parent._outbound_nodes.pop()
        self._graph_nodes = []

    def build(self, input_shape=None):
        """Builds the model for inputs of `input_shape` (batch dimension included)."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError(f"Sequential {self.name!r} cannot be built without an input shape.")
        if not self._stack:
            raise ValueError(f"Sequential {self.name!r} has no layers to build.")
        input_shape = tuple(input_shape)
        self._input_tensor = Input(batch_shape=(None,) + input_shape[1:])
        self._rebuild()

    def _build_once(self, input_shape):
        self.build(input_shape)

    @property
    def layers(self):
        return list(self._stack)

    @property
    def input_shape(self):
        if not self.built:
            raise AttributeError(f"Sequential {self.name!r} has not been built yet, so it has no "
                                 "input shape. Give the first layer an `input_shape`, or call "
                                 "the model on data.")
        return super().input_shape

    @property
    def output_shape(self):
        if not self.built:
            raise AttributeError(f"Sequential {self.name!r} has not been built yet, so it has no "
                                 "output shape. Give the first layer an `input_shape`, or call "
                                 "the model on data.")
        return super().output_shape

    def get_config(self):
        from cornu.utils.registry import serialize
        layers = []
        if self._input_tensor is not None:
            input_layer = self._input_tensor._keras_history[0]
            layers.append({"module": "keras.layers", "class_name": "InputLayer",
                           "config": input_layer.get_config(), "registered_name": None})
        for layer in self._stack:
            entry = serialize(layer)
            entry = {"module": "keras.layers", **entry, "registered_name": None}
            layers.append(entry)
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype,
                  "layers": layers}
        if self._input_tensor is not None:
            config["build_input_shape"] = list(self._input_tensor.shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=True):
        """Reads Keras 1 (a list of layer configs), Keras 2 and Keras 3 Sequential configs."""
        from cornu.saving.serialization import deserialize_layer
        if isinstance(config, list):  # Keras 1
            config = {"layers": config}
        model = cls(name=config.get("name"))
        for layer_config in config.get("layers", []):
            layer = deserialize_layer(layer_config, custom_objects, safe_mode)
            model.add(layer, rebuild=False)
        shape = config.get("build_input_shape")
        if model._input_tensor is None and model._stack:
            declared = _declared_input_shape(model._stack[0])
            if declared is not None:
                model._input_tensor = Input(batch_shape=declared)
            elif shape is not None:
                model._input_tensor = Input(batch_shape=(None,) + tuple(shape)[1:])
        model._rebuild()
        return model


def _declared_input_shape(layer):
    if isinstance(layer, Functional) and getattr(layer, "inputs", None):
        return layer.inputs[0].shape if len(layer.inputs) == 1 else None
    return layer._batch_input_shape
