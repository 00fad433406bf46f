"""`model.summary()`: Keras's table, in the tf.keras 2 text the course notes show.

A model that is a chain (a Sequential, or a functional model where each layer feeds the next)
prints three columns in 65 characters; any other graph prints a fourth, `Connected to`, in 98
characters, listing for each layer call the tensors it received as `layer[node][tensor]`.
Long cells wrap as tf.keras 2 wraps them: after `),`, `],`, `},` or `',`.
"""
import numpy as np

_BREAKS = ("),", "},", "],", "',")


def _count(weights):
    return int(sum(int(np.prod(tuple(w.shape))) for w in weights))


def _rows(fields, positions):
    """The printed line(s) of one table row."""
    left = [str(f) for f in fields]
    lines = []
    while any(left):
        line = ""
        for col, text in enumerate(left):
            start = positions[col - 1] if col else 0
            space = 2 if col != len(positions) - 1 else 0
            cutoff = positions[col] - start - space
            piece = text[:cutoff]
            breaks = [piece.find(b) + len(b) for b in _BREAKS if piece.find(b) >= 0]
            if breaks:
                cutoff = min(breaks)
                piece = piece[:cutoff]
            if col == 0:
                line += " "
            line += piece + " " * space
            left[col] = text[cutoff:]
            line += " " * (positions[col] - len(line))
        lines.append(line)
    return lines


def _shape_text(shape):
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    if isinstance(shape, dict):
        return "{" + ", ".join(f"'{k}': {_shape_text(v)}" for k, v in shape.items()) + "}"
    return str(tuple(shape))


def _output_shape(layer):
    try:
        shape = layer.output_shape
    except (AttributeError, ValueError):
        return "multiple"
    if type(layer).__name__ == "InputLayer":  # tf.keras 2 shows an InputLayer's as a list
        return "[" + _shape_text(shape) + "]"
    return _shape_text(shape)


def _model_nodes(model):
    nodes = list(getattr(model, "_nodes", []) or [])
    for tensor in getattr(model, "inputs", None) or []:
        if tensor._keras_history is not None:
            nodes.append(tensor.node)
    return nodes


def _is_sequential_like(model, nodes):
    """tf.keras 2's test: one call per depth, each on one tensor, and no layer called twice."""
    if type(model).__name__ == "Sequential" or not hasattr(model, "_plan"):
        return True
    depths = getattr(model, "_node_depths", {})
    by_depth = {}
    for node in nodes:
        by_depth.setdefault(depths.get(id(node), 0), []).append(node)
    for level in by_depth.values():
        if len(level) > 1 or len(level[0].input_tensors) > 1:
            return False
    own = {id(n) for n in nodes}
    return all(sum(id(n) in own for n in layer._inbound_nodes) <= 1 for layer in model.layers)


def print_summary(model, line_length=None, positions=None, print_fn=None, show_trainable=False):
    if not model.built:
        raise ValueError(f"This model ({model.name!r}) has not yet been built. Build the model "
                         "first by calling `build()` or by calling the model on a batch of data, "
                         "or give its first layer an `input_shape`.")
    print_fn = print_fn or print
    nodes = _model_nodes(model)
    sequential_like = _is_sequential_like(model, nodes)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions = list(positions) + [line_length]
        header = header + ["Trainable"]
    own = {id(n) for n in nodes}
    lines = [f'Model: "{model.name}"', "_" * line_length, *_rows(header, positions),
             "=" * line_length]
    for layer in model.layers:
        fields = [f"{layer.name} ({type(layer).__name__})", _output_shape(layer),
                  layer.count_params() if layer.built else 0]
        if not sequential_like:
            connections = []
            for node in layer._inbound_nodes:
                if own and id(node) not in own:
                    continue
                for tensor in node.input_tensors:
                    parent, node_index, tensor_index = tensor._keras_history
                    connections.append(f"{parent.name}[{node_index}][{tensor_index}]")
            fields.append(connections)
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        lines += _rows(fields, positions)
        lines.append(" " * line_length)
    lines.append("=" * line_length)
    trainable = _count(model.trainable_weights)
    total = _count(model.weights)
    lines += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}", "_" * line_length]
    for line in lines:
        print_fn(line)
