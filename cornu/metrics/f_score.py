"""F-beta and F1 scores (Keras 3 formulas)."""
import torch

from cornu.backend.config import epsilon, torch_dtype
from cornu.metrics.metric import Metric, as_tensors


class FBetaScore(Metric):
    """`(1 + beta^2) * precision * recall / (beta^2 * precision + recall)` per class.

    Predictions are positive where `y_pred > threshold`, or, with `threshold=None`, where they
    are the row's maximum.

    Args:
        average: None (one score per class), `"micro"`, `"macro"` or `"weighted"`.
        beta: weight of recall, a float > 0 (default 1.0).
        threshold: a float in (0, 1], or None.
        name, dtype: as for every metric.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', "
                             f"'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError("Invalid `beta` argument value. It should be a Python float > 0. "
                             f"Received: beta={beta!r}")
        if threshold is not None and (not isinstance(threshold, float)
                                      or not 0.0 < threshold <= 1.0):
            raise ValueError("Invalid `threshold` argument value. It should be a Python float "
                             f"with 0 < threshold <= 1. Received: threshold={threshold!r}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape="
                             f"{tuple(y_pred_shape)} and y_true.shape={tuple(y_true_shape)}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in ("true_positives", "false_positives", "false_negatives",
                     "intermediate_weights"):
            setattr(self, name, self.add_variable(shape, "zeros", name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = torch_dtype(self.dtype)
        y_true, y_pred = as_tensors(y_true, y_pred, dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        self._to(y_pred.device)
        if self.threshold is None:
            top = torch.amax(y_pred, dim=-1, keepdim=True)
            y_pred = (y_pred >= top) & (torch.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.to(dtype)
        if sample_weight is not None:
            sample_weight = torch.as_tensor(sample_weight, device=y_pred.device).to(dtype)

        def weighted_sum(values):
            if sample_weight is not None:
                values = values * sample_weight.unsqueeze(1)
            return torch.sum(values, dim=self.axis) if self.axis is not None else torch.sum(values)

        self.true_positives.data.add_(weighted_sum(y_pred * y_true))
        self.false_positives.data.add_(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.data.add_(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.data.add_(weighted_sum(y_true))

    def result(self):
        eps = epsilon()
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        beta2 = self.beta ** 2
        score = precision * recall / (beta2 * precision + recall + eps) * (1 + beta2)
        if self.average == "weighted":
            weights = self.intermediate_weights / (torch.sum(self.intermediate_weights) + eps)
            score = torch.sum(score * weights)
        elif self.average is not None:
            score = torch.mean(score)
        return score.detach()

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score: `FBetaScore` with `beta=1`; arguments as `FBetaScore`."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
