"""cornu's dataset object: what Keras 3's dataset utilities return (there a `tf.data.Dataset`).

A `Dataset` is a re-iterable pipeline over elements (a sample, or a batch once `.batch()` ran):
tuples `(x, y)` of torch tensors, or one tensor; strings come as NumPy arrays of `str`. Its
source is a `torch.utils.data.Dataset` of samples (`Dataset.from_torch`, `.source`), so a
`torch.utils.data.DataLoader` can read the same data. Iterating it yields the elements, so `fit`,
`evaluate` and `predict` take it as they take any iterable of `(x, y)` batches, and the
`tf.data` methods scripts call on it are here: `take`, `skip`, `map`, `filter`, `batch`,
`unbatch`, `shuffle`, `repeat`, `cache`, `prefetch`, `as_numpy_iterator`, `cardinality`.

`len(ds)` is the number of elements when it is known (after `filter`, or `repeat()` forever, it
is not: `len` then raises TypeError, as for a `tf.data.Dataset`; pass `steps_per_epoch`).
"""
import itertools

import numpy as np
import torch

__all__ = ["Dataset", "INFINITE", "UNKNOWN"]

INFINITE, UNKNOWN = -1, -2  # tf.data's cardinality constants


def _stack(items):
    """A batch from a list of elements of the same structure."""
    first = items[0]
    if isinstance(first, tuple):
        return tuple(_stack([item[i] for item in items]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: _stack([item[key] for item in items]) for key in first}
    if isinstance(first, (str, bytes)) or (isinstance(first, np.ndarray) and first.dtype.kind in "OUS"):
        return np.array(items, dtype=object)
    if isinstance(first, torch.Tensor):
        return torch.stack(items)
    return torch.as_tensor(np.stack([np.asarray(item) for item in items]))


def _rows(batch):
    """The elements of a batch (the inverse of `_stack`)."""
    if isinstance(batch, tuple):
        return [tuple(parts) for parts in zip(*(_rows(b) for b in batch))]
    if isinstance(batch, dict):
        keys = list(batch)
        return [dict(zip(keys, parts)) for parts in zip(*(_rows(batch[k]) for k in keys))]
    return list(batch)


def _to_numpy(element):
    if isinstance(element, tuple):
        return tuple(_to_numpy(e) for e in element)
    if isinstance(element, dict):
        return {k: _to_numpy(v) for k, v in element.items()}
    if isinstance(element, torch.Tensor):
        return element.detach().cpu().numpy()
    return element


def _call(fn, element):
    """`map`/`filter` functions take a tuple element's parts as arguments, as in tf.data."""
    return fn(*element) if isinstance(element, tuple) else fn(element)


class _Samples(torch.utils.data.Dataset):
    """A map-style torch dataset of samples `(x, y)` built by `load(i)`."""

    def __init__(self, count, load):
        self.count, self.load = count, load

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if not 0 <= index < self.count:
            raise IndexError(f"sample {index} of a dataset of {self.count}")
        return self.load(index)


class Dataset:
    """A re-iterable pipeline of elements; see the module docstring."""

    def __init__(self, make_iterator, cardinality, source=None):
        self._make_iterator = make_iterator
        self._cardinality = int(cardinality)
        self.source = source  # the torch.utils.data.Dataset of samples underneath, when one is
        self._batched = False

    def __new__(cls, make_iterator=None, cardinality=UNKNOWN, source=None):
        # `len()` exists only where the length is known, so `fit` asks for `steps_per_epoch`
        # otherwise, as with a tf.data dataset.
        if cls is Dataset and int(cardinality) >= 0:
            cls = _SizedDataset
        return super().__new__(cls)

    # -- making one ---------------------------------------------------------------------------
    @classmethod
    def from_torch(cls, dataset):
        """Elements are the items of a map-style `torch.utils.data.Dataset` (lists become tuples)."""
        n = len(dataset)

        def items():
            for i in range(n):
                item = dataset[i]
                yield tuple(item) if isinstance(item, list) else item
        return cls(items, n, source=dataset)

    @classmethod
    def from_tensor_slices(cls, tensors):
        """Elements are the rows of an array, or of a tuple / dict of arrays."""
        def convert(a):
            a = a if isinstance(a, torch.Tensor) else np.asarray(a)
            return a if isinstance(a, torch.Tensor) or a.dtype.kind in "OUS" else torch.as_tensor(a)
        if isinstance(tensors, (tuple, list)):
            parts = tuple(convert(t) for t in tensors)
            n = len(parts[0])
            load = lambda i: tuple(p[i] for p in parts)
        elif isinstance(tensors, dict):
            parts = {k: convert(t) for k, t in tensors.items()}
            n = len(next(iter(parts.values())))
            load = lambda i: {k: p[i] for k, p in parts.items()}
        else:
            array = convert(tensors)
            n, load = len(array), array.__getitem__
        return cls.from_torch(_Samples(n, load))

    # -- reading it ---------------------------------------------------------------------------
    def __iter__(self):
        return iter(self._make_iterator())

    def cardinality(self):
        """The number of elements, or `INFINITE` (-1) / `UNKNOWN` (-2)."""
        return self._cardinality

    def as_numpy_iterator(self):
        """The elements with tensors as NumPy arrays."""
        return (_to_numpy(element) for element in self)

    def _derive(self, make_iterator, cardinality, keep_source=False):
        out = Dataset(make_iterator, cardinality, self.source if keep_source else None)
        out._batched = self._batched
        for name in ("class_names", "file_paths"):  # Keras's attributes survive the pipeline
            if hasattr(self, name):
                setattr(out, name, getattr(self, name))
        return out

    # -- tf.data methods ----------------------------------------------------------------------
    def take(self, count):
        count = int(count)
        if count < 0:
            return self
        n = self._cardinality
        size = count if n == INFINITE else (min(n, count) if n >= 0 else UNKNOWN)
        return self._derive(lambda: itertools.islice(self, count), size)

    def skip(self, count):
        count = int(count)
        n = self._cardinality
        if count < 0:
            return self._derive(lambda: iter(()), 0)
        size = max(n - count, 0) if n >= 0 else n
        return self._derive(lambda: itertools.islice(self, count, None), size)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies `map_func` to each element (a tuple's parts as arguments). A function that
        returns a list gives a tuple, as tf.data does."""
        def run():
            for element in self:
                out = _call(map_func, element)
                yield tuple(out) if isinstance(out, list) else out
        return self._derive(run, self._cardinality)

    def filter(self, predicate, name=None):
        def run():
            return (e for e in self if bool(_call(predicate, e)))
        return self._derive(run, UNKNOWN if self._cardinality != INFINITE else INFINITE)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        batch_size = int(batch_size)
        if batch_size < 1:
            raise ValueError(f"`batch_size` must be a positive integer, got {batch_size}.")

        def run():
            iterator = iter(self)
            while True:
                items = list(itertools.islice(iterator, batch_size))
                if not items or (drop_remainder and len(items) < batch_size):
                    return
                yield _stack(items)
        n = self._cardinality
        size = n if n < 0 else (n // batch_size if drop_remainder else -(-n // batch_size))
        out = self._derive(run, size)
        out._batched = True
        return out

    def unbatch(self, name=None):
        def run():
            for batch in self:
                yield from _rows(batch)
        out = self._derive(run, UNKNOWN if self._cardinality != INFINITE else INFINITE)
        out._batched = False
        return out

    def rebatch(self, batch_size, drop_remainder=False, name=None):
        return self.unbatch().batch(batch_size, drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """tf.data's buffered shuffle: each element is drawn at random from a buffer of the next
        `buffer_size` elements. A new order every pass unless `reshuffle_each_iteration=False`."""
        buffer_size = int(buffer_size)
        if buffer_size < 1:
            raise ValueError(f"`buffer_size` must be at least 1, got {buffer_size}.")
        seeds = np.random.RandomState(seed)
        first = int(seeds.randint(2 ** 31))

        def run():
            rng = np.random.RandomState(int(seeds.randint(2 ** 31)) if reshuffle_each_iteration
                                        else first)
            buffer = []
            for element in self:
                if len(buffer) < buffer_size:
                    buffer.append(element)
                    continue
                i = rng.randint(len(buffer))
                yield buffer[i]
                buffer[i] = element
            while buffer:
                yield buffer.pop(rng.randint(len(buffer)))
        return self._derive(run, self._cardinality, keep_source=True)

    def repeat(self, count=None, name=None):
        forever = count is None or int(count) < 0

        def run():
            for _ in (itertools.count() if forever else range(int(count))):
                yield from self
        n = self._cardinality
        size = INFINITE if forever and n != 0 else (n * int(count) if n >= 0 else n)
        return self._derive(run, size)

    def cache(self, filename="", name=None):
        """Keeps the elements in memory after the first complete pass (a `filename` is accepted
        and ignored: the cache is in memory)."""
        store, done = [], []

        def run():
            if done:
                yield from store
                return
            store.clear()
            for element in self:
                store.append(element)
                yield element
            done.append(True)
        return self._derive(run, self._cardinality, keep_source=True)

    def prefetch(self, buffer_size=None, name=None):
        """Accepted for tf.data scripts; elements are produced as they are read."""
        return self

    def concatenate(self, dataset, name=None):
        a, b = self._cardinality, dataset.cardinality()
        size = INFINITE if INFINITE in (a, b) else (a + b if a >= 0 and b >= 0 else UNKNOWN)
        return self._derive(lambda: itertools.chain(self, dataset), size)

    def enumerate(self, start=0, name=None):
        return self._derive(lambda: ((torch.tensor(i), e) for i, e in enumerate(self, start)),
                            self._cardinality)

    def __repr__(self):
        n = self._cardinality
        size = {INFINITE: "infinite", UNKNOWN: "unknown"}.get(n, str(n))
        return f"<cornu Dataset: {size} elements>"


class _SizedDataset(Dataset):
    def __len__(self):
        return self._cardinality

    def __bool__(self):
        return True
