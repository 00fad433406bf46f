"""Image preprocessing and augmentation layers (batched, on the images' device)."""
from cornu.layers.preprocessing.image.augmentation import (RandomBrightness, RandomContrast,
                                                           RandomCrop, RandomFlip,
                                                           RandomRotation, RandomTranslation,
                                                           RandomZoom)
from cornu.layers.preprocessing.image.resizing import CenterCrop, Resizing

__all__ = ["Resizing", "CenterCrop", "RandomCrop", "RandomFlip", "RandomRotation", "RandomZoom",
           "RandomTranslation", "RandomContrast", "RandomBrightness"]
