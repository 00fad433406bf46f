"""Losses as functions, names and classes (Keras 3 formulas, reductions and names).

A loss function maps `(y_true, y_pred)` to one value per sample (the last axis reduced). A
`Loss` object converts both to float32, applies sample weights (and the mask of a masked output)
and a reduction: `"sum_over_batch_size"` (default: weighted sum / number of values), `"sum"`,
`"mean_with_sample_weight"` (weighted sum / sum of weights) or `"none"`. Probabilities are
clipped to `[epsilon, 1 - epsilon]` (epsilon = 1e-7) where Keras clips them. Nothing here reads
a value back to the host, so a training step never waits for the device.
"""
import math

import torch
import torch.nn.functional as F

from cornu.backend.config import epsilon, to_tensor, torch_dtype
from cornu.graph.symbolic import symbolic_op
from cornu.utils.registry import Registry

registry = Registry("loss")


def _graph_op(fn):
    """Lets a loss function take symbolic tensors too, as Keras 2's did: `mse(inputs, outputs)`
    on a functional model's tensors records a graph node (for `model.add_loss`)."""
    return symbolic_op(saveable=False, unique_name=True, tensor_args=2)(fn)


def _tensors(y_true, y_pred):
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.float()
    return to_tensor(y_true, y_pred.dtype, y_pred.device), y_pred


def _mean(x, dim=-1):
    """`torch.mean(x, dim)`; over an axis of size 1 (one output unit: regression, binary
    classification) a squeeze, which is the same numbers for a fraction of the cost forward
    and backward."""
    if isinstance(dim, int) and x.ndim and x.shape[dim] == 1:
        return x.squeeze(dim)
    return torch.mean(x, dim=dim)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's alignment of two ranks that differ by a trailing axis of size 1."""
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


def _aligned(y_true, y_pred):
    return squeeze_or_expand_to_same_rank(*_tensors(y_true, y_pred))


def _normalize(x, axis):
    # Keras's L2 normalization: x * min(rsqrt(sum(x^2)), 1 / epsilon).
    inv = torch.rsqrt(torch.sum(torch.square(x), dim=axis, keepdim=True))
    return x * torch.clamp(inv, max=1.0 / epsilon())


def _check_same_shape(fn, y_true, y_pred):
    if tuple(y_true.shape) != tuple(y_pred.shape):
        hint = ""
        if y_true.ndim < y_pred.ndim or (y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1):
            hint = (" The labels look like integer class indices: one-hot encode them with "
                    "`to_categorical(y)`, or use the loss 'sparse_categorical_crossentropy'.")
        raise ValueError(f"{fn}: labels (y_true) of shape {tuple(y_true.shape)} do not match the "
                         f"model's output (y_pred) of shape {tuple(y_pred.shape)}.{hint}")


# ------------------------------------------------------------------- regression
@registry.register("mse", "MSE")
@_graph_op
def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    return _mean(torch.square(y_true - y_pred), dim=-1)


@registry.register("mae", "MAE")
@_graph_op
def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    return _mean(torch.abs(y_true - y_pred), dim=-1)


@registry.register("mape", "MAPE")
@_graph_op
def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=epsilon()))
    return 100.0 * _mean(diff, dim=-1)


@registry.register("msle", "MSLE")
@_graph_op
def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    first = torch.log(torch.clamp(y_pred, min=epsilon()) + 1.0)
    second = torch.log(torch.clamp(y_true, min=epsilon()) + 1.0)
    return _mean(torch.square(first - second), dim=-1)


@registry.register("cosine_proximity")
@_graph_op
def cosine_similarity(y_true, y_pred, axis=-1):
    """`-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`: -1 for equal directions."""
    y_true, y_pred = _aligned(y_true, y_pred)
    return -torch.sum(_normalize(y_true, axis) * _normalize(y_pred, axis), dim=axis)


@registry.register()
@_graph_op
def huber(y_true, y_pred, delta=1.0):
    """`0.5 x^2` where `|x| <= delta`, else `delta |x| - 0.5 delta^2`; averaged over the last
    axis (`x = y_pred - y_true`)."""
    y_true, y_pred = _aligned(y_true, y_pred)
    error = y_pred - y_true
    abs_error = torch.abs(error)
    return _mean(torch.where(abs_error <= delta, 0.5 * torch.square(error),
                             delta * abs_error - 0.5 * delta * delta), dim=-1)


