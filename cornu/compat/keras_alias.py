"""The `keras` import alias: makes `import keras` (any era's module paths) load cornu.

Nothing named keras is installed: a meta-path finder answers for `keras` and its submodules
from the table in compat/modules.py, handing out the cornu module itself. `tensorflow.keras...`
paths (tf.keras scripts) go through the same table; where TensorFlow is not installed,
`import tensorflow` gives a stub that holds only `keras` and `random.set_seed`.
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


class TensorFlowStub(types.ModuleType):
    """`tensorflow` where TensorFlow is not installed: only `tf.keras` (cornu) and
    `tf.random.set_seed`; any other `tf.X` fails naming what is missing."""

    __version__ = "2.16.0"  # the tf.keras scripts cornu serves are TF 2 scripts
    cornu_stub = True

    def __init__(self):
        super().__init__("tensorflow", "TensorFlow is not installed: cornu serves `tf.keras`.")
        self.__path__ = []
        from cornu.utils import set_random_seed
        self.random = types.SimpleNamespace(set_seed=set_random_seed)

    def __getattr__(self, name):
        if name == "keras":
            return importlib.import_module("tensorflow.keras")
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"`tf.{name}` is TensorFlow itself, which is not installed: cornu "
                             "serves only `tf.keras` (and `tf.random.set_seed`).")


class _StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return TensorFlowStub()

    def exec_module(self, module):
        pass


def _real_tensorflow_installed():
    import importlib.machinery
    return importlib.machinery.PathFinder.find_spec("tensorflow") is not None


class KerasAliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "tensorflow":
            if _real_tensorflow_installed():
                return None
            return importlib.util.spec_from_loader(fullname, _StubLoader(), is_package=True)
        keras_name = fullname
        if fullname == "tensorflow.keras" or fullname.startswith("tensorflow.keras."):
            keras_name = fullname[len("tensorflow."):]  # tf.keras: the same table as keras
        if keras_name != "keras" and not keras_name.startswith("keras."):
            return None
        cornu_name = resolve(keras_name)
        if cornu_name is None:
            _raise_known_gap(keras_name)
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
    # `from tensorflow import keras`: the stub `tensorflow` imports it; a real one's tf.keras
    # imports `keras` (TF >= 2.16), which is cornu now.
