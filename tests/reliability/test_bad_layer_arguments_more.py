"""Catalogue: more layer constructor arguments (convolution family, pooling, reshaping, RNNs)."""
import pytest

import cornu
from cornu import layers
from tests.reliability.catalogue import cases, expect_error

Input = cornu.Input

TABLE = [
    ("conv2dt-kernel-zero", lambda: layers.Conv2DTranspose(2, 0), ValueError, "kernel_size"),
    ("conv2dt-padding", lambda: layers.Conv2DTranspose(2, 3, padding="full"), ValueError,
     "padding"),
    ("conv1dt-filters-float", lambda: layers.Conv1DTranspose(1.5, 3), ValueError, "filters"),
    ("depthwise-kernel-zero", lambda: layers.DepthwiseConv2D(0), ValueError, "kernel_size"),
    ("depthwise-strides-string", lambda: layers.DepthwiseConv2D(3, strides="2"), ValueError,
     "strides"),
    ("separable1d-filters-zero", lambda: layers.SeparableConv1D(0, 3), ValueError, "filters"),
    ("conv3d-strides-zero", lambda: layers.Conv3D(2, 3, strides=0), ValueError, "strides"),
    ("conv3d-dilation-negative", lambda: layers.Conv3D(2, 3, dilation_rate=-1), ValueError,
     "dilation_rate"),
    ("maxpool1d-padding", lambda: layers.MaxPooling1D(2, padding="valid_"), ValueError,
     "padding"),
    ("maxpool3d-size-zero", lambda: layers.MaxPooling3D(0), ValueError, "pool_size"),
    ("avgpool2d-strides-zero", lambda: layers.AveragePooling2D(2, strides=0), ValueError,
     "strides"),
    ("global-pool-data-format", lambda: layers.GlobalAveragePooling2D(data_format="nhwc"),
     ValueError, "data_format"),
    ("upsampling1d-zero", lambda: layers.UpSampling1D(0), ValueError, "size"),
    ("upsampling3d-pair", lambda: layers.UpSampling3D((2, 2)), ValueError, "size"),
    ("zeropadding1d-string", lambda: layers.ZeroPadding1D("2"), ValueError, "padding"),
    ("cropping1d-triple", lambda: layers.Cropping1D((1, 2, 3)), ValueError, "cropping"),
    ("convlstm2d-filters-zero", lambda: layers.ConvLSTM2D(0, 3), ValueError, "filters"),
    ("convlstm2d-kernel-zero", lambda: layers.ConvLSTM2D(2, 0), ValueError, "kernel_size"),
    ("lstm-recurrent-activation", lambda: layers.LSTM(2, recurrent_activation="hard"),
     ValueError, "hard"),
    ("gru-initializer", lambda: layers.GRU(2, recurrent_initializer="orthogonall"), ValueError,
     "orthogonall"),
    ("simplernn-regularizer", lambda: layers.SimpleRNN(2, kernel_regularizer="l9"), ValueError,
     "l9"),
    ("timedistributed-not-layer", lambda: layers.TimeDistributed("dense"), ValueError, "layer"),
    ("embedding-initializer", lambda: layers.Embedding(5, 2, embeddings_initializer="unif"),
     ValueError, "unif"),
    ("embedding-unknown-kwarg", lambda: layers.Embedding(5, 2, input_lenght=3), TypeError,
     "input_lenght"),
    ("conv2d-on-wrong-channels", lambda: (lambda c: (c(Input((4, 4, 3))), c(Input((4, 4, 2)))))(
        layers.Conv2D(2, 3)), ValueError, "conv2d"),
]


@pytest.mark.parametrize("fn, exc, words", cases(TABLE))
def test_bad_layer_argument_more(fn, exc, words):
    expect_error(fn, exc, *words)
