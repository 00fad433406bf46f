"""Keras 0.x and 1's graph-building forms, mapped onto today's functional graph.

- `Merge([...], mode=...)` and `merge(...)` (Keras 1): translated into the Keras 3 merge layer
  for the mode (`'sum'` → `Add`, `'mul'` → `Multiply`, `'ave'` → `Average`, `'max'` →
  `Maximum`, `'concat'` → `Concatenate(axis=concat_axis)`, `'dot'` → `Dot(axes=dot_axes)`,
  `'cos'` → `Dot(axes=dot_axes, normalize=True)`, a callable → `Lambda`). Given models or
  called layers instead of tensors, `Merge` returns a functional model over their inputs, which
  a `Sequential` accepts as its first layer (`model.fit([x1, x2], y)`).
- `containers.Sequential` (Keras 0.x) is `Sequential`.
- `AutoEncoder(encoder, decoder, output_reconstruction)` (Keras 0.x): trains on the
  reconstruction; predicts the codes when `output_reconstruction=False`.
- `Graph` (Keras 0.x/1): named inputs, nodes and outputs, trained and queried with dicts.

Keras 1's 'cos' mode returned `(batch, 1, 1)` while declaring `(batch, 1)`; cornu returns the
declared `(batch, 1)`, which is what `Dot(normalize=True)` computes.
"""
import collections

from cornu.compat.legacy_layers.recurrent import Recurrent  # noqa: F401 (keras.legacy.layers)
from cornu.graph.keras_tensor import KerasTensor
from cornu.backend.naming import uniquify
from cornu.layers.core.input_layer import Input
from cornu.layers.core.lambda_layer import Identity, Lambda
from cornu.layers.layer import Layer, registry
from cornu.layers.merging import Add, Average, Concatenate, Dot, Maximum, Multiply
from cornu.models.functional import Functional, get_source_inputs
from cornu.models.model import Model
from cornu.models.sequential import Sequential

LAYERS = ("Merge", "merge", "AutoEncoder", "containers")
MODELS = ("Graph",)
_MODES = ("sum", "mul", "concat", "ave", "max", "dot", "cos")


def _dot_axes(dot_axes):
    # Keras 0.x wrote dot_axes as [[1], [1]]; Keras 1 as an int or a pair.
    if isinstance(dot_axes, (list, tuple)):
        return tuple(a[0] if isinstance(a, (list, tuple)) else a for a in dot_axes)
    return dot_axes


def _merge_layer(mode, concat_axis=-1, dot_axes=-1, output_shape=None, arguments=None,
                 name=None):
    """The Keras 3 layer that does what Keras 1's Merge `mode` did."""
    kwargs = {"name": name} if name else {}
    if callable(mode):
        return Lambda(mode, output_shape=output_shape, arguments=arguments, **kwargs)
    if mode not in _MODES:
        raise ValueError(f"Invalid merge mode: {mode!r}; expected one of {list(_MODES)} or a "
                         "function of a list of tensors.")
    if mode == "concat":
        return Concatenate(axis=concat_axis, **kwargs)
    if mode in ("dot", "cos"):
        return Dot(axes=_dot_axes(dot_axes), normalize=mode == "cos", **kwargs)
    return {"sum": Add, "mul": Multiply, "ave": Average, "max": Maximum}[mode](**kwargs)


def _outputs_of(layers, node_indices, tensor_indices):
    outputs = []
    for i, layer in enumerate(layers):
        if isinstance(layer, KerasTensor):
            outputs.append(layer)
            continue
        if isinstance(layer, Functional) and getattr(layer, "outputs", None):
            tensors = list(layer.outputs)
        elif layer._inbound_nodes:
            node = layer._inbound_nodes[node_indices[i] if node_indices else 0]
            tensors = node.output_tensors
        else:
            raise ValueError(f"Merge: layer {layer.name!r} has no output yet; give the first "
                             "layer of each merged model an `input_shape` (or `input_dim`).")
        outputs.append(tensors[tensor_indices[i] if tensor_indices else 0])
    return outputs


