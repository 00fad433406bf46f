"""Functional models: a graph of layer calls, run in topological order.

`Functional(inputs, outputs)` walks the nodes recorded when layers were called on symbolic
tensors, checks the graph, registers its layers as the submodule list `layers` (so a model's
`state_dict` reads `layers.1.kernel`, `layers.1.bias`, ...), and compiles the graph into a flat
plan: a list of steps over numbered slots. Layout conversions (channels-last ↔ channels-first,
see backend/layout.py) are planned once here, only where a layer needs the other layout.
A chain of single-input layers (every Sequential) runs as `for step in chain: x = step(x)`.
"""
import inspect

import torch

from cornu.backend import layout as layouts
from cornu.graph.keras_tensor import KerasTensor
from cornu.layers.core.input_layer import InputLayer
from cornu.layers.layer import registry
from cornu.models.model import LayerList, Model
from cornu.utils import nest


class GraphError(ValueError):
    pass


def _history_node(tensor):
    layer, node_index, _ = tensor._keras_history
    return layer._inbound_nodes[node_index]


def map_graph(inputs, outputs, check_unused=True):
    """Walks the graph from `outputs` back to `inputs`, as Keras does, and checks it.

    Returns `(nodes, layers, depths)`: the calls to run, in topological order; the model's
    layers in Keras's order (deepest first, ties in the order the walk met them, so that
    `model.layers[i]` is the same layer as in Keras); and each node's depth (0 at outputs).
    """
    input_ids = {id(t) for t in inputs}
    for t in list(inputs) + list(outputs):
        if not isinstance(t, KerasTensor) or t._keras_history is None:
            raise GraphError(f"Model inputs and outputs must be symbolic tensors made by `Input()` "
                             f"and layers called on them; received {t!r}.")
    order, state, seen_at, leaves = [], {}, {}, set()
    stack = []

    def enter(tensor, consumer):
        if tensor._keras_history is None:
            raise GraphError(f"Tensor {tensor!r} has no producing layer.")
        node = _history_node(tensor)
        if state.get(id(node)) == "done":
            return
        if state.get(id(node)) == "active":
            raise GraphError(f"The graph has a cycle through layer {node.layer.name!r}.")
        if node.is_input and id(tensor) not in input_ids:
            raise GraphError(
                f"Graph disconnected: cannot obtain value for tensor {tensor!r} (from input "
                f"layer {node.layer.name!r}) needed by layer {consumer!r}; that input is not "
                "among the model's inputs.")
        state[id(node)] = "active"
        seen_at.setdefault(id(node.layer), len(seen_at))
        leaf = node.is_input or id(tensor) in input_ids
        if leaf:
            leaves.add(id(node))
        stack.append((node, iter(() if leaf else node.input_tensors)))

    for output in outputs:  # an explicit stack: deep graphs do not hit the recursion limit
        enter(output, "(model output)")
        while stack:
            node, pending = stack[-1]
            tensor = next(pending, None)
            if tensor is None:
                stack.pop()
                state[id(node)] = "done"
                order.append(node)
            else:
                enter(tensor, node.layer.name)
    if check_unused:
        used = {id(t) for node in order if id(node) not in leaves for t in node.input_tensors}
        used |= {id(t) for t in outputs}
        for t in inputs:
            if id(t) not in used:
                raise GraphError(f"Input {t!r} is not connected to any of the model's outputs. "
                                 "Remove it from `inputs` or use it.")
    depths, layer_depths, members = {}, {}, {id(n) for n in order}
    for node in reversed(order):
        depth = max(depths.get(id(node), 0), layer_depths.get(id(node.layer), 0))
        depths[id(node)] = layer_depths[id(node.layer)] = depth
        for parent in ([] if id(node) in leaves else node.parent_nodes):
            if id(parent) in members:
                depths[id(parent)] = max(depth + 1, depths.get(id(parent), 0))
    layers, listed = [], set()
    for node in order:
        if (id(node) not in leaves or isinstance(node.layer, InputLayer)) and \
                id(node.layer) not in listed:
            listed.add(id(node.layer))
            layers.append(node.layer)
    layers.sort(key=lambda layer: (-layer_depths[id(layer)], seen_at[id(layer)]))
    return [n for n in order if id(n) not in leaves], layers, depths


