"""`Sequence`: a dataset of batches by index (`__len__`, `__getitem__`), as in Keras."""


class Sequence:
    """A dataset as batches: subclass it with `__len__` (the number of batches) and
    `__getitem__(i)` (batch `i` as `(x, y)` or `(x, y, sample_weight)`); `on_epoch_end` runs
    after each epoch. `fit`, `evaluate` and `predict` take it as `x`."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        pass

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def on_epoch_end(self):
        pass

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


PyDataset = Sequence
