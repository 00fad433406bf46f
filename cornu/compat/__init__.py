"""Everything legacy: argument tables, old class and module names, Keras 2's `K.*` math,
Keras 1/2 model methods, and the `keras` import alias.

compat sits at the top of cornu's layers: it may import anything, and no modern module
imports it. `install()` (run once, when `cornu` loads) plugs its tables into the seams in
`cornu.utils.legacy` and adds the old names to the modern namespaces. Heavy pieces (Keras
0.x/1's Graph and Merge, in `legacy_models`) load on first use of their names.
"""
from cornu.compat.arguments import LegacyWarning, translate, translate_positional

__all__ = ["LegacyWarning", "translate", "translate_positional", "install"]

# Names that load `legacy_models` on first use (its LAYERS and MODELS; a test checks they agree).
_LAZY = {"layers": {"Merge", "merge", "AutoEncoder", "containers"}, "models": {"Graph"}}
_installed = []


def _lookup(namespace, name):
    if name in _LAZY.get(namespace, ()):
        from cornu.compat import legacy_models
        return getattr(legacy_models, name)
    if namespace == "layers":
        from cornu.compat import legacy_layers  # Keras 1 layers later Keras removed
        if name in legacy_layers.LAYERS:
            return getattr(legacy_layers, name)
        if name == "experimental":  # tf.keras 2's keras.layers.experimental.preprocessing
            from cornu.compat import experimental
            return experimental
    return None


def _argument_names(class_names=(), kind="layer"):
    from cornu.compat import arguments
    names = set(arguments.TABLES[kind])
    for name in class_names:
        names |= set(arguments.CLASS_ARGS.get(name, {}))
    return names


def install():
    """Plugs compat into cornu (idempotent; `cornu/__init__` calls it)."""
    if _installed:
        return
    from cornu import backend
    from cornu.compat import aliases, arguments, backend_extra, backend_math, legacy_methods
    from cornu.layers import Layer
    from cornu.trainers.trainer import Trainer
    from cornu.utils import legacy
    legacy.install(translate=arguments.translate,
                   translate_positional=arguments.translate_positional,
                   compile_positional=arguments.compile_positional,
                   weight_positional=arguments.weight_positional,
                   argument_names=_argument_names, lookup=_lookup)
    aliases.install()
    backend_math.install(backend)
    backend_extra.install(backend)
    legacy_methods.install(Trainer)
    legacy_methods.install_layer(Layer)
    from cornu.compat.legacy_layers import word_dropout
    from cornu.layers import Embedding
    word_dropout.install(Embedding)  # Keras 1's Embedding(dropout=p)
    _installed.append(True)
