"""`pack_x_y_sample_weight` / `unpack_x_y_sample_weight`: the `data` of Keras 3's
`train_step(data)`, `test_step(data)` and `predict_step(data)`."""


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """`x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`, as Keras 3 hands a batch to a step.

    A single `x` stays as it is (a tuple or list of inputs is wrapped: `(x,)`).

    >>> pack_x_y_sample_weight(1, 2)
    (1, 2)
    >>> pack_x_y_sample_weight([1, 2])
    ([1, 2],)
    """
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """`data` (`x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`) → `(x, y, sample_weight)`,
    with None for what is missing.

    >>> unpack_x_y_sample_weight((1, 2))
    (1, 2, None)
    >>> unpack_x_y_sample_weight(5)
    (5, None, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`; found a tuple of {len(data)} elements.")
