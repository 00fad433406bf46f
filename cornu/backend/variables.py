"""`Variable` (Keras 3's `keras.Variable`): an `nn.Parameter` with a Keras name and path.

    v = keras.Variable(initializer="zeros", shape=(3,), name="total")
    v.assign_add(x.sum(0))      # in place, returns the variable
    v.value.grad                # `value` is the parameter itself, so torch's gradient is there

A Variable is a tensor (math on it gives plain tensors, autograd sees it) and a parameter (a
layer registers it, `torch.optim` updates it). It always has the shape Keras shows (a Dense kernel
is `(in, out)`, a Conv2D kernel is `(kh, kw, in, out)`); its storage may be laid out for the torch
kernel that consumes it (a Conv2D kernel is stored as `(out, in, kh, kw)`), so that the layer's
`permute` is a free, contiguous view and no training step copies or transposes a weight. `numpy()`
and `assign()` work in Keras's layout.

Two differences from Keras 3 on torch, both because a Variable is the tensor itself: `dtype` is
the torch dtype (`torch.float32`, which torch's own code reads), and `assign*` return the variable
(Keras 3 returns the value assigned; tf.keras 2 returned the variable).
"""
import numpy as np
import torch

from cornu.backend.config import floatx, get_device, torch_dtype


# Bumped whenever a variable's `trainable` changes: models cache `trainable_weights` against it.
TRAINABLE_VERSION = [0]


class Variable(torch.nn.Parameter):
    """A weight or a piece of state: `keras.Variable(initializer, shape, dtype, trainable, ...)`.

    Args:
        initializer: the initial value (a tensor, an array, a number), or an initializer (a name
            such as `"zeros"` or a callable `(shape, dtype)`), which needs `shape`.
        shape: the shape; needed with an initializer, checked against a value.
        dtype: the dtype; by default the value's (`floatx` for Python floats and initializers).
        trainable: whether gradients flow to it and optimizers update it.
        autocast, aggregation, synchronization: accepted and kept, as Keras 3 stores them (one
            device, no distribution strategy, so they change nothing).
        name: the variable's name; `path` is `<layer name>/<name>` for a layer's weight.
    """

    def __new__(cls, initializer=None, shape=None, dtype=None, trainable=True, autocast=True,
                aggregation="none", synchronization="auto", name=None, path=None):
        if name is not None and not isinstance(name, str):
            raise ValueError(f"Variable: `name` must be a string. Received: name={name!r}")
        data = _initial_value(initializer, shape, dtype)
        if name is None:
            from cornu.backend.naming import uniquify
            name = uniquify("variable")
        requires_grad = bool(trainable) and (data.is_floating_point() or data.is_complex())
        self = torch.Tensor._make_subclass(cls, data, requires_grad)
        self._keras_name = name
        self.path = path or name
        self._keras_trainable = bool(trainable)
        self.autocast, self.aggregation, self.synchronization = autocast, aggregation, synchronization
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
        TRAINABLE_VERSION[0] += 1  # (a model's cached `trainable_weights` is stale)
        self.requires_grad_(bool(value) and (self.is_floating_point() or self.is_complex()))

    @property
    def value(self):
        """The variable itself, the `nn.Parameter` torch differentiates (`value.grad`)."""
        return self

    def numpy(self, *, force=False):
        """A copy of the value as a NumPy array, in Keras's shape (`force` as torch's: accepted,
        the copy is always detached and on the CPU; torch's ONNX exporter passes it)."""
        return self.detach().cpu().numpy().copy()

    # ------------------------------------------------------------- assignment
    def assign(self, value):
        """Sets the value (a number, array or tensor of the variable's shape, any device)."""
        value = self._operand(value, "assign")
        if value.shape != self.shape:
            raise ValueError(f"Variable {self.path!r}: `assign` needs a value of the variable's "
                             f"shape {tuple(self.shape)}, but received shape {tuple(value.shape)}.")
        with torch.no_grad():
            self.copy_(value)
        return self

    def assign_add(self, value):
        """Adds `value` (broadcast to the variable's shape) in place."""
        with torch.no_grad():
            self.add_(self._operand(value, "assign_add", broadcast=True))
        return self

    def assign_sub(self, value):
        """Subtracts `value` (broadcast to the variable's shape) in place."""
        with torch.no_grad():
            self.sub_(self._operand(value, "assign_sub", broadcast=True))
        return self

    def _operand(self, value, op, broadcast=False):
        if isinstance(value, torch.Tensor):
            value = value.detach()
            if value.device != self.device or value.dtype != self.dtype:
                value = value.to(device=self.device, dtype=self.dtype)
        else:
            array = np.asarray(value)
            if array.dtype.kind not in "biufc":
                raise TypeError(f"Variable {self.path!r}: `{op}` needs a number, an array or a "
                                f"tensor; received {value!r}.")
            value = torch.as_tensor(array, device=self.device).to(self.dtype)
        if broadcast and value.shape != self.shape:
            try:
                ok = torch.broadcast_shapes(value.shape, self.shape) == self.shape
            except RuntimeError:
                ok = False
            if not ok:
                raise ValueError(f"Variable {self.path!r}: `{op}` needs a value broadcastable to "
                                 f"the variable's shape {tuple(self.shape)}, but received shape "
                                 f"{tuple(value.shape)}.")
        return value

    def __repr__(self):
        value = np.array2string(self.numpy(), precision=4, threshold=6, edgeitems=2)
        dtype = str(self.dtype).replace("torch.", "")
        return (f"<Variable path={self.path}, shape={tuple(self.shape)}, dtype={dtype}, "
                f"value={value}>")

    # ----------------------------------------------------------------- copies
    def _state(self):
        return {"name": self.name, "path": self.path, "_keras_trainable": self._keras_trainable,
                "constraint": self.constraint, "regularizer": self.regularizer}

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        data = self.detach().clone(memory_format=torch.preserve_format)
        out = Variable(data, trainable=self._keras_trainable, name=self.name, path=self.path)
        out.requires_grad_(self.requires_grad)
        out.constraint, out.regularizer = self.constraint, self.regularizer
        memo[id(self)] = out
        return out

    def __reduce_ex__(self, protocol):
        return (_rebuild_variable, (self.detach(), self.requires_grad, self._state()))


