"""Keras 1 layers that later Keras removed, served as `keras.layers.<name>`."""
from cornu.compat.legacy_layers.keras1 import Highway, MaxoutDense
from cornu.compat.legacy_layers.keras1_advanced import (ParametricSoftplus, SReLU,
                                                        ThresholdedLinear, TimeDistributedDense)

LAYERS = ("Highway", "MaxoutDense", "ParametricSoftplus", "SReLU", "ThresholdedLinear",
          "TimeDistributedDense")
__all__ = list(LAYERS)
