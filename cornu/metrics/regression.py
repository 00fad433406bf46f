"""Regression metrics (Keras 3 formulas and names): MSE, RMSE, MAE, MAPE, MSLE, cosine
similarity, log-cosh, R²."""
import torch

from cornu import losses
from cornu.backend.config import torch_dtype
from cornu.losses import _normalize, squeeze_or_expand_to_same_rank
from cornu.metrics.metric import Metric, as_tensors
from cornu.metrics.reduction import Mean, metric_class


def cosine_similarity(y_true, y_pred, axis=-1):
    """`sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`: 1 for equal directions."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true.to(y_pred.dtype), y_pred)
    return torch.sum(_normalize(y_true, axis) * _normalize(y_pred, axis), dim=axis)


MeanSquaredError = metric_class("MeanSquaredError", losses.mean_squared_error,
                                "mean_squared_error")
MeanAbsoluteError = metric_class("MeanAbsoluteError", losses.mean_absolute_error,
                                 "mean_absolute_error")
MeanAbsolutePercentageError = metric_class("MeanAbsolutePercentageError",
                                           losses.mean_absolute_percentage_error,
                                           "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = metric_class("MeanSquaredLogarithmicError",
                                           losses.mean_squared_logarithmic_error,
                                           "mean_squared_logarithmic_error")
CosineSimilarity = metric_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                                axis=-1)
LogCoshError = metric_class("LogCoshError", losses.log_cosh, "logcosh")


class RootMeanSquaredError(Mean):
    """`sqrt(mean(square(y_pred - y_true)))` over all values seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = as_tensors(y_true, y_pred, torch_dtype(self.dtype))
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(torch.square(y_pred - y_true), sample_weight)

    def result(self):
        return torch.sqrt(super().result())


class R2Score(Metric):
    """The coefficient of determination, `1 - SS_res / SS_tot`, per output then aggregated.

    Args:
        class_aggregation: `"uniform_average"` (default), `"variance_weighted_average"` or
            None (one score per output).
        num_regressors: for the adjusted R² (0: plain R²).
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        allowed = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in allowed:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of "
                             f"{allowed}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                             f"y_true.shape={tuple(y_true_shape)}.")
        n = y_pred_shape[-1]
        self.squared_sum = self.add_variable((n,), "zeros", name="squared_sum")
        self.sum = self.add_variable((n,), "zeros", name="sum")
        self.total_mse = self.add_variable((n,), "zeros", name="residual")
        self.count = self.add_variable((n,), "zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = torch_dtype(self.dtype)
        y_true, y_pred = as_tensors(y_true, y_pred, dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        self._to(y_pred.device)
        w = torch.as_tensor(1.0 if sample_weight is None else sample_weight,
                            device=y_pred.device).to(dtype)
        if w.ndim == 1:
            w = w.unsqueeze(1)
        w = torch.broadcast_to(w, y_true.shape)
        weighted = y_true * w
        self.sum.data.add_(torch.sum(weighted, dim=0))
        self.squared_sum.data.add_(torch.sum(y_true * weighted, dim=0))
        self.total_mse.data.add_(torch.sum((y_true - y_pred) ** 2 * w, dim=0))
        self.count.data.add_(torch.sum(w, dim=0))
        self.num_samples.data.add_(y_true.numel())

    def result(self):
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw = 1 - self.total_mse / total
        raw = torch.where(torch.isinf(raw), torch.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = torch.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = torch.sum(total * raw) / torch.sum(total)
        else:
            score = raw
        if self.num_regressors:
            # Adjusted R² needs the sample count on the host (read once, at result time).
            n, p = float(self.num_samples), float(self.num_regressors)
            if p < n - 1:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return score.detach()

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
