"""tf.keras 2's `keras.layers.experimental.preprocessing`: the preprocessing layers under their
old path (Keras 3 keeps them in `keras.layers`)."""
from cornu.layers import (CenterCrop, Normalization, RandomBrightness, RandomContrast, RandomCrop,
                          RandomFlip, RandomRotation, RandomTranslation, RandomZoom, Rescaling,
                          Resizing)

__all__ = ["CenterCrop", "Normalization", "RandomBrightness", "RandomContrast", "RandomCrop",
           "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "Rescaling",
           "Resizing"]


def __getattr__(name):
    import cornu.layers
    return getattr(cornu.layers, name)  # a layer cornu lacks says why
