"""Recording ops on symbolic tensors as graph nodes: the one mechanism `ops`, `losses`, the
`K.*` functions and KerasTensor's operators share.

A function decorated with `symbolic_op` computes as usual on tensors; given a KerasTensor
anywhere in its arguments (a functional model under construction) it records a node instead.
The node's layer is a `TorchOp`, which lives in `cornu.layers`: `graph` sits below `layers`,
so `layers` hands its node-making class in through `set_node_factory` when it loads, rather
than `graph` importing upward. Named ops go into one table, so a saved node (`{"op":
"ops.mean"}`) finds its function again when the model is loaded.
"""
import functools

from cornu.backend.naming import uniquify
from cornu.graph.keras_tensor import OPERATORS, KerasTensor, any_symbolic

_OPS = dict(OPERATORS)  # saved name -> function: x + y, ops.mean, K.mean, ...
_factory = []  # [the TorchOp class], set by cornu.layers


def set_node_factory(factory):
    """Called once by `cornu.layers`: `factory(op, name=None)` returns a layer whose call on
    symbolic tensors records the node (TorchOp)."""
    _factory[:] = [factory]


def record(op, args, kwargs, name=None):
    """Records `op(*args, **kwargs)` on symbolic tensors; returns the symbolic output(s).
    `op` is a saved name (see `resolve`) or a callable (such a node cannot be saved)."""
    if not _factory:
        raise RuntimeError("Symbolic tensors need cornu.layers to be imported (import cornu).")
    layer = _factory[0](op) if name is None else _factory[0](op, name=name)
    return layer(*args, **kwargs)


def symbolic_op(name=None, prefix="", saveable=True, unique_name=False, tensor_args=None):
    """Decorator: the function records a graph node when any argument is symbolic.

    Args:
        name: the name the node is saved under (default: the function's name, less a
            trailing `_`, with `prefix` before it).
        prefix: `"ops."` for `cornu.ops`, empty for the `K.*` functions.
        saveable: False for functions that a saved node cannot name (the node keeps the
            function itself).
        unique_name: name the node's layer after the function (`mean_1`) rather than the op.
        tensor_args: where only the first `tensor_args` positional arguments can be tensors
            (a loss's `y_true, y_pred`), the check looks at those alone: losses run on every
            training step.
    """
    def decorate(fn):
        op_name = prefix + (name or fn.__name__.rstrip("_"))
        layer_name = fn.__name__.rstrip("_") if unique_name else None

        if tensor_args is not None:
            def is_symbolic(args, kwargs):
                for arg in args[:tensor_args]:
                    if isinstance(arg, KerasTensor):
                        return True
                return False
        else:
            def is_symbolic(args, kwargs):
                return any_symbolic(list(args)) or any_symbolic(kwargs)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if is_symbolic(args, kwargs):
                op = op_name if saveable else fn
                return record(op, args, kwargs,
                              name=uniquify(layer_name) if layer_name else None)
            return fn(*args, **kwargs)

        wrapper.eager_fn = fn  # what callers holding real tensors may call directly
        if saveable:  # operators keep their names; a rebuilt node may run symbolically again
            _OPS.setdefault(op_name, wrapper)
        return wrapper
    return decorate


def resolve(name):
    """The function a saved op name stands for (ValueError naming the known ones if none)."""
    fn = _OPS.get(name)
    if fn is None:
        raise ValueError(f"Unknown op {name!r} for a TorchOp: expected an operator "
                         f"({', '.join(sorted(OPERATORS))}), a cornu.ops function "
                         "('ops.<name>') or a cornu.backend function.")
    return fn
