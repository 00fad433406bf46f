"""cornu: the Keras API, every era of it, on PyTorch.

    import cornu as keras
    model = keras.Sequential([keras.layers.Dense(10, activation="relu", input_shape=(4,)),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=10)

Every model is a `torch.nn.Module`. `cornu.install_as_keras()` (or `cornu run script.py`) lets
code that imports `keras` run on cornu unchanged.
"""
from cornu.version import __version__

from cornu import (activations, applications, backend, callbacks, constraints, datasets,
                   config, distribution, initializers, layers, losses, metrics, models, ops,
                   optimizers, preprocessing, random, regularizers, saving, utils)
from cornu.backend.scopes import device, name_scope
from cornu.backend.variables import Variable
from cornu.compat import install as _install_compat
from cornu.graph import KerasTensor
from cornu.compat.keras_alias import install_as_keras
from cornu.config import DTypePolicy
from cornu.initializers import Initializer
from cornu.layers import Input, InputSpec, Layer
from cornu.losses import Loss
from cornu.metrics import Metric
from cornu.models import Model, Sequential
from cornu.optimizers import Optimizer
from cornu.regularizers import Regularizer

FloatDTypePolicy = DTypePolicy  # Keras 3's older name of the float policy


def __getattr__(name):
    """`cornu.wrappers` is imported on first use: it imports scikit-learn (and with it SciPy and
    pandas), which took longer than the rest of `import cornu` together."""
    if name == "wrappers":
        import importlib
        return importlib.import_module("cornu.wrappers")
    raise AttributeError(f"module 'cornu' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"wrappers"})


def version():
    """cornu's version (Keras 3's `keras.version()`)."""
    return __version__


__all__ = ["Sequential", "Model", "Input", "InputSpec", "Layer", "Variable", "KerasTensor", "Initializer",
           "Loss", "Metric", "Optimizer", "Regularizer", "DTypePolicy", "FloatDTypePolicy",
           "device", "name_scope", "version", "install_as_keras", "activations", "applications", "backend",
           "callbacks", "config", "constraints", "datasets", "initializers", "layers", "losses",
           "metrics", "models", "ops", "optimizers", "preprocessing", "random", "regularizers", "saving",
           "utils", "wrappers", "__version__"]

_install_compat()  # legacy names, arguments and K.* math (see cornu/compat/__init__.py)
