"""Utilities: one-hot encoding, normalization, padding, seeds, custom objects, `Sequence`."""
from cornu.preprocessing.sequence import pad_sequences
from cornu.utils.numerical import normalize, set_random_seed, to_categorical
from cornu.utils.registry import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                  register_keras_serializable)
from cornu.utils.sequence import Sequence

PyDataset = Sequence  # Keras 3's name; Sequence is its alias there
from cornu.utils.model_visualization import model_to_dot, plot_model
from cornu.saving.export import export_onnx

__all__ = ["to_categorical", "normalize", "set_random_seed", "CustomObjectScope",
           "custom_object_scope", "get_custom_objects", "register_keras_serializable", "Sequence", "PyDataset",
           "plot_model", "model_to_dot", "pad_sequences", "export_onnx"]
