"""`K.function` (Keras 2): a piece of a functional graph as a callable on NumPy arrays."""
import numpy as np
import torch

from cornu.backend import learning_phase
from cornu.backend.config import get_device, torch_dtype
from cornu.graph.keras_tensor import KerasTensor
from cornu.models.functional import _Plan, discover_nodes


class GraphFunction:
    """Runs the layers between symbolic `inputs` and `outputs`, in inference mode by default."""

    def __init__(self, inputs, outputs, phase_marker=None):
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self._single_output = not isinstance(outputs, (list, tuple))
        outputs = [outputs] if self._single_output else list(outputs)
        self._phase_index = next((i for i, t in enumerate(inputs) if t is phase_marker
                                  and phase_marker is not None), None)
        tensors = [t for i, t in enumerate(inputs) if i != self._phase_index]
        for t in tensors + outputs:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"K.function expects symbolic tensors (e.g. `layer.input`, "
                                f"`layer.output`); received {t!r}.")
        self.inputs, self.outputs = tensors, outputs
        nodes = discover_nodes(tensors, outputs, check_unused=False)
        self._layers = []
        for node in nodes:
            if all(node.layer is not seen for seen in self._layers):
                self._layers.append(node.layer)
        self._plan = _Plan(tensors, outputs, nodes)

    def __call__(self, values):
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        training = False
        if self._phase_index is not None:
            training = bool(values.pop(self._phase_index))
        if len(values) != len(self.inputs):
            raise ValueError(f"This function takes {len(self.inputs)} input(s) "
                             f"({[t.name for t in self.inputs]}); received {len(values)}.")
        tensors = [_as_tensor(v, spec) for v, spec in zip(values, self.inputs)]
        modes = [layer.training for layer in self._layers]
        for layer in self._layers:
            layer.train(training)
        try:
            with torch.no_grad():
                out = self._plan.run(tensors)
        finally:
            for layer, mode in zip(self._layers, modes):
                layer.train(mode)
        out = [out] if len(self.outputs) == 1 else list(out)
        arrays = [o.detach().cpu().numpy() if isinstance(o, torch.Tensor) else np.asarray(o)
                  for o in out]
        return arrays[0] if self._single_output else arrays


def _as_tensor(value, spec):
    if isinstance(value, torch.Tensor):
        tensor = value
    else:
        tensor = torch.as_tensor(np.asarray(value))
    if tensor.is_floating_point() or "float" in spec.dtype:
        tensor = tensor.to(torch_dtype(spec.dtype))
    return tensor.to(get_device())


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """`K.function(inputs, outputs)`: a callable mapping a list of arrays to a list of arrays.

    `inputs` and `outputs` are symbolic tensors of a model's graph (`model.layers[0].input`,
    `model.layers[-1].output`); the callable runs the graph between them in inference mode.
    `K.learning_phase()` among the inputs takes the mode (0 or 1) from the matching value.
    """
    return GraphFunction(inputs, outputs, phase_marker=learning_phase())
