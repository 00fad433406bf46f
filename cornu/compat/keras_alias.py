"""The `keras` import alias: makes `import keras` (any era's module paths) load cornu.

Nothing named keras is installed: a meta-path finder answers for `keras` and its submodules
from the table in compat/modules.py, handing out the cornu module itself. `tensorflow.keras...`
paths (tf.keras scripts) go through the same table; where TensorFlow is not installed,
`import tensorflow` gives a stub that holds only `keras` and `random.set_seed`.
"""
import difflib
import importlib
import importlib.abc
import importlib.util
import sys
import types

from cornu.compat.modules import MODULES


def resolve(fullname):
    """The cornu module path for a `keras...` module path, or None.

    A path is a row of compat/modules.py, or a submodule that the cornu module of a listed
    parent holds (`keras.applications.vgg16` → `cornu.applications.vgg16`). Nothing else
    resolves: `import keras.layers.recurent` is an ImportError, not the parent module.
    """
    if fullname in MODULES:
        return MODULES[fullname]
    parent, _, name = fullname.rpartition(".")
    target = resolve(parent) if parent else None
    if target is None:
        return None
    try:
        value = getattr(importlib.import_module(target), name)
    except (AttributeError, ImportError):
        return None
    if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] == "cornu":
        return value.__name__
    return None


def _close_matches(parent, target, name):
    """Names near `name` that `keras.<parent>` does hold: its attributes and listed submodules."""
    candidates = {n for n in dir(importlib.import_module(target)) if not n.startswith("_")}
    prefix = parent + "."
    candidates |= {m[len(prefix):] for m in MODULES if m.startswith(prefix)
                   and "." not in m[len(prefix):]}
    return difflib.get_close_matches(name, sorted(candidates), n=3, cutoff=0.6)


def missing_name_error(fullname):
    """The ImportError for `keras.<parent>.<name>` that cornu lacks: it names the import and
    the close matches (`model_grom_json` → `model_from_json`), or cornu's reason for a name it
    knowingly lacks (a Keras layer it does not implement)."""
    parent, _, name = fullname.rpartition(".")
    target = resolve(parent) if parent else None
    if target is None:
        return ImportError(f"No module named {fullname!r}.", name=fullname)
    try:
        getattr(importlib.import_module(target), name)
    except AttributeError as error:
        if "has no attribute" not in str(error):  # a Keras name cornu knowingly lacks: why
            return ImportError(str(error), name=fullname)
    matches = _close_matches(parent, target, name)
    hint = f" Did you mean: {', '.join(matches)}?" if matches else ""
    return ImportError(f"cannot import name {name!r} from {parent!r}: cornu provides no "
                       f"`{fullname}` (neither a name nor a module).{hint}", name=fullname)


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
        try:
            return getattr(self._cornu_target, attr)
        except AttributeError:
            # A listed submodule is an attribute too, as after Keras's own imports
            # (`keras.objectives.mse`, `keras.engine.topology`, `keras.utils.np_utils`).
            if f"{self.__name__}.{attr}" not in MODULES:
                raise
        return importlib.import_module(f"{self.__name__}.{attr}")

    def __dir__(self):
        return sorted(set(dir(self._cornu_target)) | set(self.__dict__))


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
            # An ImportError, not ModuleNotFoundError: `from keras.x import name` would swallow
            # the latter and report Python's bare "cannot import name" without the matches.
            raise missing_name_error(fullname if keras_name == fullname else keras_name)
        return importlib.util.spec_from_loader(fullname, _AliasLoader(cornu_name),
                                               is_package=True)


def install_as_keras():
    """Makes `import keras` (and `from keras.layers.core import Dense`, ...) load cornu."""
    if not any(isinstance(f, KerasAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, KerasAliasFinder())
    for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
        if not getattr(sys.modules[name], "__name__", "").startswith("cornu"):
            del sys.modules[name]
    # `from tensorflow import keras`: the stub `tensorflow` imports it; a real one's tf.keras
    # imports `keras` (TF >= 2.16), which is cornu now.
