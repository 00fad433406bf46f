"""`keras.config` (Keras 3): global settings, the same ones `keras.backend` holds."""
from cornu.backend.config import (epsilon, floatx, image_data_format, set_epsilon, set_floatx,
                                  set_image_data_format)
from cornu.utils.registry import enable_unsafe_deserialization


def backend():
    return "torch"


__all__ = ["backend", "epsilon", "set_epsilon", "floatx", "set_floatx", "image_data_format",
           "set_image_data_format", "enable_unsafe_deserialization"]
