"""`keras.preprocessing.sequence`: `pad_sequences` (implemented in `cornu.utils.sequence_utils`,
since Keras 3 also exports it from `keras.utils`)."""
import numpy as np

from cornu.utils.sequence import Sequence
from cornu.utils.sequence_utils import pad_sequences


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
