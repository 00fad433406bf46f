"""Keras's datasets, with Keras's download code and caches, and local files for offline machines."""
from cornu.datasets import (boston_housing, california_housing, cifar10, cifar100, fashion_mnist,
                            imdb, mnist, reuters)

__all__ = ["mnist", "fashion_mnist", "cifar10", "cifar100", "boston_housing",
           "california_housing", "imdb", "reuters"]
