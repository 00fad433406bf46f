"""`InputSpec`: what a layer declares about its inputs (rank, shape, axes, dtype).

Custom layers of every Keras set `self.input_spec = InputSpec(ndim=3)` in `__init__` or
`build`; cornu stores it (it describes the layer; the layer's own shape checks do the work).
"""


class InputSpec:
    """The rank, dtype, shape and fixed axes that a layer's input should have.

    Args:
        dtype: the expected dtype.
        shape: the expected shape (`None` for any size); sets `ndim`.
        ndim, max_ndim, min_ndim: the expected rank, or its bounds.
        axes: `{axis: size}` for axes whose size is fixed.
        allow_last_axis_squeeze: a last axis of size 1 may be missing.
        name: the input's name (for dict inputs).
        optional: the input may be `None`.

    >>> InputSpec(ndim=3)
    InputSpec(ndim=3)
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.name, self.optional = name, optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            self.axes = {int(k): v for k, v in (axes or {}).items()}
        except (ValueError, TypeError):
            raise TypeError(f"InputSpec: `axes` must be a dict of integer keys, got {axes!r}.")
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            rank = self.ndim if self.ndim is not None else self.max_ndim
            bad = [a for a in self.axes if a >= rank or a < -rank]
            if bad:
                raise ValueError(f"InputSpec: axis {bad[0]} is out of range for a rank of {rank}.")

    def __repr__(self):
        parts = [f"{k}={getattr(self, k)!r}" for k in
                 ("dtype", "shape", "ndim", "max_ndim", "min_ndim")
                 if getattr(self, k) is not None and not (k == "ndim" and self.shape)]
        if self.axes:
            parts.append(f"axes={self.axes!r}")
        return f"InputSpec({', '.join(parts)})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes,
                "optional": self.optional}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
