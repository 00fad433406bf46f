"""Layers later Keras removed (Keras 1's, its `Recurrent` base class, Keras 2's
LocallyConnected1D/2D), served as `keras.layers.<name>`."""
from cornu.compat.legacy_layers.keras1 import Highway, MaxoutDense
from cornu.compat.legacy_layers.keras1_advanced import (ParametricSoftplus, SReLU,
                                                        ThresholdedLinear, TimeDistributedDense)
from cornu.compat.legacy_layers.locally_connected import LocallyConnected1D, LocallyConnected2D
from cornu.compat.legacy_layers.recurrent import Recurrent

LAYERS = ("Highway", "MaxoutDense", "ParametricSoftplus", "SReLU", "ThresholdedLinear",
          "TimeDistributedDense", "LocallyConnected1D", "LocallyConnected2D", "Recurrent")
__all__ = list(LAYERS)
