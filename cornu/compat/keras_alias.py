"""The `keras` import alias: makes `import keras` (any era's module paths) load cornu.

Nothing named keras is installed: a meta-path finder answers for `keras` and its submodules
from the table in compat/modules.py, handing out the cornu module itself.
"""
import importlib
import importlib.abc
import importlib.util
import sys
import types

from cornu.compat.modules import MODULES


def resolve(fullname):
    """The cornu module path for a `keras...` module path, or None.

    Only lower-case names fall back to a listed parent: Keras's modules are all lower case, so
    `keras.callbacks.TensorBoard` is a name cornu lacks (an ImportError), not a module.
    """
    if fullname in MODULES:
        return MODULES[fullname]
    parts = fullname.split(".")
    if parts[-1] != parts[-1].lower():
        return None
    while len(parts) > 1:
        parts.pop()
        parent = ".".join(parts)
        if parent in MODULES and parent != "keras":
            return MODULES[parent]
    return None


class KerasModule(types.ModuleType):
    """`keras.<path>`: a module whose attributes are those of the cornu module it stands for.

    Being a module of its own (named `keras...`) lets `from keras.utils import np_utils` find
    the submodule through the import system, as it did in Keras 2.
    """

    def __init__(self, name, target):
        super().__init__(name)
        self._cornu_target = target
        self.__doc__ = target.__doc__

    def __getattr__(self, attr):
        if attr.startswith("__") and attr not in ("__all__", "__version__"):
            raise AttributeError(attr)
        return getattr(self._cornu_target, attr)

    def __dir__(self):
        return sorted(set(dir(self._cornu_target)) | set(self.__dict__))

    def __call__(self, *args, **kwargs):
        # `from keras.constraints import maxnorm` for a name cornu lacks falls back to the
        # parent module (as unknown module paths do); calling it is where that shows.
        parent, _, name = self.__name__.rpartition(".")
        raise TypeError(f"cornu does not provide `{name}` in `{parent}`: the import found only the "
                        f"module {parent} (as `{self.__name__}`), which cannot be called.")


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return KerasModule(spec.name, importlib.import_module(self.target))

    def exec_module(self, module):
        pass


class KerasAliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras" and not fullname.startswith("keras."):
            return None
        cornu_name = resolve(fullname)
        if cornu_name is None:
            _raise_known_gap(fullname)
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(cornu_name),
                                               is_package=True)


def _raise_known_gap(fullname):
    """`from keras.layers import X` for an X that cornu knowingly lacks: the import system asks
    for a submodule `keras.layers.X`; answer with cornu's reason instead of a bare ImportError."""
    parent, _, name = fullname.rpartition(".")
    target = resolve(parent)
    if target is None:
        return
    try:
        getattr(importlib.import_module(target), name)
    except AttributeError as error:
        if "has no attribute" not in str(error):
            raise ImportError(str(error), name=fullname) from None


def install_as_keras():
    """Makes `import keras` (and `from keras.layers.core import Dense`, ...) load cornu."""
    if not any(isinstance(f, KerasAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, KerasAliasFinder())
    for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
        if not getattr(sys.modules[name], "__name__", "").startswith("cornu"):
            del sys.modules[name]
