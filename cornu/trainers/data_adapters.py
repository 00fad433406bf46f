"""One interface for every kind of training data.

`get()` turns what the user passed to `fit`/`evaluate`/`predict` into a `DataAdapter`
that yields `(x, y, sample_weight)` batches of tensors on the model's device:

- `ArrayAdapter` (the fast path): NumPy arrays, lists, pandas objects and tensors, converted to
  tensors once; batches are slices (or one gather per batch when shuffling).
- `IteratorAdapter`: generators, `keras.utils.Sequence`s, torch DataLoaders and other iterables
  of `(x, y)` or `(x, y, sample_weight)` tuples, converted batch by batch.
"""
import math

import numpy as np
import torch


def _whole_steps(steps):
    """A step count as an int. Keras 2 looped `while step < steps_per_epoch`, so the common
    `steps_per_epoch=len(x) / batch_size` (a float) ran ceil(steps) steps."""
    return None if steps is None else int(math.ceil(steps))

from cornu.backend.config import floatx, torch_dtype


def _is_text(value):
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (str, bytes)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "OUS" and value.size > 0 and \
        isinstance(value.flat[0], (str, bytes, np.str_, np.bytes_))


def to_tensor(x, dtype=None, device=None):
    """Arrays, lists, pandas objects and tensors → a tensor (numbers cast to `dtype`)."""
    if x is None:
        return None
    if not isinstance(x, torch.Tensor):
        if hasattr(x, "to_numpy"):  # pandas DataFrame / Series
            x = x.to_numpy()
        x = np.asarray(x)
        if x.dtype == object:
            try:
                x = x.astype(np.float32)
            except (TypeError, ValueError):
                raise TypeError(f"Could not convert data of dtype object (e.g. {x.flat[0]!r}) to "
                                "numbers; pass numeric arrays.") from None
        if not x.flags.writeable:
            x = np.array(x)
        x = torch.from_numpy(np.ascontiguousarray(x))
    target = torch_dtype(dtype) if dtype is not None else None
    if target is not None and x.dtype != target:
        x = x.to(target)
    if device is not None and x.device != device:
        x = x.to(device)
    return x


def _structure(x):
    """A dict or list of arrays (several inputs) stays one; a list of numbers becomes an array."""
    if isinstance(x, dict):
        return x
    if isinstance(x, (list, tuple)) and x:
        return np.asarray(x) if _is_scalar_list(x) else list(x)
    return x


def _is_scalar_list(x):
    """A plain Python list of numbers (or nested lists) is one array, not several inputs."""
    first = x[0]
    return isinstance(first, (int, float, np.number, list, tuple)) and not isinstance(first, np.ndarray)


def map_arrays(fn, x):
    """Applies `fn` to each array of `x` (one array, a list or a dict); `None` entries (an
    output without targets) stay `None`."""
    x = _structure(x)
    if isinstance(x, dict):
        return {k: None if v is None else fn(v) for k, v in x.items()}
    if isinstance(x, list):
        return [None if v is None else fn(v) for v in x]
    return fn(x)


def flat(x):
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, list):
        return x
    return [x]


def order_by_names(data, names, what, allow_missing=False):
    """A dict of arrays keyed by the model's input (or output) names → a list in model order.

    Keys the model does not have are ignored, as Keras does; a missing input is an error.
    """
    if not isinstance(data, dict) or not names:
        return data
    missing = [n for n in names if n not in data]
    if missing and not allow_missing:
        raise ValueError(f"No data provided for {what}(s) {missing}: the model's {what}s are "
                         f"{list(names)}, the dict has keys {sorted(data)}.")
    return [data.get(n) for n in names]


def num_samples(x):
    return int(flat(x)[0].shape[0])


class DataAdapter:
    num_samples = None
    steps_per_epoch = None

    def batches(self):
        raise NotImplementedError


class ArrayAdapter(DataAdapter):
    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False,
                 steps_per_epoch=None, device=None, x_dtypes=None):
        self.device = device
        self.x = x
        self.y = y
        self.sample_weight = sample_weight
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
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        full_steps = int(math.ceil(self.num_samples / self.batch_size)) if self.num_samples else 0
        self.steps_per_epoch = _whole_steps(steps_per_epoch) or full_steps
        self._cursor = 0

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


class IteratorAdapter(DataAdapter):
    """Generators, Sequences, DataLoaders: each item is a batch `(x, y[, sample_weight])`."""

    def __init__(self, data, steps_per_epoch=None, convert=None):
        self.data = data
        self.convert = convert
        if steps_per_epoch is None and hasattr(data, "__len__"):
            steps_per_epoch = len(data)
        self.steps_per_epoch = _whole_steps(steps_per_epoch)
        self._iterator = None

    def _items(self):
        if hasattr(self.data, "__getitem__") and hasattr(self.data, "__len__") and \
                not isinstance(self.data, (list, tuple)):
            return (self.data[i] for i in range(len(self.data)))  # keras.utils.Sequence
        if hasattr(self.data, "__next__"):  # a generator: keeps going across epochs
            return self.data
        return iter(self.data)

    def batches(self):
        items = self._items()
        step = 0
        while self.steps_per_epoch is None or step < self.steps_per_epoch:
            try:
                item = next(items)
            except StopIteration:
                if self.steps_per_epoch is not None and hasattr(self.data, "__next__"):
                    raise ValueError(f"The generator ran out of data after {step} steps, but "
                                     f"{self.steps_per_epoch} steps per epoch were asked for.")
                return
            x, y, sw = split_item(item)
            yield self.convert(x, y, sw)
            step += 1
        if hasattr(self.data, "on_epoch_end"):
            self.data.on_epoch_end()  # keras.utils.Sequence: e.g. reshuffle between epochs


