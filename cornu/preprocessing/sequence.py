"""`keras.preprocessing.sequence`: `pad_sequences` (implemented in `cornu.utils.sequence_utils`,
since Keras 3 also exports it from `keras.utils`)."""
from cornu.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
