"""Datasets, with Keras's download code and caches, and local files for offline machines."""
from cornu.datasets import boston_housing, cifar10, fashion_mnist, mnist

__all__ = ["mnist", "fashion_mnist", "cifar10", "boston_housing"]
