"""Symbolic tensors: what `Input()` returns and what a layer returns when called on one.

A KerasTensor holds a shape (batch dimension `None` unless fixed), a dtype and its history:
the layer and node that produced it. Arithmetic on KerasTensors records an op node, so
`x + y` and `x[:, 0]` work inside functional models as they do in Keras.
"""
import torch


class KerasTensor:
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

    def _op(self, fn, *args, name=None):
        from cornu.layers.core.lambda_layer import TorchOp
        return TorchOp(fn, name=name)(self, *args)

    def __add__(self, other): return self._op(torch.add, other)
    def __radd__(self, other): return self._op(lambda a, b: b + a, other)
    def __sub__(self, other): return self._op(torch.sub, other)
    def __rsub__(self, other): return self._op(lambda a, b: b - a, other)
    def __mul__(self, other): return self._op(torch.mul, other)
    def __rmul__(self, other): return self._op(lambda a, b: b * a, other)
    def __truediv__(self, other): return self._op(torch.div, other)
    def __rtruediv__(self, other): return self._op(lambda a, b: b / a, other)
    def __pow__(self, other): return self._op(torch.pow, other)
    def __matmul__(self, other): return self._op(torch.matmul, other)
    def __neg__(self): return self._op(torch.neg)
    def __abs__(self): return self._op(torch.abs)
    def __getitem__(self, key): return self._op(lambda a, k=key: a[k])
    def __lt__(self, other): return self._op(torch.lt, other)
    def __gt__(self, other): return self._op(torch.gt, other)
    def __le__(self, other): return self._op(torch.le, other)
    def __ge__(self, other): return self._op(torch.ge, other)


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
