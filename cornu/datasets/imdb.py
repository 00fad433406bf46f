"""IMDB movie reviews, labelled by sentiment: 25,000 training and 25,000 test reviews as lists
of word indices (most frequent word = 1), labels 0 (negative) or 1 (positive).

`load_data()` reads `$CORNU_DATASETS/imdb.npz`, else Keras's cache (`$KERAS_HOME/datasets`),
else downloads Keras's file. The file holds pickled lists, so it is checked against Keras's
published SHA-256 before anything is read, wherever it came from, and read with an unpickler
that builds NumPy arrays only.
"""
import json

import numpy as np

from cornu.datasets import sequences as seq
from cornu.datasets.download import checked, fetch

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
ORIGIN = BASE + "imdb.npz"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = BASE + "imdb_word_index.json"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"  # MD5, as Keras publishes it


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
              oov_char=2, index_from=3, **kwargs):
    """Loads IMDB as `(x_train, y_train), (x_test, y_test)`.

    Args:
        path: the file's name in the cache (`~/.keras/datasets/imdb.npz`).
        num_words: keep the `num_words` most frequent words (indices `< num_words` after the
            shift by `index_from`); others become `oov_char`. None: keep all.
        skip_top: indices below this (the most frequent words) also become `oov_char`.
        maxlen: keep only reviews shorter than `maxlen` words (after `start_char`).
        seed: the shuffle of each split (`np.random.RandomState(seed)`, train then test).
        start_char: index put before every review (None: none).
        oov_char: index of cut words (None: cut words are removed).
        index_from: word indices are shifted up by this.

    Returns:
        `x_*`: 1-D object arrays of lists of ints; `y_*`: int arrays of 0/1 labels.

    Example:
        (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
    """
    num_words = seq.check_kwargs(num_words, kwargs, "imdb.load_data")
    data = seq.load_npz(checked(fetch(path, ORIGIN, FILE_HASH), FILE_HASH))
    rng = np.random.RandomState(seed)
    x_train, y_train = seq.shuffled(rng, data["x_train"], data["y_train"])
    x_test, y_test = seq.shuffled(rng, data["x_test"], data["y_test"])
    x_train = seq.shift(x_train, start_char, index_from)
    x_test = seq.shift(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = seq.drop_long(maxlen, x_train, y_train)
        x_test, y_test = seq.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"No review is shorter than maxlen={maxlen} in one of the splits; "
                             "increase maxlen.")
    words = seq.cut_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(y_train), np.asarray(y_test)])
    n = len(x_train)
    return ((seq.object_array(words[:n]), labels[:n]), (seq.object_array(words[n:]), labels[n:]))


def get_word_index(path="imdb_word_index.json"):
    """The `{word: index}` dict of the reviews' words (indices before the `index_from` shift)."""
    with open(fetch(path, WORD_INDEX_ORIGIN, WORD_INDEX_HASH)) as f:
        return json.load(f)