@registry.register("logcosh")
@_graph_op
def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed without overflow."""
    y_true, y_pred = _aligned(y_true, y_pred)
    x = y_pred - y_true
    return _mean(x + F.softplus(-2.0 * x) - math.log(2.0), dim=-1)


# ------------------------------------------------------------------------ hinge
def _hinge_labels(y_true):
    # Keras maps {0, 1} labels to {-1, 1} when every label is 0 or 1 (decided on the device).
    is_binary = torch.all((y_true == 0) | (y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


@registry.register()
@_graph_op
def hinge(y_true, y_pred):
    """`mean(max(1 - y_true * y_pred, 0), axis=-1)`; labels -1/1 (0/1 are converted)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    return _mean(torch.clamp(1.0 - _hinge_labels(y_true) * y_pred, min=0.0), dim=-1)


@registry.register()
@_graph_op
def squared_hinge(y_true, y_pred):
    """`mean(square(max(1 - y_true * y_pred, 0)), axis=-1)`; labels -1/1 (0/1 converted)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    return _mean(torch.square(torch.clamp(1.0 - _hinge_labels(y_true) * y_pred, min=0.0)),
                 dim=-1)


@registry.register()
@_graph_op
def categorical_hinge(y_true, y_pred):
    """`max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`."""
    y_true, y_pred = _tensors(y_true, y_pred)
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


# ---------------------------------------------------------------- probabilistic
@registry.register("kld", "KLD", "kullback_leibler_divergence")
@_graph_op
def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to `[epsilon, 1]`."""
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true = torch.clamp(y_true, epsilon(), 1.0)
    y_pred = torch.clamp(y_pred, epsilon(), 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


@registry.register()
@_graph_op
def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`."""
    y_true, y_pred = _tensors(y_true, y_pred)
    return _mean(y_pred - y_true * torch.log(y_pred + epsilon()), dim=-1)


def _bce(y_true, y_pred, from_logits):
    if from_logits:
        return F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    eps = epsilon()
    p = torch.clamp(y_pred, eps, 1.0 - eps)
    # `F.binary_cross_entropy` is the same formula on the clipped `p` in one op forward and one
    # backward (the written-out formula is 9 and 6: 14 more ops in every step of a small model).
    # Its kernel refuses targets outside [0, 1] and has no gradient for them; Keras computes any
    # target (a GAN's noisy labels), so those take the formula. Only the CPU kernel refuses by
    # raising: CUDA's asserts on the device, so other devices always take the formula.
    if p.device.type == "cpu" and not y_true.requires_grad:
        try:
            return F.binary_cross_entropy(p, y_true.to(p.dtype), reduction="none")
        except RuntimeError:
            pass
    return -(y_true * torch.log(p) + (1.0 - y_true) * torch.log1p(-p))


@registry.register()
@_graph_op
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over `axis` of `-(y log p + (1 - y) log(1 - p))`, `p` clipped to
    `[epsilon, 1 - epsilon]` (or computed from logits)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"binary_crossentropy: labels of shape {tuple(y_true.shape)} do not "
                         f"match the model's output of shape {tuple(y_pred.shape)}.")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return _mean(_bce(y_true, y_pred, from_logits), dim=axis)


@registry.register()
@_graph_op
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy weighted by `(1 - p_t)^gamma` (and by `alpha` / `1 - alpha` with
    `apply_class_balancing=True`)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    bce = _bce(y_true, y_pred, False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal
    return _mean(focal, dim=axis)


def _log_probabilities(y_pred, from_logits, axis):
    if from_logits:
        return torch.log_softmax(y_pred, dim=axis)
    eps = epsilon()
    output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    return torch.log(torch.clamp(output, eps, 1.0 - eps))


def _smooth(y_true, label_smoothing):
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]


@registry.register()
@_graph_op
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """`-sum(y_true * log(p), axis)`; `p = y_pred / sum(y_pred)` clipped to
    `[epsilon, 1 - epsilon]`, or `log_softmax` of logits."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis}")
    y_true, y_pred = _tensors(y_true, y_pred)
    _check_same_shape("categorical_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing)
    return -torch.sum(y_true * _log_probabilities(y_pred, from_logits, axis), dim=axis)


@registry.register()
@_graph_op
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """`sum(alpha * (1 - p)^gamma * -y_true * log(p), axis)` with `p` as in
    categorical_crossentropy."""
    y_true, y_pred = _tensors(y_true, y_pred)
    _check_same_shape("categorical_focal_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing)
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    eps = epsilon()
    output = torch.clamp(y_pred / torch.sum(y_pred, dim=axis, keepdim=True), eps, 1.0 - eps)
    focal = alpha * torch.pow(1.0 - output, gamma) * (-y_true * torch.log(output))
    return torch.sum(focal, dim=axis)


@registry.register()
@_graph_op
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical crossentropy with integer labels; entries labelled `ignore_class` give 0 and
    are left out of the mean (the result carries them as a mask)."""
    y_pred = torch.as_tensor(y_pred)
    y_pred = y_pred if y_pred.is_floating_point() else y_pred.float()
    y_true = torch.as_tensor(y_true, device=y_pred.device)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = y_true.squeeze(axis)
    expected = list(y_pred.shape)
    del expected[axis]
    if list(y_true.shape) != expected:
        raise ValueError(f"sparse_categorical_crossentropy: labels of shape {tuple(y_true.shape)} "
                         f"do not fit the model's output of shape {tuple(y_pred.shape)}: expected "
                         "one integer class index per sample. For one-hot labels use "
                         "'categorical_crossentropy'.")
    valid = None
    if ignore_class is not None:
        valid = y_true != ignore_class
        y_true = torch.where(valid, y_true, torch.zeros_like(y_true))
        y_pred = torch.where(valid.unsqueeze(axis), y_pred, torch.zeros_like(y_pred))
    target = y_true.long()
    log_prob = _log_probabilities(y_pred, from_logits, axis).movedim(axis, -1)
    loss = -torch.gather(log_prob, -1, target.unsqueeze(-1)).squeeze(-1)
    if valid is not None:
        loss = torch.where(valid, loss, torch.zeros_like(loss))
        loss._keras_mask = valid
    return loss


# ------------------------------------------------------------------ segmentation
@registry.register()
@_graph_op
def dice(y_true, y_pred, axis=None):
    """`1 - 2 sum(y_true y_pred) / (sum(y_true) + sum(y_pred) + epsilon)`."""
    y_true, y_pred = _tensors(y_true, y_pred)
    dims = () if axis is None else axis
    inter = torch.sum(y_true * y_pred, dim=dims)
    return 1 - 2.0 * inter / (torch.sum(y_true, dim=dims) + torch.sum(y_pred, dim=dims) + epsilon())


@registry.register()
@_graph_op
def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """`1 - TP / (TP + alpha FP + beta FN + epsilon)` on soft counts."""
    y_true, y_pred = _tensors(y_true, y_pred)
    dims = () if axis is None else axis
    tp = torch.sum(y_true * y_pred, dim=dims)
    fp = torch.sum((1 - y_pred) * y_true, dim=dims)
    fn = torch.sum(y_pred * (1 - y_true), dim=dims)
    return 1 - tp / (tp + fp * alpha + fn * beta + epsilon())


# -------------------------------------------------------------------- reduction
REDUCTIONS = (None, "none", "sum", "sum_over_batch_size", "mean", "mean_with_sample_weight")


class Reduction:
    """tf.keras 2's names of the reductions (`losses.Reduction.SUM`); values are Keras 3's."""
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"


def _apply_mask(sample_weight, mask, dtype, reduction):
    """Keras: a mask becomes a weight; for mean reductions rescaled by (all / valid)."""
    if mask is None:
        return sample_weight
    mask = mask.to(dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        total, valid = float(mask.numel()), torch.sum(mask)
        scale = torch.where(valid == 0, torch.zeros_like(valid), total / valid)
        mask = mask * scale
    if sample_weight is None:
        return mask
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight.to(dtype))
    return sample_weight * mask


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size"):
    """Weights `values` by `sample_weight` (and `mask`), then reduces them as Keras does."""
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, values.dtype, values.device)
    sample_weight = _apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    if reduction in (None, "none") or values.ndim == 0 or tuple(values.shape) == (0,):
        return values
    if reduction == "sum":
        return torch.sum(values)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        total, divisor = torch.sum(values), torch.sum(sample_weight)
        return torch.where(divisor == 0, torch.zeros_like(total), total / divisor)
    # The sum over the number of values: torch.mean is that division, in one op (and one
    # backward node) instead of two; on the CPU the results are bitwise equal.
    return torch.mean(values) if values.numel() else torch.sum(values) * 0


class Loss:
    """Base class: subclasses implement `call(y_true, y_pred)` returning per-sample losses.

    Args:
        name: the loss's name.
        reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`,
            `"mean_with_sample_weight"` or `"none"`/`None`.
        dtype: the dtype of the computation (float32 by default).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction == "auto":  # tf.keras 2's default
            reduction = "sum_over_batch_size"
        if reduction not in REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                             f"{REDUCTIONS}. Received: reduction={reduction!r}")
        from cornu.backend.naming import to_snake_case
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = reduction
        self.dtype = dtype or "float32"

    def __call__(self, y_true, y_pred, sample_weight=None):
        dtype = torch_dtype(self.dtype)
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred = to_tensor(y_pred, dtype)
        y_true = to_tensor(y_true, dtype, y_pred.device)
        values = self.call(y_true, y_pred)
        out_mask = getattr(values, "_keras_mask", None)
        mask = in_mask if out_mask is None else (out_mask if in_mask is None
                                                 else in_mask & out_mask)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name} reduction={self.reduction}>"


