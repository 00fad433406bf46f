"""TextVectorization on the host: standardize, split, n-grams, then a StringLookup."""
import re

import numpy as np
import torch

from cornu.backend.config import get_device
from cornu.graph.keras_tensor import KerasTensor
from cornu.layers.layer import Layer, registry
from cornu.layers.preprocessing.lookup import StringLookup, host_array

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')


@registry.register()
class TextVectorization(Layer):
    """Turns raw strings into token ids (or multi-hot, count, tf-idf vectors), as Keras 3 does,
    on NumPy arrays and lists of strings: no TensorFlow.

    Args:
        max_tokens: vocabulary size limit (padding and OOV included).
        standardize: `"lower_and_strip_punctuation"` (default), `"lower"`,
            `"strip_punctuation"`, None, or a callable on one string.
        split: `"whitespace"` (default), `"character"`, None, or a callable on one string.
        ngrams: None, an int n (all 1..n-grams) or a tuple of widths.
        output_mode: `"int"` (default: index 0 is padding, 1 is OOV), `"multi_hot"`,
            `"count"` or `"tf_idf"`.
        output_sequence_length: pad with 0 / truncate `"int"` outputs to this length.
        pad_to_max_tokens: make encoded vectors `max_tokens` wide.
        vocabulary, idf_weights: a given vocabulary instead of `adapt`.

    >>> vectorize = TextVectorization(output_sequence_length=4)
    >>> vectorize.adapt(["the cat sat", "the dog"])
    >>> vectorize(["The dog sat!"]).tolist()
    [[2, 4, 3, 0]]
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if output_mode not in ("int", "multi_hot", "count", "tf_idf"):
            raise ValueError("TextVectorization: `output_mode` must be 'int', 'multi_hot', "
                             f"'count' or 'tf_idf', got {output_mode!r}.")
        if ragged:
            raise NotImplementedError("TextVectorization: ragged outputs are not supported; "
                                      "use `output_sequence_length`.")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError("TextVectorization: `output_sequence_length` needs "
                             "output_mode='int'.")
        if isinstance(ngrams, int):
            ngrams = tuple(range(1, ngrams + 1))
        self.max_tokens, self.standardize, self.split = max_tokens, standardize, split
        self.ngrams = ngrams
        self.output_mode, self.output_sequence_length = output_mode, output_sequence_length
        self.pad_to_max_tokens, self.sparse, self.ragged = pad_to_max_tokens, sparse, ragged
        self.encoding = encoding
        self._lookup = StringLookup(max_tokens=max_tokens, mask_token="" if output_mode == "int"
                                    else None, vocabulary=vocabulary, idf_weights=idf_weights,
                                    output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens,
                                    name=f"{self.name}_lookup")

    # ------------------------------------------------------------- tokenizing
    def _standardize(self, text):
        if callable(self.standardize):
            return self.standardize(text)
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        return text

    def _split(self, text):
        if self.split is None:
            return [text]
        if callable(self.split):
            return list(self.split(text))
        if self.split == "character":
            return list(text)
        return text.split()

    def _tokens(self, text):
        tokens = self._split(self._standardize(text))
        if not self.ngrams:
            return tokens
        out = []
        for width in self.ngrams:
            out.extend(" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1))
        return out

    def _documents(self, data):
        array = host_array(data, "str")
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim > 1:
            raise ValueError(f"TextVectorization {self.name!r}: expected a batch of strings "
                             f"(shape (batch,) or (batch, 1)), got shape {array.shape}.")
        return [self._tokens(t) for t in np.atleast_1d(array)], array.ndim == 0

    # ---------------------------------------------------------- vocabulary
    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and idf weights) from an iterable of strings."""
        docs, _ = self._documents(data)
        self._lookup.adapt_documents(docs)

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------------- call
    def __call__(self, inputs, **kwargs):
        # Host data goes straight to `call` (the base class would make it a float tensor);
        # a symbolic input records the layer in the graph, which then hands it the raw data.
        if isinstance(inputs, KerasTensor):
            return super().__call__(inputs)
        self.built = True
        return self.call(inputs)

    def call(self, inputs):
        docs, scalar = self._documents(inputs)
        if self.output_mode != "int":
            lookup = self._lookup
            oov = len(lookup._special()) - lookup.num_oov_indices if lookup.num_oov_indices \
                else -1
            counts = np.zeros((len(docs), lookup.output_depth()), np.float32)
            for i, doc in enumerate(docs):
                np.add.at(counts[i], [lookup._index(t, oov) for t in doc], 1.0)
            out = lookup.weigh(torch.as_tensor(counts))
            return out[0] if scalar else out
        length = self.output_sequence_length or max([len(d) for d in docs] + [1])
        ids = np.zeros((len(docs), length), np.int64)
        for i, doc in enumerate(docs):
            row = self._lookup(np.array(doc[:length], dtype=object)).cpu().numpy() if doc \
                else np.zeros(0, np.int64)
            ids[i, :len(row)] = row
        out = torch.as_tensor(ids, device=get_device())
        return out[0] if scalar else out

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        return (input_shape[0], depth)

    def get_config(self):
        # The vocabulary and idf weights are `adapt()` state, written as Keras 3 writes them.
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "standardize": self.standardize, "split": self.split, "ngrams": self.ngrams,
                "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": self.pad_to_max_tokens, "sparse": self.sparse,
                "ragged": self.ragged, "vocabulary": self.get_vocabulary(False) or None,
                "idf_weights": None if self._lookup.idf_weights is None else
                [float(w) for w in self._lookup.idf_weights[len(self._lookup._special()):]],
                "encoding": self.encoding}