def Merge(layers=None, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None,
          output_mask=None, arguments=None, node_indices=None, tensor_indices=None, name=None,
          **kwargs):
    """Keras 1's `Merge`: a merge layer for `mode`, or, given `layers` (models or called
    layers), a functional model whose inputs are theirs and whose output is their merge."""
    for key in ("mode_type", "output_shape_type", "output_mask_type"):
        if kwargs.pop(key, "raw") not in ("raw", "function"):
            raise ValueError("This Merge config stores Python bytecode for its function, which "
                             "cornu does not load; rebuild the layer in code.")
    if kwargs:
        raise TypeError(f"Merge: unexpected keyword argument(s) {sorted(kwargs)}.")
    if isinstance(mode, str) and mode not in _MODES:
        from cornu.utils.registry import get_custom_objects
        mode = get_custom_objects().get(mode, mode)
    if not layers:
        return _merge_layer(mode, concat_axis, dot_axes, output_shape, arguments, name)
    if not isinstance(layers, (list, tuple)) or len(layers) < 2:
        raise TypeError(f"A Merge should be applied to a list of at least 2 layers or models; "
                        f"received {layers!r}.")
    outputs = _outputs_of(layers, node_indices, tensor_indices)
    inputs = []
    for tensor in outputs:
        for source in get_source_inputs(tensor):
            if all(source is not seen for seen in inputs):
                inputs.append(source)
    merged = _merge_layer(mode, concat_axis, dot_axes, output_shape, arguments)(outputs)
    return Functional(inputs, merged, name=name or uniquify("merge", zero_based=False))


def _merge_from_config(config, custom_objects=None):
    return Merge(**config)


Merge.from_config = _merge_from_config
registry.add("Merge", Merge)


def merge(inputs, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
          arguments=None, name=None):
    """Keras 1's functional `merge([a, b], mode='concat')`: returns the merged tensor."""
    if all(isinstance(t, KerasTensor) for t in inputs):
        return _merge_layer(mode, concat_axis, dot_axes, output_shape, arguments, name)(inputs)
    model = Merge(inputs, mode=mode, concat_axis=concat_axis, dot_axes=dot_axes,
                  output_shape=output_shape, arguments=arguments, name=name)
    return model.outputs[0]


