"""Sequential: a linear stack of layers, built on the functional graph.

When the first layer declares an input shape (`input_shape=`, `input_dim=`, `batch_input_shape=`
or an `Input`/`InputLayer`), every `add()` calls the new layer on the graph's last symbolic
tensor, so shapes and weights exist at once. Otherwise the model waits for its first data
(`fit`, `predict`, a call) and builds from that, as Keras does.
"""
from cornu.graph.keras_tensor import KerasTensor
from cornu.layers.core.embedding import Embedding
from cornu.layers.core.input_layer import Input, InputLayer
from cornu.layers.layer import Layer, registry
from cornu.models.functional import Functional
from cornu.models.model import LayerList, Model


@registry.register()
class Sequential(Functional):
    """A model that is a plain stack of layers, each feeding the next.

    Args:
        layers: the layers, in order (more can be added with `add`).
        name: the model's name (default `sequential`, `sequential_1`, ...).
        trainable: whether its weights train.

    Give the first layer an input shape (`input_shape=`, or an `Input` first) to build the
    model at once; otherwise it builds on its first batch.

    >>> model = keras.Sequential([Dense(8, activation="relu", input_shape=(4,)), Dense(1)])
    >>> model.output_shape
    (None, 1)
    """

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
        self._track_layer(layer)
        if self._input_tensor is None and len(self._stack) == 1:
            shape = _declared_input_shape(layer)
            dtype = getattr(layer, "input_dtype", None)
            if isinstance(shape, list):  # a multi-input first layer (Keras 1's Merge of models)
                self._input_tensor = [Input(batch_shape=s, dtype=dtype) for s in shape]
            elif shape is not None:
                self._input_tensor = Input(batch_shape=shape, dtype=dtype,
                                           name=self._input_name(layer))
        if rebuild and self.built and len(self._stack) > 1 and len(self.outputs) == 1:
            self._extend(layer)  # call only the new layer: n adds cost n calls, not n²/2
        elif rebuild:
            self._rebuild()

    @staticmethod
    def _input_name(first_layer):
        # tf.keras 2 names a Sequential's implicit input after its first layer.
        return f"{first_layer.name}_input"

    def pop(self, rebuild=True):
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self._untrack_layer(layer)
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
        self._track_layer()

    def _extend(self, layer):
        before = len(layer._inbound_nodes)
        x = layer(self.outputs[0])
        self._graph_nodes.extend((layer, n) for n in layer._inbound_nodes[before:])
        self._init_graph(self._input_tensor, x)
        self._track_layer()

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
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list)):
            self._input_tensor = [Input(batch_shape=(None,) + tuple(s)[1:]) for s in input_shape]
        else:
            input_shape = tuple(input_shape)
            self._input_tensor = Input(batch_shape=(None,) + input_shape[1:],
                                       name=self._input_name(self._stack[0]))
        self._rebuild()

    def summary(self, *args, **kwargs):
        first = self._stack[0] if self._stack else None
        if not self.built and isinstance(first, Embedding) and first._batch_input_shape is None:
            # tf.keras 2 gave an Embedding without `input_length` the input shape `(None,)`,
            # so its summary printed shapes (docs/ERAS.md); construction stays lazy.
            try:
                self.build((None, None))
            except (ValueError, TypeError):
                self._input_tensor = None  # a later layer needs the length: stay unbuilt
        super().summary(*args, **kwargs)

    def _build_once(self, input_shape):
        self.build(input_shape)

    @property
    def layers(self):
        held = self._modules.get("layers")
        return held if held is not None else LayerList()

    def _layer_list(self):
        return self._stack

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
        """Keras 3's layout: `layers` starts with the InputLayer when the input is known."""
        from cornu.models.serialization import layer_entry
        layers = [layer_entry(layer) for layer in self._stack]
        config = {"name": self.name, "trainable": self.trainable, "layers": layers}
        if isinstance(self._input_tensor, KerasTensor):
            layers.insert(0, layer_entry(self._input_tensor._keras_history[0]))
            config["build_input_shape"] = self._input_tensor.shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.layers import deserialize
        if isinstance(config, list):  # Keras 1/2.0: the config is the list of layers
            config = {"layers": config}
        model = cls(name=config.get("name"))
        for layer_config in config.get("layers", []):
            layer = deserialize(layer_config, custom_objects)
            model.add(layer, rebuild=False)
        shape = config.get("build_input_shape")
        if model._input_tensor is None and model._stack:
            declared = _declared_input_shape(model._stack[0])
            if declared is not None and not isinstance(declared, list):
                model._input_tensor = Input(batch_shape=declared)
            elif shape is not None:
                model._input_tensor = Input(batch_shape=(None,) + tuple(shape)[1:])
        model._rebuild()
        return model


def _declared_input_shape(layer):
    """The batch input shape a first layer declares (a list for several inputs), or None."""
    if isinstance(layer, Functional) and getattr(layer, "inputs", None):
        shapes = [t.shape for t in layer.inputs]
        return shapes[0] if len(shapes) == 1 else shapes
    return layer._batch_input_shape
