"""Symbolic tensors: what `Input()` returns and what a layer returns when called on one.

A KerasTensor holds a shape (batch dimension `None` unless fixed), a dtype and its history:
the layer and node that produced it. Arithmetic on KerasTensors records an op node, so
`x + y` and `x[:, 0]` work inside functional models as they do in Keras.
"""
import torch


class KerasTensor:
    """A symbolic tensor: the shape (batch `None` unless fixed), dtype and history of a
    value inside a functional model under construction. `Input()` returns one; calling a
    layer or an op on one returns more."""

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype if isinstance(dtype, str) else str(dtype).replace("torch.", "")
        self.name = name
        self._keras_history = None  # (layer, node_index, tensor_index)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def node(self):
        if self._keras_history is None:
            return None
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self):
        name = f", name={self.name}" if self.name else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse=False{name}>"

    def __len__(self):
        raise TypeError("A symbolic tensor has no length; use its `.shape`.")

    def __iter__(self):
        raise TypeError(f"A symbolic tensor of shape {self.shape} cannot be iterated; "
                        "index it (x[:, 0]) or use a Lambda layer.")

    def __bool__(self):
        raise TypeError("A symbolic tensor has no truth value; its value exists only when the "
                        "model runs. Use it inside a layer's call or a Lambda layer.")

    def __hash__(self):
        return id(self)

    def _op(self, op, *args):
        from cornu.graph.symbolic import record
        return record(op, (self,) + args, {})

    def __add__(self, other): return self._op("add", other)
    def __radd__(self, other): return self._op("radd", other)
    def __sub__(self, other): return self._op("subtract", other)
    def __rsub__(self, other): return self._op("rsubtract", other)
    def __mul__(self, other): return self._op("multiply", other)
    def __rmul__(self, other): return self._op("rmultiply", other)
    def __truediv__(self, other): return self._op("divide", other)
    def __rtruediv__(self, other): return self._op("rdivide", other)
    def __pow__(self, other): return self._op("power", other)
    def __rpow__(self, other): return self._op("rpower", other)
    def __matmul__(self, other): return self._op("matmul", other)
    def __rmatmul__(self, other): return self._op("rmatmul", other)
    def __neg__(self): return self._op("negative")
    def __abs__(self): return self._op("absolute")
    def __getitem__(self, key): return self._op("get_item", key)
    def __lt__(self, other): return self._op("less", other)
    def __gt__(self, other): return self._op("greater", other)
    def __le__(self, other): return self._op("less_equal", other)
    def __ge__(self, other): return self._op("greater_equal", other)


def _get_item(x, key):
    # A key read back from JSON is a list; as an index it meant a tuple of per-axis keys.
    return x[tuple(key) if isinstance(key, list) else key]


# Operators on symbolic tensors, by the name their graph node (a `TorchOp`) is saved under.
OPERATORS = {
    "add": torch.add, "radd": lambda a, b: b + a,
    "subtract": torch.sub, "rsubtract": lambda a, b: b - a,
    "multiply": torch.mul, "rmultiply": lambda a, b: b * a,
    "divide": torch.div, "rdivide": lambda a, b: b / a,
    "power": torch.pow, "rpower": lambda a, b: b ** a,
    "matmul": torch.matmul, "rmatmul": lambda a, b: b @ a,
    "negative": torch.neg, "absolute": torch.abs, "get_item": _get_item,
    "less": torch.lt, "greater": torch.gt, "less_equal": torch.le, "greater_equal": torch.ge,
}


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)


def any_symbolic(structure):
    if isinstance(structure, KerasTensor):
        return True
    if isinstance(structure, (list, tuple)):
        return any(any_symbolic(s) for s in structure)
    if isinstance(structure, dict):
        return any(any_symbolic(s) for s in structure.values())
    return False
