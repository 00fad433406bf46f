"""`cornu.graph`: symbolic tensors and the nodes that connect them into a functional graph.

It sits below `ops`, `layers` and `losses` so that each of them can record graph nodes
without importing the others: see `symbolic.symbolic_op`.
"""
from cornu import backend
from cornu.graph.keras_tensor import KerasTensor, any_symbolic, is_keras_tensor
from cornu.graph.node import Node
from cornu.graph.symbolic import record, resolve, set_node_factory, symbolic_op

__all__ = ["KerasTensor", "Node", "any_symbolic", "is_keras_tensor", "record", "resolve",
           "set_node_factory", "symbolic_op"]

backend.extend({"is_keras_tensor": is_keras_tensor, "KerasTensor": KerasTensor})
