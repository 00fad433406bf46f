"""Weights in HDF5, in both Keras layouts.

Keras 3 (`.weights.h5`, and `model.weights.h5` inside `.keras`): Keras 3.15's walk over the
model. A model's layers are `layers/<class name>[_<n>]` (numbered by position among the layers
of that class), a layer's sublayers sit under its attribute names (`lstm/cell`,
`bidirectional/forward_layer/cell`, `time_distributed/layer`), and each layer's own weights are
`<path>/vars/<i>` in Keras's order (BatchNormalization: gamma, beta, moving mean, moving
variance). A layer reached twice (a shared layer) is stored once, at its first path.
Keras 2 (any other name: `.h5`, `.hdf5`, ...): a group per layer name with a `weight_names`
attribute, root attribute `layer_names`; loading pairs the file's layers that have weights with
the model's layers that have weights, in order, as Keras 2 did.
"""
import numpy as np
import torch

from cornu.backend.naming import to_snake_case
from cornu.layers.layer import Layer


def _h5py():
    try:
        import h5py
    except ImportError as error:
        raise ImportError("Saving and loading HDF5 files needs `h5py` (pip install h5py).") from error
    return h5py


def _children(layer):
    """The layers a Keras 2 file lists: a model's layers (a layer's sublayers otherwise)."""
    if _is_graph_model(layer):
        return list(layer.layers)
    return layer._sublayers()


def _own_vars(layer):
    return layer._own_variables()


def _keras3_names(layers):
    used, names = {}, []
    for layer in layers:
        name = to_snake_case(type(layer).__name__)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        names.append(name)
    return names


def _has_weights(layer):
    return bool(layer.weights)


# --------------------------------------------------------------------------- Keras 3
def _is_graph_model(layer):
    return hasattr(layer, "_graph_layers") or type(layer).__name__ == "Sequential"


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name  # Keras 3 visits private names last


def _walk(layer):
    """(group name, sublayer or list of sublayers) in Keras 3's order: a Sequential's or
    Functional's `layers` first, then the layer's attributes by name, private ones last. The
    attribute names are Keras's (`cell`, `forward_layer`, `layer`); a layer whose attributes
    differ lists its group names in `_weights_h5_names` (MultiHeadAttention's `query_dense`)."""
    if _is_graph_model(layer):
        yield "layers", list(layer.layers)
    named = getattr(layer, "_weights_h5_names", None)
    if named is not None:
        yield from zip(named(), layer._sublayers())
        return
    for attr in sorted(layer._modules, key=_name_key):
        module = layer._modules[attr]
        if isinstance(module, Layer):
            yield attr, module
        elif isinstance(module, (torch.nn.ModuleList, torch.nn.ModuleDict)):
            held = module.values() if isinstance(module, torch.nn.ModuleDict) else module
            yield attr, [m for m in held if isinstance(m, Layer)]


def _keras3_groups(layer, path=""):
    """Every layer under `layer` with its group path, as Keras 3 walks them: each layer once (a
    shared layer at its first path), a list's members named by class (`dense`, `dense_1`, ...,
    counting every member)."""
    seen, out = set(), []

    def visit(current, where):
        if id(current) in seen:
            return
        seen.add(id(current))
        out.append((where, current))
        for name, child in _walk(current):
            base = f"{where}/{name}" if where else name
            if isinstance(child, list):
                for member, member_name in zip(child, _keras3_names(child)):
                    visit(member, f"{base}/{member_name}")
            else:
                visit(child, base)
    visit(layer, path)
    return out


def _vars_of(layer):
    named = getattr(layer, "_keras3_vars", None)  # TorchModuleWrapper: its state_dict, by key
    if named is not None:
        return named()
    return {str(i): v.numpy() for i, v in enumerate(_own_vars(layer))}


def save_keras3_weights(group, layer):
    for where, current in _keras3_groups(layer):
        vars_group = group.require_group(f"{where}/vars" if where else "vars")
        vars_group.attrs["name"] = current.name
        for key, value in _vars_of(current).items():
            vars_group.create_dataset(key, data=value)


