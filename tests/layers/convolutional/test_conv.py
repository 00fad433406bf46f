"""Conv1D/2D/3D against real Keras 3: shapes and outputs from the same weights, weight layout,
errors, legacy spellings, and the course notes' CNNs."""
import itertools
import warnings

import numpy as np
import pytest
import torch

import cornu
from cornu import layers
from cornu.testing import assert_config_matches_keras, compare_with_keras, real_keras

FORMATS = ["channels_last", "channels_first"]


def _random_input(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _shape(batch, spatial, chans, data_format):
    return (batch, *spatial, chans) if data_format == "channels_last" else (batch, chans, *spatial)


# A sample of the grid: every padding x stride x kernel parity, odd and even input sizes.
GRID_2D = [(n, k, s, p, d) for n, k, s, p, d in itertools.product(
    [5, 6], [1, 2, 3], [1, 2, 3], ["valid", "same"], [1, 2]) if not (s > 1 and d > 1)]


def test_conv2d_grid_matches_keras():
    for data_format, (n, k, s, p, d) in itertools.product(FORMATS, GRID_2D):
        compare_with_keras(lambda L: L.Conv2D(3, k, strides=s, padding=p, dilation_rate=d,
                                              data_format=data_format),
                           input_shape=_shape(2, (n, n + 1), 2, data_format))


def test_conv1d_matches_keras_with_causal_padding_and_groups():
    for data_format, n, k, s, p in itertools.product(FORMATS, [5, 8], [1, 2, 3], [1, 2],
                                                     ["valid", "same", "causal"]):
        compare_with_keras(lambda L: L.Conv1D(4, k, strides=s, padding=p, data_format=data_format),
                           input_shape=_shape(2, (n,), 4, data_format))
    for data_format in FORMATS:
        _conv1d_dilated_and_grouped(data_format)


def _conv1d_dilated_and_grouped(data_format):
    compare_with_keras(lambda L: L.Conv1D(4, 3, dilation_rate=2, padding="causal",
                                          activation="relu", data_format=data_format),
                       input_shape=_shape(2, (9,), 4, data_format))
    compare_with_keras(lambda L: L.Conv1D(4, 3, groups=2, data_format=data_format),
                       input_shape=_shape(2, (9,), 4, data_format))


def test_conv3d_and_grouped_conv2d_match_keras():
    for data_format, k, s, p in itertools.product(FORMATS, [2, 3], [1, 2], ["valid", "same"]):
        compare_with_keras(lambda L: L.Conv3D(3, k, strides=s, padding=p, data_format=data_format),
                           input_shape=_shape(1, (4, 5, 6), 2, data_format))
    for data_format in FORMATS:
        compare_with_keras(lambda L: L.Conv2D(6, 3, groups=3, padding="same", use_bias=False,
                                              data_format=data_format),
                           input_shape=_shape(2, (6, 6), 3, data_format))


def test_kernel_is_stored_in_torch_order_as_a_free_view():
    layer = layers.Conv2D(5, (2, 3), input_shape=(6, 7, 4))
    assert tuple(layer.kernel.shape) == (2, 3, 4, 5)  # Keras's layout
    assert layer.kernel.permute(3, 2, 0, 1).is_contiguous()  # torch's, without a copy
    assert [w.shape for w in layer.get_weights()] == [(2, 3, 4, 5), (5,)]
    conv3d = layers.Conv3D(2, 3, input_shape=(4, 4, 4, 3))
    assert conv3d.kernel.permute(4, 3, 0, 1, 2).is_contiguous()
    conv1d = layers.Conv1D(2, 3, input_shape=(8, 3))
    assert conv1d.kernel.permute(2, 1, 0).is_contiguous()
    # training keeps the layout: optimizer updates are in place
    model = cornu.Sequential([layers.Conv2D(2, 2, input_shape=(4, 4, 1)), layers.Flatten(),
                              layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(np.ones((4, 4, 4, 1)), np.ones((4, 1)), epochs=1, verbose=0)
    assert model.layers[0].kernel.permute(3, 2, 0, 1).is_contiguous()


def test_config_matches_keras_and_round_trips():
    assert_config_matches_keras(lambda L: L.Conv2D(8, 3, strides=2, padding="same",
                                                   dilation_rate=1))
    assert_config_matches_keras(lambda L: L.Conv1D(8, 3, padding="causal", groups=2))
    layer = layers.Conv2D(8, 3, padding="same", activation="relu", kernel_regularizer="l2")
    clone = layers.Conv2D.from_config(layer.get_config())
    assert clone.get_config()["kernel_size"] == (3, 3)
    assert cornu.layers.deserialize(cornu.layers.serialize(layer)).padding == "same"


def test_notes_cnn_summary_shapes_and_params():
    model = cornu.Sequential()
    model.add(layers.Conv2D(7, (2, 2), input_shape=(5, 5, 1), strides=(2), padding="valid"))
    model.add(layers.MaxPooling2D(pool_size=(2, 2)))
    model.add(layers.Flatten())
    model.add(layers.Dense(1))
    assert [layer.output_shape for layer in model.layers] == \
        [(None, 2, 2, 7), (None, 1, 1, 7), (None, 7), (None, 1)]
    assert [layer.count_params() for layer in model.layers] == [35, 0, 0, 8]
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "(None, 2, 2, 7)" in text and "Total params: 43" in text


@pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`")
@pytest.mark.parametrize("data_format", FORMATS)
def test_cnn_model_predicts_and_trains_like_keras(data_format):
    """Conv → BatchNorm → pool → Flatten → Dense: the graph's layout conversions and Flatten's
    order must give Keras's predictions, gradients and updated weights from the same start."""
    if data_format == "channels_first":
        shape = (2, 6, 6)
    else:
        shape = (6, 6, 2)

    def build(lib):
        return lib.Sequential([
            lib.layers.Conv2D(4, 3, padding="same", activation="relu", input_shape=shape,
                              data_format=data_format),
            lib.layers.BatchNormalization(axis=-1 if data_format == "channels_last" else 1),
            lib.layers.MaxPooling2D(2, data_format=data_format),
            lib.layers.Conv2D(3, 2, data_format=data_format),  # (2, 2, 3): Flatten order matters
            lib.layers.Flatten(data_format=data_format),
            lib.layers.Dense(3, activation="softmax")])

    keras = real_keras()
    theirs, ours = build(keras), build(cornu)
    ours.set_weights(theirs.get_weights())
    x = _random_input((8,) + shape)
    y = np.eye(3, dtype="float32")[np.arange(8) % 3]
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    for lib, model in ((keras, theirs), (cornu, ours)):
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="categorical_crossentropy")
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_mnist_without_channel_axis_says_to_reshape():
    # A model adds the missing channel axis, as Keras 3's functional models do
    # (tests/models/test_functional_structures.py); the layer called directly refuses.
    model = cornu.Sequential([layers.Conv2D(4, 2, input_shape=(28, 28, 1)), layers.Flatten(),
                              layers.Dense(10)])
    model.compile("adam", "mse")
    x = np.random.RandomState(0).rand(6, 28, 28).astype("float32")
    # (the same numbers up to float32 rounding: the added axis is a view, which may send the
    # convolution down another kernel)
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x[..., None], verbose=0),
                               rtol=1e-6, atol=1e-6)
    conv = model.layers[0]
    for call in (lambda: conv(np.zeros((6, 28, 28), "float32")),
                 lambda: conv(cornu.layers.Input(shape=(28, 28)))):
        with pytest.raises(ValueError, match=r"conv2d.*ndim=4.*\(None, 28, 28\).*"
                                             r"reshape\(-1, 28, 28, 1\)"):
            call()
    with pytest.raises(ValueError, match=r"reshape\(-1, 1, 28, 28\)"):
        layers.Conv2D(4, 2, data_format="channels_first")(np.zeros((6, 28, 28), "float32"))
    with pytest.raises(ValueError, match="ndim=3"):
        layers.Conv1D(4, 2)(cornu.layers.Input(shape=(28, 28, 1)))


def test_kernel_larger_than_input_names_layer_and_dimensions():
    with pytest.raises(ValueError, match=r"'big'.*kernel_size \(5, 5\).*rows \(3 < 5\)"):
        layers.Conv2D(4, 5, name="big", input_shape=(3, 8, 1))
    with pytest.raises(ValueError, match=r"dilated|cols \(4 < 5\)"):
        layers.Conv2D(4, 3, dilation_rate=2, input_shape=(8, 4, 1))
    layers.Conv2D(4, 5, padding="same", input_shape=(3, 3, 1))  # 'same' pads: fine
    with pytest.raises(ValueError, match="looks channels-first"):
        layers.Conv2D(32, 3, input_shape=(1, 28, 28))  # a Keras 1 'th' script without dim_ordering


def test_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match="`kernel_size`"):
        layers.Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match="causal"):
        layers.Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match="dilation_rate > 1"):
        layers.Conv2D(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="groups=2"):
        layers.Conv2D(4, 3, groups=2, input_shape=(5, 5, 3))
    with pytest.raises(TypeError, match="Conv2D.*'nb_epoch'"):
        layers.Conv2D(4, 3, nb_epoch=2)


def test_keras1_and_keras2_spellings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = layers.Convolution2D(32, 3, 3, border_mode="same", subsample=(2, 2),
                                   dim_ordering="th", input_shape=(1, 28, 28))
        assert type(old) is layers.Conv2D
        assert (old.filters, old.kernel_size, old.strides, old.padding, old.data_format) == \
            (32, (3, 3), (2, 2), "same", "channels_first")
        assert old.compute_output_shape((None, 1, 28, 28)) == (None, 32, 14, 14)
        assert layers.Conv2D(32, 3, 3).kernel_size == (3, 3)  # Keras 1 and 2 read it so
        modern = layers.Conv2D(32, 3, 2, padding="same")  # Keras 3's positional strides
        assert (modern.kernel_size, modern.strides) == ((3, 3), (2, 2))
        assert layers.Convolution2D(nb_filter=8, nb_row=3, nb_col=5).kernel_size == (3, 5)
        assert layers.Convolution3D(8, 3, 3, 2).kernel_size == (3, 3, 2)
        c1 = layers.Convolution1D(64, 3, border_mode="same", subsample_length=2, input_dim=10,
                                  input_length=20, init="he_normal", W_regularizer="l2",
                                  bias=False)
        assert (c1.kernel_size, c1.strides, c1.padding, c1.use_bias) == ((3,), (2,), "same", False)
        assert c1.input_shape == (None, 20, 10) and c1.kernel_regularizer is not None
        assert layers.AtrousConvolution2D(8, 3, 3, atrous_rate=(2, 2)).dilation_rate == (2, 2)
        assert layers.AtrousConvolution1D(8, 3, atrous_rate=2).dilation_rate == (2,)
        assert cornu.layers.registry.lookup("Convolution2D") is layers.Conv2D
    model = cornu.Sequential([old])
    out = model.predict(np.zeros((2, 1, 28, 28), "float32"), verbose=0)
    assert out.shape == (2, 32, 14, 14)


def test_eager_call_on_channels_last_tensor_returns_channels_last():
    layer = layers.Conv2D(3, 2, padding="same")
    x = torch.as_tensor(_random_input((2, 4, 5, 6)))
    out = layer(x)
    assert out.shape == (2, 4, 5, 3)
    expected = torch.nn.functional.conv2d(
        torch.nn.functional.pad(x.permute(0, 3, 1, 2), (0, 1, 0, 1)),
        layer.kernel.permute(3, 2, 0, 1), layer.bias).permute(0, 2, 3, 1)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-6)
