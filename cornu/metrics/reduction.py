"""Mean, Sum and MeanMetricWrapper: the reducing metrics every function metric is built on."""
import torch

from cornu.backend.config import detached, to_tensor, torch_dtype
from cornu.losses import _apply_mask, squeeze_or_expand_to_same_rank
from cornu.metrics.metric import Metric, as_tensors


SUMMED = {}  # fn -> its values' sum over a batch of one value per sample (metrics/accuracy.py)
_COUNTS = {}  # (batch size, dtype, device) -> a 0-d tensor of it, never written to


def _count(n, like):
    """`n` as a tensor for `like.add_`: a Python number is wrapped at each call (1.7 us against
    1.0 us an `add_` of a tensor, per metric per step)."""
    key = (n, like.dtype, like.device)
    value = _COUNTS.get(key)
    if value is None:
        if len(_COUNTS) > 256:
            _COUNTS.clear()
        value = _COUNTS[key] = torch.tensor(n, dtype=like.dtype, device=like.device)
    return value


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Keras's reduction to one value per sample: weights applied (a mask on `values` joins
    them), extra axes reduced with `reduce_fn`; `(batch, 1, ...)` values stay as they are (one
    per sample already: the callers only sum them, and a reshape is an op per step)."""
    mask = getattr(values, "_keras_mask", None)
    values = detached(to_tensor(values, dtype))
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype, values.device)
        sample_weight = _apply_mask(sample_weight, mask, dtype, "sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim = sample_weight.ndim
        if values.ndim > w_ndim:
            values = reduce_fn(values, dim=tuple(range(w_ndim, values.ndim)))
        sample_weight = torch.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, dim=tuple(range(1, w_ndim)))
    if values.ndim > 1 and values.numel() != values.shape[0]:
        values = reduce_fn(values, dim=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values given."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, torch.sum,
                                                torch_dtype(self.dtype))
        self._to(values.device)
        self.total.add_(torch.sum(values))  # (values are detached)

    def result(self):
        return detached(self.total).clone()


class Mean(Metric):
    """The (weighted) mean of the values given: `sum(w * v) / sum(w)`."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")
        self.count = self.add_variable((), "zeros", name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, torch.mean,
                                                            torch_dtype(self.dtype))
        self._to(values.device)
        self.total.add_(torch.sum(values))  # (values are detached)
        if sample_weight is not None:
            self.count.data.add_(torch.sum(sample_weight))
        else:
            self.count.add_(_count(values.shape[0] if values.ndim >= 1 else 1, self.count))

    def result(self):
        total, count = detached(self.total), detached(self.count)
        return torch.where(count == 0, torch.zeros_like(total), total / count)


class MeanMetricWrapper(Mean):
    """Wraps `fn(y_true, y_pred, **kwargs) -> per-sample values` as a Mean metric.

    Args:
        fn: the function (a loss or metric function).
        name: the metric's name.
        dtype: dtype of the state.
        **kwargs: keyword arguments passed to `fn`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = getattr(y_pred, "_keras_mask", None)
        summed = SUMMED.get(self._fn) if sample_weight is None and mask is None else None
        if summed is not None and type(y_pred) is torch.Tensor and \
                type(y_true) is torch.Tensor and y_pred.device == self._device and \
                (total := summed(y_true, y_pred, **self._fn_kwargs)) is not None:
            self.total.add_(total)  # (the common case: 4-6 ops fewer, no conversions)
            self.count.add_(_count(y_pred.shape[0], self.count))
            return
        y_true, y_pred = as_tensors(y_true, y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if sample_weight is not None:
            sample_weight = torch.as_tensor(sample_weight, device=y_pred.device)
        sample_weight = _apply_mask(sample_weight, mask, torch_dtype(self.dtype), "sum")
        super().update_state(values, sample_weight)

    def get_config(self):
        from cornu import losses
        return {**super().get_config(), "fn": losses.serialize(self._fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), (str, dict)):
            from cornu import metrics
            fn = metrics.registry.get(config["fn"], instantiate=False)
            if isinstance(fn, type) and issubclass(fn, MeanMetricWrapper):
                # A function name that is also a metric class's (tf.keras 2 files write
                # `fn: 'categorical_accuracy'`): the class's function, with its defaults.
                made = fn()
                fn, config = made._fn, {**made._fn_kwargs, **config}
            config["fn"] = fn
        return cls(**config)


def metric_class(class_name, fn, default_name, leading=(), **defaults):
    """A MeanMetricWrapper class for `fn` with Keras's signature: the options named in
    `leading` positionally first (`TopKCategoricalAccuracy(k, name, dtype)`), then `name`,
    `dtype` and the other options (`BinaryAccuracy(name, dtype, threshold)`)."""
    def __init__(self, *args, **kwargs):
        names = list(leading) + ["name", "dtype"] + [k for k in defaults if k not in leading]
        if len(args) > len(names):
            raise TypeError(f"{class_name}() takes at most {len(names)} positional arguments.")
        for key, value in zip(names, args):
            if key in kwargs:
                raise TypeError(f"{class_name}() got multiple values for argument {key!r}.")
            kwargs[key] = value
        name = kwargs.pop("name", default_name)
        dtype = kwargs.pop("dtype", None)
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name}: unexpected keyword argument(s) {sorted(unknown)}.")
        options = {**defaults, **kwargs}
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **options)
        for key, value in options.items():
            setattr(self, key, value)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}

    cls = type(class_name, (MeanMetricWrapper,), {
        "__init__": __init__, "get_config": get_config,
        "from_config": classmethod(lambda cls, config: cls(**config)),
        "__doc__": f"The mean of `{fn.__name__}` over all samples seen (name "
                   f"`{default_name}`).\n\n{fn.__doc__ or ''}"})
    cls.__module__ = __name__
    return cls
