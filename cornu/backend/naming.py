"""Keras-style unique names: `dense`, `dense_1`, ... until `clear_session()`."""
import collections
import re

_COUNTS = collections.defaultdict(int)


def to_snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    if name[0] == "_":  # private classes get a public-looking name
        name = "private" + name
    return name


def uniquify(base, zero_based=True):
    """Returns `base` the first time, then `base_1`, `base_2`, ... (with `zero_based=False`:
    `base_1`, `base_2`, ..., as tf.keras 2 names its `Input`s `input_1`, `input_2`)."""
    count = _COUNTS[base]
    _COUNTS[base] += 1
    if not zero_based:
        return f"{base}_{count + 1}"
    return base if count == 0 else f"{base}_{count}"


def reset_names():
    _COUNTS.clear()
