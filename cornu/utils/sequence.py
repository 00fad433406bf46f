"""`PyDataset` (Keras 2's `Sequence`): a dataset of batches by index, loaded in parallel by `fit`."""
import itertools
import warnings


class PyDataset:
    """A dataset as batches: subclass it with `__len__` (the number of batches) and
    `__getitem__(i)` (batch `i` as `(x, y)`, `(x, y, sample_weight)`, `(x,)` or a dict of
    inputs). `fit`, `evaluate` and `predict` take it as `x`.

    Args:
        workers: how many batches are loaded at once, in threads (or in processes with
            `use_multiprocessing=True`); 1 loads them one by one on the training thread.
        use_multiprocessing: load in worker processes (forked on Linux: the dataset must
            survive being copied into them; on other systems it must pickle).
        max_queue_size: how many batches may be loaded ahead of the training step.

    `fit` keeps batches in order (shuffling the order of the indices per epoch when
    `shuffle=True`), calls `on_epoch_begin()` and `on_epoch_end()` once per epoch, and stops its
    workers when the epoch ends, on an error and on KeyboardInterrupt. A dataset without an end
    sets `num_batches` to None (then `fit` needs `steps_per_epoch`).

    >>> class Squares(PyDataset):
    ...     def __len__(self):
    ...         return 3
    ...     def __getitem__(self, i):
    ...         return [[i]], [[i * i]]
    >>> [batch for batch in Squares()][2]
    ([[2]], [[4]])
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _option(self, name, default):
        if not hasattr(self, name):  # a subclass whose __init__ did not call super().__init__
            warnings.warn("Your `PyDataset` class should call `super().__init__(**kwargs)` in its "
                          "constructor; `**kwargs` can hold `workers`, `use_multiprocessing` and "
                          "`max_queue_size`.", stacklevel=3)
            self._workers, self._use_multiprocessing, self._max_queue_size = 1, False, 10
        return getattr(self, name)

    @property
    def workers(self):
        return self._option("_workers", 1)

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        return self._option("_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return self._option("_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    @property
    def num_batches(self):
        """The number of batches, or None for a dataset without an end."""
        if type(self).__len__ is not PyDataset.__len__:
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} needs `__len__` (the number of "
                                  "batches) or a `num_batches` property (None: no end).")

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass

    def __iter__(self):
        count = self.num_batches
        for i in (itertools.count() if count is None else range(count)):
            yield self[i]


Sequence = PyDataset  # Keras 2's name; an alias in Keras 3 too