def get_source_inputs(tensor):
    """The `Input` tensors `tensor` is computed from, in the order a walk back meets them."""
    sources, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        node = t.node
        if node is None or node.is_input:
            if all(t is not s for s in sources):
                sources.append(t)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(reversed(node.input_tensors))
    return sources


def discover_nodes(inputs, outputs, check_unused=True):
    """The calls between `inputs` and `outputs`, in topological order; checks the graph."""
    return map_graph(inputs, outputs, check_unused)[0]


@registry.register()
class Functional(Model):
    """A model defined by a graph: `Model(inputs, outputs)`.

    `inputs` and `outputs` may be one symbolic tensor, a list, or a dict (then the model takes
    and returns dicts keyed like them, and the output keys name the outputs in `compile`).
    """
    _deep_inputs = _deep_outputs = False  # set by `_init_graph` (an unbuilt Sequential has none)

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._init_graph(inputs, outputs)

    # --------------------------------------------------------------- graph
    def _init_graph(self, inputs, outputs):
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = nest.flatten(inputs)
        self.outputs = nest.flatten(outputs)
        self._input_ranks = [t.ndim for t in self.inputs]
        # Inputs or outputs nested deeper than one list (`[a, [b, c]]`): data is flattened.
        self._deep_inputs, self._deep_outputs = _is_deep(inputs), _is_deep(outputs)
        # Keras 2's `model.add_loss(tensor)`: loss tensors of the graph, run as extra outputs.
        targets = self.outputs + self.__dict__.get("_graph_losses", [])
        nodes, layers, self._node_depths = map_graph(self.inputs, targets)
        names = [layer.name for layer in layers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise GraphError(f"All layer names in a model must be unique; {duplicates} appear "
                             "more than once.")
        for old in list(self._modules):
            del self._modules[old]
        self._graph_layers = layers
        self._track_layer()
        self._nodes = nodes
        self._plan = _Plan(self.inputs, targets, nodes)
        self.built = True

    def add_loss(self, loss):
        """A loss tensor; one computed from the model's symbolic tensors (Keras 2's VAE idiom,
        `model.add_loss(K.mean(...))`) is recomputed from the inputs at every call."""
        if not any(isinstance(t, KerasTensor) for t in nest.flatten(loss)):
            return super().add_loss(loss)
        self.__dict__["_graph_losses"] = self.__dict__.get("_graph_losses", []) + nest.flatten(loss)
        self._init_graph(self._nested_inputs, self._nested_outputs)

    @property
    def layers(self):
        held = self._modules.get("layers")
        return held if held is not None else LayerList()

    def _layer_list(self):
        return self._graph_layers

    @property
    def input(self):
        if isinstance(self._nested_inputs, list) and len(self.inputs) == 1:
            return self.inputs[0]
        return self._nested_inputs

    @property
    def output(self):
        if isinstance(self._nested_outputs, list) and len(self.outputs) == 1:
            return self.outputs[0]
        return self._nested_outputs

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input_names(self):
        if isinstance(self._nested_inputs, dict):
            return sorted(self._nested_inputs)
        return [t.name or t._keras_history[0].name for t in self.inputs]

    @property
    def output_names(self):
        """What `compile`'s dicts and the history (`dense_2_loss`) call the outputs."""
        if isinstance(self._nested_outputs, dict):
            return sorted(self._nested_outputs)
        names = [t._keras_history[0].name for t in self.outputs]
        return [n if names.count(n) == 1 else f"{n}_{names[:i].count(n) + 1}"
                for i, n in enumerate(names)] if len(set(names)) < len(names) else names

    # --------------------------------------------------------------- run
    def call(self, inputs, training=None):
        if training is not None and bool(training) != self.training:
            mode = self.training
            self.train(bool(training))
            try:
                return self._run(inputs)
            finally:
                self.train(mode)
        return self._run(inputs)

    def _run(self, inputs):
        outputs = self._plan.run(self._flatten_inputs(inputs))
        graph_losses = self.__dict__.get("_graph_losses")
        if graph_losses:
            n = len(self.outputs)
            for loss in outputs[n:]:
                self._activity_losses.append(loss.mean() if loss.ndim else loss)
            outputs = outputs[:n] if n > 1 else outputs[0]
        return self._structured(outputs)

    def _structured(self, outputs):
        if isinstance(self._nested_outputs, KerasTensor) or (
                isinstance(self._nested_outputs, list) and not self._deep_outputs):
            return outputs
        flat = outputs if len(self.outputs) > 1 else [outputs]
        return nest.pack_sequence_as(self._nested_outputs, flat)

    def _flatten_inputs(self, inputs):
        """The call's inputs as a flat list in `self.inputs` order: one tensor, a list (nested
        as the model's inputs are, or flat), or a dict keyed by input name. Ranks are adjusted
        as Keras 3 adjusts them (`_adjust_ranks`)."""
        if type(inputs) is torch.Tensor and len(self.inputs) == 1 and \
                inputs.ndim == self._input_ranks[0]:
            return [inputs]  # (the trainer's every step: one tensor of the input's rank)
        if isinstance(inputs, dict):
            names = self.input_names
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"Model {self.name!r}: missing data for input(s) {missing}; the "
                                 f"model's inputs are {names}, received keys {sorted(inputs)}.")
            flat = [inputs[n] for n in names]
        elif isinstance(inputs, (list, tuple)):
            flat = inputs if len(inputs) == len(self.inputs) and not any(
                isinstance(t, (list, tuple, dict)) for t in inputs) else nest.flatten(inputs)
        else:
            flat = [inputs]
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model {self.name!r} expects {len(self.inputs)} input(s), "
                             f"received {len(flat)}.")
        ranks = self._input_ranks
        for i, x in enumerate(flat):
            if getattr(x, "ndim", ranks[i]) != ranks[i]:
                return self._adjust_ranks(list(flat))
        return flat

    def _adjust_ranks(self, flat):
        """Keras 3: data with one axis more than an input, of size 1, is squeezed; data with one
        axis less, where the input's last axis is 1, gets that axis (`(n, 28, 28)` into
        `Input((28, 28, 1))`). Any other difference of rank is an error."""
        for i, x in enumerate(flat):
            spec = self.inputs[i]
            if x is None or x.ndim == spec.ndim:
                continue
            if x.ndim == spec.ndim + 1 and x.shape[-1] == 1:
                flat[i] = x.squeeze(-1)
            elif x.ndim == spec.ndim - 1 and spec.shape[-1] == 1:
                flat[i] = x.unsqueeze(-1)
            else:
                name = spec.name or spec._keras_history[0].name
                raise ValueError(f"Invalid input shape for input {i} of model {self.name!r} "
                                 f"(input {name!r}): expected shape {spec.shape}, but the input "
                                 f"has incompatible shape {tuple(x.shape)}.")
            mask = getattr(x, "_keras_mask", None)
            if mask is not None:
                flat[i]._keras_mask = mask
        return flat

    def compute_output_spec(self, *args, **kwargs):
        return self._meta_run(args, kwargs)

    # Data for fit/evaluate/predict nested like `[a, [b, c]]` goes to the trainer flat, in the
    # order of `self.inputs` / `self.outputs`; so do the model's nested predictions.
    def _prepare_x(self, x, method="predict", device=None):
        if self._deep_inputs and isinstance(x, (list, tuple)):
            x = nest.flatten(x)
        return super()._prepare_x(x, method, device)

    def _prepare(self, x, y, sample_weight, class_weight=None, method="fit"):
        if self._deep_outputs:
            y = nest.flatten(y) if isinstance(y, (list, tuple)) else y
            if isinstance(sample_weight, (list, tuple)):
                sample_weight = nest.flatten(sample_weight)
        return super()._prepare(x, y, sample_weight, class_weight, method)

    def _as_lists(self, y, y_pred):
        if self._deep_outputs:
            y_pred = nest.flatten(y_pred)
        return super()._as_lists(y, y_pred)

    def build(self, input_shape):
        self.built = True

    # --------------------------------------------------------------- config
    def get_config(self):
        """Keras's layout: `layers` (each with its `inbound_nodes`), `input_layers`,
        `output_layers`; `Model.from_config` rebuilds the same graph."""
        from cornu.models.serialization import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.models.serialization import functional_from_config
        return functional_from_config(cls, config, custom_objects)


