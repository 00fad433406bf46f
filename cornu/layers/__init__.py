"""Keras layers, each a `torch.nn.Module`."""
from cornu.layers.activations.advanced import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from cornu.layers.core.activation import Activation
from cornu.layers.core.dense import Dense
from cornu.layers.core.input_layer import Input, InputLayer
from cornu.layers.core.lambda_layer import Identity, Lambda
from cornu.layers.layer import Layer, registry
from cornu.layers.merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply,
                                  Subtract, add, average, concatenate, dot, maximum, minimum,
                                  multiply, subtract)
from cornu.layers.normalization.batch_normalization import BatchNormalization
from cornu.layers.regularization.dropout import Dropout, GaussianDropout, GaussianNoise
from cornu.layers.reshaping.flatten import Flatten, Reshape


def serialize(layer):
    from cornu.utils.registry import serialize as _serialize
    return _serialize(layer)


def deserialize(config, custom_objects=None, safe_mode=None):
    """A layer from its config, written by cornu or by any Keras version."""
    from cornu.saving.serialization import deserialize_layer
    return deserialize_layer(config, custom_objects, safe_mode)


def get(identifier):
    return registry.get(identifier)


def __getattr__(name):
    # Keras 0.x/1's Merge, merge and AutoEncoder live with the other legacy forms.
    from cornu.compat import legacy_models
    if name in legacy_models.LAYERS:
        return getattr(legacy_models, name)
    raise AttributeError(f"module 'cornu.layers' has no attribute {name!r}")


__all__ = ["Layer", "Input", "InputLayer", "Dense", "Activation", "Lambda", "Dropout",
           "GaussianNoise", "GaussianDropout", "Flatten", "Reshape", "BatchNormalization",
           "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU", "serialize",
           "deserialize", "get", "Identity", "Add", "Subtract", "Multiply", "Average", "Maximum",
           "Minimum", "Concatenate", "Dot", "add", "subtract", "multiply", "average", "maximum",
           "minimum", "concatenate", "dot"]
