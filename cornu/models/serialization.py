"""Model configs: a functional graph as Keras's dict, JSON, and back.

The layout is Keras 3's: `{"name", "trainable", "layers": [...], "input_layers", "output_layers"}`
where each layer entry carries its `inbound_nodes` (the calls that belong to this model, with
tensors written as `{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node,
tensor]}}`). Node indices count only the calls inside the model, so a layer shared with other
models saves the same way. tf.keras 2's list layout of `inbound_nodes` loads too.

Loading never runs code stored in a config (a Lambda's bytecode) unless `safe_mode=False`.
"""
import json

import numpy as np
import torch

from cornu.graph.keras_tensor import KerasTensor, any_symbolic
from cornu.layers import config as layer_config
from cornu.utils.registry import CustomObjectScope, SafeModeScope
from cornu.version import __version__


# ---------------------------------------------------------------------------- saving
def _builtin_node_offset(layer):
    # Keras numbers a nested functional model's calls from 1 in `input_layers` and
    # `output_layers` (its node 0 once linked its own inputs to outputs).
    from cornu.models.functional import Functional
    from cornu.models.sequential import Sequential
    return 1 if isinstance(layer, Functional) and not isinstance(layer, Sequential) else 0


def layer_entry(layer):
    """`{"module", "class_name", "config", "registered_name", "build_config"}` for one layer."""
    return layer_config.layer_entry(layer)


def functional_config(model):
    own_nodes = {id(n) for n in model._nodes}
    for t in model.inputs:
        own_nodes.add(id(t.node))
    reindex = {}  # (id(layer), node index in the layer) -> index among this model's calls
    for layer in model.layers:
        kept = 0
        for i, node in enumerate(layer._inbound_nodes):
            if id(node) in own_nodes:
                reindex[(id(layer), i)] = kept
                kept += 1

    def history(tensor, offset=False):
        layer, node_index, tensor_index = tensor._keras_history
        index = reindex[(id(layer), node_index)]
        return [layer.name, index + (_builtin_node_offset(layer) if offset else 0), tensor_index]

    def encode(value):
        if isinstance(value, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(value.shape), "dtype": value.dtype,
                               "keras_history": history(value)}}
        return encode_value(value, encode)

    layers = []
    for layer in model.layers:
        entry = layer_entry(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": [encode(a) for a in node.call_args],
             "kwargs": {k: encode(v) for k, v in node.call_kwargs.items()}}
            for node in layer._inbound_nodes if id(node) in own_nodes and not node.is_input]
        layers.append(entry)
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": _map_tensors(model._nested_inputs, lambda t: history(t, True)),
            "output_layers": _map_tensors(model._nested_outputs, lambda t: history(t, True))}


def encode_value(value, encode):
    """JSON-ready form of a constant argument of a layer call (Keras 3's special forms)."""
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": {"start": value.start, "stop": value.stop,
                                                      "step": value.step}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": value.tolist(),
                                                      "dtype": str(value.dtype)}}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _map_tensors(structure, fn):
    if isinstance(structure, KerasTensor):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_tensors(v, fn) for k, v in structure.items()}
    return [_map_tensors(v, fn) for v in structure]


# --------------------------------------------------------------------------- loading
class _NotReady(Exception):
    """A node's inputs are made by calls not rebuilt yet."""


def functional_from_config(cls, config, custom_objects=None):
    from cornu.layers import deserialize
    with CustomObjectScope(custom_objects or {}):
        created, queues = {}, []
        for data in config["layers"]:
            layer = deserialize(data, custom_objects)
            if type(layer).__name__ == "Sequential" and layer.built:
                # tf.keras 2 made a Sequential that knows its input a graph of its own, whose
                # node 0 links its layers, so its calls here are numbered from 1.
                layer.__dict__["_legacy_node_offset"] = 1
            name = data.get("name") or data.get("config", {}).get("name") or layer.name
            created[name] = layer
            queues.append((layer, list(data.get("inbound_nodes") or [])))
        while any(queue for _, queue in queues):
            progressed = False
            for layer, queue in queues:
                while queue:
                    try:
                        args, kwargs = _decode_node(queue[0], layer, created)
                    except _NotReady:
                        break
                    if any_symbolic([args, kwargs]):
                        layer(*args, **kwargs)
                    else:  # a call of constants only: an eager call the graph recorded
                        layer._record_call(tuple(args), kwargs)
                    queue.pop(0)
                    progressed = True
            if not progressed:
                stuck = [layer.name for layer, queue in queues if queue]
                raise ValueError(f"Invalid functional model config: the calls of layers {stuck} "
                                 "depend on tensors no layer of the config produces (a cycle or "
                                 "a missing layer).")

        def tensor(ref):
            name, node_index, tensor_index = ref[0], int(ref[1]), int(ref[2])
            if name not in created:
                raise ValueError(f"Invalid functional model config: no layer named {name!r} "
                                 f"(layers: {sorted(created)}).")
            layer = created[name]
            node = layer._inbound_nodes[node_index - _builtin_node_offset(layer)]
            return node.output_tensors[tensor_index]

        inputs = _map_refs(config["input_layers"], tensor)
        outputs = _map_refs(config["output_layers"], tensor)
        extra = {k: v for k, v in config.items()
                 if k not in ("layers", "input_layers", "output_layers", "name", "trainable")}
        extra.pop("dtype", None)
        return cls(inputs=inputs, outputs=outputs, name=config.get("name"),
                   trainable=config.get("trainable", True), **extra)


