"""`pad_sequences` against Keras 3's `keras.utils.pad_sequences`."""
import numpy as np
import pytest

from cornu.preprocessing.sequence import pad_sequences
from cornu.testing import real_keras

SEQS = [[1, 2, 3, 4], [5, 6], [], [7, 8, 9, 10, 11, 12], [13]]


@pytest.mark.parametrize("kwargs", [
    {}, {"maxlen": 3}, {"maxlen": 3, "padding": "post"}, {"maxlen": 3, "truncating": "post"},
    {"maxlen": 8, "padding": "post", "truncating": "post", "value": -1},
    {"dtype": "float32", "value": 0.5}, {"maxlen": 5, "dtype": "int64"},
])
def test_pad_sequences_matches_keras(kwargs):
    keras = real_keras()
    ours, ref = pad_sequences(SEQS, **kwargs), keras.utils.pad_sequences(SEQS, **kwargs)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)


def test_pad_sequences_of_vectors_and_strings():
    keras = real_keras()
    seqs = [np.ones((2, 3)), np.full((4, 3), 2.0)]
    np.testing.assert_array_equal(pad_sequences(seqs, dtype="float32"),
                                  keras.utils.pad_sequences(seqs, dtype="float32"))
    words = [["a", "b"], ["c"]]
    np.testing.assert_array_equal(pad_sequences(words, dtype=object, value="_"),
                                  keras.utils.pad_sequences(words, dtype=object, value="_"))
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences(words, value="_")
    with pytest.raises(ValueError, match="Padding type"):
        pad_sequences(SEQS, padding="middle")


def test_pad_sequences_is_served_under_every_keras_path():
    import cornu
    from cornu.compat.keras_alias import resolve
    assert resolve("keras.preprocessing.sequence") == "cornu.preprocessing.sequence"
    assert cornu.utils.pad_sequences is pad_sequences
    assert cornu.preprocessing.sequence.pad_sequences is pad_sequences


# -- skipgrams, make_sampling_table, TimeseriesGenerator against Keras 3's legacy module --

def _keras_sequence():
    from keras.src.legacy.preprocessing import sequence
    return sequence


def test_make_sampling_table_matches_keras():
    from cornu.preprocessing.sequence import make_sampling_table
    for size, factor in ((10, 1e-5), (1000, 1e-3)):
        np.testing.assert_allclose(make_sampling_table(size, factor),
                                   _keras_sequence().make_sampling_table(size, factor))


@pytest.mark.parametrize("kwargs", [{}, {"window_size": 2, "negative_samples": 0.5},
                                    {"categorical": True, "seed": 3}, {"shuffle": False},
                                    {"sampling_table": "table"}])
def test_skipgrams_matches_keras_under_the_same_random_seed(kwargs):
    import random
    from cornu.preprocessing.sequence import make_sampling_table, skipgrams
    if kwargs.get("sampling_table") == "table":
        kwargs = dict(kwargs, sampling_table=make_sampling_table(20, 0.05))
    seq = [1, 4, 0, 7, 3, 9, 2, 2, 11, 5]
    random.seed(7)
    ours = skipgrams(seq, 20, **kwargs)
    random.seed(7)
    ref = _keras_sequence().skipgrams(seq, 20, **kwargs)
    assert ours == ref and len(ours[0]) == len(ours[1]) > 0


@pytest.mark.parametrize("kwargs", [dict(length=3), dict(length=4, sampling_rate=2, stride=3,
                                                         batch_size=2, reverse=True),
                                    dict(length=2, start_index=3, end_index=15, batch_size=5)])
def test_timeseries_generator_matches_keras(kwargs):
    from cornu.preprocessing.sequence import TimeseriesGenerator
    data = np.arange(40, dtype="float32").reshape(20, 2)
    targets = np.arange(20) * 10
    ours, ref = TimeseriesGenerator(data, targets, **kwargs), \
        _keras_sequence().TimeseriesGenerator(data, targets, **kwargs)
    assert len(ours) == len(ref)
    for i in range(len(ref)):
        for a, b in zip(ours[i], ref[i]):
            np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="end_index"):
        TimeseriesGenerator(data, targets, length=30)
