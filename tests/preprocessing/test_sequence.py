"""`pad_sequences` against Keras 3's `keras.utils.pad_sequences`."""
import numpy as np
import pytest

from cornu.preprocessing.sequence import pad_sequences
from tests.helpers import keras_module

SEQS = [[1, 2, 3, 4], [5, 6], [], [7, 8, 9, 10, 11, 12], [13]]


@pytest.mark.parametrize("kwargs", [
    {}, {"maxlen": 3}, {"maxlen": 3, "padding": "post"}, {"maxlen": 3, "truncating": "post"},
    {"maxlen": 8, "padding": "post", "truncating": "post", "value": -1},
    {"dtype": "float32", "value": 0.5}, {"maxlen": 5, "dtype": "int64"},
])
def test_pad_sequences_matches_keras(kwargs):
    keras = keras_module()
    ours, ref = pad_sequences(SEQS, **kwargs), keras.utils.pad_sequences(SEQS, **kwargs)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)


def test_pad_sequences_of_vectors_and_strings():
    keras = keras_module()
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
