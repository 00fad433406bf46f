"""Keras 1/2's `K.*` beyond the math table, against Keras 3's ops (torch backend) or the formula."""
import numpy as np
import pytest

import cornu
import cornu.backend as K

RNG = np.random.default_rng(0)


def _np(x):
    return np.asarray(x.detach().cpu()) if hasattr(x, "detach") else np.asarray(x)


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv2d_and_pool2d_match_keras_ops(keras, padding):
    x = RNG.random((2, 7, 7, 3)).astype("float32")
    kernel = RNG.random((3, 3, 3, 4)).astype("float32")
    np.testing.assert_allclose(_np(K.conv2d(x, kernel, strides=(2, 2), padding=padding)),
                               _np(keras.ops.conv(x, kernel, 2, padding)), rtol=1e-5)
    # Keras 2's pool2d defaults to strides (1, 1), not the pool size.
    np.testing.assert_allclose(_np(K.pool2d(x, (2, 2), padding=padding)),
                               _np(keras.ops.max_pool(x, 2, 1, padding)), rtol=1e-6)
    np.testing.assert_allclose(_np(K.pool2d(x, (2, 2), (2, 2), padding, pool_mode="avg")),
                               _np(keras.ops.average_pool(x, 2, 2, padding)), rtol=1e-6)


def test_keras1_conv2d_border_mode_and_th_ordering(keras):
    x = RNG.random((2, 3, 6, 6)).astype("float32")
    kernel = RNG.random((3, 3, 3, 5)).astype("float32")
    ours = K.conv2d(x, kernel, border_mode="same", dim_ordering="th")
    ref = keras.ops.conv(x, kernel, 1, "same", data_format="channels_first")
    np.testing.assert_allclose(_np(ours), _np(ref), rtol=1e-5)


def test_conv1d_causal_is_left_padded_valid_convolution(keras):
    x = RNG.random((2, 9, 3)).astype("float32")
    kernel = RNG.random((3, 3, 4)).astype("float32")
    ours = K.conv1d(x, kernel, padding="causal", dilation_rate=2)
    padded = np.pad(x, ((0, 0), (4, 0), (0, 0)))
    ref = keras.ops.conv(padded, kernel, 1, "valid", dilation_rate=2)
    np.testing.assert_allclose(_np(ours), _np(ref), rtol=1e-5)
    assert ours.shape == (2, 9, 4)


def test_random_normal_takes_keras1_std():
    cornu.utils.set_random_seed(0)
    draws = _np(K.random_normal((20000,), mean=2.0, std=0.5))
    assert abs(draws.mean() - 2.0) < 0.02 and abs(draws.std() - 0.5) < 0.02
    draws = _np(K.random_normal((20000,), 0.0, stddev=3.0, seed=1))
    assert abs(draws.std() - 3.0) < 0.06


def test_padding_helpers_match_numpy():
    x = RNG.random((2, 4, 5, 3)).astype("float32")
    np.testing.assert_array_equal(_np(K.spatial_2d_padding(x, ((1, 2), (0, 1)))),
                                  np.pad(x, ((0, 0), (1, 2), (0, 1), (0, 0))))
    np.testing.assert_array_equal(_np(K.spatial_2d_padding(x, (1, 1), dim_ordering="th")),
                                  np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))))
    seq = RNG.random((2, 4, 3)).astype("float32")
    np.testing.assert_array_equal(_np(K.temporal_padding(seq, (2, 1))),
                                  np.pad(seq, ((0, 0), (2, 1), (0, 0))))
    np.testing.assert_array_equal(_np(K.resize_images(x, 2, 3, "channels_last")),
                                  x.repeat(2, axis=1).repeat(3, axis=2))


def test_phases_and_batch_normalization():
    assert K.in_train_phase(lambda: "train", "test", training=1) == "train"
    assert K.in_train_phase("train", lambda: "test", training=0) == "test"
    assert K.in_test_phase("test", "train", training=0) == "test"
    with pytest.raises(AttributeError, match="graph-mode"):
        K.update_add  # noqa: B018  (graph-mode functions say why they are absent)
    x = RNG.random((6, 4)).astype("float32")
    normed, mean, var = K.normalize_batch_in_training(x, None, None, [0], epsilon=1e-3)
    np.testing.assert_allclose(_np(mean), x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(_np(var), x.var(0), rtol=1e-5)
    np.testing.assert_allclose(_np(normed), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3),
                               rtol=1e-4, atol=1e-5)


def test_in_top_k_and_reverse_match_keras(keras):
    pred = RNG.random((5, 6)).astype("float32")
    targets = np.array([0, 1, 2, 3, 4])
    np.testing.assert_array_equal(_np(K.in_top_k(pred, targets, 2)),
                                  _np(keras.ops.in_top_k(targets, pred, 2)))
    np.testing.assert_array_equal(_np(K.reverse(pred, [0, 1])), pred[::-1, ::-1])


def test_keras2_custom_layer_built_on_the_backend():
    # A Keras 2 custom layer: InputSpec from keras.engine, K.conv2d + K.bias_add in call.
    from cornu.compat.engine import InputSpec, Layer

    class MyConv(Layer):
        def __init__(self, filters, **kwargs):
            super().__init__(**kwargs)
            self.filters = filters
            self.input_spec = InputSpec(ndim=4)

        def build(self, input_shape):
            self.kernel = self.add_weight(name="kernel", shape=(3, 3, input_shape[-1],
                                                                self.filters))
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="ones")
            super().build(input_shape)

        def call(self, x):
            return K.bias_add(K.conv2d(x, self.kernel, padding="same"), self.bias)

        def compute_output_shape(self, input_shape):
            return input_shape[:-1] + (self.filters,)

    x = RNG.random((2, 5, 5, 2)).astype("float32")
    layer = MyConv(3)
    out = _np(layer(x))
    kernel = _np(layer.kernel)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    want = np.zeros((2, 5, 5, 3), "float32")
    for i in range(5):
        for j in range(5):
            want[:, i, j] = np.einsum("bhwc,hwcf->bf", padded[:, i:i + 3, j:j + 3], kernel)
    np.testing.assert_allclose(out, want + 1.0, rtol=1e-4, atol=1e-5)
    assert layer.input_spec.ndim == 4
    model = cornu.Sequential([cornu.layers.Input((5, 5, 2)), MyConv(3), cornu.layers.Flatten(),
                              cornu.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(x, np.ones((2, 1)), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
