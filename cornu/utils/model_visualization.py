"""`plot_model` / `model_to_dot`: a model's graph as a picture.

The graph (one box per layer, one arrow per connection) is built once. With Graphviz's `dot`
program on the PATH it is rendered by Graphviz (the DOT text is written here; pydot is not
needed, and `model_to_dot` returns a pydot graph when pydot is installed). Without Graphviz the
same boxes, labels and arrows are laid out in layers and drawn with matplotlib
(`pip install cornu[plot]`), so PNG, SVG and PDF work on machines with no system packages.
`to_file='model.dot'` writes the DOT source itself.
"""
import html
import os
import shutil
import subprocess

from cornu.utils.files import atomic_path

__all__ = ["plot_model", "model_to_dot", "plot"]


class Dot:
    """A DOT graph: `to_string()`, `create(format)` (bytes), `write(path, format)`; `nodes` and
    `edges` hold the graph for cornu's own renderer."""

    def __init__(self, source, nodes=(), edges=(), rankdir="TB", dpi=96):
        self.source, self.nodes, self.edges = source, list(nodes), list(edges)
        self.rankdir, self.dpi = rankdir, dpi

    def to_string(self):
        return self.source

    def create(self, prog="dot", format="png"):
        exe = shutil.which(prog)
        if exe is None:
            from cornu.utils.graph_drawing import draw
            return draw(self.nodes, self.edges, format, self.rankdir, self.dpi)
        result = subprocess.run([exe, f"-T{format}"], input=self.source.encode("utf8"),
                                capture_output=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"Graphviz failed: {result.stderr.decode('utf8', 'replace')}")
        return result.stdout

    def write(self, path, format="raw", prog="dot"):
        data = self.source.encode("utf8") if format in ("raw", "dot") else \
            self.create(prog=prog, format=format)
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
    except (AttributeError, ValueError, RuntimeError):
        return "?"


def _layers(model):
    return list(getattr(model, "_graph_layers", None) or model.layers)


def _is_model(layer):
    return hasattr(layer, "layers") and hasattr(layer, "_inbound_nodes") and \
        bool(getattr(layer, "layers", None))


def _box(layer, prefix, show_shapes, show_dtype, show_layer_names, show_layer_activations,
         show_trainable):
    """A layer's box: title line, then the optional rows (dtype, trainable, shapes)."""
    kind = type(layer).__name__
    title = f"{layer.name}: {kind}" if show_layer_names else kind
    title = prefix + title
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        title += f" ({getattr(activation, '__name__', activation)})"
    rows = []
    if show_dtype:
        rows.append(f"dtype: {getattr(layer, 'dtype', '?')}")
    if show_trainable:
        rows.append(f"trainable: {'T' if layer.trainable else 'F'}")
    if show_shapes:
        is_input = kind == "InputLayer"
        shape_in = _safe(layer, "output_shape") if is_input else _safe(layer, "input_shape")
        rows += [f"input: {shape_in}", f"output: {_safe(layer, 'output_shape')}"]
    return title, rows


def _graph(model, expand_nested, options, prefix="", ids=None, nodes=None, edges=None):
    """Nodes `(id, title, rows, group)` and edges `(src, dst)` of a model; with `expand_nested`
    a nested model's layers are drawn inside it (group = its name) and wired through."""
    ids = {} if ids is None else ids
    nodes = [] if nodes is None else nodes
    edges = [] if edges is None else edges
    layers = _layers(model)
    model_nodes = {id(n) for n in getattr(model, "_nodes", [])}
    entry, exit_ = {}, {}  # a nested model's first / last drawn ids
    for layer in layers:
        if expand_nested and _is_model(layer):
            inner_first = len(nodes)
            _graph(layer, expand_nested, options, prefix + layer.name + "/", ids, nodes, edges)
            inner = nodes[inner_first:]
            for i, node in enumerate(inner):
                nodes[inner_first + i] = node[:3] + (node[3] or layer.name,)
            inner_layers = _layers(layer)
            entry[id(layer)] = [ids[id(l)] for l in inner_layers if not _parents(l, layer)]
            exit_[id(layer)] = [ids[id(l)] for l in inner_layers[-1:]]
            continue
        ids[id(layer)] = f"n{len(ids)}"
        nodes.append((ids[id(layer)],) + _box(layer, "", **options) + (None,))
    for layer in layers:
        for node in layer._inbound_nodes:
            if model_nodes and id(node) not in model_nodes:
                continue
            for tensor in node.input_tensors:
                parent = tensor._keras_history[0]
                sources = exit_.get(id(parent)) or ([ids[id(parent)]] if id(parent) in ids else [])
                targets = entry.get(id(layer)) or ([ids[id(layer)]] if id(layer) in ids else [])
                edges += [(s, t) for s in sources for t in targets]
    return nodes, list(dict.fromkeys(edges))


