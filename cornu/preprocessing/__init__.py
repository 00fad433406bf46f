"""Preprocessing utilities (`keras.preprocessing`): images."""
from cornu.preprocessing import image

__all__ = ["image"]
