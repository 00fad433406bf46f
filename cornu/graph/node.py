"""A Node records one call of a layer on symbolic tensors: the edge of the functional graph."""
from cornu.graph.keras_tensor import KerasTensor
from cornu.utils import nest


class Node:
    """One call of a layer on symbolic tensors: the edge of a functional graph that links the
    tensors it consumed to those it produced."""

    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=None):
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        self.input_tensors = [t for t in nest.flatten([list(self.call_args), self.call_kwargs])
                              if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in nest.flatten(outputs) if isinstance(t, KerasTensor)]
        self.is_input = not self.input_tensors
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
