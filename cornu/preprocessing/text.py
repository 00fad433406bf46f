"""Text preprocessing of Keras 1/2 (`keras.preprocessing.text`): `Tokenizer` and helpers.

Keras 3 dropped this module (its `TextVectorization` layer replaces it) but scripts of every
era import it, so cornu keeps its documented behaviour: words are split on `split` after
`filters` characters become separators; index 0 is never a word; indices rank words by
frequency (ties keep first-seen order), the `oov_token`, if any, taking index 1.
"""
import hashlib
import json
from collections import OrderedDict, defaultdict

import numpy as np

from cornu.utils import legacy

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(input_text, filters=FILTERS, lower=True, split=" "):
    """Splits a text into a list of words.

    >>> text_to_word_sequence("Hello, World! hello")
    ['hello', 'world', 'hello']
    """
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in input_text.split(split) if word]


def hashing_trick(text, n, hash_function=None, filters=FILTERS, lower=True, split=" ",
                  analyzer=None):
    """Words → integers in `[1, n - 1]` by hashing (`hash_function`: None = Python's `hash`,
    `'md5'`, or a function of a string). Collisions are possible."""
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        def hash_function(word):
            return int(hashlib.md5(word.encode()).hexdigest(), 16)
    words = analyzer(text) if analyzer is not None else text_to_word_sequence(
        text, filters=filters, lower=lower, split=split)
    return [hash_function(word) % (n - 1) + 1 for word in words]


def one_hot(input_text, n, filters=FILTERS, lower=True, split=" ", analyzer=None):
    """Encodes a text as a list of word indices in `[1, n - 1]` (`hashing_trick` with `hash`)."""
    return hashing_trick(input_text, n, hash_function=hash, filters=filters, lower=lower,
                         split=split, analyzer=analyzer)