# `cornu.initializers.get`, handed in when cornu.initializers loads (the backend imports
# nothing above it).
_INITIALIZER_LOOKUP = [None]


def set_initializer_lookup(get):
    _INITIALIZER_LOOKUP[0] = get


def _initial_value(initializer, shape, dtype):
    """The starting tensor: a tensor keeps its device (an optimizer's step counter stays on
    the CPU); anything else is made on cornu's device, as Keras 3 makes its variables."""
    if isinstance(initializer, torch.Tensor):
        data = initializer.detach()
        if dtype is not None:
            data = data.to(torch_dtype(dtype))
    elif isinstance(initializer, str) or (callable(initializer)
                                          and not isinstance(initializer, np.ndarray)):
        if shape is None:
            raise ValueError("Variable: an initializer needs the `shape` argument "
                             f"(received initializer={initializer!r} and shape=None).")
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(map(int, shape))
        if isinstance(initializer, str):
            initializer = _INITIALIZER_LOOKUP[0](initializer)
        data = torch.as_tensor(initializer(shape, dtype=dtype or floatx()))
        data = data.to(device=get_device(), dtype=torch_dtype(dtype or floatx()))
    elif initializer is None:
        raise ValueError("Variable: `initializer` is required (a value, or an initializer "
                         "with `shape`).")
    else:
        array = np.asarray(initializer)
        if array.dtype.kind not in "biufc":
            raise TypeError(f"Variable: cannot make a variable from {initializer!r}.")
        if dtype is None and not isinstance(initializer, (np.ndarray, np.generic)):
            # Python numbers and lists: floats are floatx, ints int32, as Keras 3 converts them
            dtype = floatx() if array.dtype.kind == "f" else ("int32" if array.dtype.kind in
                                                               "iu" else None)
        data = torch.as_tensor(array, device=get_device())
        if dtype is not None:
            data = data.to(torch_dtype(dtype))
    if shape is not None and not isinstance(initializer, str) and not callable(initializer):
        expected = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(map(int, shape))
        if tuple(data.shape) != expected:
            raise ValueError(f"Variable: the initial value has shape {tuple(data.shape)}, but "
                             f"`shape={expected}` was given.")
    return data


def _rebuild_variable(data, requires_grad, state):
    out = Variable(data, trainable=state["_keras_trainable"], name=state["name"],
                   path=state["path"])
    out.requires_grad_(requires_grad)
    out.constraint, out.regularizer = state["constraint"], state["regularizer"]
    return out
