"""Mean, Sum and MeanMetricWrapper: the reducing metrics every function metric is built on."""
import torch

from cornu.losses import squeeze_or_expand_to_same_rank
from cornu.metrics.metric import Metric


def _samplewise(values, sample_weight):
    """Keras's reduction to one value per sample: weights applied, extra axes averaged."""
    values = torch.as_tensor(values)
    values = values.float() if not values.is_floating_point() else values
    if sample_weight is not None:
        sample_weight = torch.as_tensor(sample_weight, device=values.device).to(values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim = sample_weight.ndim
        if values.ndim > w_ndim:
            values = torch.mean(values, dim=tuple(range(w_ndim, values.ndim)))
        sample_weight = torch.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = torch.mean(sample_weight, dim=tuple(range(1, w_ndim)))
    if values.ndim > 1:
        values = torch.mean(values, dim=tuple(range(1, values.ndim)))
    return values, sample_weight


class Mean(Metric):
    """The (weighted) mean of the values given: `sum(w * v) / sum(w)`."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable("total")
        self.count = self.add_variable("count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = _samplewise(values, sample_weight)
        self._to(values.device)
        self.total += torch.sum(values)
        if sample_weight is not None:
            self.count += torch.sum(sample_weight)
        else:
            self.count += values.shape[0] if values.ndim >= 1 else 1

    def result(self):
        return torch.where(self.count == 0, torch.zeros_like(self.total), self.total / self.count)


class Sum(Metric):
    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable("total")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = _samplewise(values, sample_weight)
        self._to(values.device)
        self.total += torch.sum(values)

    def result(self):
        return self.total.clone()


class MeanMetricWrapper(Mean):
    """Wraps a function `fn(y_true, y_pred, **kwargs) -> per-sample values` as a Mean metric."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or fn.__name__, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = torch.as_tensor(y_pred)
        y_true = torch.as_tensor(y_true, device=y_pred.device)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}
