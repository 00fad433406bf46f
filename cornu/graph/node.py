"""A Node records one call of a layer on symbolic tensors: the edge of the functional graph.

A graph may also take concrete tensors as constants (`inputs + ops.ones((4,))`). A concrete
tensor with autograd history cannot be one: it was computed from weights once, its history is
freed by the first `backward()`, and its value would not follow the weights as they train. When
it is the output of a layer's eager call (`Embedding(16, 8)(ops.arange(16))`, the positional
embedding of Keras's transformer examples), the call is remembered on it (`EagerCall`) and
recorded as a node of its own, which the graph runs at each forward pass, so the layer's
weights are the model's and train. Any other such tensor is a clear error.
"""
import torch

from cornu.graph.keras_tensor import KerasTensor
from cornu.utils import nest

_IN_PROGRESS = object()


class EagerCall:
    """A top-level eager call of a layer whose outputs carry autograd history, remembered on
    those outputs until a graph records it: `tensor._keras_eager_call = (call, index,
    version)`, or `(layer, args, kwargs, version)` on the one output of a call of one tensor,
    with the tensor's version counter then (an in-place change after the call moves it)."""

    __slots__ = ("layer", "args", "kwargs", "symbolic")

    def __init__(self, layer, args, kwargs):
        self.layer, self.args, self.kwargs = layer, args, kwargs
        self.symbolic = None  # the flat symbolic outputs, once recorded

    def symbolic_output(self, index):
        if self.symbolic is _IN_PROGRESS:
            raise ValueError(f"Layer {self.layer.name!r}: its eager call's inputs include its own "
                             "output, which a functional graph cannot record.")
        if self.symbolic is None:
            self.symbolic = _IN_PROGRESS
            try:
                args = symbolic_operands(list(self.args), self.layer.name)
                kwargs = symbolic_operands(dict(self.kwargs), self.layer.name)
                self.symbolic = nest.flatten(self.layer._record_call(tuple(args), kwargs))
            except BaseException:
                self.symbolic = None
                raise
        return self.symbolic[index]


def remember_eager_call(layer, args, kwargs, outputs):
    """Called by `Layer.__call__` after a top-level eager call: marks each output tensor that
    carries autograd history (and is not one of the call's own inputs) with the call."""
    call = None
    inputs = {id(t) for t in nest.flatten([list(args), kwargs])}
    for index, tensor in enumerate(nest.flatten(outputs)):
        if isinstance(tensor, torch.Tensor) and tensor.grad_fn is not None and \
                id(tensor) not in inputs:
            call = call or EagerCall(layer, args, kwargs)
            tensor._keras_eager_call = (call, index, tensor._version)


def symbolic_operands(structure, consumer):
    """`structure` (the arguments of a call a graph records) with each concrete tensor that
    carries autograd history replaced by the symbolic output of the eager layer call that
    made it; the same object when there is none."""
    flat = nest.flatten(structure)
    if not any(isinstance(t, torch.Tensor) and t.grad_fn is not None for t in flat):
        return structure
    return nest.map_structure(lambda t: _symbolic(t, consumer), structure)


def _symbolic(tensor, consumer):
    if not isinstance(tensor, torch.Tensor) or tensor.grad_fn is None:
        return tensor
    made = getattr(tensor, "_keras_eager_call", None)
    if made is None:
        raise ValueError(
            f"Layer {consumer!r} is called inside a functional model on a concrete tensor of "
            f"shape {tuple(tensor.shape)} that carries autograd history "
            f"({type(tensor.grad_fn).__name__}), not made by a layer call. As a constant of the "
            "graph it would keep one value computed from the weights of the time, and the first "
            "training step would free its history. Compute it in the graph (a layer or an op "
            "called on the model's symbolic tensors, or a layer called on a constant, such as "
            "`Embedding(n, d)(ops.arange(n))`), or pass `tensor.detach()` for a constant.")
    if len(made) == 4:  # `(layer, args, kwargs, version)`: Layer.__call__'s mark of one output
        made = tensor._keras_eager_call = (EagerCall(*made[:3]), 0, made[3])
    call, index, version = made
    if tensor._version != version:
        raise ValueError(
            f"Layer {consumer!r} is called inside a functional model on the output of an eager "
            f"call of layer {call.layer.name!r}, changed in place since (`*=`, `add_`, ...): "
            "the graph can record the call but not the change. Make the change in the graph "
            "(an op on the symbolic tensor the call gives when made on `Input`s or constants), "
            "or pass `tensor.detach()` for a constant.")
    return call.symbolic_output(index)


class Node:
    """One call of a layer on symbolic tensors: the edge of a functional graph that links the
    tensors it consumed to those it produced. A call with constants only (a layer's eager call
    recorded, see above) is a node with no input tensors, which is not an input node."""

    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=None):
        self.layer = layer
        self.call_args = tuple(symbolic_operands(list(call_args), layer.name))
        self.call_kwargs = symbolic_operands(dict(call_kwargs or {}), layer.name)
        self.outputs = outputs
        self.input_tensors = [t for t in nest.flatten([list(self.call_args), self.call_kwargs])
                              if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in nest.flatten(outputs) if isinstance(t, KerasTensor)]
        self.is_input = not self.input_tensors and not self.call_args and not self.call_kwargs
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                tensor._keras_history[0]._outbound_nodes.append(self)
        for i, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (layer, node_index, i)

    @property
    def parent_nodes(self):
        parents = []
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                layer, node_index, _ = tensor._keras_history
                parents.append(layer._inbound_nodes[node_index])
        return parents

    def __repr__(self):
        return f"<Node of {self.layer.name}: {len(self.input_tensors)} in, {len(self.output_tensors)} out>"
