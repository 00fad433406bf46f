"""Keras 1/2's `keras.engine` (and `.topology`, `.training`, `.base_layer`, `.input_layer`,
`.network`, `.sequential`): where custom layers found `Layer` and `InputSpec`.

Every name is the modern object, except Keras 1's array helper `slice_X` (Keras 2:
`_slice_arrays`), which Keras 3 removed.
"""
import numpy as np

from cornu.layers import Input, InputLayer, InputSpec, Layer
from cornu.models import Model, Sequential
from cornu.models.functional import Functional, get_source_inputs
from cornu.graph.node import Node

Container = Network = Functional  # Keras 1's and 2.1's names of the graph model


def slice_X(X, start=None, stop=None):  # noqa: N802, N803  (Keras 1's name)
    """Rows `start:stop` (or the rows listed in `start`) of an array or of each array in a
    list, as Keras 1's `keras.engine.training.slice_X`."""
    def rows(x):
        if x is None:
            return None
        if hasattr(start, "__len__"):
            return np.asarray(x)[np.asarray(start)] if not hasattr(x, "shape") else x[start]
        return x[start:stop]
    if isinstance(X, list):
        return [rows(x) for x in X]
    return rows(X)


_slice_arrays = slice_X  # Keras 2's name (`keras.engine.training_utils`)

__all__ = ["Layer", "InputSpec", "Input", "InputLayer", "Model", "Sequential", "Container",
           "Network", "Node", "get_source_inputs", "slice_X"]


def __getattr__(name):
    # Keras 1's topology also held `Merge`/`merge`; other layer names resolve as in layers.
    from cornu import layers
    return getattr(layers, name)
