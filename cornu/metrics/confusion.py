"""Metrics on confusion-matrix counts at thresholds (Keras 3 formulas): TruePositives,
FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall, AUC (ROC, PR),
SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision.

Predictions count as positive when `y_pred > threshold`. Evenly spaced thresholds (AUC's 200)
are counted in one pass with bucket sums, as Keras does; others by comparing each threshold.
"""
import numpy as np
import torch

from cornu.backend.config import epsilon, torch_dtype
from cornu.losses import squeeze_or_expand_to_same_rank
from cornu.metrics.metric import Metric, as_tensors

NEG_INF = -1e10
KINDS = ("tp", "fp", "tn", "fn")


def _thresholds(thresholds, default):
    values = [default] if thresholds is None else (
        list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds])
    if thresholds is not None:
        bad = [t for t in values if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return [float(t) for t in values]


def _evenly_spaced(thresholds):
    n = len(thresholds)
    return n >= 3 and np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1),
                                  atol=epsilon())


def _divide_no_nan(a, b):
    return torch.where(b == 0, torch.zeros_like(a), a / torch.where(b == 0, torch.ones_like(b), b))


def update_confusion_matrix(counts, y_true, y_pred, thresholds, evenly=False, top_k=None,
                            class_id=None, sample_weight=None, multi_label=False,
                            label_weights=None):
    """Adds the (weighted) counts of `y_pred > threshold` against `y_true` to `counts`, a dict
    from 'tp'/'fp'/'tn'/'fn' to state variables of shape `(thresholds,)` (or
    `(thresholds, labels)` with `multi_label=True`)."""
    dtype = next(iter(counts.values())).dtype
    y_true, y_pred = as_tensors(y_true, y_pred, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = torch.as_tensor(sample_weight, device=y_pred.device).to(dtype).unsqueeze(-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, False)
    if top_k is not None:
        top = torch.topk(y_pred, top_k, dim=-1).indices
        keep = torch.zeros_like(y_pred).scatter_(-1, top, 1.0)
        y_pred = y_pred * keep + NEG_INF * (1 - keep)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {tuple(y_pred.shape)}")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    weights = None
    if sample_weight is not None:
        weights = torch.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None:
        lw = torch.broadcast_to(torch.as_tensor(label_weights, dtype=dtype,
                                                device=y_pred.device), y_pred.shape)
        weights = lw if weights is None else weights * lw
    if evenly:
        found = _bucket_counts(y_true, y_pred, len(thresholds), weights, multi_label,
                               float(thresholds[0]) < 0.0 or float(thresholds[-1]) > 1.0,
                               set(counts))
    else:
        found = _threshold_counts(y_true, y_pred, thresholds, weights, multi_label, set(counts))
    for kind, var in counts.items():
        var.data.add_(found[kind])


def _threshold_counts(y_true, y_pred, thresholds, weights, multi_label, wanted):
    t = thresholds if isinstance(thresholds, torch.Tensor) else torch.tensor(
        thresholds, dtype=y_pred.dtype, device=y_pred.device)
    if multi_label:  # (thresholds, samples, labels), summed over samples
        preds, labels, t = y_pred.unsqueeze(0), y_true.bool().unsqueeze(0), t.view(-1, 1, 1)
    else:  # (thresholds, values)
        preds, labels, t = y_pred.reshape(1, -1), y_true.bool().reshape(1, -1), t.view(-1, 1)
        weights = None if weights is None else weights.reshape(1, -1)
    pred_pos = preds > t
    out = {}
    pairs = {"tp": (labels, pred_pos), "fp": (~labels, pred_pos),
             "tn": (~labels, ~pred_pos), "fn": (labels, ~pred_pos)}
    for kind in wanted:
        label, pred = pairs[kind]
        hit = label & pred
        values = hit.to(y_pred.dtype) if weights is None else torch.where(
            hit, weights.to(y_pred.dtype), torch.zeros((), dtype=y_pred.dtype,
                                                       device=y_pred.device))
        out[kind] = torch.sum(values, dim=1)
    return out


def _bucket_counts(y_true, y_pred, n, weights, multi_label, with_epsilon, wanted):
    y_pred = torch.clamp(y_pred, 0.0, 1.0)
    y_true = y_true.bool().to(y_pred.dtype)
    w = 1.0 if weights is None else weights
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
        w = w if weights is None else w.reshape(-1)
    true_labels, false_labels = y_true * w, (1.0 - y_true) * w
    buckets = torch.ceil(y_pred * (n - 1)) - 1
    if with_epsilon:
        buckets = torch.relu(buckets)
    buckets = buckets.long()
    # Out-of-range buckets (a prediction of exactly 0 without epsilon) go to an extra slot.
    buckets = torch.where((buckets >= 0) & (buckets < n), buckets, torch.full_like(buckets, n))
    if multi_label:  # one row of buckets per label
        labels = y_pred.shape[-1]
        offsets = torch.arange(labels, device=y_pred.device) * (n + 1)
        flat = (buckets + offsets).reshape(-1)
        size = labels * (n + 1)
    else:
        flat, size = buckets, n + 1

    def bucket_sum(values):
        total = torch.zeros(size, dtype=y_pred.dtype, device=y_pred.device)
        total.scatter_add_(0, flat, values.reshape(-1))
        if multi_label:
            total = total.view(-1, n + 1)[:, :n].T  # (thresholds, labels)
        else:
            total = total[:n]
        return torch.flip(torch.cumsum(torch.flip(total, [0]), 0), [0])

    tp, fp = bucket_sum(true_labels), bucket_sum(false_labels)
    out = {"tp": tp, "fp": fp}
    if "tn" in wanted or "fn" in wanted:
        if multi_label:  # per label
            total_true, total_false = torch.sum(true_labels, 0), torch.sum(false_labels, 0)
        else:
            total_true, total_false = torch.sum(true_labels), torch.sum(false_labels)
        out["tn"], out["fn"] = total_false - fp, total_true - tp
    return out


class _ConfusionMatrixMetric(Metric):
    """Shared by the metrics built on confusion counts."""

    def _add_counts(self, kinds, shape):
        for kind in kinds:
            setattr(self, _NAMES[kind], self.add_variable(shape, "zeros", name=_NAMES[kind]))
        self._kinds = kinds

    def _counts(self):
        return {kind: getattr(self, _NAMES[kind]) for kind in self._kinds}

    def _update(self, y_true, y_pred, sample_weight, **kwargs):
        device = torch.as_tensor(y_pred).device
        self._to(device)
        update_confusion_matrix(self._counts(), y_true, y_pred, self._threshold_values(),
                                evenly=self._evenly, sample_weight=sample_weight, **kwargs)

    def _threshold_values(self):
        """The thresholds on the state's device (copied there once, not at every update)."""
        if self._evenly:
            return self.thresholds  # only their count and end points are used
        cached = getattr(self, "_thresholds_tensor", None)
        if cached is None or cached.device != self._device:
            cached = torch.tensor(self.thresholds, dtype=torch_dtype(self.dtype),
                                  device=self._device)
            self._thresholds_tensor = cached
        return cached


_NAMES = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives",
          "fn": "false_negatives"}


