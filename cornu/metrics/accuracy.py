"""Accuracy metrics (Keras 3 formulas and names)."""
import torch

from cornu.losses import squeeze_or_expand_to_same_rank
from cornu.metrics.metric import as_tensors
from cornu.metrics.reduction import SUMMED, metric_class


def accuracy(y_true, y_pred):
    """1.0 where `y_true == y_pred` exactly (for predictions that are labels)."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true.to(y_pred.dtype), y_pred)
    return (y_true == y_pred).float()


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `y_true == (y_pred > threshold)`."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true == (y_pred > threshold)).float()  # (the bool is promoted to y_true's dtype)


def categorical_accuracy(y_true, y_pred):
    """1.0 where `argmax(y_true) == argmax(y_pred)` (one-hot labels)."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    return (torch.argmax(y_true, dim=-1) == torch.argmax(y_pred, dim=-1)).float()


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where `y_true == argmax(y_pred)` (integer labels)."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    shape = tuple(y_true.shape)
    squeezed = y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
    if squeezed:
        y_true = y_true.squeeze(-1)
    matches = (y_true.to(y_pred.dtype) == torch.argmax(y_pred, dim=-1).to(y_pred.dtype)).float()
    if squeezed:
        matches = matches.reshape(shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches.squeeze(-1)
    return matches


def _in_top_k(targets, predictions, k):
    # Keras (torch backend): the target's score is at least the k-th largest score (ties count).
    kth = torch.topk(predictions, min(k, predictions.shape[-1]), dim=-1).values[..., -1:]
    return (torch.gather(predictions, -1, targets.long().unsqueeze(-1)) >= kth).squeeze(-1)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label is among the `k` highest predictions."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    shape = tuple(y_true.shape)
    y_pred = y_pred.reshape(-1, y_pred.shape[-1]) if y_pred.ndim > 2 else y_pred
    y_true = y_true.reshape(-1) if y_true.ndim > 1 else y_true
    return _in_top_k(y_true, y_pred, k).float().reshape(shape)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the `k` highest predictions."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    return sparse_top_k_categorical_accuracy(torch.argmax(y_true, dim=-1), y_pred, k)


# The sums over a batch of the functions above, where each sample has one value (the metric's
# update is then `total += sum`, `count += batch`), in fewer ops and without the per-call
# conversions; None where the shapes are not those (the function itself then runs). Both give
# the same total: the matches are whole numbers, summed exactly.
def _binary_matches(y_true, y_pred, threshold=0.5):
    if y_true.shape != y_pred.shape or not 0 < y_pred.ndim <= 2 or \
            y_pred.numel() != y_pred.shape[0] or not y_pred.is_floating_point():
        return None
    return (y_true == (y_pred > threshold)).sum()


def _categorical_matches(y_true, y_pred):
    if y_true.shape != y_pred.shape or y_pred.ndim != 2:
        return None
    return (torch.argmax(y_true, dim=-1) == torch.argmax(y_pred, dim=-1)).sum()


def _sparse_categorical_matches(y_true, y_pred):
    if y_pred.ndim != 2 or not y_pred.is_floating_point() or y_true.numel() != y_pred.shape[0] \
            or y_true.ndim not in (1, 2):
        return None
    labels = y_true.reshape(-1).to(y_pred.dtype)
    return (labels == torch.argmax(y_pred, dim=-1).to(y_pred.dtype)).sum()


SUMMED.update({binary_accuracy: _binary_matches, categorical_accuracy: _categorical_matches,
               sparse_categorical_accuracy: _sparse_categorical_matches})

Accuracy = metric_class("Accuracy", accuracy, "accuracy")
BinaryAccuracy = metric_class("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                               threshold=0.5)
CategoricalAccuracy = metric_class("CategoricalAccuracy", categorical_accuracy,
                                    "categorical_accuracy")
SparseCategoricalAccuracy = metric_class("SparseCategoricalAccuracy",
                                          sparse_categorical_accuracy,
                                          "sparse_categorical_accuracy")
TopKCategoricalAccuracy = metric_class("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                       "top_k_categorical_accuracy", leading=("k",), k=5)
SparseTopKCategoricalAccuracy = metric_class("SparseTopKCategoricalAccuracy",
                                              sparse_top_k_categorical_accuracy,
                                             "sparse_top_k_categorical_accuracy", leading=("k",),
                                             k=5)