def get(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None,
        class_weight=None, prepare=None):
    """The adapter for `fit`/`evaluate`/`predict`'s data: the one entry point of all three.

    `prepare(x, y, sample_weight, class_weight)` converts data to the model's tensors: once for
    arrays, batch by batch for iterables (generators, `Sequence`s, torch `DataLoader`s, any
    iterable of `(x, y[, sample_weight])` batches)."""
    if is_iterator_data(x):
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None:
                raise ValueError(f"`{name}` cannot be given when `x` is a generator, Sequence or "
                                 f"DataLoader ({type(x).__name__}): its batches hold the "
                                 f"{name} already.")
        return IteratorAdapter(x, steps, lambda bx, by, bsw: prepare(bx, by, bsw, class_weight))
    x, y, sample_weight = prepare(x, y, sample_weight, class_weight)
    return ArrayAdapter(x, y, sample_weight, batch_size or 32, shuffle=shuffle,
                        steps_per_epoch=steps)


def split_item(item):
    """A batch from an iterator: `(x, y)`, `(x, y, sample_weight)` (tuple or list), or `x`."""
    if isinstance(item, (tuple, list)) and len(item) in (2, 3):
        return (tuple(item) + (None,))[:3]
    if isinstance(item, (tuple, list)) and len(item) == 1:
        return item[0], None, None
    return item, None, None


def is_iterator_data(x):
    if isinstance(x, (np.ndarray, torch.Tensor, list, tuple, dict)) or hasattr(x, "to_numpy"):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__") or hasattr(x, "__getitem__")


def standardize_x(x, input_specs, device):
    """Converts x to tensors, casting to each model input's dtype (floatx when unknown)."""
    x = _structure(x)
    if isinstance(x, dict) or isinstance(x, list):
        items = list(x.items()) if isinstance(x, dict) else list(enumerate(x))
        out = {} if isinstance(x, dict) else [None] * len(x)
        for i, (key, value) in enumerate(items):
            spec = input_specs[i] if input_specs and i < len(input_specs) else None
            out[key] = _input_tensor(value, spec, device)
        return out
    spec = input_specs[0] if input_specs else None
    return _input_tensor(x, spec, device)


def _input_tensor(value, spec, device):
    if _is_text(value):  # raw strings stay host data, for a first TextVectorization/StringLookup
        text = np.asarray(value, dtype=object)
        return text[:, None] if spec is not None and text.ndim == 1 and len(spec.shape) == 2 \
            else text
    dtype = spec.dtype if spec is not None else floatx()
    t = to_tensor(value, device=device)
    if t.is_floating_point() or t.dtype == torch.bool or "float" in dtype:
        t = t.to(torch_dtype(dtype if "float" in dtype or t.dtype == torch.bool else floatx()))
    elif dtype.startswith("int") or dtype.startswith("uint"):
        t = t.to(torch_dtype(dtype))
    else:
        t = t.to(torch_dtype())
    if spec is not None and t.ndim == 1 and len(spec.shape) == 2:
        t = t.unsqueeze(-1)  # Keras 2: a 1-D array for a model of one feature is a batch of samples
    return t


def standardize_y(y, device):
    if y is None:
        return None
    return map_arrays(lambda a: None if a is None else _label_tensor(a, device), y)


def _label_tensor(a, device):
    t = to_tensor(a, device=device)
    return t if t.is_floating_point() and t.dtype == torch_dtype() else t.to(torch_dtype())


def standardize_sample_weight(sw, device):
    if sw is None:
        return None
    return map_arrays(lambda a: None if a is None else to_tensor(a, dtype=floatx(), device=device), sw)


def class_weights_to_sample_weights(y, class_weight):
    """Per-sample weights from `{class: weight}`: the class is y's argmax (one-hot) or value."""
    y = flat(y)[0]
    if y.ndim > 1 and y.shape[-1] > 1:
        classes = torch.argmax(y, dim=-1)
    else:
        classes = y.reshape(y.shape[0], -1)[:, 0].round().long()
    table = torch.ones(int(max(max(class_weight) + 1, int(classes.max()) + 1)), dtype=torch_dtype())
    for cls, weight in class_weight.items():
        table[int(cls)] = float(weight)
    return table.to(classes.device)[classes]


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


def as_array(a):
    """A torch tensor as is; anything else (pandas included) as a NumPy array."""
    if isinstance(a, torch.Tensor):
        return a
    if hasattr(a, "to_numpy"):
        return a.to_numpy()
    return np.asarray(a)


def concat_outputs(outputs):
    """Per-batch predictions (tensors, or lists/dicts of them) → NumPy arrays over all batches."""
    if not outputs:
        return np.zeros((0,), dtype=np.float32)
    first = outputs[0]
    if isinstance(first, (list, tuple)):
        return [concat_outputs([o[i] for o in outputs]) for i in range(len(first))]
    if isinstance(first, dict):
        return {k: concat_outputs([o[k] for o in outputs]) for k in first}
    tensor = first if len(outputs) == 1 else torch.cat(outputs, dim=0)
    return tensor.detach().cpu().numpy()
