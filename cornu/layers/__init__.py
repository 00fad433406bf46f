"""Keras layers, each a `torch.nn.Module`."""
from cornu.layers.activations.advanced import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from cornu.layers.attention import (AdditiveAttention, Attention, EinsumDense,
                                    MultiHeadAttention)
from cornu.layers.convolutional.conv import Conv1D, Conv2D, Conv3D
from cornu.layers.convolutional.conv_transpose import (Conv1DTranspose, Conv2DTranspose,
                                                       Conv3DTranspose)
from cornu.layers.convolutional.depthwise_conv import (DepthwiseConv1D, DepthwiseConv2D,
                                                       SeparableConv1D, SeparableConv2D)
from cornu.layers.core.activation import Activation
from cornu.layers.core.dense import Dense
from cornu.layers.core.embedding import Embedding
from cornu.layers.core.input_layer import Input, InputLayer
from cornu.layers.core.lambda_layer import Identity, Lambda
from cornu.layers.core.masking import Masking
from cornu.layers.core.torch_module_wrapper import TorchModuleWrapper
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer, registry
from cornu.utils import legacy
from cornu.layers.merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply,
                                  Subtract, add, average, concatenate, dot, maximum, minimum,
                                  multiply, subtract)
from cornu.layers.normalization.batch_normalization import BatchNormalization
from cornu.layers.normalization.group_normalization import GroupNormalization, UnitNormalization
from cornu.layers.normalization.layer_normalization import LayerNormalization
from cornu.layers.normalization.spectral_normalization import SpectralNormalization
from cornu.layers.pooling.global_pooling import (GlobalAveragePooling1D, GlobalAveragePooling2D,
                                                 GlobalAveragePooling3D, GlobalAvgPool1D,
                                                 GlobalAvgPool2D, GlobalAvgPool3D,
                                                 GlobalMaxPool1D, GlobalMaxPool2D,
                                                 GlobalMaxPool3D, GlobalMaxPooling1D,
                                                 GlobalMaxPooling2D, GlobalMaxPooling3D)
from cornu.layers.pooling.pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D,
                                          AvgPool1D, AvgPool2D, AvgPool3D, MaxPool1D, MaxPool2D,
                                          MaxPool3D, MaxPooling1D, MaxPooling2D, MaxPooling3D)
from cornu.layers.preprocessing.category import CategoryEncoding, Discretization
from cornu.layers.preprocessing.image import (CenterCrop, RandomBrightness, RandomContrast,
                                              RandomCrop, RandomFlip, RandomRotation,
                                              RandomTranslation, RandomZoom, Resizing)
from cornu.layers.preprocessing.hashing import Hashing
from cornu.layers.preprocessing.lookup import IntegerLookup, StringLookup
from cornu.layers.preprocessing.normalization import Normalization
from cornu.layers.preprocessing.rescaling import Rescaling
from cornu.layers.preprocessing.text_vectorization import TextVectorization
from cornu.layers.recurrent import (GRU, LSTM, RNN, Bidirectional, GRUCell, LSTMCell, SimpleRNN,
                                    SimpleRNNCell, StackedRNNCells, TimeDistributed)
from cornu.layers.recurrent.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from cornu.layers.regularization.alpha_dropout import ActivityRegularization, AlphaDropout
from cornu.layers.regularization.dropout import Dropout, GaussianDropout, GaussianNoise
from cornu.layers.regularization.spatial_dropout import (SpatialDropout1D, SpatialDropout2D,
                                                         SpatialDropout3D)
