"""Keras 1 layers that later Keras removed, served as `keras.layers.<name>`."""
from cornu.compat.legacy_layers.keras1 import Highway, MaxoutDense

LAYERS = ("Highway", "MaxoutDense")
__all__ = list(LAYERS)
