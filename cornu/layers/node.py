"""Temporary re-export (until the merge window closes): Node lives in `cornu.graph`."""
from cornu.graph.node import Node  # noqa: F401
