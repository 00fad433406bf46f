"""`PyDataset` (Keras 2's `Sequence`): batches by index, loaded by a pool of workers.

With `workers > 1` (or `use_multiprocessing=True`), a pass keeps up to `max_queue_size` batches
loading ahead of the training step, in threads or in worker processes, and hands them over in
index order. The pool lives for one pass: an error in a worker is raised in `fit` (with the
worker's traceback), and an error in `fit`, a KeyboardInterrupt or the end of the pass stops the
workers. Processes are forked where the system can (Linux), so the dataset is not pickled, and
started anew for each pass, so they see what `on_epoch_end` changed; each has a pipe of its own
(`_Processes`), which hands batches back with less work per batch than a `multiprocessing.Pool`.
"""
import collections
import itertools
import multiprocessing
import multiprocessing.pool
import random
import signal
import warnings
from multiprocessing.pool import ExceptionWithTraceback

from cornu.trainers.data_adapters.base import StreamAdapter, pinned

_STOPPED = []  # worker processes told to stop, not yet waited for (reap_workers)


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _serve(connection, dataset):
    """A worker process: loads the batches asked for on its pipe, in that order, and sends each
    back (or the error, with its traceback), until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the training process's to handle
    while True:
        try:
            index = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer = (True, dataset[index])
        except BaseException as error:
            answer = (False, ExceptionWithTraceback(error, error.__traceback__))
        try:
            connection.send(answer)
        except OSError:  # the training process closed the pipe: the pass is over
            return
        except Exception as error:  # the batch (or the error) does not pickle
            message = f"Batch {index} of the PyDataset could not be sent back: {error!r}"
            connection.send((False, ExceptionWithTraceback(RuntimeError(message),
                                                           error.__traceback__)))


class _Answer:
    """A batch asked of a worker process; `get()` waits for it."""

    def __init__(self, processes, worker, index):
        self.processes, self.worker, self.index = processes, worker, index

    def get(self):
        try:
            ok, value = self.processes.connections[self.worker].recv()
        except (EOFError, OSError):
            code = self.processes.exit_code(self.worker)
            raise RuntimeError(f"The PyDataset's worker process loading batch {self.index} "
                               f"died (exit code {code}).") from None
        if not ok:
            raise value
        return value


class _Processes:
    """`workers` processes, each with a pipe of its own. The n-th batch asked for goes to worker
    n % workers, and a worker answers in the order asked, so the batches come back in order over
    the pipes alone: no pool threads hand them on (with a `multiprocessing.Pool`, its task and
    result threads cost more per batch than the pickling, and fall behind 1 worker)."""

    def __init__(self, dataset, workers):
        context = _context()
        self.connections, self.processes, self.asked = [], [], 0
        for _ in range(workers):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, dataset), daemon=True)
            process.start()
            theirs.close()
            self.connections.append(ours)
            self.processes.append(process)

    def apply(self, index):
        worker = self.asked % len(self.connections)
        self.asked += 1
        self.connections[worker].send(index)
        return _Answer(self, worker, index)

    def exit_code(self, worker):
        self.processes[worker].join(timeout=1)
        return self.processes[worker].exitcode

    def terminate(self):
        for process in self.processes:
            process.terminate()
        for connection in self.connections:
            connection.close()
        _STOPPED.extend(self.processes)

    def join(self):
        """Nothing: the workers exit while training goes on (tearing down a forked copy of the
        training process takes tens of ms each), and `reap_workers()` waits for them when
        `fit` is done with the adapter."""


def reap_workers():
    """Waits for the worker processes told to stop."""
    while _STOPPED:
        _STOPPED.pop().join()


class OrderedPass:
    """One pass over `indices` of `dataset`, loaded by `workers` threads or processes, at most
    `max_queue_size` batches ahead, yielded in order. `pin` puts each batch in pinned memory in
    the worker thread (a CUDA model)."""

    def __init__(self, dataset, indices, workers, use_multiprocessing, max_queue_size, pin=False):
        self.indices = iter(indices)
        self.ahead = max(1, int(max_queue_size or 1), int(workers))
        self.pending = collections.deque()
        workers = max(1, int(workers))
        if use_multiprocessing:
            self.pool = _Processes(dataset, workers)
            self.load = self.pool.apply
        else:
            self.pool = multiprocessing.pool.ThreadPool(workers)
            fetch = (lambda i: pinned(dataset[i])) if pin else dataset.__getitem__
            self.load = lambda i: self.pool.apply_async(fetch, (i,))
        self._fill()

    def _fill(self):
        while self.pool is not None and len(self.pending) < self.ahead:
            index = next(self.indices, None)
            if index is None:
                return
            self.pending.append(self.load(index))

    def __iter__(self):
        return self

    def __next__(self):
        if not self.pending:
            self.close()
            raise StopIteration
        result = self.pending.popleft()
        try:
            batch = result.get()
        except BaseException:
            self.close()
            raise
        self._fill()
        return batch

    def close(self):
        """Stops the workers; batches still loading are dropped."""
        pool, self.pool = self.pool, None
        self.pending.clear()
        if pool is not None:
            pool.terminate()
            pool.join()

    def __del__(self):
        self.close()


class PyDatasetAdapter(StreamAdapter):
    """A `PyDataset`/`Sequence`; `workers`, `use_multiprocessing`, `max_queue_size` are the
    dataset's own, unless `fit` was given them (Keras 2 took them there)."""

    kind = "PyDataset"

    def __init__(self, data, steps=None, shuffle=False, device=None, workers=None,
                 use_multiprocessing=None, max_queue_size=None, **kwargs):
        self.shuffle = shuffle
        self.workers = _own(data, "workers", 1) if workers is None else workers
        self.use_multiprocessing = _own(data, "use_multiprocessing", False) \
            if use_multiprocessing is None else use_multiprocessing
        self.max_queue_size = _own(data, "max_queue_size", 10) \
            if max_queue_size is None else max_queue_size
        self.pin = device is not None and getattr(device, "type", str(device)) == "cuda"
        super().__init__(data, steps, **kwargs)
        if self.num_batches is None:
            if self._steps is None:
                raise ValueError(f"{type(data).__name__} has no end (`num_batches` is None): pass "
                                 "`steps_per_epoch` (`steps` for evaluate and predict).")
            if shuffle:
                warnings.warn("`shuffle=True` was passed, but will be ignored since the data `x` "
                              "was provided as an infinite PyDataset.", stacklevel=4)
        self._next_index = 0  # an endless dataset goes on from here in the next pass

    def _count(self):
        count = getattr(self.data, "num_batches", None)
        if count is None and not hasattr(type(self.data), "num_batches"):
            count = len(self.data)  # a Keras 2 style Sequence without the base class
        return None if count is None else int(count)

    def _indices(self):
        if self.num_batches is None:
            return itertools.count(self._next_index)
        indices = list(range(self.num_batches))
        if self.shuffle:
            random.shuffle(indices)
        return indices

    def _open(self):
        indices = self._indices()
        parallel = self.workers > 1 or (self.workers > 0 and self.use_multiprocessing)
        if not parallel:
            return (self.data[i] for i in indices)
        return OrderedPass(self.data, indices, self.workers, self.use_multiprocessing,
                           self.max_queue_size, self.pin)

    def convert(self, item, index):
        if self.num_batches is None:
            self._next_index += 1
        return super().convert(item, index)

    def on_epoch_begin(self):
        getattr(self.data, "on_epoch_begin", lambda: None)()

    def on_epoch_end(self):
        getattr(self.data, "on_epoch_end", lambda: None)()

    def close(self):
        super().close()
        reap_workers()


def _own(dataset, name, default):
    value = getattr(dataset, name, default)
    return default if value is None else value
