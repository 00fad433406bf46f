"""How `fit`/`evaluate` split their data across processes, one rule per input kind:

- **arrays** (NumPy, tensors, pandas): `batch_size` is the *global* batch. Each global batch
  (the batches one process would cut, in the same shuffled order: rank 0 draws the permutation
  and sends it) is split into contiguous, near-equal shares, rank `r` taking share `r`. An
  uneven share is weighted by its count (the loss is scaled by `n_local * world / n_global`
  before DDP averages), so the gradient is that of the global batch. A global batch smaller than
  the number of ranks is an error; a last batch with fewer samples than ranks gives the ranks
  left without one a stand-in sample whose loss is scaled by 0.
- **torch `DataLoader`**: its batch is per process. Without a `DistributedSampler`, one is
  added (shuffling when the loader did), set to each epoch in turn.
- **`PyDataset`/`Sequence`** (indexable batches): batches are dealt round-robin, batch
  `i * world + r` to rank `r`; the last round wraps to the first batches so every rank takes
  the same number of steps (as `DistributedSampler` pads).
- **Python generators** cannot be split: each rank consumes its own, with a warning.
"""
import math
import warnings

import torch.utils.data as tud

from cornu.trainers import data_adapters as adapters


def shard(adapter, session, training):
    """`adapter`'s data as this rank's share."""
    if isinstance(adapter, adapters.ArrayAdapter):
        return ShardedArrays(adapter, session, training)
    if isinstance(adapter, adapters.IteratorAdapter):
        return _shard_iterator(adapter, session)
    return adapter


class ShardedArrays(adapters.DataAdapter):
    """This rank's share of each global batch of an `ArrayAdapter`."""

    def __init__(self, inner, session, training):
        if inner.batch_size < session.world:
            raise ValueError(f"batch_size={inner.batch_size} is the global batch, split across "
                             f"{session.world} processes: it must be at least {session.world} "
                             f"(one sample per process); pass batch_size >= {session.world}.")
        self.inner, self.session, self.training = inner, session, training
        self.num_samples, self.batch_size = inner.num_samples, inner.batch_size
        self.steps_per_epoch = inner.steps_per_epoch

    def _bounds(self):
        """(start, stop) of each global batch, as `ArrayAdapter.batches` cuts them."""
        n, bs, steps = self.num_samples, self.batch_size, self.steps_per_epoch
        for step in range(steps):
            if bs >= n:
                yield 0, n
                continue
            start = (step * bs) % n if steps * bs > n else step * bs
            yield start, min(start + bs, n)

    def batches(self):
        inner, session = self.inner, self.session
        rank, world = session.rank, session.world
        order = None
        if inner.shuffle and 1 < self.num_samples and self.batch_size < self.num_samples:
            order = session.shared_permutation(self.num_samples,
                                               adapters.flat(inner.x)[0].device)
        try:
            for start, stop in self._bounds():
                count = stop - start
                base, extra = divmod(count, world)
                lo = start + rank * base + min(rank, extra)
                hi = lo + base + (rank < extra)
                empty = hi == lo
                if empty and not self.training:
                    continue  # evaluation has no collective per step: nothing to stand in for
                if empty:
                    lo, hi = start, start + 1
                session.batch_scale = 0.0 if empty else (hi - lo) * world / count
                session.batch_empty = empty
                index = slice(lo, hi) if order is None else order[lo:hi]
                yield (inner._take(inner.x, index), inner._take(inner.y, index),
                       inner._take(inner.sample_weight, index))
        finally:
            session.batch_scale, session.batch_empty = 1.0, False


class _RoundRobin:
    """Batch `i` of this rank is batch `(i * world + rank) % len` of the whole."""

    def __init__(self, data, rank, world):
        self.data, self.rank, self.world = data, rank, world

    def __len__(self):
        return math.ceil(len(self.data) / self.world)

    def __getitem__(self, i):
        return self.data[(i * self.world + self.rank) % len(self.data)]

    def on_epoch_end(self):
        if hasattr(self.data, "on_epoch_end"):
            self.data.on_epoch_end()


class _SamplerEpochs(adapters.DataAdapter):
    """An iterator adapter whose `DistributedSampler` is told each new epoch."""

    def __init__(self, inner, sampler):
        self.inner, self.sampler, self.epoch = inner, sampler, 0
        self.steps_per_epoch = inner.steps_per_epoch

    def batches(self):
        self.sampler.set_epoch(self.epoch)
        self.epoch += 1
        yield from self.inner.batches()


def _shard_iterator(adapter, session):
    data = adapter.data
    from_len = hasattr(data, "__len__") and adapter.steps_per_epoch == len(data)
    if isinstance(data, tud.DataLoader) and not isinstance(data.dataset, tud.IterableDataset):
        if isinstance(data.sampler, tud.DistributedSampler):
            return adapter
        sampler = tud.DistributedSampler(data.dataset, num_replicas=session.world,
                                         rank=session.rank,
                                         shuffle=isinstance(data.sampler, tud.RandomSampler))
        adapter.data = tud.DataLoader(
            data.dataset, batch_size=data.batch_size, sampler=sampler,
            num_workers=data.num_workers, collate_fn=data.collate_fn,
            pin_memory=data.pin_memory, drop_last=data.drop_last,
            worker_init_fn=data.worker_init_fn,
            persistent_workers=data.persistent_workers if data.num_workers else False)
        if from_len:
            adapter.steps_per_epoch = len(adapter.data)
        return _SamplerEpochs(adapter, sampler)
    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and \
            not isinstance(data, (list, tuple)):
        adapter.data = _RoundRobin(data, session.rank, session.world)
        if hasattr(adapter, "num_batches"):  # a PyDataset's count, read when it was adapted
            adapter.num_batches = adapter._count()
        if from_len:
            adapter.steps_per_epoch = len(adapter.data)
        return adapter
    warnings.warn(f"A {type(data).__name__} cannot be split across processes: each of the "
                  f"{session.world} ranks trains on the batches its own generator yields (give "
                  "each rank its share, or pass arrays, a PyDataset or a DataLoader).",
                  stacklevel=4)
    return adapter