def _is_ref(value):
    return (isinstance(value, (list, tuple)) and len(value) in (3, 4)
            and isinstance(value[0], str) and isinstance(value[1], int))


def _map_refs(structure, fn):
    if _is_ref(structure):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_refs(v, fn) for k, v in structure.items()}
    return [_map_refs(v, fn) for v in structure]


def _lookup(created, ref, legacy):
    name, node_index, tensor_index = ref[0], int(ref[1]), int(ref[2])
    if name not in created:
        raise ValueError(f"Invalid functional model config: a call uses layer {name!r}, which "
                         f"the config does not define (layers: {sorted(created)}).")
    layer = created[name]
    if legacy:  # tf.keras 2 numbered a nested model's calls from 1 everywhere
        node_index -= layer.__dict__.get("_legacy_node_offset", _builtin_node_offset(layer))
    if node_index >= len(layer._inbound_nodes):
        raise _NotReady()
    return layer._inbound_nodes[node_index].output_tensors[tensor_index]


def _decode_node(data, layer, created):
    if isinstance(data, list):  # tf.keras 2: [[layer, node, tensor, kwargs], ...]
        tensors = [_lookup(created, ref, legacy=True) for ref in data]
        kwargs = dict(data[0][3]) if data and len(data[0]) == 4 else {}
        return [tensors[0] if len(tensors) == 1 else tensors], _clean_kwargs(kwargs, layer)

    def decode(value):
        if isinstance(value, dict) and "class_name" in value and "config" in value:
            kind, config = value["class_name"], value["config"] or {}
            if kind == "__keras_tensor__":
                return _lookup(created, config["keras_history"], legacy=False)
            if kind == "__slice__":
                return slice(config.get("start"), config.get("stop"), config.get("step"))
            if kind == "__ellipsis__":
                return Ellipsis
            if kind in ("__numpy__", "__tensor__"):
                return np.array(config["value"], dtype=config.get("dtype"))
            if kind == "__tuple__":
                return tuple(decode(v) for v in config["value"])
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [decode(v) for v in value]
        return value

    args = [decode(a) for a in data.get("args", [])]
    kwargs = {k: decode(v) for k, v in (data.get("kwargs") or {}).items()}
    return args, _clean_kwargs(kwargs, layer)


def _clean_kwargs(kwargs, layer):
    """Drops call arguments another Keras recorded by default (`mask=None`, `training=None`)."""
    for key in ("mask", "training"):
        if key in kwargs and kwargs[key] is None:
            del kwargs[key]
    if "mask" in kwargs and not getattr(layer, "_call_takes_mask", False):
        del kwargs["mask"]
    return kwargs


# ------------------------------------------------------------------------------ JSON
def model_to_dict(model):
    entry = layer_entry(model)
    entry.pop("build_config", None)
    entry["keras_version"] = f"cornu-{__version__}"
    entry["backend"] = "torch"
    return entry


def to_json(model, **kwargs):
    return json.dumps(model_to_dict(model), default=_json_default, **kwargs)


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, torch.dtype):
        return str(obj).replace("torch.", "")
    raise TypeError(f"Cannot write {obj!r} (of type {type(obj).__name__}) to JSON.")


def model_from_config(config, custom_objects=None, safe_mode=True):
    """A model (or layer) from `{"class_name": ..., "config": ...}`."""
    from cornu.layers import deserialize
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("`model_from_config` expects a dict with 'class_name' and 'config' "
                         f"(as `model.to_json()` writes); received {type(config).__name__}.")
    with SafeModeScope(safe_mode), CustomObjectScope(custom_objects or {}):
        return deserialize(config, custom_objects)


def model_from_json(json_string, custom_objects=None, safe_mode=True):
    """The model described by `model.to_json()` (architecture only, fresh weights)."""
    return model_from_config(json.loads(json_string), custom_objects, safe_mode)


def to_yaml(model, **kwargs):
    """Keras 1/2's YAML form of the config (needs PyYAML)."""
    import yaml
    return yaml.safe_dump(json.loads(to_json(model)), **kwargs)


def model_from_yaml(yaml_string, custom_objects=None, safe_mode=True):
    import yaml
    return model_from_config(yaml.safe_load(yaml_string), custom_objects, safe_mode)

