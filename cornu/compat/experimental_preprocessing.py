"""tf.keras 2's `keras.layers.experimental.preprocessing`: the preprocessing layers under their
old path (Keras 3 keeps them in `keras.layers`)."""
from cornu.layers import (CategoryEncoding, CenterCrop, Discretization, Hashing, IntegerLookup,
                          Normalization, RandomBrightness, RandomContrast, RandomCrop, RandomFlip,
                          RandomRotation, RandomTranslation, RandomZoom, Rescaling, Resizing,
                          StringLookup, TextVectorization)

__all__ = ["CategoryEncoding", "CenterCrop", "Discretization", "Hashing", "IntegerLookup", "Normalization",
           "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation",
           "RandomTranslation", "RandomZoom", "Rescaling", "Resizing", "StringLookup",
           "TextVectorization"]


def __getattr__(name):
    import cornu.layers
    return getattr(cornu.layers, name)  # a layer cornu lacks says why
