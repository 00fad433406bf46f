"""Conversions shared by every adapter: user data (arrays, lists, dicts, pandas objects,
tensors) to the model's tensors, structures of arrays, class weights, and predictions back
to NumPy."""
import math

import numpy as np
import torch

from cornu.backend.config import floatx, torch_dtype


def _whole_steps(steps):
    """A step count as an int. Keras 2 looped `while step < steps_per_epoch`, so the common
    `steps_per_epoch=len(x) / batch_size` (a float) ran ceil(steps) steps."""
    return None if steps is None else int(math.ceil(steps))

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
        # A pinned batch (a DataLoader's `pin_memory=True`, a PyDataset's worker threads) copies
        # to the device without waiting.
        x = x.to(device, non_blocking=x.device.type == "cpu" and device.type == "cuda"
                 and x.is_pinned())
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
