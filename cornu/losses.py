"""Losses as functions, names and classes (Keras 3 formulas and reductions).

A loss function maps `(y_true, y_pred)` to one value per sample (the last axis reduced).
A `Loss` object applies sample weights and a reduction: `"sum_over_batch_size"` (the default:
the weighted sum divided by the number of values), `"sum"`, `"mean_with_sample_weight"` or
`"none"`.
"""
import torch
import torch.nn.functional as F

from cornu.backend.config import epsilon
from cornu.utils.registry import Registry

registry = Registry("loss")


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's alignment of ranks that differ by a trailing axis of size 1."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def _align(y_true, y_pred):
    y_true = y_true.to(y_pred.dtype) if y_true.dtype != y_pred.dtype else y_true
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


# ----------------------------------------------------------------------------- functions
@registry.register("mse", "MSE")
def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _align(y_true, y_pred)
    return torch.mean(torch.square(y_true - y_pred), dim=-1)


@registry.register("mae", "MAE")
def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _align(y_true, y_pred)
    return torch.mean(torch.abs(y_true - y_pred), dim=-1)


@registry.register("mape", "MAPE")
def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _align(y_true, y_pred)
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=epsilon()))
    return 100.0 * torch.mean(diff, dim=-1)


@registry.register("msle", "MSLE")
def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _align(y_true, y_pred)
    first = torch.log(torch.clamp(y_pred, min=epsilon()) + 1.0)
    second = torch.log(torch.clamp(y_true, min=epsilon()) + 1.0)
    return torch.mean(torch.square(first - second), dim=-1)


def _check_same_shape(fn, y_true, y_pred):
    if tuple(y_true.shape) != tuple(y_pred.shape):
        hint = ""
        if y_true.ndim < y_pred.ndim or (y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1):
            hint = (" The labels look like integer class indices: one-hot encode them with "
                    "`to_categorical(y)`, or use the loss 'sparse_categorical_crossentropy'.")
        raise ValueError(f"{fn}: labels (y_true) of shape {tuple(y_true.shape)} do not match the "
                         f"model's output (y_pred) of shape {tuple(y_pred.shape)}.{hint}")


@registry.register()
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _align(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"binary_crossentropy: labels of shape {tuple(y_true.shape)} do not "
                         f"match the model's output of shape {tuple(y_pred.shape)}.")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        bce = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        eps = epsilon()
        bce = F.binary_cross_entropy(torch.clamp(y_pred, eps, 1.0 - eps), y_true, reduction="none")
    return torch.mean(bce, dim=axis)


@registry.register()
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true = y_true.to(y_pred.dtype) if y_true.dtype != y_pred.dtype else y_true
    _check_same_shape("categorical_crossentropy", y_true, y_pred)
    if label_smoothing:
        num_classes = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if from_logits:
        log_prob = torch.log_softmax(y_pred, dim=axis)
    else:
        eps = epsilon()
        output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    return -torch.sum(y_true * log_prob, dim=axis)


@registry.register()
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if y_true.ndim != y_pred.ndim - 1:
        raise ValueError(f"sparse_categorical_crossentropy: labels of shape {tuple(y_true.shape)} "
                         f"do not fit the model's output of shape {tuple(y_pred.shape)}: expected "
                         "one integer class index per sample. For one-hot labels use "
                         "'categorical_crossentropy'.")
    target = y_true.long()
    if ignore_class is not None:
        valid = target != ignore_class
        target = torch.where(valid, target, torch.zeros_like(target))
    if from_logits:
        log_prob = torch.log_softmax(y_pred, dim=axis)
    else:
        eps = epsilon()
        output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    log_prob = log_prob.movedim(axis, -1)
    loss = -torch.gather(log_prob, -1, target.unsqueeze(-1)).squeeze(-1)
    if ignore_class is not None:
        loss = loss * valid.to(loss.dtype)
    return loss


# ----------------------------------------------------------------------------- reduction
def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    if sample_weight is not None:
        sample_weight = sample_weight.to(values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight, False)
        values = values * sample_weight
    if reduction in (None, "none"):
        return values
    if reduction == "sum":
        return torch.sum(values)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return torch.sum(values) / torch.sum(sample_weight)
    # The sum over the number of values: torch.mean is that division, in one op (and one
    # backward node) instead of two; on the CPU the results are bitwise equal.
    return torch.mean(values) if values.numel() else torch.sum(values)


class Loss:
    """Base class: subclasses implement `call(y_true, y_pred)` returning per-sample losses."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        allowed = (None, "none", "sum", "sum_over_batch_size", "mean", "mean_with_sample_weight",
                   "auto")
        if reduction not in allowed:
            raise ValueError(f"Invalid `reduction` {reduction!r}; expected one of {allowed}.")
        self.name = name or _snake(type(self).__name__)
        self.reduction = "sum_over_batch_size" if reduction == "auto" else reduction
        self.dtype = dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = torch.as_tensor(y_pred)
        y_true = torch.as_tensor(y_true, device=y_pred.device)
        if not y_pred.is_floating_point():
            y_pred = y_pred.float()
        if sample_weight is not None:
            sample_weight = torch.as_tensor(sample_weight, device=y_pred.device)
        return reduce_weighted_values(self.call(y_true, y_pred), sample_weight, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    def __init__(self, fn, reduction="sum_over_batch_size", name=None, **kwargs):
        super().__init__(name=name or fn.__name__, reduction=reduction)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def _snake(name):
    from cornu.backend.naming import to_snake_case
    return to_snake_case(name)


def _wrapper_class(class_name, fn, defaults):
    """A Loss class for `fn`, whose constructor takes `fn`'s keyword arguments."""
    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name}: unexpected keyword argument(s) {sorted(unknown)}.")
        LossFunctionWrapper.__init__(self, fn, reduction=reduction,
                                     name=name or _snake(class_name), **{**defaults, **kwargs})

    cls = type(class_name, (LossFunctionWrapper,), {"__init__": __init__})
    registry.register()(cls)
    return cls


MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, {})
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error, {})
MeanAbsolutePercentageError = _wrapper_class("MeanAbsolutePercentageError",
                                             mean_absolute_percentage_error, {})
MeanSquaredLogarithmicError = _wrapper_class("MeanSquaredLogarithmicError",
                                             mean_squared_logarithmic_error, {})
BinaryCrossentropy = _wrapper_class("BinaryCrossentropy", binary_crossentropy,
                                    {"from_logits": False, "label_smoothing": 0.0, "axis": -1})
CategoricalCrossentropy = _wrapper_class("CategoricalCrossentropy", categorical_crossentropy,
                                         {"from_logits": False, "label_smoothing": 0.0, "axis": -1})
SparseCategoricalCrossentropy = _wrapper_class("SparseCategoricalCrossentropy",
                                               sparse_categorical_crossentropy,
                                               {"from_logits": False, "ignore_class": None,
                                                "axis": -1})


def get(identifier):
    """A loss name, function, class or instance → a callable `(y_true, y_pred) -> per-sample`."""
    if identifier is None:
        return None
    return registry.get(identifier, instantiate=True)


def serialize(loss):
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return getattr(loss, "__name__", str(loss))


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)


for _name, _obj in list(registry._by_name.items()):
    globals().setdefault(_name, _obj)

__all__ = ["Loss", "LossFunctionWrapper", "get", "serialize", "deserialize",
           "reduce_weighted_values", "squeeze_or_expand_to_same_rank"] + registry.names()
