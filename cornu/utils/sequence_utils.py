"""Sequence preprocessing: `pad_sequences` (Keras 3's `keras.utils.pad_sequences`)."""
import numpy as np

from cornu.utils.validation import check_int


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pads (and truncates) sequences to one length; returns an array `(len(sequences), maxlen)`.

    Args:
        sequences: a list of sequences (lists or arrays; their items may be vectors).
        maxlen: the length to pad to (default: the longest sequence's length).
        dtype: dtype of the result (`object` for variable-length strings).
        padding: `"pre"` (default) or `"post"`: which end the padding goes to.
        truncating: `"pre"` (default) or `"post"`: which end longer sequences lose.
        value: the padding value.

    >>> pad_sequences([[1, 2, 3], [4, 5], [6]])
    array([[1, 2, 3],
           [0, 4, 5],
           [0, 0, 6]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be a list of iterables (got a non-sized "
                         f"{type(sequences).__name__}).")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood: use "pre" or "post".')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood: use "pre" or "post".')
    lengths, item_shape = [], None
    for seq in sequences:
        if not hasattr(seq, "__len__"):
            raise ValueError("`sequences` must be a list of iterables. Found non-iterable: "
                             f"{seq!r}")
        lengths.append(len(seq))
        if item_shape is None and len(seq):
            item_shape = np.asarray(seq).shape[1:]
    item_shape = item_shape or ()
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    maxlen = check_int(maxlen, "maxlen", "pad_sequences", minimum=0)
    text_dtype = np.issubdtype(np.dtype(dtype), np.str_) if dtype is not object else True
    if isinstance(value, str) and not text_dtype:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}. "
                         "Set `dtype=object` for variable-length strings.")
    out = np.full((len(sequences), maxlen) + tuple(item_shape), value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq) or not maxlen:
            continue
        kept = np.asarray(seq[-maxlen:] if truncating == "pre" else seq[:maxlen], dtype=dtype)
        if kept.shape[1:] != tuple(item_shape):
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {i} is "
                             f"different from expected shape {tuple(item_shape)}.")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out


__all__ = ["pad_sequences"]
