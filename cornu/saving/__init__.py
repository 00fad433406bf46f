"""Saving and loading models and weights, in every Keras era's file layout."""
from cornu.saving.api import load_model, load_weights, save_model, save_weights

__all__ = ["load_model", "save_model", "save_weights", "load_weights"]
