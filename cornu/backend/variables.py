"""`Variable`: an `nn.Parameter` with a Keras name and path, in Keras's shape.

A Variable always has the shape Keras shows (a Dense kernel is `(in, out)`, a Conv2D kernel is
`(kh, kw, in, out)`). Its storage may be laid out for the torch kernel that consumes it (a Conv2D
kernel is stored as `(out, in, kh, kw)`), so that the layer's `permute` is a free, contiguous view
and no training step copies or transposes a weight. `numpy()` and `assign()` work in Keras's layout.
"""
import numpy as np
import torch


class Variable(torch.nn.Parameter):
    def __new__(cls, data, trainable=True, name=None, path=None):
        self = torch.Tensor._make_subclass(cls, data.detach(), bool(trainable))
        self._keras_name = name
        self.path = path or name
        self._keras_trainable = bool(trainable)
        self.constraint = None
        self.regularizer = None
        return self

    def __init__(self, *args, **kwargs):  # all set in __new__
        pass

    @property
    def name(self):
        return self._keras_name

    @name.setter
    def name(self, value):
        self._keras_name = value

    @property
    def trainable(self):
        return self._keras_trainable

    @trainable.setter
    def trainable(self, value):
        self._keras_trainable = bool(value)
        self.requires_grad_(bool(value))

    @property
    def value(self):
        return self.detach()

    def numpy(self, *, force=False):
        """A copy of the value as a NumPy array, in Keras's shape (`force` as torch's: accepted,
        the copy is always detached and on the CPU; torch's ONNX exporter passes it)."""
        return self.detach().cpu().numpy().copy()

    def assign(self, value):
        with torch.no_grad():
            self.copy_(torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor)
                                       else value, dtype=self.dtype))
        return self

    def assign_add(self, value):
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value):
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def __repr__(self):
        value = np.array2string(self.numpy(), precision=4, threshold=6, edgeitems=2)
        dtype = str(self.dtype).replace("torch.", "")
        return (f"<Variable path={self.path}, shape={tuple(self.shape)}, dtype={dtype}, "
                f"value={value}>")

    def _state(self):
        return {"name": self.name, "path": self.path, "_keras_trainable": self._keras_trainable,
                "constraint": self.constraint, "regularizer": self.regularizer}

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        data = self.detach().clone(memory_format=torch.preserve_format)
        out = Variable(data, self._keras_trainable, self.name, self.path)
        out.requires_grad_(self.requires_grad)
        out.constraint, out.regularizer = self.constraint, self.regularizer
        memo[id(self)] = out
        return out

    def __reduce_ex__(self, protocol):
        return (_rebuild_variable, (self.detach(), self.requires_grad, self._state()))


def _rebuild_variable(data, requires_grad, state):
    out = Variable(data, state["_keras_trainable"], state["name"], state["path"])
    out.requires_grad_(requires_grad)
    out.constraint, out.regularizer = state["constraint"], state["regularizer"]
    return out
