"""Keras 1's `Embedding(dropout=p)`: word dropout, installed on the modern Embedding by compat.

In training, each row of the embedding table (each word of the vocabulary) is dropped with
probability `p`, the same word everywhere it appears in the call, and the kept rows are scaled
by `1 / (1 - p)`: Keras 1 computed `gather(W * B, x)` with `B ~ Bernoulli(1 - p) / (1 - p)` of
shape `(input_dim, 1)`. Outside training it is the identity. Only layers built with a `dropout`
get the hook, so the modern layer's call stays as it is.
"""
import functools

import torch

from cornu.compat.arguments import warn_once


def _drop_words(layer, args, output):
    if not layer.training:
        return None
    keep = 1.0 - layer.word_dropout
    rows = torch.bernoulli(torch.full((layer.input_dim,), keep, device=output.device)) / keep
    return output * rows[args[0].long()].unsqueeze(-1).to(output.dtype)


def install(embedding_class):
    """Adds Keras 1's `dropout` argument to `embedding_class` (idempotent)."""
    if getattr(embedding_class, "_word_dropout_installed", False):
        return
    init, get_config = embedding_class.__init__, embedding_class.get_config

    @functools.wraps(init)
    def __init__(self, *args, dropout=0.0, **kwargs):
        init(self, *args, **kwargs)
        self.word_dropout = float(dropout or 0.0)
        if not 0.0 <= self.word_dropout < 1.0:
            raise ValueError(f"Embedding {self.name!r}: `dropout` (Keras 1's word dropout) "
                             f"must be in [0, 1), got {dropout!r}.")
        if self.word_dropout:
            warn_once(type(self).__name__, "dropout",
                      "Keras 1's word dropout (whole rows of the table, in training)")
            self.register_forward_hook(_drop_words)

    @functools.wraps(get_config)
    def config(self):
        out = get_config(self)
        if getattr(self, "word_dropout", 0.0):
            out["dropout"] = self.word_dropout
        return out

    embedding_class.__init__, embedding_class.get_config = __init__, config
    embedding_class._word_dropout_installed = True