def _is_deep(structure):
    return isinstance(structure, (list, tuple)) and any(
        isinstance(t, (list, tuple, dict)) for t in structure)


class _Plan:
    """The graph as a flat list of steps over slots; layout conversions planned once."""

    def __init__(self, inputs, outputs, nodes):
        slot_of = {id(t): i for i, t in enumerate(inputs)}
        slot_layout = [layouts.KERAS] * len(inputs)
        slot_rank = [t.ndim for t in inputs]
        steps = []  # (kind, payload, in_slots, out_slots)
        converted = {}

        def new_slot(layout, rank):
            slot_layout.append(layout)
            slot_rank.append(rank)
            return len(slot_layout) - 1

        def slot_in(tensor, wanted):
            slot = slot_of[id(tensor)]
            have = slot_layout[slot]
            if wanted == layouts.ANY or have == wanted or slot_rank[slot] < 3:
                return slot
            key = (slot, wanted)
            if key not in converted:
                out = new_slot(wanted, slot_rank[slot])
                fn = layouts.to_channels_first if wanted == layouts.CHANNELS_FIRST \
                    else layouts.to_channels_last
                steps.append(("convert", fn, [slot], [out]))
                converted[key] = out
            return converted[key]

        for node in nodes:
            layer = node.layer
            wanted = layer.layout
            if wanted == layouts.ANY and node.input_tensors:
                first = slot_of[id(node.input_tensors[0])]
                wanted = slot_layout[first] if slot_rank[first] >= 3 else layouts.ANY
            in_slots = [slot_in(t, wanted) for t in node.input_tensors]
            out_layout = wanted if wanted != layouts.ANY else layouts.KERAS
            out_slots = []
            for t in node.output_tensors:
                slot = new_slot(out_layout if t.ndim >= 3 else layouts.KERAS, t.ndim)
                slot_of[id(t)] = slot
                out_slots.append(slot)
            masks = _masks_for(node)
            if masks is not None:  # masking: the mask travels in slots of its own
                mask_in = [None if m is None else slot_of.get(id(m)) for m in masks[0]]
                mask_out = []
                for m in masks[1]:
                    if m is not None and id(m) not in slot_of:
                        slot_of[id(m)] = new_slot(layouts.KERAS, m.ndim)
                        mask_out.append(slot_of[id(m)])
                    else:
                        mask_out.append(None)
                named = [(key, slot_of.get(id(m))) for key, m in masks[2]]
                steps.append(("masked", (node, mask_in, mask_out, named), in_slots, out_slots))
                continue
            one_arg = len(node.call_args) == 1 and not node.call_kwargs and \
                isinstance(node.outputs, KerasTensor)
            if one_arg and isinstance(node.call_args[0], KerasTensor):
                steps.append(("layer", node, in_slots, out_slots))
            elif one_arg and isinstance(node.call_args[0], list) and \
                    all(isinstance(t, KerasTensor) for t in node.call_args[0]):
                steps.append(("list", node, in_slots, out_slots))  # a merge layer's call
            else:
                steps.append(("general", _CallTemplate(node), in_slots, out_slots))
        self.output_slots = [slot_in(t, layouts.KERAS) for t in outputs]
        self.n_inputs = len(inputs)
        self.steps = steps
        self.n_slots = len(slot_layout)
        self.chain = self._as_chain()

    def _as_chain(self):
        """The steps as one list of callables when the graph is a simple chain, else None."""
        if self.n_inputs != 1 or len(self.output_slots) != 1:
            return None
        current, chain = 0, []
        for kind, payload, ins, outs in self.steps:
            if kind not in ("layer", "convert") or ins != [current] or len(outs) != 1:
                return None
            if kind == "convert":
                chain.append(payload)
            else:
                chain.append(torch.nn.Module.__call__.__get__(payload.layer))
            current = outs[0]
        return chain if current == self.output_slots[0] else None

    def run(self, inputs):
        chain = self.chain
        step = None
        try:
            if chain is not None:
                x = inputs[0]
                for step in chain:
                    x = step(x)
                return x
            slots = [None] * self.n_slots
            slots[:self.n_inputs] = inputs
            for step in self.steps:
                kind, payload, ins, outs = step
                if kind == "convert":
                    slots[outs[0]] = payload(slots[ins[0]])
                elif kind == "layer":
                    slots[outs[0]] = torch.nn.Module.__call__(payload.layer, slots[ins[0]])
                elif kind == "list":
                    slots[outs[0]] = torch.nn.Module.__call__(payload.layer,
                                                              [slots[i] for i in ins])
                elif kind == "general":
                    args, kwargs = payload.fill([slots[i] for i in ins])
                    result = torch.nn.Module.__call__(payload.layer, *args, **kwargs)
                    for slot, value in zip(outs, nest.flatten(result)):
                        slots[slot] = value
                else:
                    _run_masked(payload, ins, outs, slots)
            outputs = [slots[i] for i in self.output_slots]
            return outputs[0] if len(outputs) == 1 else outputs
        except (RuntimeError, IndexError) as error:
            raise _explain(step, error) from error


