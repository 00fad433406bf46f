"""Datasets (`cornu.datasets.mnist.load_data()`)."""
from cornu.datasets import mnist

__all__ = ["mnist"]
