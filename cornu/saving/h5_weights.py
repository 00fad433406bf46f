"""Weights in HDF5, in both Keras layouts.

Keras 3 (`.weights.h5`, and `model.weights.h5` inside `.keras`): groups by position in the
model, `layers/<class name>[_<n>]/vars/<i>`, nested models recursing into their own `layers/`.
Keras 2 (any other name: `.h5`, `.hdf5`, ...): a group per layer name with a `weight_names`
attribute, root attribute `layer_names`; loading pairs the file's layers that have weights with
the model's layers that have weights, in order, as Keras 2 did.
"""
import numpy as np

from cornu.backend.naming import to_snake_case


def _h5py():
    try:
        import h5py
    except ImportError as error:
        raise ImportError("Saving and loading HDF5 files needs `h5py` (pip install h5py).") from error
    return h5py


def _children(layer):
    """The layers a Keras 3 file nests under `layers/`: a model's layers, a layer's sublayers."""
    if hasattr(layer, "_graph_layers") or type(layer).__name__ == "Sequential":
        return list(layer.layers)
    return layer._sublayers()


def _own_vars(layer):
    return layer._own_variables()


def _child_groups(layer, children):
    """(group names, whether they sit beside `vars` rather than under `layers/`). Keras 3 files
    name a layer's sublayers by its attributes where the layer has some (MultiHeadAttention's
    `query_dense`, ...); such a layer lists them in `_weights_h5_names`."""
    named = getattr(layer, "_weights_h5_names", None)
    return (named(), True) if named is not None else (_keras3_names(children), False)


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
def save_keras3_weights(group, layer):
    vars_group = group.create_group("vars")
    vars_group.attrs["name"] = layer.name
    named = getattr(layer, "_keras3_vars", None)  # TorchModuleWrapper: its state_dict, by key
    items = named().items() if named else ((str(i), v.numpy())
                                           for i, v in enumerate(_own_vars(layer)))
    for key, value in items:
        vars_group.create_dataset(key, data=value)
    children = _children(layer)
    if children:
        names, attribute_groups = _child_groups(layer, children)
        layers_group = group if attribute_groups else group.create_group("layers")
        for child, name in zip(children, names):
            if _has_weights(child):
                save_keras3_weights(layers_group.create_group(name), child)


def load_keras3_weights(group, layer, path="", errors=None):
    errors = [] if errors is None else errors
    own = _own_vars(layer)
    if own and hasattr(layer, "_load_keras3_vars") and "vars" in group:
        layer._load_keras3_vars({key: value[()] for key, value in group["vars"].items()})
    elif own:
        if "vars" not in group:
            errors.append(f"{path or layer.name}: no weights in the file")
        else:
            stored = group["vars"]
            if len(stored) != len(own):
                errors.append(f"{path or layer.name}: the file has {len(stored)} weights, the layer "
                              f"{layer.name!r} has {len(own)}")
            else:
                for i, var in enumerate(own):
                    _assign(var, stored[str(i)][()], f"{path}/vars/{i}", layer)
    children = _children(layer)
    if children:
        names, attribute_groups = _child_groups(layer, children)
        layers_group = group if attribute_groups else group["layers"] if "layers" in group else {}
        for child, name in zip(children, names):
            if not _has_weights(child):
                continue
            if name not in layers_group:
                errors.append(f"{path}/layers/{name}: missing in the file (layer {child.name!r})")
                continue
            load_keras3_weights(layers_group[name], child, f"{path}/layers/{name}", errors)
    return errors


def _assign(var, value, where, layer):
    value = np.asarray(value)
    if tuple(var.shape) != value.shape:
        raise ValueError(f"Layer {layer.name!r}: weight {var.path} has shape {tuple(var.shape)}, but "
                         f"the file has shape {value.shape} at {where}.")
    var.assign(value)


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
