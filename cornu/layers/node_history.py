"""`Layer.input`, `output`, `input_shape`, `get_input_at(i)` and the rest: what a layer's
calls on symbolic tensors recorded (its inbound nodes), as Keras's introspection reads it."""
from cornu.layers.call_utils import _shapes_of


class NodeHistory:
    """The introspection half of `Layer`, read from `self._inbound_nodes`."""

    def _node_at(self, node_index, what):
        # ValueError as in Keras 3 (an AttributeError would be masked by nn.Module's lookup).
        if not self._inbound_nodes:
            raise ValueError(f"Layer {self.name!r} has never been called and thus has no "
                             f"defined {what}.")
        if not -len(self._inbound_nodes) <= node_index < len(self._inbound_nodes):
            raise ValueError(f"Asked to get {what} at node {node_index}, but layer "
                             f"{self.name!r} has only {len(self._inbound_nodes)} inbound node(s).")
        return self._inbound_nodes[node_index]

    @staticmethod
    def _unwrap(tensors):
        return tensors[0] if len(tensors) == 1 else list(tensors)

    # As in Keras 3, `input`/`output` are those of the layer's first call.
    @property
    def input(self):
        return self.get_input_at(0)

    @property
    def output(self):
        return self.get_output_at(0)

    def get_input_at(self, node_index):
        return self._unwrap(self._node_at(node_index, "input").input_tensors)

    def get_output_at(self, node_index):
        return self._unwrap(self._node_at(node_index, "output").output_tensors)

    def get_input_shape_at(self, node_index):
        return _shapes_of(self.get_input_at(node_index))

    def get_output_shape_at(self, node_index):
        return _shapes_of(self.get_output_at(node_index))

    def _shape_over_nodes(self, what):
        get = self.get_input_at if what == "input" else self.get_output_at
        shapes = [_shapes_of(get(i)) for i in range(len(self._inbound_nodes))]
        if any(shape != shapes[0] for shape in shapes):
            raise AttributeError(f"The layer {self.name!r} has multiple inbound nodes with "
                                 f"different {what} shapes {shapes}, so its {what} shape is "
                                 f"ill-defined. Use `get_{what}_shape_at(node_index)` instead.")
        return shapes[0]

    @property
    def input_shape(self):
        """The input shape (tf.keras 2): the same for every call of the layer, else an error."""
        if self._inbound_nodes:
            return self._shape_over_nodes("input")
        if self._batch_input_shape is not None:
            return self._batch_input_shape
        raise AttributeError(f"The layer {self.name!r} has never been called and thus has no "
                             "defined input shape.")

    @property
    def output_shape(self):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name!r} has never been called and thus has "
                                 "no defined output shape.")
        return self._shape_over_nodes("output")
