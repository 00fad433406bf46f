"""Sequence preprocessing: `pad_sequences` (Keras 3's `keras.utils.pad_sequences`)."""
import numpy as np

from cornu.utils.sequence import Sequence


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


def make_sampling_table(size, sampling_factor=1e-5):
    """Probabilities of keeping word `i` (rank `i`, most frequent = 1) in `skipgrams`, from
    word2vec's subsampling rule with Zipf-law frequencies: `min(1, sqrt(factor * inv_freq))`
    where `inv_freq ~ r (ln r + gamma) + 1/2 - 1/(12 r)`."""
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.0, shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """Word2vec training pairs from a sequence of word indices (0 = padding, skipped).

    Each word is paired with the words within `window_size` of it (label 1); then
    `negative_samples * positives` pairs of a word and a random index in
    `[1, vocabulary_size)` (label 0). Python's `random` draws them, as in Keras, so
    `random.seed(...)` reproduces Keras's pairs. Returns `(couples, labels)`; with
    `categorical` the labels are `[0, 1]` / `[1, 0]`.
    """
    import random
    couples, labels = [], []
    positive, negative = ([0, 1], [1, 0]) if categorical else (1, 0)
    for i, wi in enumerate(sequence):
        if not wi or (sampling_table is not None and sampling_table[wi] < random.random()):
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
                labels.append(positive)
    if negative_samples > 0:
        count = int(len(labels) * negative_samples)
        words = [pair[0] for pair in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, vocabulary_size - 1)]
                    for i in range(count)]
        labels += [negative] * count
    if shuffle:
        seed = random.randint(0, 10 ** 7) if seed is None else seed
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels


class TimeseriesGenerator(Sequence):
    """Batches of windows over a series (Keras 2's; Keras 3 keeps it as a PyDataset).

    Sample `row` is `data[row - length:row:sampling_rate]` with target `targets[row]`, for rows
    from `start_index + length` to `end_index` (default `len(data) - 1`) every `stride`;
    `shuffle` draws each batch's rows at random; `reverse` reverses each window.
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0,
                 end_index=None, shuffle=False, reverse=False, batch_size=128, **kwargs):
        super().__init__(**kwargs)
        if len(data) != len(targets):
            raise ValueError(f"data ({len(data)}) and targets ({len(targets)}) differ in length.")
        self.data, self.targets, self.length = data, targets, length
        self.sampling_rate, self.stride = sampling_rate, stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle, self.reverse, self.batch_size = shuffle, reverse, batch_size
        if self.start_index > self.end_index:
            raise ValueError(f"start_index + length = {self.start_index} is past end_index = "
                             f"{self.end_index}: no step would be left to predict.")

    def __len__(self):
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index):
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            first = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(first, min(first + self.batch_size * self.stride,
                                        self.end_index + 1), self.stride)
        samples = np.array([self.data[row - self.length:row:self.sampling_rate] for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        return (samples[:, ::-1, ...] if self.reverse else samples), targets


__all__ = ["pad_sequences", "make_sampling_table", "skipgrams", "TimeseriesGenerator"]