class _CallTemplate:
    """A recorded call's arguments with its symbolic tensors as holes, filled at run time."""

    def __init__(self, node):
        self.layer = node.layer
        self.structure = [list(node.call_args), node.call_kwargs]
        self.flat = nest.flatten(self.structure)  # the order of node.input_tensors
        self.holes = [i for i, t in enumerate(self.flat) if isinstance(t, KerasTensor)]

    def fill(self, values):
        flat = list(self.flat)
        for i, value in zip(self.holes, values):
            flat[i] = value
        args, kwargs = nest.pack_sequence_as(self.structure, flat)
        return args, kwargs


def _call_node(node, values, mask=None, named_masks=()):
    values = iter(values)
    fill = lambda t: next(values) if isinstance(t, KerasTensor) else t
    args = nest.map_structure(fill, list(node.call_args))
    kwargs = nest.map_structure(fill, node.call_kwargs)
    if mask is not None:
        kwargs["mask"] = mask
    kwargs.update(named_masks)
    return torch.nn.Module.__call__(node.layer, *args, **kwargs)


def _masks_for(node):
    """(input mask tensors, output mask tensors) of a node the graph must run with masks."""
    layer = node.layer
    first = node.call_args[0] if node.call_args else None
    flat_in = first if isinstance(first, (list, tuple)) else [first]
    mask_in = [getattr(t, "_keras_mask", None) for t in flat_in]
    mask_out = [getattr(t, "_keras_mask", None) for t in node.output_tensors]
    passed = [m for m in mask_in if m is not None]
    takes = bool(passed) and layer._call_takes_mask and "mask" not in node.call_kwargs
    computes = layer._defines_mask() and any(m is not None for m in mask_out)
    named = _named_masks(node)
    if not takes and not computes and not named:
        return None
    return mask_in, mask_out, named


