"""Reuters newswire topics: 11,228 newswires as lists of word indices, labelled with one of 46
topics (`get_label_names()`), split `test_split` after a seeded shuffle.

Lookup and safety as `imdb`: `$CORNU_DATASETS/reuters.npz`, Keras's cache, then Keras's URL;
the pickled file is checked against Keras's published SHA-256 before it is read.
"""
import json

import numpy as np

from cornu.datasets import sequences as seq
from cornu.datasets.download import checked, fetch

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
ORIGIN = BASE + "reuters.npz"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = BASE + "reuters_word_index.json"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"  # MD5, as Keras publishes it

_LABELS = ("cocoa grain veg-oil earn acq wheat copper housing money-supply coffee sugar trade "
           "reserves ship cotton carcass crude nat-gas cpi money-fx interest gnp meal-feed alum "
           "oilseed gold tin strategic-metal livestock retail ipi iron-steel rubber heat jobs lei "
           "bop zinc orange pet-chem dlr gas silver wpi hog lead").split()


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads Reuters as `(x_train, y_train), (x_test, y_test)`.

    Arguments as `imdb.load_data`, plus `test_split`: the fraction of newswires (after the
    shuffle and the `maxlen` filter) that form the test set. `x_*` are 1-D object arrays of
    lists of ints; `y_*` int arrays of topic indices 0-45.

    Example:
        (x_train, y_train), _ = reuters.load_data(num_words=10000, test_split=0.2)
        reuters.get_label_names()[y_train[0]]
    """
    num_words = seq.check_kwargs(num_words, kwargs, "reuters.load_data")
    data = seq.load_npz(checked(fetch(path, ORIGIN, FILE_HASH), FILE_HASH))
    xs, labels = seq.shuffled(np.random.RandomState(seed), data["x"], data["y"])
    xs = seq.shift(xs, start_char, index_from)
    if maxlen:
        xs, labels = seq.drop_long(maxlen, xs, labels)
    xs = seq.cut_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return ((seq.object_array(xs[:cut]), np.array(labels[:cut])),
            (seq.object_array(xs[cut:]), np.array(labels[cut:])))


def get_word_index(path="reuters_word_index.json"):
    """The `{word: index}` dict of the newswires' words (indices before the `index_from` shift)."""
    with open(fetch(path, WORD_INDEX_ORIGIN, WORD_INDEX_HASH)) as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, indexed as the labels."""
    return tuple(_LABELS)
