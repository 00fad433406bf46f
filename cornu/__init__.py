"""cornu: the Keras API, every era of it, on PyTorch.

    import cornu as keras
    model = keras.Sequential([keras.layers.Dense(10, activation="relu", input_shape=(4,)),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=10)

Every model is a `torch.nn.Module`. `cornu.install_as_keras()` (or `cornu run script.py`) lets
code that imports `keras` run on cornu unchanged.
"""
__version__ = "0.1.0"

from cornu import (activations, applications, backend, callbacks, constraints, datasets,
                   config, initializers, layers, losses, metrics, models, ops, optimizers,
                   preprocessing, random, regularizers, saving, utils, wrappers)
from cornu.compat.keras_alias import install_as_keras
from cornu.layers import Input
from cornu.models import Model, Sequential
from cornu.backend.keras_tensor import KerasTensor

__all__ = ["Sequential", "Model", "Input", "install_as_keras", "activations", "applications", "backend",
           "callbacks", "config", "constraints", "datasets", "initializers", "layers", "losses",
           "metrics", "models", "ops", "optimizers", "preprocessing", "random", "regularizers", "saving",
           "utils", "wrappers", "__version__"]
__all__ += ["KerasTensor"]  # Keras 3: `keras.KerasTensor(shape)` for `compute_output_spec`
