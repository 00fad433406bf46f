"""`model.summary()`: Keras's table, in the tf.keras 2 text the course notes show."""
import numpy as np


def _count(weights):
    return int(sum(int(np.prod(tuple(w.shape))) for w in weights))


def _row(fields, positions):
    """One table row; text too long for its column continues on the next line (tf.keras 2)."""
    left = [str(f) for f in fields]
    lines = []
    while any(left) or not lines:
        line = ""
        for col in range(len(left)):
            start = positions[col - 1] if col else 0
            end = positions[col]
            space = 2 if col != len(positions) - 1 else 0
            width = max(end - start - space, 1)
            chunk, left[col] = left[col][:width], left[col][width:]
            if col == 0:
                line += " "
            line += chunk + " " * space
            line += " " * max(0, end - len(line))
        lines.append(line)
    return "\n".join(lines)


def _shape_text(shape):
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    return str(tuple(shape)).replace(",)", ",)") if len(shape) != 1 else f"({shape[0]},)"


def _output_shape(layer):
    try:
        shape = layer.output_shape
    except (AttributeError, ValueError):
        return "multiple"
    if type(layer).__name__ == "InputLayer":
        return "[" + _shape_text(shape) + "]"
    return _shape_text(shape)


def print_summary(model, line_length=None, positions=None, print_fn=None, show_trainable=False):
    if not model.built:
        raise ValueError(f"This model ({model.name!r}) has not yet been built. Build the model "
                         "first by calling `build()` or by calling the model on a batch of data, "
                         "or give its first layer an `input_shape`.")
    print_fn = print_fn or print
    layers = model.layers
    sequential_like = type(model).__name__ == "Sequential" or all(
        len(layer._inbound_nodes) <= 1 and type(layer).__name__ != "InputLayer"
        for layer in layers) and not hasattr(model, "_plan")
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
    model_nodes = set(id(n) for n in getattr(model, "_nodes", []))
    lines = [f'Model: "{model.name}"', "_" * line_length, _row(header, positions),
             "=" * line_length]
    for layer in layers:
        name = f"{layer.name} ({type(layer).__name__})"
        params = layer.count_params() if layer.built else 0
        fields = [name, _output_shape(layer), params]
        if not sequential_like:
            connections = []
            for node in layer._inbound_nodes:
                if model_nodes and id(node) not in model_nodes:
                    continue
                for tensor in node.input_tensors:
                    parent, node_index, tensor_index = tensor._keras_history
                    connections.append(f"{parent.name}[{node_index}][{tensor_index}]")
            fields.append(str(connections))
        lines.append(_row(fields, positions))
        lines.append(" " * line_length)
    lines.append("=" * line_length)
    trainable = _count(model.trainable_weights)
    total = _count(model.weights)
    lines += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}", "_" * line_length]
    for line in lines:
        print_fn(line)