def _named_masks(node):
    """Keras 3's rule for a call of several tensors: a `<argument>_mask` parameter of `call`
    gets that argument's mask (MultiHeadAttention's `query_mask`, `value_mask`, `key_mask`).
    Read once, when the graph is compiled."""
    params = inspect.signature(type(node.layer).call).parameters
    given = list(zip([p for p in params if p != "self"], node.call_args)) + \
        list(node.call_kwargs.items())
    tensors = [(name, t) for name, t in given if isinstance(t, KerasTensor)]
    if len(tensors) < 2:
        return []
    return [(f"{name}_mask", t._keras_mask) for name, t in tensors
            if f"{name}_mask" in params and node.call_kwargs.get(f"{name}_mask") is None
            and getattr(t, "_keras_mask", None) is not None]


def _run_masked(payload, ins, outs, slots):
    node, mask_in, mask_out, named = payload
    masks = [None if i is None else slots[i] for i in mask_in]
    layer = node.layer
    first = node.call_args[0]
    mask = masks if isinstance(first, (list, tuple)) else masks[0]
    if all(m is None for m in masks):
        mask = None
    takes = layer._call_takes_mask and "mask" not in node.call_kwargs
    values = [slots[i] for i in ins]
    result = _call_node(node, values, mask if takes else None,
                        [(key, slots[i]) for key, i in named if i is not None])
    for slot, value in zip(outs, nest.flatten(result)):
        slots[slot] = value
    if any(i is not None for i in mask_out):
        inputs = values[0] if not isinstance(first, (list, tuple)) else values[:len(first)]
        new = layer.compute_mask(inputs, mask)
        new = nest.flatten(new) if isinstance(new, (list, tuple)) else [new]
        for slot, value in zip(mask_out, new):
            if slot is not None:
                slots[slot] = value


def _explain(step, error):
    layer = getattr(step, "__self__", None)
    if layer is None and isinstance(step, tuple) and step[0] != "convert":
        payload = step[1]
        layer = payload[0].layer if isinstance(payload, tuple) else payload.layer
    if layer is None:
        return error
    return RuntimeError(f"Exception encountered when calling layer {layer.name!r} "
                        f"({type(layer).__name__}): {error}")
