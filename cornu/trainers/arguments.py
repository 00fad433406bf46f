"""Checks of `fit`/`evaluate`/`predict`'s arguments and data, once per call (never per step).

A negative `batch_size` used to run no batch and return an empty History, a negative
`validation_split` reported `val_loss` 0.0 from an empty validation set, and strings given to a
numeric model surfaced torch's `addmm()` message; each is a clear error here instead.
"""
import numbers

import numpy as np

from cornu.utils.validation import check_int, check_number, is_int

# Built-in layers that take raw strings as their input (others get numbers).
_TEXT_LAYERS = frozenset({"TextVectorization", "StringLookup", "Hashing", "Lambda", "TFSMLayer"})


def check_batch_size(batch_size, method):
    # Keras 3 reads batch_size=0 as "not given" (32); so does cornu.
    return check_int(batch_size, "batch_size", f"Model.{method}", minimum=0, allow_none=True,
                     hint=" Pass a positive integer such as 32, or None for the default.")


def check_steps(steps, name, method):
    """`steps_per_epoch` and friends: a positive number (Keras 2's float counts run ceil steps)."""
    if steps is None:
        return None
    if not isinstance(steps, (numbers.Real, np.number)) or isinstance(steps, bool) or steps <= 0:
        raise ValueError(f"Model.{method}: `{name}` must be a positive integer or None; "
                         f"received {name}={steps!r}.")
    return steps


def check_fit(batch_size, epochs, validation_split, initial_epoch, steps_per_epoch,
              validation_steps, validation_freq, class_weight):
    check_batch_size(batch_size, "fit")
    check_int(epochs, "epochs", "Model.fit", minimum=0)
    check_int(initial_epoch, "initial_epoch", "Model.fit", minimum=0)
    check_number(validation_split, "validation_split", "Model.fit", 0.0, 1.0, high_open=True)
    check_steps(steps_per_epoch, "steps_per_epoch", "fit")
    check_steps(validation_steps, "validation_steps", "fit")
    check_int(validation_freq, "validation_freq", "Model.fit",
              hint=" It is the number of epochs between validation runs.")
    if class_weight is not None and not isinstance(class_weight, dict):
        raise ValueError("Model.fit: `class_weight` must be a dict mapping class indices to "
                         f"weights, e.g. {{0: 1.0, 1: 5.0}}; received {type(class_weight).__name__}"
                         f" {class_weight!r}.")
    if class_weight is not None:
        bad = [k for k in class_weight if not is_int(k) or k < 0]
        if bad:
            raise ValueError(f"Model.fit: the keys of `class_weight` must be class indices (integers "
                             f">= 0); received {bad!r}.")


def check_x(x, method):
    if x is None:
        raise ValueError(f"Model.{method}: no input data: `x` is None. Pass the inputs as a NumPy "
                         "array, a tensor, a list or dict of arrays, or a generator/Sequence/"
                         "DataLoader of batches.")


def check_ragged(value, what):
    """A Python list whose rows differ in length: NumPy's 'inhomogeneous shape' in Keras terms."""
    if not isinstance(value, (list, tuple)) or not value:
        return
    lengths = {len(row) if isinstance(row, (list, tuple, np.ndarray)) else None for row in value}
    if len(lengths) > 1:
        shown = sorted(lengths, key=lambda n: -1 if n is None else n)
        raise ValueError(f"{what}: the rows of the list have different lengths ({shown}); "
                         "every sample must have the same shape. Pad the sequences first "
                         "(`keras.utils.pad_sequences`), or pass a NumPy array.")


def rank_adjusted(found, expected):
    """A data shape `found` as the model's call adjusts it to the input shape `expected`
    (Keras 3): a trailing axis of 1 dropped, or added, where the ranks differ by one."""
    if len(found) == len(expected) + 1 and found[-1] == 1:
        return found[:-1]
    if len(found) == len(expected) - 1 and expected[-1] == 1:
        return found + (1,)
    return found


def takes_text(spec):
    """Whether the layers fed by the model input `spec` accept raw strings."""
    if getattr(spec, "dtype", None) in ("string", "object", "str"):
        return True
    history = getattr(spec, "_keras_history", None)
    if not history:
        return True
    consumers = [node.layer for node in history[0]._outbound_nodes]
    return not consumers or any(
        type(layer).__name__ in _TEXT_LAYERS or not type(layer).__module__.startswith("cornu.")
        or hasattr(layer, "_input_specs") for layer in consumers)


def text_error(model_name, index, value):
    sample = np.asarray(value, dtype=object).flat[0]
    return ValueError(
        f"Model {model_name!r}: input {index} holds strings (e.g. {sample!r}) but the model "
        "expects numbers. Convert the text to numbers first (a `TextVectorization` or "
        "`StringLookup` layer as the model's first layer does it), or cast numeric strings "
        "with `np.asarray(x, dtype='float32')`.")


_LOADER = ("workers", "use_multiprocessing", "max_queue_size")  # Keras 2's fit arguments


def listify(x):
    if x is None:
        return None
    if isinstance(x, dict):
        return list(x.values())
    return list(x) if isinstance(x, (list, tuple)) else [x]


def check_kwargs(method, kwargs):
    """The data options `data_adapters.get` takes (fit's Keras 2 `workers`, ...); any other
    keyword is an error."""
    if not kwargs:  # (the usual call: no dict to build, every predict)
        return {}
    options = {key: kwargs.pop(key) for key in _LOADER if kwargs.get(key) is not None}
    if kwargs:
        raise TypeError(f"{method}() got unexpected keyword argument(s) {sorted(kwargs)}.")
    return options


def verbosity(verbose):
    return 1 if verbose == "auto" else int(verbose)