class _ConditionCount(_ConfusionMatrixMetric):
    _kind = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _thresholds(thresholds, 0.5)
        self._evenly = _evenly_spaced(self.thresholds)
        self.accumulator = self.add_variable((len(self.thresholds),), "zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._to(torch.as_tensor(y_pred).device)
        update_confusion_matrix({self._kind: self.accumulator}, y_true, y_pred,
                                self._threshold_values(), evenly=self._evenly,
                                sample_weight=sample_weight)

    def result(self):
        value = self.accumulator.detach()
        return value[0] if len(self.thresholds) == 1 else value.clone()

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """The (weighted) number of true positives, at each threshold (default 0.5)."""
    _kind = "tp"


class FalsePositives(_ConditionCount):
    """The (weighted) number of false positives, at each threshold (default 0.5)."""
    _kind = "fp"


class TrueNegatives(_ConditionCount):
    """The (weighted) number of true negatives, at each threshold (default 0.5)."""
    _kind = "tn"


class FalseNegatives(_ConditionCount):
    """The (weighted) number of false negatives, at each threshold (default 0.5)."""
    _kind = "fn"


class _PrecisionRecall(_ConfusionMatrixMetric):
    _second = None

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.thresholds = _thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._evenly = _evenly_spaced(self.thresholds)
        self._add_counts(("tp", self._second), (len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._update(y_true, y_pred, sample_weight, top_k=self.top_k, class_id=self.class_id)

    def result(self):
        tp = self.true_positives.detach()
        other = getattr(self, _NAMES[self._second]).detach()
        value = _divide_no_nan(tp, tp + other)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """`TP / (TP + FP)` at each threshold (default `y_pred > 0.5`); `top_k` counts only the k
    highest predictions per sample, `class_id` only one class.

    Args:
        thresholds: a float or list of floats in [0, 1].
        top_k: count only the top-k predictions per sample.
        class_id: count only this class.
        name, dtype: as for every metric.
    """
    _second = "fp"


class Recall(_PrecisionRecall):
    """`TP / (TP + FN)` at each threshold (default `y_pred > 0.5`); arguments as `Precision`."""
    _second = "fn"


class _SensitivitySpecificityBase(_ConfusionMatrixMetric):
    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value, self.class_id, self.num_thresholds = value, class_id, num_thresholds
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0] + inner + [1.0], True
        self._add_counts(KINDS, (len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._update(y_true, y_pred, sample_weight, class_id=self.class_id)

    def _rates(self):
        tp, fp, tn, fn = (getattr(self, _NAMES[k]).detach() for k in KINDS)
        return {"sensitivity": _divide_no_nan(tp, tp + fn),
                "specificity": _divide_no_nan(tn, tn + fp),
                "precision": _divide_no_nan(tp, tp + fp)}

    def _max_where_at_least(self, constrained, dependent):
        rates = self._rates()
        feasible = rates[constrained] >= self.value
        return torch.clamp(torch.max(torch.where(feasible, rates[dependent],
                                                 torch.zeros_like(rates[dependent]))), min=0.0)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds}


class SensitivityAtSpecificity(_SensitivitySpecificityBase):
    """The best sensitivity (recall) over the thresholds where specificity >= `specificity`."""

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        if not 0 <= specificity <= 1:
            raise ValueError("Argument `specificity` must be in the range [0, 1]. Received: "
                             f"specificity={specificity}")
        self.specificity = specificity
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._max_where_at_least("specificity", "sensitivity")

    def get_config(self):
        return {**super().get_config(), "specificity": self.specificity}


class SpecificityAtSensitivity(_SensitivitySpecificityBase):
    """The best specificity over the thresholds where sensitivity >= `sensitivity`."""

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        if not 0 <= sensitivity <= 1:
            raise ValueError("Argument `sensitivity` must be in the range [0, 1]. Received: "
                             f"sensitivity={sensitivity}")
        self.sensitivity = sensitivity
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._max_where_at_least("sensitivity", "specificity")

    def get_config(self):
        return {**super().get_config(), "sensitivity": self.sensitivity}


class PrecisionAtRecall(_SensitivitySpecificityBase):
    """The best precision over the thresholds where recall >= `recall`."""

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        if not 0 <= recall <= 1:
            raise ValueError(f"Argument `recall` must be in the range [0, 1]. Received: "
                             f"recall={recall}")
        self.recall = recall
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._max_where_at_least("sensitivity", "precision")

    def get_config(self):
        return {**super().get_config(), "recall": self.recall}


class RecallAtPrecision(_SensitivitySpecificityBase):
    """The best recall over the thresholds where precision >= `precision`."""

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        if not 0 <= precision <= 1:
            raise ValueError("Argument `precision` must be in the range [0, 1]. Received: "
                             f"precision={precision}")
        self.precision = precision
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._max_where_at_least("precision", "sensitivity")

    def get_config(self):
        return {**super().get_config(), "precision": self.precision}


class AUC(_ConfusionMatrixMetric):
    """Area under the ROC or precision-recall curve, by a Riemann sum over thresholds.

    Args:
        num_thresholds: number of thresholds (default 200), evenly spaced in [0, 1].
        curve: `"ROC"` (default), `"PR"` or `"PRGAIN"`.
        summation_method: `"interpolation"` (default; for PR, the interpolated precision of
            Davis & Goadrich), `"minoring"` or `"majoring"`.
        thresholds: explicit thresholds instead of `num_thresholds`.
        multi_label: one curve per label, averaged (weighted by `label_weights`).
        num_labels: the number of labels, when known in advance.
        label_weights: per-label weights.
        from_logits: apply a sigmoid to the predictions first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curves = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
        methods = ("interpolation", "majoring", "minoring")
        if str(curve).lower() not in curves:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             '["PR", "ROC", "PRGAIN"]')
        if str(summation_method).lower() not in methods:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self.curve, self.summation_method = curves[str(curve).lower()], summation_method.lower()
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            inner = sorted(thresholds)
            self._evenly = _evenly_spaced(np.array([0.0] + inner + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self.thresholds = [0.0 - epsilon()] + list(inner) + [1.0 + epsilon()]
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else torch.as_tensor(
            label_weights, dtype=torch_dtype(self.dtype))
        self._from_logits = from_logits
        self._built = False
        if multi_label and num_labels:
            self._build((None, num_labels))
        elif not multi_label:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                                 f"{len(shape)}. Full shape received for `y_pred`: {shape}")
            self._num_labels = shape[1]
            self._add_counts(KINDS, (self.num_thresholds, self._num_labels))
        else:
            self._add_counts(KINDS, (self.num_thresholds,))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = torch.as_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        label_weights = None
        if not self.multi_label and self.label_weights is not None:
            label_weights = self.label_weights.to(y_pred.device)
        self._update(y_true, y_pred, sample_weight, multi_label=self.multi_label,
                     label_weights=label_weights)

    def _by_label(self, terms):
        if not self.multi_label:
            return torch.sum(terms)
        by_label = torch.sum(terms, dim=0)
        if self.label_weights is None:
            return torch.mean(by_label)
        weights = self.label_weights.to(by_label.device)
        return _divide_no_nan(torch.sum(by_label * weights), torch.sum(weights))

    def _interpolate_pr_auc(self, tp, fp, fn):
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, torch.clamp(dp, min=0))
        intercept = tp[1:] - slope * p[1:]
        ratio = torch.where((p[:-1] > 0) & (p[1:] > 0),
                            _divide_no_nan(p[:-1], torch.clamp(p[1:], min=0)),
                            torch.ones_like(p[1:]))
        increments = _divide_no_nan(slope * (dtp + intercept * torch.log(ratio)),
                                    torch.clamp(tp[1:] + fn[1:], min=0))
        return self._by_label(increments)

    def result(self):
        tp, fp, tn, fn = (getattr(self, _NAMES[k]).detach() for k in KINDS)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:
            scale = _divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scale * _divide_no_nan(fn, tp)
            precision_gain = 1.0 - scale * _divide_no_nan(fp, tp)
            zero = tp == 0
            x = torch.clamp(torch.where(zero, torch.zeros_like(recall_gain), recall_gain), min=0)
            y = torch.where(zero, torch.ones_like(precision_gain), precision_gain)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return self._by_label((x[:-1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        weights = None if self.label_weights is None else self.label_weights.tolist()
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": weights, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
