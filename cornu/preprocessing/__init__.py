"""Data preprocessing of Keras 1/2 (`keras.preprocessing`): `image`, `text` and `sequence`."""
from cornu.preprocessing import image, sequence, text

__all__ = ["image", "sequence", "text"]