class LossFunctionWrapper(Loss):
    """A Loss around a function `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        fn = self.fn
        if type(y_pred) is torch.Tensor:
            # cornu's loss functions also record graph nodes from symbolic tensors; on tensors
            # (every training step) their eager body runs directly, without that check.
            fn = getattr(fn, "eager_fn", fn)
        return fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {**super().get_config(), "fn": serialize(self.fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), (str, dict)):
            config["fn"] = registry.get(config["fn"], instantiate=False)
        return cls(**config)


def _loss_class(class_name, fn, default_name, **defaults):
    """A Loss class for `fn` whose constructor takes `fn`'s keyword arguments (Keras's
    signature: the function's arguments, then `reduction`, `name`, `dtype`)."""
    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, dtype=None,
                 **kwargs):
        if len(args) > len(defaults):
            raise TypeError(f"{class_name}() takes at most {len(defaults)} positional arguments.")
        kwargs = {**dict(zip(defaults, args)), **kwargs}
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name}: unexpected keyword argument(s) {sorted(unknown)}.")
        options = {**defaults, **kwargs}
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, dtype=dtype,
                                     **options)
        for key, value in options.items():
            setattr(self, key, value)

    def get_config(self):
        return {**Loss.get_config(self), **self._fn_kwargs}

    cls = type(class_name, (LossFunctionWrapper,), {
        "__init__": __init__, "get_config": get_config, "from_config": classmethod(
            lambda cls, config: cls(**config)),
        "__doc__": f"`{fn.__name__}` as a Loss object (name `{default_name}`).\n\n"
                   f"{fn.__doc__ or ''}"})
    cls.__module__ = __name__
    registry.register()(cls)
    return cls


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError",
                                          mean_absolute_percentage_error,
                                          "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError",
                                          mean_squared_logarithmic_error,
                                          "mean_squared_logarithmic_error")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                               axis=-1)
