"""Every layer's config equals real Keras 3's for the same arguments (`name` aside), and
`from_config(get_config())` gives back the same config.

The grid holds a few argument sets per class; a class cornu registers that Keras 3 also has
must appear here (so a new layer cannot skip the check).
"""
import json

import numpy as np
import pytest

from cornu.testing import real_keras

GRID = {
    "Activation": [dict(activation="relu"), dict(activation="softmax")],
    "Add": [{}], "Subtract": [{}], "Multiply": [{}], "Average": [{}], "Maximum": [{}],
    "Minimum": [{}],
    "Concatenate": [{}, dict(axis=1)],
    "Dot": [dict(axes=1), dict(axes=(1, 2), normalize=True)],
    "AveragePooling1D": [dict(pool_size=2), dict(pool_size=3, strides=1, padding="same")],
    "AveragePooling2D": [dict(pool_size=2), dict(pool_size=(3, 2), data_format="channels_first")],
    "AveragePooling3D": [dict(pool_size=(2, 2, 2))],
    "MaxPooling1D": [{}, dict(pool_size=4, padding="same")],
    "MaxPooling2D": [{}, dict(pool_size=(2, 3), strides=(1, 1))],
    "MaxPooling3D": [{}],
    "GlobalAveragePooling1D": [{}, dict(keepdims=True)],
    "GlobalAveragePooling2D": [{}, dict(data_format="channels_first")],
    "GlobalAveragePooling3D": [{}],
    "GlobalMaxPooling1D": [{}], "GlobalMaxPooling2D": [dict(keepdims=True)],
    "GlobalMaxPooling3D": [{}],
    "BatchNormalization": [{}, dict(axis=1, momentum=0.9, center=False, scale=False,
                                    gamma_regularizer="l2", beta_constraint="non_neg")],
    "LayerNormalization": [{}, dict(axis=[1, 2], epsilon=1e-5, rms_scaling=True)],
    "Conv1D": [dict(filters=4, kernel_size=3),
               dict(filters=2, kernel_size=5, strides=2, padding="causal", activation="relu",
                    use_bias=False, kernel_regularizer="l1")],
    "Conv2D": [dict(filters=4, kernel_size=3),
               dict(filters=8, kernel_size=(3, 2), padding="same", dilation_rate=2, groups=2,
                    data_format="channels_first", kernel_initializer="he_normal",
                    bias_constraint="max_norm", activity_regularizer="l2"),
               dict(filters=2, kernel_size=1, lora_rank=1, lora_alpha=3)],
    "Conv3D": [dict(filters=2, kernel_size=2)],
    "Conv1DTranspose": [dict(filters=3, kernel_size=2)],
    "Conv2DTranspose": [dict(filters=3, kernel_size=3, strides=2, padding="same",
                             output_padding=1)],
    "Conv3DTranspose": [dict(filters=3, kernel_size=2)],
    "DepthwiseConv1D": [dict(kernel_size=3)],
    "DepthwiseConv2D": [dict(kernel_size=3), dict(kernel_size=(2, 2), depth_multiplier=2,
                                                  depthwise_regularizer="l2")],
    "SeparableConv1D": [dict(filters=4, kernel_size=3)],
    "SeparableConv2D": [dict(filters=4, kernel_size=3, depth_multiplier=2,
                             pointwise_initializer="ones")],
    "Cropping1D": [{}, dict(cropping=(2, 1))],
    "Cropping2D": [{}, dict(cropping=((1, 2), (3, 4)))],
    "Cropping3D": [{}],
    "ZeroPadding1D": [{}, dict(padding=3)],
    "ZeroPadding2D": [{}, dict(padding=(1, 2))],
    "ZeroPadding3D": [{}],
    "UpSampling1D": [{}, dict(size=3)],
    "UpSampling2D": [{}, dict(size=(2, 3), interpolation="bilinear")],
    "UpSampling3D": [{}],
    "Dense": [dict(units=3), dict(units=5, activation="tanh", use_bias=False,
                                  kernel_initializer="zeros", kernel_regularizer="l2",
                                  bias_constraint="non_neg", activity_regularizer="l1"),
              dict(units=2, lora_rank=2)],
    "Embedding": [dict(input_dim=10, output_dim=3),
                  dict(input_dim=5, output_dim=2, mask_zero=True,
                       embeddings_regularizer="l2"), dict(input_dim=4, output_dim=2, lora_rank=1)],
    "Dropout": [dict(rate=0.3), dict(rate=0.5, noise_shape=(None, 1), seed=3)],
    "GaussianDropout": [dict(rate=0.2)], "GaussianNoise": [dict(stddev=0.1, seed=2)],
    "SpatialDropout1D": [dict(rate=0.2)], "SpatialDropout2D": [dict(rate=0.2)],
    "SpatialDropout3D": [dict(rate=0.2, data_format="channels_first")],
    "ELU": [{}, dict(alpha=0.5)], "LeakyReLU": [{}, dict(negative_slope=0.1)],
    "PReLU": [{}, dict(alpha_initializer="ones", shared_axes=[1])],
    "ReLU": [{}, dict(max_value=6.0, negative_slope=0.1, threshold=0.5)],
    "Softmax": [{}, dict(axis=1)],
    "Flatten": [{}, dict(data_format="channels_first")],
    "Reshape": [dict(target_shape=(2, 3))],
    "Permute": [dict(dims=(2, 1))],
    "RepeatVector": [dict(n=3)],
    "Masking": [{}, dict(mask_value=-1.0)],
    "Identity": [{}],
    "Rescaling": [dict(scale=1 / 255.0), dict(scale=2.0, offset=-1.0)],
    "Normalization": [{}, dict(axis=None), dict(mean=[1.0, 2.0], variance=[1.0, 4.0])],
    "SimpleRNN": [dict(units=3), dict(units=2, return_sequences=True, dropout=0.1,
                                      activation="relu", go_backwards=True)],
    "LSTM": [dict(units=3), dict(units=4, return_state=True, unit_forget_bias=False,
                                 recurrent_regularizer="l2", stateful=True)],
    "GRU": [dict(units=3), dict(units=2, reset_after=False, recurrent_dropout=0.2)],
    "SimpleRNNCell": [dict(units=3)], "LSTMCell": [dict(units=3)],
    "GRUCell": [dict(units=3, reset_after=False)],
    "InputLayer": [dict(shape=(3,)), dict(batch_shape=(2, 4, 5), dtype="int32")],
}
# Layers given a layer: built by a function of the module (cornu's or Keras's).
NESTED = {
    "Bidirectional": [lambda m: dict(layer=m.layers.LSTM(3, name="inner")),
                      lambda m: dict(layer=m.layers.GRU(2, return_sequences=True, name="g"),
                                     merge_mode="sum")],
    "TimeDistributed": [lambda m: dict(layer=m.layers.Dense(2, name="d"))],
    "RNN": [lambda m: dict(cell=m.layers.LSTMCell(3, name="c")),
            lambda m: dict(cell=m.layers.SimpleRNNCell(2, name="c"), return_sequences=True)],
    "StackedRNNCells": [lambda m: dict(cells=[m.layers.LSTMCell(3, name="a"),
                                              m.layers.GRUCell(2, name="b")])],
}
# Not compared: a Python function's bytecode (Lambda) differs between two libraries' wrappers.
NOT_COMPARED = {"Lambda", "Sequential", "Functional", "Model",
                # Keras 3 builds its string layers on TensorFlow, which is not installed here;
                # their configs are checked against Keras's documented keys in their own tests
                "StringLookup", "IntegerLookup", "TextVectorization", "Hashing",
                # wrap another object (a layer, a torch module): checked in their own tests
                "SpectralNormalization", "TorchModuleWrapper",
                # open difference: cornu's dtype is its int64 output, Keras's the float32 policy
                "Discretization"}

