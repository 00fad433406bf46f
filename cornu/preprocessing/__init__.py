"""Data preprocessing of Keras 1/2 (`keras.preprocessing`): `image`, `text` and `sequence`, and
tf.keras 2's dataset functions there (the same as `cornu.utils`'s)."""
from cornu.preprocessing import image, sequence, text
from cornu.utils.dataset_utils import timeseries_dataset_from_array
from cornu.utils.directory_datasets import image_dataset_from_directory, text_dataset_from_directory

__all__ = ["image", "sequence", "text", "image_dataset_from_directory",
           "text_dataset_from_directory", "timeseries_dataset_from_array"]
