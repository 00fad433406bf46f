"""StringLookup and IntegerLookup: vocabularies on the host (no TensorFlow).

They map NumPy arrays, Python lists (and, for integers, tensors) of tokens to indices, as Keras
3 defines them: index 0 is the mask token when `mask_token` is set (`output_mode="int"`), then
`num_oov_indices` out-of-vocabulary indices, then the vocabulary, most frequent first after
`adapt` (ties: the larger token first, as Keras sorts). Outputs are torch tensors.
"""
import collections

import numpy as np
import torch

from cornu.backend.config import get_device
from cornu.graph.keras_tensor import KerasTensor
from cornu.layers.layer import Layer, registry

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def host_array(data, kind):
    """Tokens as a NumPy array: `str` objects for strings, int64 for integers."""
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    array = np.asarray(data, dtype=object if kind == "str" else None)
    if kind == "str":
        return np.vectorize(lambda t: t.decode("utf-8") if isinstance(t, bytes) else str(t),
                            otypes=[object])(array) if array.size else array
    return array.astype(np.int64)


class IndexLookup(Layer):
    """The shared machinery; `_kind` is "str" or "int"."""
    _kind = "str"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=None,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, vocabulary_dtype=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if output_mode not in _MODES:
            raise ValueError(f"{name}: `output_mode` must be one of {_MODES}, got "
                             f"{output_mode!r}.")
        if num_oov_indices not in (0, 1):
            raise NotImplementedError(f"{name}: num_oov_indices={num_oov_indices} is not "
                                      "supported yet (its buckets are Keras's FarmHash64 "
                                      "bins, which Hashing computes); use 0 or 1.")
        if invert and output_mode != "int":
            raise ValueError(f"{name}: `invert=True` needs output_mode='int'.")
        if sparse:
            raise NotImplementedError(f"{name}: sparse outputs are not supported.")
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{name}: `max_tokens` must be greater than 1, got {max_tokens}.")
        self.max_tokens, self.num_oov_indices = max_tokens, num_oov_indices
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert, self.output_mode = invert, output_mode
        self.pad_to_max_tokens, self.sparse = pad_to_max_tokens, sparse
        self.vocabulary_dtype = vocabulary_dtype
        self._vocab = []
        self.idf_weights = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -------------------------------------------------------------- vocabulary
    def _special(self):
        head = [self.mask_token] if self.mask_token is not None and self.output_mode == "int" \
            else []
        return head + [self.oov_token] * self.num_oov_indices

    def get_vocabulary(self, include_special_tokens=True):
        return (self._special() if include_special_tokens else []) + list(self._vocab)

    def vocabulary_size(self):
        return len(self._special()) + len(self._vocab)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        if isinstance(vocabulary, str) and self._kind == "str":
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [line.rstrip("\n") for line in f]
        tokens = list(host_array(vocabulary, self._kind).ravel())
        special = [t for t in (self.mask_token, self.oov_token) if t is not None]
        # a vocabulary that starts with the special tokens (get_vocabulary()) is accepted as is
        while tokens and tokens[0] in special:
            tokens.pop(0)
        if len(set(tokens)) != len(tokens):
            raise ValueError(f"{type(self).__name__}: the vocabulary has repeated tokens.")
        self._vocab = tokens
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{type(self).__name__}: output_mode='tf_idf' needs "
                                 "`idf_weights` with the vocabulary.")
            w = np.asarray(idf_weights, "float32")
            self.idf_weights = np.concatenate([np.full(len(self._special()), w.mean()), w])
        self._table = {t: i + len(self._special()) for i, t in enumerate(self._vocab)}

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and document frequencies for tf_idf) from `data`."""
        self.adapt_documents(self._tokens_of(data))

    def adapt_documents(self, docs):
        """`adapt` from a list of documents, each a list of tokens."""
        counts, doc_counts = collections.Counter(), collections.Counter()
        for doc in docs:
            counts.update(doc)
            doc_counts.update(set(doc))
        for t in (self.mask_token, self.oov_token):
            counts.pop(t, None)
        ranked = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[:self.max_tokens - len(self._special())]
        vocab = [t for t, _ in ranked]
        idf = None
        if self.output_mode == "tf_idf":
            idf = np.log(1 + len(docs) / (1 + np.array([doc_counts[t] for t in vocab], "float64")))
        self.set_vocabulary(vocab, idf)

    def _tokens_of(self, data):
        array = host_array(data, self._kind)
        if array.ndim == 0:
            return [[array.item()]]
        return [list(row) for row in array.reshape(array.shape[0], -1)] if array.ndim > 1 else \
            [[t] for t in array]

    # -------------------------------------------------------------------- call
    def __call__(self, inputs, **kwargs):
        # Host data goes straight to `call` (the base class would make it a float tensor);
        # a symbolic input records the layer in the graph, which then hands it the raw data.
        if isinstance(inputs, KerasTensor):
            return super().__call__(inputs)
        self.built = True
        return self.call(inputs)

    def call(self, inputs):
        if self.invert:
            return self._invert(inputs)
        array = host_array(inputs, self._kind)
        oov = len(self._special()) - self.num_oov_indices if self.num_oov_indices else -1
        flat = [self._index(t, oov) for t in array.ravel()]
        ids = torch.as_tensor(np.asarray(flat, np.int64).reshape(array.shape))
        if self.output_mode == "int":
            return ids.to(get_device())
        return self._encode(ids)

    def _index(self, token, oov):
        if token == self.mask_token and self.mask_token is not None:
            return 0 if self.output_mode == "int" else -1
        index = self._table.get(token, oov)
        if index < 0 and token != self.mask_token:
            raise ValueError(f"{type(self).__name__} {self.name!r}: {token!r} is not in the "
                             "vocabulary and num_oov_indices=0.")
        return index

    def output_depth(self):
        """Width of the encoded outputs (not "int")."""
        return self.max_tokens if self.pad_to_max_tokens and self.max_tokens else \
            self.vocabulary_size()

    def weigh(self, counts):
        """Per-token counts `(..., depth)` → the output mode's encoding, on cornu's device."""
        if self.output_mode in ("multi_hot", "one_hot"):
            counts = counts.clamp(max=1)
        elif self.output_mode == "tf_idf":
            weights = torch.zeros(counts.shape[-1])
            weights[:len(self.idf_weights)] = torch.as_tensor(self.idf_weights)
            counts = counts * weights
        return counts.to(get_device())

    def _encode(self, ids):
        if ids.ndim == 0:
            ids = ids.reshape(1)
        if self.output_mode == "one_hot" and (ids.ndim == 1 or ids.shape[-1] != 1):
            ids = ids.unsqueeze(-1)
        valid = ids >= 0  # masked tokens count nowhere
        counts = torch.zeros(ids.shape[:-1] + (self.output_depth(),), dtype=torch.float32)
        counts.scatter_add_(-1, ids.clamp(min=0), valid.float())
        return self.weigh(counts)

    def _invert(self, inputs):
        vocab = self.get_vocabulary()
        ids = np.asarray(inputs.detach().cpu() if isinstance(inputs, torch.Tensor) else inputs)
        out = np.empty(ids.shape, dtype=object)
        for pos, i in np.ndenumerate(ids):
            out[pos] = vocab[i] if 0 <= i < len(vocab) else self.oov_token
        return out if self._kind == "str" else out.astype(np.int64)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot" and not (len(input_shape) > 1 and input_shape[-1] == 1):
            return input_shape + (self.output_depth(),)  # each element encoded, as Keras 3
        return input_shape[:-1] + (self.output_depth(),)

    def get_config(self):
        # The vocabulary and idf weights are `adapt()` state, written as Keras 3 writes them.
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype,
                "vocabulary": list(self._vocab) or None,
                "idf_weights": None if self.idf_weights is None else
                [float(w) for w in self.idf_weights[len(self._special()):]]}


@registry.register()
class StringLookup(IndexLookup):
    """Maps strings to indices through a vocabulary (given, or learned by `adapt`).

    Args: as Keras 3: `max_tokens`, `num_oov_indices` (0 or 1 here), `mask_token` (None),
    `oov_token` ("[UNK]"), `vocabulary`, `idf_weights`, `invert`, `output_mode`
    ("int", "one_hot", "multi_hot", "count", "tf_idf"), `pad_to_max_tokens`.

    >>> StringLookup(vocabulary=["a", "b", "c"])([["a", "c", "z"]]).tolist()
    [[1, 3, 0]]
    """
    _kind = "str"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse,
                         vocabulary_dtype="string", **kwargs)
        self.encoding = encoding

    def get_config(self):
        # IndexLookup's written config, plus StringLookup's own argument.
        return {**super().get_config(), "encoding": self.encoding}


@registry.register()
class IntegerLookup(IndexLookup):
    """Maps integer tokens to indices through a vocabulary (given, or learned by `adapt`);
    `oov_token` defaults to -1 and `mask_token` to None, as in Keras 3.

    >>> IntegerLookup(vocabulary=[12, 36, 1138])([[12, 1138, 42]]).tolist()
    [[1, 3, 0]]
    """
    _kind = "int"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, **kwargs):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse,
                         vocabulary_dtype=vocabulary_dtype, **kwargs)