# The layers of the attention/normalization/preprocessing/ConvLSTM families.
GRID.update({
    "MultiHeadAttention": [dict(num_heads=2, key_dim=4), dict(num_heads=1, key_dim=3, value_dim=2,
                                                             dropout=0.1, use_bias=False)],
    "EinsumDense": [dict(equation="ab,bc->ac", output_shape=4, bias_axes="c")],
    "Attention": [{}, dict(use_scale=True, score_mode="concat")],
    "AdditiveAttention": [{}],
    "GroupNormalization": [dict(groups=2)],
    "UnitNormalization": [{}],
    "AlphaDropout": [dict(rate=0.2)],
    "ActivityRegularization": [dict(l1=0.01, l2=0.02)],
    "Resizing": [dict(height=4, width=5)],
    "CenterCrop": [dict(height=2, width=3)],
    "RandomCrop": [dict(height=2, width=2, seed=1)],
    "RandomFlip": [{}, dict(mode="vertical", seed=3)],
    "RandomRotation": [dict(factor=0.1)],
    "RandomZoom": [dict(height_factor=0.1)],
    "RandomTranslation": [dict(height_factor=0.1, width_factor=0.2)],
    "RandomContrast": [dict(factor=0.2)],
    "RandomBrightness": [dict(factor=0.2)],
    "CategoryEncoding": [dict(num_tokens=4), dict(num_tokens=3, output_mode="one_hot")],
    "ConvLSTM1D": [dict(filters=2, kernel_size=3)],
    "ConvLSTM2D": [dict(filters=2, kernel_size=3, padding="same")],
    "ConvLSTM3D": [dict(filters=2, kernel_size=2)],
})