class Tokenizer:
    """Vectorizes texts: each word (or character) becomes an integer index.

    Args:
        num_words: keep only the `num_words - 1` most frequent words when converting
            (fitting still indexes every word).
        filters: characters removed from the texts (they act as separators).
        lower: lowercase the texts.
        split: the word separator.
        char_level: index characters instead of words.
        oov_token: if given, it takes index 1 and replaces out-of-vocabulary words in
            `texts_to_sequences`; otherwise such words are dropped.
        analyzer: optional function text → list of tokens, used instead of the splitting.

    After `fit_on_texts`: `word_index` (word → index, from 1), `index_word`, `word_counts`,
    `word_docs`, `index_docs`, `document_count`.

    >>> t = Tokenizer(); t.fit_on_texts(["the cat sat", "the dog"])
    >>> t.word_index
    {'the': 1, 'cat': 2, 'sat': 3, 'dog': 4}
    >>> t.texts_to_sequences(["the dog sat"])
    [[1, 4, 3]]
    """

    def __init__(self, num_words=None, filters=FILTERS, lower=True, split=" ", char_level=False,
                 oov_token=None, analyzer=None, document_count=0, **kwargs):
        if kwargs:  # old spellings (compat's "tokenizer" table)
            kwargs = legacy.translate("tokenizer", kwargs, "Tokenizer")
            num_words = kwargs.pop("num_words", num_words)
        if kwargs:
            raise TypeError(f"Tokenizer: unrecognized keyword arguments {sorted(kwargs)}.")
        self.num_words = num_words
        self.filters = filters
        self.lower = lower
        self.split = split
        self.char_level = char_level
        self.oov_token = oov_token
        self.analyzer = analyzer
        self.document_count = document_count
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.index_docs = defaultdict(int)
        self.word_index = {}
        self.index_word = {}

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return text
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, filters=self.filters, lower=self.lower,
                                     split=self.split)

    def fit_on_texts(self, texts):
        """Updates the vocabulary from a list of texts (strings, or lists of tokens)."""
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for token in tokens:
                self.word_counts[token] = self.word_counts.get(token, 0) + 1
            for token in set(tokens):
                self.word_docs[token] += 1
        # Stable sort: equally frequent words keep the order they were first seen in.
        ranked = sorted(self.word_counts.items(), key=lambda item: item[1], reverse=True)
        vocabulary = ([] if self.oov_token is None else [self.oov_token]) + [w for w, _ in ranked]
        self.word_index = {word: i for i, word in enumerate(vocabulary, start=1)}
        self.index_word = {i: word for word, i in self.word_index.items()}
        for word, count in self.word_docs.items():
            self.index_docs[self.word_index[word]] = count

    def fit_on_sequences(self, sequences):
        """Updates `index_docs` and `document_count` from sequences of indices (for tfidf)."""
        self.document_count += len(sequences)
        for seq in sequences:
            for index in set(seq):
                self.index_docs[index] += 1

    def texts_to_sequences(self, texts):
        """Each text → a list of word indices (words beyond `num_words`: dropped, or OOV)."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        oov = self.word_index.get(self.oov_token)
        for text in texts:
            seq = []
            for token in self._tokens(text):
                index = self.word_index.get(token)
                if index is not None and not (self.num_words and index >= self.num_words):
                    seq.append(index)
                elif oov is not None:
                    seq.append(oov)
            yield seq

    def sequences_to_texts(self, sequences):
        """Each list of indices → a text of words joined by spaces."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        oov = self.word_index.get(self.oov_token)
        for seq in sequences:
            words = []
            for index in seq:
                word = self.index_word.get(index)
                if word is not None and not (self.num_words and index >= self.num_words):
                    words.append(word)
                elif oov is not None:
                    words.append(self.index_word[oov])
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode="binary"):
        """Texts → a `(len(texts), num_words)` matrix; see `sequences_to_matrix` for `mode`."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """Sequences → a matrix; `mode`: "binary", "count", "freq" or "tfidf"."""
        if self.num_words:
            width = self.num_words
        elif self.word_index:
            width = len(self.word_index) + 1
        else:
            raise ValueError("Specify a dimension (`num_words` argument), or fit on some text "
                             "data first.")
        if mode not in ("binary", "count", "freq", "tfidf"):
            raise ValueError(f"Unknown vectorization mode: {mode!r} (expected 'binary', "
                             "'count', 'freq' or 'tfidf').")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        out = np.zeros((len(sequences), width))
        for row, seq in enumerate(sequences):
            counts = defaultdict(int)
            for index in seq:
                if index < width:
                    counts[index] += 1
            for index, count in counts.items():
                if mode == "binary":
                    out[row, index] = 1
                elif mode == "count":
                    out[row, index] = count
                elif mode == "freq":
                    out[row, index] = count / len(seq)
                else:  # tf-idf, weighting scheme 2: (1 + log tf) * log(1 + N / (1 + df))
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(index, 0)))
                    out[row, index] = (1 + np.log(count)) * idf
        return out

    def get_config(self):
        return {"num_words": self.num_words, "filters": self.filters, "lower": self.lower,
                "split": self.split, "char_level": self.char_level, "oov_token": self.oov_token,
                "document_count": self.document_count,
                "word_counts": json.dumps(self.word_counts),
                "word_docs": json.dumps(self.word_docs),
                "index_docs": json.dumps(self.index_docs),
                "index_word": json.dumps(self.index_word),
                "word_index": json.dumps(self.word_index)}

    def to_json(self, **kwargs):
        """The tokenizer as JSON; `tokenizer_from_json` reads it back."""
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()},
                          **kwargs)


def tokenizer_from_json(json_string):
    """A `Tokenizer` from the JSON of `Tokenizer.to_json()`."""
    config = dict(json.loads(json_string)["config"])
    tables = {key: json.loads(config.pop(key)) for key in
              ("word_counts", "word_docs", "index_docs", "index_word", "word_index")}
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = OrderedDict(tables["word_counts"])
    tokenizer.word_docs = defaultdict(int, tables["word_docs"])
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in tables["index_docs"].items()})
    tokenizer.index_word = {int(k): v for k, v in tables["index_word"].items()}
    tokenizer.word_index = tables["word_index"]
    return tokenizer


__all__ = ["Tokenizer", "text_to_word_sequence", "one_hot", "hashing_trick",
           "tokenizer_from_json"]
