"""Temporary re-export (until the merge window closes): KerasTensor lives in `cornu.graph`."""
from cornu.graph.keras_tensor import OPERATORS, KerasTensor, any_symbolic, is_keras_tensor  # noqa: F401