def _cases():
    for name, grid in GRID.items():
        for i, kwargs in enumerate(grid):
            yield pytest.param(name, (lambda m, kw=kwargs: dict(kw)), id=f"{name}-{i}")
    for name, grid in NESTED.items():
        for i, make in enumerate(grid):
            yield pytest.param(name, make, id=f"{name}-{i}")


def _json(config):
    def default(value):
        if hasattr(value, "tolist"):
            return value.tolist()
        raise TypeError(f"{value!r} is not JSON")
    return json.loads(json.dumps(config, default=default))


def _without_name(config):
    return {k: v for k, v in config.items() if k != "name"}


@pytest.mark.parametrize("class_name, make", list(_cases()))
def test_config_equals_keras(class_name, make):
    import cornu
    keras = real_keras()
    ours = getattr(cornu.layers, class_name)(**make(cornu))
    ref = getattr(keras.layers, class_name)(**make(keras))
    assert _without_name(_json(ours.get_config())) == _without_name(_json(ref.get_config()))


@pytest.mark.parametrize("class_name, make", list(_cases()))
def test_from_config_round_trip(class_name, make):
    import cornu
    layer = getattr(cornu.layers, class_name)(**make(cornu))
    config = _json(layer.get_config())
    clone = type(layer).from_config(config)
    assert _json(clone.get_config()) == config
    # and through the deserializer that model loading uses
    entry = {"module": "keras.layers", "class_name": class_name, "config": config,
             "registered_name": None}
    assert _json(cornu.layers.deserialize(entry).get_config()) == config


def test_every_shared_layer_is_in_the_grid():
    import cornu
    from cornu.layers.layer import registry
    keras = real_keras()
    names = {name for name, cls in registry._by_name.items() if name == cls.__name__}
    shared = {n for n in names if hasattr(keras.layers, n)} - NOT_COMPARED
    assert shared - set(GRID) - set(NESTED) == set()


def test_keras_config_loads_in_cornu():
    """A config Keras 3.15 wrote (dtype policy, quantization_config) builds the same layer."""
    import cornu
    keras = real_keras()
    ref = keras.layers.Dense(4, activation="relu", kernel_regularizer="l2")
    config = _json(ref.get_config())
    layer = cornu.layers.Dense.from_config(config)
    assert _without_name(_json(layer.get_config())) == _without_name(config)
    x = np.ones((2, 3), "float32")
    ref(x)
    layer(x)
    layer.set_weights(ref.get_weights())
    np.testing.assert_allclose(layer(x).detach().numpy(), ref(x).detach().numpy(), rtol=1e-6)


def test_quantization_config_other_than_none_raises():
    import cornu
    with pytest.raises(ValueError, match="quantization_config"):
        cornu.layers.Dense(3, quantization_config={"mode": "int8"})
