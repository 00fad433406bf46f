"""The seams where `cornu.compat` plugs legacy in: modern code calls these, compat fills them.

Modern packages never import `compat` (it sits at the top of the layers, see
docs/ARCHITECTURE.md). They call the functions here instead, which do nothing until compat
installs its own when cornu loads (`cornu.compat.install`). So a modern module names no era:
it asks "translate these keyword arguments" or "is this an old name", and compat's tables say
what Keras 1/2 meant.
"""


def translate(kind, kwargs, owner, class_names=(), own_args=()):
    """`kwargs` with the legacy keywords of `kind` (`"layer"`, `"fit"`, `"evaluate"`,
    `"optimizer"`, `"compile"`, `"tokenizer"`) rewritten to their Keras 3 meaning (compat: `arguments.translate`)."""
    return kwargs


def translate_positional(class_names, args, n_modern, owner, keywords=None):
    """Legacy positional calls (`Convolution2D(32, 3, 3)`) as `(args, extra keywords)`."""
    return args, {}


def weight_positional(args):
    """`add_weight`'s positional arguments as keywords where they follow an older Keras's order
    (Keras 2: a name first), else None (compat: `arguments.weight_positional`)."""
    return None


def compile_positional(loss_weights, metrics):
    """`compile`'s third positional argument read as `metrics` where it holds metrics."""
    return loss_weights, metrics


def argument_names(class_names=(), kind="layer"):
    """The legacy keyword names of `kind` (for a layer: of these classes) that `translate`
    accepts; modern code uses it to let them through its own argument checks."""
    return set()


def lookup(namespace, name):
    """The legacy object `namespace.name` (`"layers"`, `"Merge"`), or None (compat's tables of
    old class and module names)."""
    return None


def install(**functions):
    """Replaces the seams named in `functions` (called by cornu.compat once)."""
    unknown = set(functions) - {"translate", "translate_positional", "compile_positional",
                                "weight_positional", "argument_names", "lookup"}
    if unknown:
        raise TypeError(f"No legacy seam named {sorted(unknown)}.")
    globals().update(functions)
