"""tf.keras 2's `keras.layers.experimental` namespace."""
from cornu.compat import experimental_preprocessing as preprocessing

__all__ = ["preprocessing"]
