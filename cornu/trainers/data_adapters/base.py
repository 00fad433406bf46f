"""What every adapter is, and the epoch logic of the sources that batch their own data.

A `DataAdapter` hands `fit`/`evaluate`/`predict` one epoch of `(x, y, sample_weight)` batches,
already converted to the model's tensors, each time `batches()` is called.

`StreamAdapter` is the common part of generators, `PyDataset`s, torch `DataLoader`s and
datasets (docs/DATA.md has the table): a *pass* is one run through the source; an epoch is the
whole pass, or `steps_per_epoch` batches of it when that is given, in which case the pass goes
on in the next epoch (Keras 3's epoch iterator). A source that runs out before an epoch's
`steps_per_epoch` ends the epoch with Keras's warning; a source that can be read only once
(a Python generator) then sets `exhausted`, and `fit` stops.
"""
import warnings

import numpy as np
import torch

from cornu.trainers.data_adapters.convert import _whole_steps

RAN_OUT = ("Your input ran out of data; interrupting training. Make sure that your dataset or "
           "generator can generate at least `steps_per_epoch * epochs` batches. You may need to "
           "use the `.repeat()` function when building your dataset.")


class DataAdapter:
    """One epoch of batches per `batches()` call; `num_samples` for arrays, `steps_per_epoch`
    (None: until the source ends), `close()` frees what the adapter holds (worker pools)."""

    num_samples = None
    steps_per_epoch = None
    exhausted = False

    def batches(self):
        raise NotImplementedError

    def close(self):
        pass