def _parents(layer, model):
    inside = {id(l) for l in _layers(model)}
    return [t._keras_history[0] for n in layer._inbound_nodes for t in n.input_tensors
            if id(t._keras_history[0]) in inside]


def _dot_source(nodes, edges, rankdir, dpi, subgraph=False):
    lines = ["digraph G {", f"  graph [rankdir={rankdir}, dpi={dpi}];",
             '  node [shape=record, fontname="Helvetica"];']
    groups = {}
    for node_id, title, rows, group in nodes:
        fields = [title] + rows
        label = "{" + "|".join(html.escape(f).replace("|", "\\|").replace("{", "\\{")
                               .replace("}", "\\}") for f in fields) + "}" if rows else \
            html.escape(title).replace("|", "\\|")
        line = f'  {node_id} [label="{label}"];'
        groups.setdefault(group, []).append(line)
    for group, group_lines in groups.items():
        if group is None:
            lines += group_lines
        else:
            lines.append(f'  subgraph "cluster_{group}" {{ label="{html.escape(group)}"; '
                         'style=dashed;')
            lines += ["  " + l for l in group_lines] + ["  }"]
    lines += [f"  {a} -> {b};" for a, b in edges]
    lines.append("}")
    return "\n".join(lines)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=96, subgraph=False, show_layer_activations=False,
                 show_trainable=False, **kwargs):
    """The model's graph as DOT: a `pydot.Dot` when pydot is installed (as Keras returns),
    otherwise cornu's `Dot` (`to_string()`, `create(format=...)`, `write(path, format=...)`)."""
    if not model.built:
        raise ValueError("This model has not yet been built; build it (give the first layer an "
                         "`input_shape`, or call it on data) before plotting.")
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"`rankdir` must be 'TB', 'LR', 'BT' or 'RL', got {rankdir!r}.")
    options = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                   show_layer_names=show_layer_names,
                   show_layer_activations=show_layer_activations, show_trainable=show_trainable)
    nodes, edges = _graph(model, expand_nested, options)
    dot = Dot(_dot_source(nodes, edges, rankdir, dpi), nodes, edges, rankdir, dpi)
    if kwargs.pop("_cornu_dot", False):
        return dot
    try:
        import pydot
    except ImportError:
        return dot
    graphs = pydot.graph_from_dot_data(dot.source)
    return graphs[0] if graphs else dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=96,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draws the model's graph to `to_file` (format from the extension: png, svg, pdf, or dot).

    Defaults are tf.keras 2's (`show_shapes=False`, `dpi=96`). Graphviz draws it when `dot` is
    installed; otherwise cornu lays the graph out itself and draws it with matplotlib. Returns
    an IPython `Image` for PNGs in a notebook, else None.
    """
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, _cornu_dot=True)
    extension = os.path.splitext(os.fspath(to_file))[1][1:].lower() or "png"
    if extension not in ("png", "svg", "pdf", "dot", "gv", "jpg", "jpeg"):
        raise ValueError(f"plot_model writes png, svg, pdf or dot files; got {to_file!r}.")
    dot.write(to_file, format="raw" if extension in ("dot", "gv") else extension)
    if extension == "png":
        try:
            from IPython import display
            return display.Image(filename=to_file)
        except ImportError:
            return None
    return None


plot = plot_model  # Keras 1: keras.utils.visualize_util.plot
