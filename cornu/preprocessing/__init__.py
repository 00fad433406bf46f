"""Data preprocessing of Keras 1/2 (`keras.preprocessing`): `text` and `sequence`."""
from cornu.preprocessing import sequence, text

__all__ = ["sequence", "text"]