from cornu.layers.reshaping.flatten import Flatten, Reshape
from cornu.layers.reshaping.padding_cropping import (Cropping1D, Cropping2D, Cropping3D,
                                                     ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from cornu.layers.reshaping.permute import Permute, RepeatVector
from cornu.layers.reshaping.up_sampling import UpSampling1D, UpSampling2D, UpSampling3D


def serialize(layer):
    from cornu.utils.registry import serialize as _serialize
    return _serialize(layer)


def deserialize(config, custom_objects=None, safe_mode=None):
    """A layer from its config, written by cornu or by any Keras version."""
    from cornu.layers.serialization import deserialize_layer
    return deserialize_layer(config, custom_objects, safe_mode)


def get(identifier):
    return registry.get(identifier)


# Keras layers cornu does not have yet, and why: named so a script fails with a reason.
UNSUPPORTED = {
    "TFSMLayer": "it loads TensorFlow SavedModels",
    "JaxLayer": "it wraps JAX functions", "FlaxLayer": "it wraps Flax modules",
}
# Keras 3 layers not written yet (docs/LAYERS.md lists every Keras 3 layer and cornu's status).
UNSUPPORTED.update(dict.fromkeys(
    ["AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
     "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "AugMix",
     "AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization", "Convolution1DTranspose",
     "CutMix", "Equalization", "GroupQueryAttention", "HashedCrossing", "MaxNumBoundingBoxes",
     "MelSpectrogram", "MixUp", "Pipeline", "RMSNormalization", "RandAugment",
     "RandomColorDegeneration", "RandomColorJitter", "RandomElasticTransform", "RandomErasing",
     "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPerspective",
     "RandomPosterization", "RandomSaturation", "RandomSharpness", "RandomShear",
     "ReversibleEmbedding", "STFTSpectrogram", "Solarization", "Wrapper"],
    "it is not implemented yet"))


def __getattr__(name):
    # Keras 0.x/1's Merge, merge, AutoEncoder, Keras 1's Highway, `experimental`, ... (compat)
    found = legacy.lookup("layers", name)
    if found is not None:
        return found
    if name in UNSUPPORTED:
        raise AttributeError(f"cornu does not provide the Keras layer {name!r}: "
                             f"{UNSUPPORTED[name]}.")
    raise AttributeError(f"module 'cornu.layers' has no attribute {name!r}")


__all__ = ["InputSpec", "LayerNormalization", "Normalization", "Rescaling", "Layer", "Input", "InputLayer", "Dense", "Activation", "Lambda", "Dropout",
           "GaussianNoise", "GaussianDropout", "Flatten", "Reshape", "BatchNormalization",
           "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU", "serialize",
           "deserialize", "get", "Identity", "Add", "Subtract", "Multiply", "Average", "Maximum",
           "Minimum", "Concatenate", "Dot", "add", "subtract", "multiply", "average", "maximum",
           "minimum", "concatenate", "dot",
           # convolution, pooling and spatial reshaping (issue 5)
           "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
           "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D",
           "SeparableConv1D", "SeparableConv2D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
           "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "MaxPool1D", "MaxPool2D",
           "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
           "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPool1D",
           "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
           "GlobalAvgPool3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D",
           "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D",
           "Permute", "RepeatVector", "SpatialDropout1D", "SpatialDropout2D",
           "SpatialDropout3D",
           # sequences
           "Embedding", "Masking", "TorchModuleWrapper", "RNN", "StackedRNNCells", "SimpleRNN",
           "SimpleRNNCell", "LSTM", "LSTMCell", "GRU", "GRUCell", "Bidirectional",
           "TimeDistributed",
           # attention, normalization, preprocessing, ConvLSTM
           "EinsumDense", "MultiHeadAttention", "Attention", "AdditiveAttention",
           "GroupNormalization", "UnitNormalization", "SpectralNormalization", "AlphaDropout",
           "ActivityRegularization", "Resizing", "CenterCrop", "RandomCrop", "RandomFlip",
           "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
           "RandomBrightness", "CategoryEncoding", "Discretization",
           "IntegerLookup", "StringLookup", "Hashing", "TextVectorization", "ConvLSTM1D", "ConvLSTM2D",
           "ConvLSTM3D"]
# compat adds the Keras 1/2 names of these classes (Convolution2D, CuDNNLSTM, ...) when cornu loads.