@registry.register()
class AutoEncoder(Layer):
    """Keras 0.x's autoencoder layer: `decoder(encoder(x))` while training.

    Args:
        encoder, decoder: layers or models (Keras 0.x: `containers.Sequential`).
        output_reconstruction: when False, the layer outputs the codes `encoder(x)` outside
            training (predict, evaluate), as Keras 0.x did; training always fits the
            reconstruction.
    """

    def __init__(self, encoder, decoder, output_reconstruction=True, tie_weights=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.output_reconstruction = bool(output_reconstruction)
        shape = getattr(encoder, "_batch_input_shape", None)
        if isinstance(encoder, Functional) and getattr(encoder, "inputs", None):
            shape = encoder.inputs[0].shape
        if shape is not None and self._batch_input_shape is None:
            self._batch_input_shape = tuple(shape)

    def build(self, input_shape):
        if not self.encoder.built:
            self.encoder._build_once(input_shape)
        if not self.decoder.built:
            self.decoder._build_once(self.encoder.compute_output_shape(input_shape))
        self.built = True

    def call(self, inputs, training=None):
        codes = self.encoder(inputs)
        if not training and not self.output_reconstruction:
            return codes
        return self.decoder(codes)

    def compute_output_shape(self, input_shape):
        codes = self.encoder.compute_output_shape(input_shape)
        return self.decoder.compute_output_shape(codes) if self.output_reconstruction else codes

    def get_config(self):
        from cornu.models.serialization import layer_entry
        return {**super().get_config(), "encoder": layer_entry(self.encoder),
                "decoder": layer_entry(self.decoder),
                "output_reconstruction": self.output_reconstruction}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.layers import deserialize
        config = dict(config)
        for key in ("encoder", "decoder"):
            config[key] = deserialize(config.pop(key, None) or config.pop(f"{key}_config"),
                                      custom_objects)
        return cls(**config)


@registry.register()
class Graph(Functional):
    """Keras 0.x/1's `Graph`: a model of named inputs, nodes and outputs.

        graph = Graph()
        graph.add_input(name="input", input_shape=(32,))
        graph.add_node(Dense(16), name="dense1", input="input")
        graph.add_node(Dense(4), name="dense2", input="dense1")
        graph.add_output(name="output", input="dense2")
        graph.compile(optimizer="rmsprop", loss={"output": "mse"})
        graph.fit({"input": x, "output": y}, nb_epoch=10)
        graph.predict({"input": x})  # {"output": array}

    Nodes with several `inputs` are merged first (`merge_mode`, default 'concat'). The graph is
    a functional model: `summary()`, `layers`, `get_layer`, weights all work as usual.
    """

    def __init__(self, name=None):
        Model.__init__(self, name=name)
        self._graph_inputs = collections.OrderedDict()   # name -> symbolic tensor
        self._graph_nodes = collections.OrderedDict()    # name -> symbolic tensor
        self._graph_outputs = collections.OrderedDict()  # name -> symbolic tensor
        self._node_layers = collections.OrderedDict()    # name -> layer
        self.built = False

    @classmethod
    def _default_name(cls):
        return "graph"

    # ------------------------------------------------------------ building
    def _claim(self, name):
        if name in self._graph_inputs or name in self._graph_nodes:
            raise ValueError(f"Graph {self.name!r}: duplicate node identifier {name!r}.")
        self.built = False

    def _tensor(self, name):
        for table in (self._graph_nodes, self._graph_inputs):
            if name in table:
                return table[name]
        raise ValueError(f"Graph {self.name!r}: unknown node/input identifier {name!r}; known: "
                         f"{list(self._graph_inputs) + list(self._graph_nodes)}.")

    def _incoming(self, name, input, inputs, merge_mode, concat_axis, dot_axes, merge_name):
        if input:
            return self._tensor(input)
        if not inputs:
            raise ValueError(f"Graph {self.name!r}: node {name!r} needs `input` or `inputs`.")
        tensors = [self._tensor(n) for n in inputs]
        if len(tensors) == 1:
            return tensors[0]
        return merge(tensors, mode=merge_mode, concat_axis=concat_axis, dot_axes=dot_axes,
                     name=merge_name)

    def add_input(self, name, input_shape=None, batch_input_shape=None, dtype="float", ndim=None):
        """Adds a named input (`input_shape` without the batch dimension)."""
        self._claim(name)
        dtype = "int32" if str(dtype).startswith("int") else None
        if batch_input_shape is None and input_shape is None:
            if ndim is None:
                raise ValueError(f"Graph.add_input({name!r}) needs `input_shape`.")
            batch_input_shape = (None,) * ndim
        shape = tuple(batch_input_shape) if batch_input_shape else (None,) + tuple(input_shape)
        self._graph_inputs[name] = Input(batch_shape=shape, name=name, dtype=dtype)

    def add_node(self, layer, name, input=None, inputs=(), merge_mode="concat", concat_axis=-1,
                 dot_axes=-1, create_output=False):
        """Calls `layer` (renamed `name`) on node `input`, or on the merge of `inputs`."""
        self._claim(name)
        x = self._incoming(name, input, inputs, merge_mode, concat_axis, dot_axes,
                           f"merge_inputs_for_{name}")
        layer.name = name
        self._node_layers[name] = layer
        self._graph_nodes[name] = layer(x)
        if create_output:
            self.add_output(name, input=name)

    def add_shared_node(self, layer, name, inputs=(), merge_mode=None, concat_axis=-1,
                        dot_axes=-1, outputs=(), create_output=False):
        """Calls one `layer` on each of `inputs`; merges the results under `name`, or names
        them `outputs` when `merge_mode` is None."""
        self._claim(name)
        results = [layer(self._tensor(n)) for n in inputs]
        self._node_layers[name] = layer
        if merge_mode:
            layer.name = f"input_for_{name}"
            self._graph_nodes[name] = merge(results, mode=merge_mode, concat_axis=concat_axis,
                                            dot_axes=dot_axes, name=name)
            if create_output:
                self.add_output(name, input=name)
            return
        layer.name = name
        if len(outputs) != len(results):
            raise ValueError(f"Graph.add_shared_node({name!r}): with merge_mode=None, give one "
                             f"name in `outputs` per input ({len(results)}).")
        for out_name, tensor in zip(outputs, results):
            self._claim(out_name)
            self._graph_nodes[out_name] = Identity(name=out_name)(tensor)
            if create_output:
                self.add_output(out_name, input=out_name)

    def add_output(self, name, input=None, inputs=(), merge_mode="concat", concat_axis=-1,
                   dot_axes=-1):
        """Makes node `input` (or the merge of `inputs`) the graph output `name`."""
        if name in self._graph_outputs:
            raise ValueError(f"Graph {self.name!r}: duplicate output identifier {name!r}.")
        self._graph_outputs[name] = self._incoming(name, input, inputs, merge_mode, concat_axis,
                                                   dot_axes, name)
        self.built = False

    @property
    def nodes(self):
        """Keras 0.x's `graph.nodes`: the layer of each named node."""
        return dict(self._node_layers)

    @property
    def output_names(self):
        return list(self._graph_outputs)

    @property
    def input_names(self):
        return list(self._graph_inputs)

    def build(self, input_shape=None):
        if not self._graph_outputs:
            raise ValueError(f"Graph {self.name!r} has no outputs; call `add_output` first.")
        self._init_graph(list(self._graph_inputs.values()), list(self._graph_outputs.values()))

    def _ensure_graph(self):
        if not self.built:
            self.build()

    # ------------------------------------------------------------ training
    def _split(self, data, with_targets=True):
        if not isinstance(data, dict):
            raise TypeError("A Graph model takes a dict mapping its input (and output) names to "
                            f"arrays; received {type(data).__name__}.")
        x = [self._pick(data, n, "input") for n in self._graph_inputs]
        y = [self._pick(data, n, "output") for n in self._graph_outputs] if with_targets else None
        return x, y

    def _pick(self, data, name, what):
        if name not in data:
            raise ValueError(f"Expected an array for {what} {name!r} in the data dict; it has "
                             f"keys {sorted(data)}.")
        return data[name]

    def compile(self, optimizer, loss, metrics=None, sample_weight_modes=None,
                loss_weights=None, **kwargs):
        self._ensure_graph()
        return super().compile(optimizer, loss=loss, metrics=metrics, loss_weights=loss_weights,
                               **kwargs)

    def fit(self, data, batch_size=32, nb_epoch=10, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, **kwargs):
        self._ensure_graph()
        x, y = self._split(data)
        if isinstance(validation_data, dict):
            validation_data = self._split(validation_data)
        epochs = kwargs.pop("epochs", nb_epoch)
        return super().fit(x, y, batch_size=batch_size, epochs=epochs, verbose=verbose,
                           callbacks=callbacks, validation_split=validation_split,
                           validation_data=validation_data, shuffle=shuffle,
                           class_weight=class_weight, sample_weight=sample_weight or None,
                           **kwargs)

    def evaluate(self, data, batch_size=128, verbose=0, sample_weight=None, **kwargs):
        self._ensure_graph()
        x, y = self._split(data)
        return super().evaluate(x, y, batch_size=batch_size, verbose=verbose,
                                sample_weight=sample_weight or None, **kwargs)

    def predict(self, data, batch_size=128, verbose=0, **kwargs):
        """A dict mapping each output name to its predictions."""
        self._ensure_graph()
        x, _ = self._split(data, with_targets=False)
        outputs = super().predict(x, batch_size=batch_size, verbose=verbose, **kwargs)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        return dict(zip(self._graph_outputs, outputs))

    def train_on_batch(self, data, class_weight=None, sample_weight=None, **kwargs):
        self._ensure_graph()
        x, y = self._split(data)
        return super().train_on_batch(x, y, sample_weight=sample_weight or None,
                                      class_weight=class_weight or None, **kwargs)

    def test_on_batch(self, data, sample_weight=None, **kwargs):
        self._ensure_graph()
        x, y = self._split(data)
        return super().test_on_batch(x, y, sample_weight=sample_weight or None, **kwargs)

    def predict_on_batch(self, data):
        self._ensure_graph()
        x, _ = self._split(data, with_targets=False)
        outputs = super().predict_on_batch(x)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        return dict(zip(self._graph_outputs, outputs))

    def summary(self, *args, **kwargs):
        self._ensure_graph()
        return super().summary(*args, **kwargs)

    def get_config(self):
        self._ensure_graph()
        return super().get_config()

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A saved Graph comes back as the functional model it is (same layers and calls)."""
        return Functional.from_config(config, custom_objects)


class containers:  # noqa: N801  (Keras 0.x's module `keras.layers.containers`)
    Sequential = Sequential


Sequential = Sequential  # `from keras.layers.containers import Sequential`
