"""One interface for every kind of training data (docs/DATA.md has the table of semantics).

`get()` turns what the user passed to `fit`/`evaluate`/`predict` into a `DataAdapter` whose
`batches()` yields one epoch of `(x, y, sample_weight)` batches of tensors on the model's device:

- `ArrayAdapter` (arrays.py, the fast path): NumPy arrays, lists, dicts keyed by input name,
  pandas objects and tensors, converted to tensors once; `fit` batches and shuffles them.
- sources that batch their own data (base.py's `StreamAdapter`, converted batch by batch):
  `PyDataset`/`Sequence` (py_dataset.py, loaded by worker threads or processes), torch
  `DataLoader`s (torch_data_loader.py), `tf.data.Dataset`s (tf_dataset.py, when TensorFlow is
  imported), cornu's `Dataset` and other iterables, and generators (generator.py).
"""
import warnings

import numpy as np
import torch

from cornu.trainers.data_adapters.arrays import ArrayAdapter, split_validation as _split_arrays
from cornu.trainers.data_adapters.base import RAN_OUT, DataAdapter, StreamAdapter, describe
from cornu.trainers.data_adapters.convert import (
    _is_scalar_list, _is_text, _structure, _whole_steps, as_array, class_weights_to_sample_weights,
    concat_outputs, flat, map_arrays, num_samples, order_by_names, standardize_sample_weight,
    standardize_x, standardize_y, to_tensor)
from cornu.trainers.data_adapters.generator import GeneratorAdapter, IterableAdapter
from cornu.trainers.data_adapters.py_dataset import OrderedPass, PyDatasetAdapter
from cornu.trainers.data_adapters.tf_dataset import TFDatasetAdapter, is_tf_dataset
from cornu.trainers.data_adapters.torch_data_loader import (DataLoaderAdapter,
                                                            is_torch_dataloader, is_torch_dataset)
from cornu.utils.packing import unpack_x_y_sample_weight
from cornu.utils.sequence import PyDataset

__all__ = ["get", "get_validation", "DataAdapter", "ArrayAdapter", "StreamAdapter",
           "PyDatasetAdapter", "DataLoaderAdapter", "TFDatasetAdapter", "GeneratorAdapter",
           "IterableAdapter", "OrderedPass", "is_iterator_data", "split_validation", "RAN_OUT"]

IteratorAdapter = StreamAdapter  # the name before the split by kind

# Sources that batch their own data: (test, adapter, name in messages, whether `shuffle=True`
# is ignored with Keras's warning). The first test that matches picks the adapter.
_STREAMS = (
    (is_tf_dataset, TFDatasetAdapter, "tf.data.Dataset", True),
    (lambda x: isinstance(x, PyDataset), PyDatasetAdapter, "PyDataset", False),
    (is_torch_dataloader, DataLoaderAdapter, "torch DataLoader", True),
    (lambda x: hasattr(x, "__next__"), GeneratorAdapter, "generator", True),
    (lambda x: hasattr(x, "__getitem__") and hasattr(x, "__len__"), PyDatasetAdapter,
     "Sequence", False),
    (lambda x: hasattr(x, "__iter__"), IterableAdapter, "Dataset", True),
)


def _stream_kind(x):
    """The entry of `_STREAMS` for `x`, or None for array data."""
    if x is None or isinstance(x, (np.ndarray, torch.Tensor, list, tuple, dict)) or \
            hasattr(x, "to_numpy") or hasattr(x, "__array__") or hasattr(x, "shape"):
        return None  # arrays, tensors, pandas objects and structures of them
    if is_torch_dataset(x):
        raise ValueError(f"`x` is a torch Dataset of samples ({type(x).__name__}); fit, evaluate "
                         "and predict take batches: pass `torch.utils.data.DataLoader(dataset, "
                         "batch_size=...)`.")
    return next((entry for entry in _STREAMS if entry[0](x)), None)


def get_validation(data, batch_size, steps, prepare, options):
    """The adapter for `fit`'s `validation_data`: a source that batches its own data, or a
    tuple `(x_val, y_val)` or `(x_val, y_val, val_sample_weights)` of arrays."""
    if is_iterator_data(data):
        return get(data, steps=steps, prepare=prepare, **options)
    if not isinstance(data, (list, tuple)) or len(data) not in (2, 3):
        raise ValueError("`validation_data` should be a tuple `(x_val, y_val)` or "
                         f"`(x_val, y_val, val_sample_weights)`; received {type(data).__name__} "
                         f"of length {len(data) if hasattr(data, '__len__') else '?'}.")
    vx, vy, vsw = unpack_x_y_sample_weight(data)
    return get(vx, vy, vsw, batch_size, steps=steps, prepare=prepare)


def is_iterator_data(x):
    """Whether `x` batches its own data (anything but arrays, tensors and structures of them)."""
    return _stream_kind(x) is not None


def get(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None,
        class_weight=None, prepare=None, **options):
    """The adapter for `fit`/`evaluate`/`predict`'s data: the one entry point of all three.

    `prepare(x, y, sample_weight, class_weight)` converts data to the model's tensors: once for
    arrays, batch by batch for the sources that batch their own data. `options` are keyword
    arguments for the adapters that use them: `device` (the model's: batches loaded by worker
    threads are pinned for a CUDA one), and `workers`, `use_multiprocessing`, `max_queue_size`
    (fit's Keras 2 arguments, which override a `PyDataset`'s own). A `DataAdapter` is returned
    as it is."""
    if isinstance(x, DataAdapter):
        return x
    entry = _stream_kind(x)
    if entry is None:
        x, y, sample_weight = prepare(x, y, sample_weight, class_weight)
        return ArrayAdapter(x, y, sample_weight, batch_size or 32, shuffle=shuffle,
                            steps_per_epoch=steps)
    _, adapter, name, ignores_shuffle = entry
    for arg, value, what in (("y", y, "the targets"),
                             ("sample_weight", sample_weight, "the sample weights")):
        if value is not None:
            raise ValueError(f"When providing `x` as a {name} ({type(x).__name__}), `{arg}` should "
                             f"not be passed. Instead, {what} should be included as part of "
                             f"the {name}.")
    if shuffle and ignores_shuffle:
        warnings.warn(f"`shuffle=True` was passed, but will be ignored since the data `x` was "
                      f"provided as a {name}: it is expected to yield already-shuffled batches.",
                      stacklevel=3)
    if batch_size is not None:
        warnings.warn(f"`batch_size={batch_size}` is ignored since the data `x` was provided as a "
                      f"{name}, which makes its own batches.", stacklevel=3)
    return adapter(x, steps, prepare=prepare, class_weight=class_weight, shuffle=shuffle,
                   **options)


def split_validation(x, y, sw, validation_split):
    """Keras's split: the last `validation_split` fraction of arrays (taken before any
    shuffling); other sources cannot be split."""
    if is_iterator_data(x):
        raise ValueError("Argument `validation_split` is only supported for tensors or NumPy "
                         f"arrays; `x` is a {_stream_kind(x)[2]} ({type(x).__name__}). Pass "
                         "`validation_data` instead.")
    arrays = [None if a is None else map_arrays(as_array, a) for a in (x, y, sw)]
    return _split_arrays(*arrays, validation_split)