Huber = _loss_class("Huber", huber, "huber_loss", delta=1.0)
LogCosh = _loss_class("LogCosh", log_cosh, "log_cosh")
Hinge = _loss_class("Hinge", hinge, "hinge")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
KLDivergence = _loss_class("KLDivergence", kl_divergence, "kl_divergence")
Poisson = _loss_class("Poisson", poisson, "poisson")
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy,
                                 "binary_crossentropy", from_logits=False, label_smoothing=0.0,
                                 axis=-1)
BinaryFocalCrossentropy = _loss_class("BinaryFocalCrossentropy", binary_focal_crossentropy,
                                      "binary_focal_crossentropy", apply_class_balancing=False,
                                      alpha=0.25, gamma=2.0, from_logits=False,
                                      label_smoothing=0.0, axis=-1)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      "categorical_crossentropy", from_logits=False,
                                      label_smoothing=0.0, axis=-1)
CategoricalFocalCrossentropy = _loss_class("CategoricalFocalCrossentropy",
                                           categorical_focal_crossentropy,
                                           "categorical_focal_crossentropy", alpha=0.25,
                                           gamma=2.0, from_logits=False, label_smoothing=0.0,
                                           axis=-1)
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy",
                                            sparse_categorical_crossentropy,
                                            "sparse_categorical_crossentropy", from_logits=False,
                                            ignore_class=None, axis=-1)
Dice = _loss_class("Dice", dice, "dice", axis=None)
Tversky = _loss_class("Tversky", tversky, "tversky", alpha=0.5, beta=0.5, axis=None)
registry.add("huber_loss", huber)


def get(identifier):
    """A loss name, function, class, config or instance → a callable `(y_true, y_pred)`."""
    if identifier is None:
        return None
    return registry.get(identifier, instantiate=True)


def serialize(loss):
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    for name, obj in registry._by_name.items():
        if obj is loss and name == getattr(loss, "__name__", None):
            return name
    return getattr(loss, "__name__", str(loss))


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)


for _name, _obj in list(registry._by_name.items()):
    globals().setdefault(_name, _obj)

__all__ = ["Loss", "LossFunctionWrapper", "Reduction", "get", "serialize", "deserialize",
           "reduce_weighted_values", "squeeze_or_expand_to_same_rank"] + registry.names()
