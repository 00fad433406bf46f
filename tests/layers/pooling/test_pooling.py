"""Max and average pooling against real Keras 3, and against TensorFlow's rule for average
pooling with uneven 'same' padding (padded cells are not counted)."""
import itertools

import numpy as np
import pytest

from cornu import layers
from cornu.testing import assert_config_matches_keras, compare_with_keras

FORMATS = ["channels_last", "channels_first"]


def _random_input(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _shape(batch, spatial, chans, data_format):
    return (batch, *spatial, chans) if data_format == "channels_last" else (batch, chans, *spatial)


def _uneven_same(n, k, s):
    total = max((-(-n // s) - 1) * s + k - n, 0)
    return total % 2 == 1


def test_pooling_2d_grid_matches_keras():
    for data_format, n, k, s, p in itertools.product(FORMATS, [5, 6], [1, 2, 3], [1, 2, 3],
                                                     ["valid", "same"]):
        shape = _shape(2, (n, n + 1), 3, data_format)
        compare_with_keras(lambda L: L.MaxPooling2D(k, strides=s, padding=p,
                                                    data_format=data_format),
                           input_shape=shape)
        uneven = p == "same" and (_uneven_same(n, k, s) or _uneven_same(n + 1, k, s))
        if not uneven:  # Keras on torch pads unevenly by edge replication; see below
            compare_with_keras(lambda L: L.AveragePooling2D(k, strides=s, padding=p,
                                                            data_format=data_format),
                               input_shape=shape)


def test_pooling_1d_and_3d_match_keras():
    for data_format, k, s, p in itertools.product(FORMATS, [2, 3], [1, 2], ["valid", "same"]):
        compare_with_keras(lambda L: L.MaxPooling1D(k, strides=s, padding=p,
                                                    data_format=data_format),
                           input_shape=_shape(2, (7,), 3, data_format))
        compare_with_keras(lambda L: L.MaxPooling3D(k, strides=s, padding=p,
                                                    data_format=data_format),
                           input_shape=_shape(1, (4, 5, 6), 2, data_format))
        if not (p == "same" and k == 3 and s == 2):
            compare_with_keras(lambda L: L.AveragePooling1D(k, strides=s, padding=p,
                                                            data_format=data_format),
                               input_shape=_shape(2, (7,), 3, data_format))
            compare_with_keras(lambda L: L.AveragePooling3D(k, strides=s, padding=p,
                                                            data_format=data_format),
                               input_shape=_shape(1, (4, 5, 6), 2, data_format))


def _reference_pool(x, pool, strides, padding, mode):
    """Pooling over axes 1..n of a channels-last array by the definition (windows clipped to
    the input, as TensorFlow and JAX do for 'same')."""
    spatial = x.shape[1:-1]
    starts = []
    for n, k, s in zip(spatial, pool, strides):
        if padding == "same":
            out = -(-n // s)
            left = max((out - 1) * s + k - n, 0) // 2
        else:
            out, left = (n - k) // s + 1, 0
        starts.append([i * s - left for i in range(out)])
    result = np.zeros((x.shape[0],) + tuple(len(s) for s in starts) + (x.shape[-1],), "float32")
    for index in itertools.product(*[range(len(s)) for s in starts]):
        window = tuple(slice(max(starts[a][i], 0), min(starts[a][i] + pool[a], spatial[a]))
                       for a, i in enumerate(index))
        cells = x[(slice(None),) + window + (slice(None),)]
        cells = cells.reshape(x.shape[0], -1, x.shape[-1])
        result[(slice(None),) + index + (slice(None),)] = \
            cells.max(axis=1) if mode == "max" else cells.mean(axis=1)
    return result


def test_uneven_same_padding_ignores_padded_cells():
    for (layer, rank), (k, s) in itertools.product(
            [("AveragePooling1D", 1), ("AveragePooling2D", 2), ("AveragePooling3D", 3),
             ("MaxPooling2D", 2)], [(3, 2), (2, 1), (3, 3), (4, 2)]):
        x = _random_input((2,) + (5, 6, 7)[:rank] + (3,))
        pool = getattr(layers, layer)(k, strides=s, padding="same")
        expected = _reference_pool(x, (k,) * rank, (s,) * rank, "same",
                                   "max" if layer.startswith("Max") else "average")
        np.testing.assert_allclose(pool(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_uneven_same_average_pooling_trains_after_predict():
    """The padded-cell counts are cached at the first call; made inside `predict`'s inference
    mode they broke the next training step ('Inference tensors cannot be saved for backward';
    found by tests/reliability/test_fuzz_against_keras.py)."""
    import cornu
    x = _random_input((4, 6, 2))  # 6 steps, pool 4, stride 3: one padded cell
    model = cornu.Sequential([cornu.Input((6, 2)), layers.Dense(3),
                              layers.AveragePooling1D(4, strides=3, padding="same")])
    model.compile("sgd", "mse")
    before = model.predict(x, verbose=0)
    model.fit(x, np.zeros_like(before), epochs=1, verbose=0)
    expected = _reference_pool(x @ model.get_weights()[0] + model.get_weights()[1], (4,), (3,),
                               "same", "average")
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)


def test_defaults_config_and_aliases():
    assert layers.MaxPooling2D().strides == (2, 2)
    assert layers.MaxPooling1D().pool_size == (2,)
    assert layers.MaxPooling3D(strides=1).strides == (1, 1, 1)
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool1D is layers.AveragePooling1D
    assert_config_matches_keras(lambda L: L.MaxPooling2D((2, 3), padding="same"))
    assert_config_matches_keras(lambda L: L.AveragePooling1D(3, strides=1))


def test_notes_pooling_shapes():
    # keras-fundamentals.md 3.5
    assert layers.MaxPooling2D(pool_size=(2, 2), padding="valid").compute_output_shape(
        (None, 10, 10, 10)) == (None, 5, 5, 10)
    assert layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1)).compute_output_shape(
        (None, 10, 10, 10)) == (None, 9, 9, 10)
    assert layers.AveragePooling2D(pool_size=(2, 2)).compute_output_shape(
        (None, 10, 10, 10)) == (None, 5, 5, 10)


def test_errors_and_legacy_arguments():
    with pytest.raises(ValueError, match=r"'pool'.*pool_size \(3, 3\).*rows \(2 < 3\)"):
        layers.MaxPooling2D(3, name="pool", input_shape=(2, 5, 1))
    with pytest.raises(ValueError, match=r"ndim=4.*reshape\(-1, 28, 28, 1\)"):
        layers.MaxPooling2D()(np.zeros((3, 28, 28), "float32"))
    with pytest.warns(UserWarning, match="border_mode"):
        pool = layers.MaxPooling2D(pool_size=(2, 2), border_mode="same", dim_ordering="th")
    assert (pool.padding, pool.data_format) == ("same", "channels_first")
    old = layers.MaxPooling1D(pool_length=3, stride=1, border_mode="valid")
    assert (old.pool_size, old.strides) == ((3,), (1,))
