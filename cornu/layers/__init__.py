"""Keras layers, each a `torch.nn.Module`."""
from cornu.layers.activations.advanced import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from cornu.layers.core.activation import Activation
from cornu.layers.core.dense import Dense
from cornu.layers.core.embedding import Embedding
from cornu.layers.core.input_layer import Input, InputLayer
from cornu.layers.core.lambda_layer import Lambda
from cornu.layers.core.masking import Masking
from cornu.layers.layer import Layer, registry
from cornu.layers.normalization.batch_normalization import BatchNormalization
from cornu.layers.recurrent import (GRU, LSTM, RNN, Bidirectional, CuDNNGRU, CuDNNLSTM, GRUCell,
                                    LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells,
                                    TimeDistributed)
from cornu.layers.regularization.dropout import Dropout, GaussianDropout, GaussianNoise
from cornu.layers.reshaping.flatten import Flatten, Reshape


def serialize(layer):
    from cornu.utils.registry import serialize as _serialize
    return _serialize(layer)


def deserialize(config, custom_objects=None):
    from cornu.utils.registry import deserialize as _deserialize
    import cornu.models  # noqa: F401  (registers Sequential / Model for nested configs)
    return _deserialize(config, registry, custom_objects)


def get(identifier):
    return registry.get(identifier)


__all__ = ["Layer", "Input", "InputLayer", "Dense", "Activation", "Lambda", "Dropout",
           "GaussianNoise", "GaussianDropout", "Flatten", "Reshape", "BatchNormalization",
           "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU", "serialize",
           "deserialize", "get", "Embedding", "Masking", "RNN", "StackedRNNCells", "SimpleRNN",
           "SimpleRNNCell", "LSTM", "LSTMCell", "GRU", "GRUCell", "Bidirectional",
           "TimeDistributed", "CuDNNLSTM", "CuDNNGRU"]