def describe(value):
    """A batch's structure as the errors print it: `(array(10, 3), array(10, 1))`."""
    if isinstance(value, tuple):
        return "(" + ", ".join(describe(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(describe(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "None"
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"array{tuple(int(d) for d in shape)}"
    return type(value).__name__


def _signature(value):
    """The structure of a batch, ranks included and sizes left out (sequence lengths and the
    last batch's size may vary from batch to batch)."""
    if isinstance(value, (tuple, list)):
        return (type(value).__name__,) + tuple(_signature(v) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple((k, _signature(v)) for k, v in value.items())
    shape = getattr(value, "shape", None)
    return "none" if value is None else ("rank", len(shape)) if shape is not None else "value"


def _leading(value):
    """The batch sizes of the arrays in a structure."""
    if isinstance(value, (tuple, list)):
        return [n for v in value for n in _leading(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _leading(v)]
    shape = getattr(value, "shape", None)
    return [int(shape[0])] if shape is not None and len(shape) else []


class StreamAdapter(DataAdapter):
    """A source that yields whole batches: `(x,)`, `(x, y)` or `(x, y, sample_weight)` tuples
    (lists too), a dict (the inputs), or `x` alone. See the module docstring."""

    kind = "iterable"    # what errors call the source
    reiterable = True    # a new pass can start (False: a generator, read once)

    def __init__(self, data, steps=None, prepare=None, class_weight=None, **options):
        self.data = data
        self.prepare = prepare
        self.class_weight = class_weight
        self.num_batches = self._count()
        self._steps = _whole_steps(steps)
        self.steps_per_epoch = self._steps or self.num_batches
        self._pass = None
        self._seen = 0          # batches read from the open pass
        self._expected = None   # batch 0's structure

    # -- what a kind of source says -----------------------------------------------------------
    def _count(self):
        """The number of batches of a pass, or None where it is unknown or infinite."""
        try:
            return len(self.data)
        except TypeError:  # no len(), or a dataset whose length is unknown
            return None

    def _open(self):
        """A new pass: an iterator of raw batches."""
        return iter(self.data)

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass

    # -- epochs -------------------------------------------------------------------------------
    def _end_pass(self):
        if self._pass is not None:
            close = getattr(self._pass, "close", None)
            if close is not None and self.reiterable:
                close()
            self._pass = None
        self._seen = 0

    def close(self):
        self._end_pass()

    def batches(self):
        self.on_epoch_begin()
        steps, step = self._steps, 0
        try:
            if self._pass is None:
                if self.exhausted:
                    warnings.warn(RAN_OUT, stacklevel=2)
                    return
                self._pass = self._open()
            while steps is None or step < steps:
                if self.num_batches is not None and self._seen >= self.num_batches:
                    self._end_pass()  # the pass is complete: the next epoch starts a new one
                    if steps is not None:
                        warnings.warn(RAN_OUT, stacklevel=2)
                    break
                try:
                    item = next(self._pass)
                except StopIteration:  # (a generator read once cannot start again: `fit`
                    self._end_pass()      # stops, warning where epochs were left)
                    self.exhausted = not self.reiterable
                    if steps is not None:
                        warnings.warn(RAN_OUT, stacklevel=2)
                    break
                index, self._seen = self._seen, self._seen + 1
                yield self.convert(item, index)
                step += 1
            if steps is None or (self.num_batches is not None and self._seen >= self.num_batches):
                self._end_pass()  # Keras: a pass that ends with the epoch starts anew next epoch
        except GeneratorExit:  # the loop stopped early (stop_training, predict's last step)
            if steps is None:
                self._end_pass()
        except BaseException:  # an error or KeyboardInterrupt: stop the workers, then raise
            self._end_pass()
            raise
        self.on_epoch_end()

    # -- one batch ----------------------------------------------------------------------------
    def split(self, item, index):
        """`(x, y, sample_weight)` from a raw batch."""
        if isinstance(item, (tuple, list)):
            if not 1 <= len(item) <= 3:
                raise ValueError(
                    f"Batch {index} of the {self.kind} has {len(item)} elements: "
                    f"{describe(item)[:300]}. Each batch must be `(x,)`, `(x, y)` or "
                    "`(x, y, sample_weight)` (x and y may be lists or dicts of arrays).")
            return (tuple(item) + (None, None))[:3]
        if item is None:
            raise ValueError(f"Batch {index} of the {self.kind} is None; expected `(x, y)`, "
                             "`(x, y, sample_weight)` or `x`.")
        return item, None, None

    def check(self, batch, index):
        """Every batch has batch 0's structure, and its arrays agree on the batch size."""
        signature = _signature(batch)
        if self._expected is None:
            self._expected = (signature, describe(batch))
        elif signature != self._expected[0]:
            raise ValueError(
                f"Batch {index} of the {self.kind} has the structure (x, y, sample_weight) = "
                f"{describe(batch)[:300]}, but the first batch had {self._expected[1][:300]}. "
                "Every batch must have the same structure and ranks (only the batch size and "
                "variable-length axes may change).")
        sizes = _leading(batch)
        if sizes and min(sizes) != max(sizes):
            raise ValueError(
                f"Batch {index} of the {self.kind} has arrays of different batch sizes "
                f"{sizes}: (x, y, sample_weight) = {describe(batch)[:300]}. x, y and "
                "sample_weight must hold the same number of samples.")

    def convert(self, item, index):
        x, y, sw = self.split(item, index)
        batch = (x, y, sw)
        self.check(batch, index)
        try:
            return self.prepare(x, y, sw, self.class_weight)
        except (ValueError, TypeError) as error:
            if str(error).startswith("Batch "):
                raise
            raise type(error)(f"Batch {index} of the {self.kind} ({describe(batch)[:200]}): "
                              f"{error}") from error


def as_numpy(value):
    """Tensors of a (nested) batch as NumPy arrays, other leaves as they are."""
    if isinstance(value, tuple):
        return tuple(as_numpy(v) for v in value)
    if isinstance(value, list):
        return [as_numpy(v) for v in value]
    if isinstance(value, dict):
        return {k: as_numpy(v) for k, v in value.items()}
    if isinstance(value, torch.Tensor):
        return value.numpy(force=True)
    return value


def pinned(value):
    """A (nested) batch with its arrays as tensors in pinned memory, ready for a non-blocking
    copy to a CUDA device (worker threads call it, so the copy into pinned memory overlaps the
    training step)."""
    if isinstance(value, tuple):
        return tuple(pinned(v) for v in value)
    if isinstance(value, list):
        return [pinned(v) for v in value]
    if isinstance(value, dict):
        return {k: pinned(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        value = torch.from_numpy(np.ascontiguousarray(value))
    if isinstance(value, torch.Tensor) and value.device.type == "cpu" and not value.is_pinned():
        return value.pin_memory()
    return value
