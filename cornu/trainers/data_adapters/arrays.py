"""The fast path: NumPy arrays, lists, dicts, pandas objects and tensors, converted to tensors
once; batches are slices (or one gather per batch when shuffling)."""
import math

import torch

from cornu.trainers.data_adapters.base import DataAdapter
from cornu.trainers.data_adapters.convert import _whole_steps, flat, map_arrays, num_samples


class ArrayAdapter(DataAdapter):
    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False,
                 steps_per_epoch=None, device=None, x_dtypes=None):
        self.device = device
        self.x = x
        self.y = y
        self.sample_weight = sample_weight
        if type(x) is torch.Tensor and y is None and sample_weight is None:
            self.num_samples = int(x.shape[0])  # (predict's one input: nothing to compare)
        else:
            self._check_cardinality(x, y, sample_weight)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        full_steps = int(math.ceil(self.num_samples / self.batch_size)) if self.num_samples else 0
        self.steps_per_epoch = _whole_steps(steps_per_epoch) or full_steps

    def _check_cardinality(self, x, y, sample_weight):
        self.num_samples = num_samples(x)
        for name, arrays in (("y", y), ("sample_weight", sample_weight)):
            if arrays is not None:
                for a in flat(arrays):
                    if a is not None and int(a.shape[0]) != self.num_samples:
                        raise ValueError(
                            f"Data cardinality is ambiguous: x has {self.num_samples} samples but "
                            f"{name} has {int(a.shape[0])}. Make sure all arrays contain the same "
                            "number of samples.")
        for a in flat(x):
            if int(a.shape[0]) != self.num_samples:
                raise ValueError(f"Data cardinality is ambiguous: the model's inputs have "
                                 f"{[int(t.shape[0]) for t in flat(x)]} samples; they must match.")

    def _take(self, arrays, index):
        if arrays is None:
            return None
        if isinstance(index, slice):
            return map_arrays(lambda a: a[index], arrays)
        return map_arrays(lambda a: a.index_select(0, index) if isinstance(a, torch.Tensor)
                          else a[index.cpu().numpy()], arrays)  # host data: raw strings

    def batches(self):
        n, bs = self.num_samples, self.batch_size
        if bs >= n:  # every batch is all the data: shuffling would only reorder a batch's sum
            for _ in range(self.steps_per_epoch):
                yield self.x, self.y, self.sample_weight
            return
        order = None
        if self.shuffle and n > 1:
            order = torch.randperm(n, device=flat(self.x)[0].device)
        if self.steps_per_epoch * bs <= n + bs - 1:  # one pass, no wrap-around
            yield from self._one_pass(order)
            return
        for step in range(self.steps_per_epoch):
            start = (step * bs) % n if self.steps_per_epoch * bs > n else step * bs
            stop = min(start + bs, n)
            index = slice(start, stop) if order is None else order[start:stop]
            yield (self._take(self.x, index), self._take(self.y, index),
                   self._take(self.sample_weight, index))

    def _one_pass(self, order):
        """The batches of one pass over the data, cut with one `split` per array (views, or
        index chunks when shuffled) rather than one slicing op per array per batch."""
        steps, bs = self.steps_per_epoch, self.batch_size
        if order is not None:
            for index in order.split(bs)[:steps]:
                yield (self._take(self.x, index), self._take(self.y, index),
                       self._take(self.sample_weight, index))
            return
        arrays = (self.x, self.y, self.sample_weight)
        if not all(a is None or isinstance(a, torch.Tensor) for a in arrays):
            for step in range(steps):  # several inputs or outputs: slice each structure
                index = slice(step * bs, (step + 1) * bs)
                yield tuple(self._take(a, index) for a in arrays)
            return
        parts = [[None] * steps if a is None else a.split(bs)[:steps] for a in arrays]
        yield from zip(*parts)

def split_validation(x, y, sw, validation_split):
    """Keras's split: the last `validation_split` fraction (taken before any shuffling)."""
    n = num_samples(x)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"validation_split={validation_split} leaves no data for training or "
                         f"validation with {n} samples.")
    head = lambda arrays: None if arrays is None else map_arrays(lambda a: a[:split_at], arrays)
    tail = lambda arrays: None if arrays is None else map_arrays(lambda a: a[split_at:], arrays)
    return (head(x), head(y), head(sw)), (tail(x), tail(y), tail(sw))

