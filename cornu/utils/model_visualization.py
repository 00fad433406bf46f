"""`plot_model` / `model_to_dot`: the model's graph as Graphviz DOT, rendered by `dot`.

The DOT text is written here (no pydot needed); rendering to PNG/SVG/PDF runs Graphviz's `dot`
program, which must be installed (e.g. `apt-get install graphviz`). `to_file='model.dot'`
writes the DOT source itself.
"""
import html
import os
import shutil
import subprocess

from cornu.utils.files import atomic_path


class Dot:
    """A DOT graph: `to_string()`, `create(format)` (bytes), `write(path, format)`."""

    def __init__(self, source):
        self.source = source

    def to_string(self):
        return self.source

    def create(self, prog="dot", format="png"):
        exe = shutil.which(prog)
        if exe is None:
            raise ImportError(f"plot_model needs Graphviz's `{prog}` program to render "
                              f"{format.upper()} files (e.g. `apt-get install graphviz`); "
                              "save to a `.dot` file to get the graph without it.")
        result = subprocess.run([exe, f"-T{format}"], input=self.source.encode("utf8"),
                                capture_output=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"Graphviz failed: {result.stderr.decode('utf8', 'replace')}")
        return result.stdout

    def write(self, path, format="raw"):
        data = self.source.encode("utf8") if format in ("raw", "dot") else self.create(format=format)
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                f.write(data)


def _shape(shape):
    if isinstance(shape, list):
        return ", ".join(_shape(s) for s in shape)
    return str(tuple(shape)).replace(",)", ")") if shape is not None else "?"


def _safe(layer, attribute):
    try:
        return _shape(getattr(layer, attribute))
    except (AttributeError, ValueError):
        return "?"


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=96, subgraph=False, show_layer_activations=False,
                 show_trainable=False, **kwargs):
    if not model.built:
        raise ValueError("This model has not yet been built; build it (give the first layer an "
                         "`input_shape`, or call it on data) before plotting.")
    layers = list(getattr(model, "_graph_layers", None) or model.layers)
    ids = {id(layer): f"n{i}" for i, layer in enumerate(layers)}
    lines = ["digraph G {", f'  graph [rankdir={rankdir}, dpi={dpi}];',
             '  node [shape=record, fontname="Helvetica"];']
    for layer in layers:
        kind = type(layer).__name__
        title = f"{layer.name}: {kind}" if show_layer_names else kind
        if show_layer_activations and hasattr(layer, "activation"):
            title += f" ({getattr(layer.activation, '__name__', layer.activation)})"
        if show_dtype:
            title += f" | {layer.dtype}"
        if show_trainable:
            title += f" | trainable: {'T' if layer.trainable else 'F'}"
        label = html.escape(title).replace("|", "\\|") if not (show_dtype or show_trainable) \
            else html.escape(title)
        if show_shapes:
            shape_in = "?" if kind == "InputLayer" and not layer._inbound_nodes else \
                (_safe(layer, "output_shape") if kind == "InputLayer" else _safe(layer, "input_shape"))
            label = (f"{{{label}|{{input:|output:}}|{{{html.escape(shape_in)}|"
                     f"{html.escape(_safe(layer, 'output_shape'))}}}}}")
        lines.append(f'  {ids[id(layer)]} [label="{label}"];')
    model_nodes = {id(n) for n in getattr(model, "_nodes", [])}
    for layer in layers:
        for node in layer._inbound_nodes:
            if model_nodes and id(node) not in model_nodes:
                continue
            for tensor in node.input_tensors:
                parent = tensor._keras_history[0]
                if id(parent) in ids:
                    lines.append(f"  {ids[id(parent)]} -> {ids[id(layer)]};")
    lines.append("}")
    return Dot("\n".join(dict.fromkeys(lines)))


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=96,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Writes the model's graph to `to_file` (format from its extension: png, svg, pdf, dot)."""
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable)
    extension = os.path.splitext(os.fspath(to_file))[1][1:].lower() or "png"
    dot.write(to_file, format="raw" if extension in ("dot", "gv") else extension)
    if extension == "png":
        try:
            from IPython import display
            return display.Image(filename=to_file)
        except ImportError:
            return None
    return None


plot = plot_model  # Keras 1: keras.utils.visualize_util.plot
