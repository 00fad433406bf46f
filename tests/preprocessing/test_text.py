"""`keras.preprocessing.text` (Keras 1/2): against Keras's legacy implementation and its docs."""
import numpy as np
import pytest

from cornu.preprocessing import text
from cornu.testing import real_keras

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "Dog, cat; and a BIRD?",
         "the end"]


def _legacy():
    real_keras()
    from keras._tf_keras.keras.preprocessing import text as legacy  # Keras 2's code, kept by Keras 3
    return legacy


@pytest.mark.parametrize("kwargs", [
    {}, {"num_words": 5}, {"oov_token": "<unk>"}, {"num_words": 4, "oov_token": "<oov>"},
    {"char_level": True}, {"lower": False}, {"filters": "", "split": " "},
])
def test_tokenizer_matches_keras(kwargs):
    legacy = _legacy()
    ours, ref = text.Tokenizer(**kwargs), legacy.Tokenizer(**kwargs)
    ours.fit_on_texts(TEXTS)
    ref.fit_on_texts(TEXTS)
    assert ours.word_index == ref.word_index and ours.index_word == ref.index_word
    assert dict(ours.word_counts) == dict(ref.word_counts)
    assert dict(ours.word_docs) == dict(ref.word_docs)
    assert dict(ours.index_docs) == dict(ref.index_docs)
    new = TEXTS + ["an unseen zebra and the cat"]
    assert ours.texts_to_sequences(new) == ref.texts_to_sequences(new)
    seqs = ref.texts_to_sequences(new)
    assert ours.sequences_to_texts(seqs) == ref.sequences_to_texts(seqs)
    for mode in ("binary", "count", "freq", "tfidf"):
        np.testing.assert_allclose(ours.texts_to_matrix(new, mode=mode),
                                   ref.texts_to_matrix(new, mode=mode))
    clone = text.tokenizer_from_json(ours.to_json())
    assert clone.word_index == ours.word_index and clone.texts_to_sequences(new) == \
        ours.texts_to_sequences(new)


def test_notes_next_word_example():
    """The course notes: index 0 is reserved, words ranked by frequency, first seen first."""
    words = "Hi this is a small sentence".split()
    lines = [" ".join(words[i - 3:i]) for i in range(3, len(words) + 1)]
    tokenizer = text.Tokenizer()
    tokenizer.fit_on_texts(lines)
    assert tokenizer.index_word == {1: "is", 2: "a", 3: "this", 4: "small", 5: "hi",
                                    6: "sentence"}
    assert tokenizer.texts_to_sequences(lines) == [[5, 3, 1], [3, 1, 2], [1, 2, 4], [2, 4, 6]]


def test_word_helpers_match_keras():
    legacy = _legacy()
    sample = "Hello, World!\tThis is-a test... hello"
    assert text.text_to_word_sequence(sample) == legacy.text_to_word_sequence(sample)
    assert text.text_to_word_sequence(sample, lower=False, split=" ") == \
        legacy.text_to_word_sequence(sample, lower=False, split=" ")
    assert text.one_hot(sample, 50) == legacy.one_hot(sample, 50)
    assert text.hashing_trick(sample, 20, "md5") == legacy.hashing_trick(sample, 20, "md5")
    assert all(1 <= i < 50 for i in text.one_hot(sample, 50))


def test_tokenizer_errors_and_legacy_names():
    with pytest.raises(ValueError, match="num_words"):
        text.Tokenizer().texts_to_matrix(["a"])
    with pytest.raises(TypeError, match="unrecognized"):
        text.Tokenizer(bogus=1)
    assert text.Tokenizer(nb_words=10).num_words == 10  # Keras 1
