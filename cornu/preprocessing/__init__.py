"""Data preprocessing of Keras 1/2 (`keras.preprocessing`): `image`, `text` and `sequence`, and
tf.keras 2's dataset functions there (the same as `cornu.utils`'s)."""
from cornu.preprocessing import image, sequence, text
from cornu.utils.dataset_utils import timeseries_dataset_from_array
from cornu.preprocessing.directory_datasets import image_dataset_from_directory, text_dataset_from_directory

__all__ = ["image", "sequence", "text", "image_dataset_from_directory",
           "text_dataset_from_directory", "timeseries_dataset_from_array"]

from cornu import utils as _utils  # noqa: E402  (keras.utils serves these names too)
from cornu.preprocessing.image import array_to_img, img_to_array, load_img, save_img  # noqa: E402

_utils.provide(image_dataset_from_directory=image_dataset_from_directory,
               text_dataset_from_directory=text_dataset_from_directory, load_img=load_img,
               img_to_array=img_to_array, array_to_img=array_to_img, save_img=save_img)