def load_keras3_weights(group, layer, skip_mismatch=False):
    """Loads a Keras 3 layout into `layer`; returns the problems found, one line each (with
    `skip_mismatch`, the layers it could not load, left as they were)."""
    errors = []
    for where, current in _keras3_groups(layer):
        own = _own_vars(current)
        if not own:
            continue
        problem = _load_layer_vars(group, where, current, own)
        if problem:
            errors.append(problem)
    return errors


def _load_layer_vars(group, where, layer, own):
    vars_path = f"{where}/vars" if where else "vars"
    label = f"layer {layer.name!r} ({type(layer).__name__})"
    if vars_path not in group:
        return (f"{label}: the file has no group {vars_path!r} for its {len(own)} weights "
                f"({[v.path for v in own]})")
    stored = group[vars_path]
    if hasattr(layer, "_load_keras3_vars"):
        try:
            layer._load_keras3_vars({key: value[()] for key, value in stored.items()})
        except ValueError as error:
            return f"{label} at {vars_path!r}: {error}"
        return None
    if len(stored) != len(own):
        return (f"{label}: the file has {len(stored)} weights at {vars_path!r} "
                f"({_listing(stored)}), the layer has {len(own)} "
                f"({[f'{v.path} {tuple(v.shape)}' for v in own]})")
    values = []
    for i, var in enumerate(own):
        if str(i) not in stored:
            return f"{label}: weight {var.path} has no dataset {vars_path}/{i} in the file"
        value = np.asarray(stored[str(i)][()])
        if tuple(var.shape) != value.shape:
            return (f"{label}: weight {var.path} has shape {tuple(var.shape)}, the file has "
                    f"shape {value.shape} at {vars_path}/{i}")
        values.append(value)
    for var, value in zip(own, values):  # all or nothing: a mismatch leaves the layer as it was
        var.assign(value)
    return None


def _listing(stored):
    return ", ".join(f"{key} {getattr(stored[key], 'shape', '')}" for key in stored)


# --------------------------------------------------------------------------- Keras 2
def _weighted_layers(model):
    return [layer for layer in _children(model) if _has_weights(layer)]


def save_keras2_weights(group, model, keras_version="2.15.0"):
    layers = _children(model)
    group.attrs["layer_names"] = [layer.name.encode("utf8") for layer in layers]
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = keras_version.encode("utf8")
    for layer in layers:
        layer_group = group.create_group(layer.name)
        weights = layer.weights
        names = [f"{w.path}:0" if w.path else f"{layer.name}/w{i}:0" for i, w in enumerate(weights)]
        layer_group.attrs["weight_names"] = [n.encode("utf8") for n in names]
        for name, weight in zip(names, weights):
            layer_group.create_dataset(name, data=weight.numpy())


def _decode(values):
    return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in values]


def load_keras2_weights(group, model, by_name=False, skip_mismatch=False):
    file_layers = []
    for name in _decode(group.attrs["layer_names"]):
        layer_group = group[name]
        weight_names = _decode(layer_group.attrs.get("weight_names", []))
        values = [np.asarray(layer_group[w][()]) for w in weight_names]
        if values:
            file_layers.append((name, values))
    if by_name:
        by = dict(file_layers)
        for layer in _weighted_layers(model):
            if layer.name in by:
                _set_layer(layer, by[layer.name], skip_mismatch)
        return
    layers = _weighted_layers(model)
    if len(layers) != len(file_layers):
        raise ValueError(f"The file holds weights for {len(file_layers)} layers "
                         f"({[n for n, _ in file_layers]}), but the model has {len(layers)} layers "
                         f"with weights ({[layer.name for layer in layers]}).")
    for layer, (name, values) in zip(layers, file_layers):
        _set_layer(layer, values, skip_mismatch, file_name=name)


def _set_layer(layer, values, skip_mismatch=False, file_name=None):
    weights = layer.weights
    shapes_ok = len(weights) == len(values) and all(
        tuple(w.shape) == np.shape(v) for w, v in zip(weights, values))
    if not shapes_ok:
        if skip_mismatch:
            return
        raise ValueError(f"Layer {layer.name!r} (file layer {file_name or layer.name!r}) expects "
                         f"weights of shapes {[tuple(w.shape) for w in weights]}, the file has "
                         f"{[np.shape(v) for v in values]}.")
    layer.set_weights(values)
