"""Utilities: one-hot encoding, normalization, padding, seeds, custom objects, `Sequence`."""
from cornu.utils.sequence_utils import pad_sequences
from cornu.utils.numerical import normalize, set_random_seed, to_categorical
from cornu.utils.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from cornu.utils.registry import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                  register_keras_serializable)
from cornu.utils.sequence import PyDataset, Sequence
from cornu.utils.file_utils import get_file
from cornu.utils.dataset import Dataset
from cornu.utils.dataset_utils import split_dataset, timeseries_dataset_from_array

from cornu.utils.model_visualization import model_to_dot, plot_model
from cornu.utils.plot_history import plot_history
from cornu.utils.progbar import AveragingProgbar as Progbar

__all__ = ["to_categorical", "normalize", "set_random_seed", "CustomObjectScope",
           "custom_object_scope", "get_custom_objects", "register_keras_serializable", "Sequence", "PyDataset",
           "plot_model", "model_to_dot", "pad_sequences", "pack_x_y_sample_weight",
           "unpack_x_y_sample_weight", "get_file", "Dataset", "split_dataset",
           "timeseries_dataset_from_array", "image_dataset_from_directory",
           "text_dataset_from_directory", "load_img", "img_to_array", "array_to_img", "save_img",
           "plot_history", "export_onnx", "Progbar", "get_source_inputs"]


def provide(**names):
    """Publishes names that packages above `utils` implement (image and dataset readers in
    `preprocessing`, `export_onnx` in `saving`) under `cornu.utils`, which is also Keras's public
    `keras.utils`. Each such package calls it when it loads; `import cornu` loads them all."""
    globals().update(names)
