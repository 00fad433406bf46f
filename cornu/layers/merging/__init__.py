"""Merge layers: combine a list of tensors into one."""
from cornu.layers.merging.concatenate import Concatenate, concatenate
from cornu.layers.merging.dot import Dot, dot
from cornu.layers.merging.elementwise import (Add, Average, Maximum, Minimum, Multiply, Subtract,
                                              add, average, maximum, minimum, multiply, subtract)

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]
