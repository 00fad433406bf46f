"""Evaluation in chunks: the forward pass per batch, the loss and metrics once per chunk.

Keras's `evaluate` reports `sum_b(n_b * loss_b) / sum_b(n_b)` and metric states summed over
batches. For losses reduced `"sum_over_batch_size"` and for metrics whose state is a sum over
samples (every built-in one), that is the same number whether the batches are scored one by one
or many at once: `n_b * loss_b` is the batch's sum of weighted per-sample losses. Scoring ~1,000
samples at a time turns ~15 small tensor ops per batch into the same ops per chunk, which is most
of what evaluation costs on top of the forward pass for small models.

Used only where the result cannot differ (up to float summation order): built-in losses and
metrics, no losses added by layers or regularizers, no masks, nothing asking for per-batch logs.
"""
import torch

from cornu import losses as losses_module
from cornu.metrics.reduction import MeanMetricWrapper

CHUNK_SAMPLES = 1024
CHUNK_ELEMENTS = 1 << 20  # predictions held back at most (4 MiB of float32)


def _builtin(obj):
    return type(obj).__module__.startswith("cornu.")


def _additive_loss(fn):
    if fn is None:
        return True
    if not (isinstance(fn, losses_module.Loss) and _builtin(fn)
            and fn.reduction == "sum_over_batch_size"):
        return False
    inner = getattr(fn, "fn", None)
    return inner is None or getattr(inner, "__module__", "").startswith("cornu.")


def additive_metric(metric):
    if not _builtin(metric):
        return False
    if isinstance(metric, MeanMetricWrapper):
        return getattr(metric._fn, "__module__", "").startswith("cornu.")
    return True


def can_chunk(trainer, regularized, per_batch_logs):
    """Whether `trainer`'s compiled loss and metrics may score many batches at once."""
    if regularized or per_batch_logs:
        return False
    compile_loss, compile_metrics = trainer._compile_loss, trainer._compile_metrics
    return (all(_additive_loss(fn) for fn in compile_loss.fns)
            and all(additive_metric(m) for m in compile_metrics.all_metrics))


def concat(parts):
    first = parts[0]
    if first is None:
        return None
    if isinstance(first, (list, tuple)):
        return [concat([p[i] for p in parts]) for i in range(len(first))]
    if isinstance(first, dict):
        return {k: concat([p[k] for p in parts]) for k in first}
    return first if len(parts) == 1 else torch.cat(parts, dim=0)


def _first_tensor(y_pred):
    if isinstance(y_pred, dict):
        return next(iter(y_pred.values()))
    return y_pred[0] if isinstance(y_pred, (list, tuple)) else y_pred


def _has_mask(y_pred):
    preds = y_pred.values() if isinstance(y_pred, dict) else (
        y_pred if isinstance(y_pred, (list, tuple)) else [y_pred])
    return any(getattr(p, "_keras_mask", None) is not None for p in preds)


def evaluate_in_chunks(trainer, batches, first_step=0):
    """Runs `batches` (an iterator of `(x, y, sample_weight)`), scoring every ~CHUNK_SAMPLES
    samples. Returns the number of steps run. Falls back to per-batch scoring for a model whose
    predictions carry a mask (the loss must see it)."""
    pending, rows, steps = [], 0, first_step

    def flush():
        ys, preds, sws = (concat([p[i] for p in pending]) for i in range(3))
        trainer._test_outputs(ys, preds, sws)
        pending.clear()

    for xb, yb, swb in batches:
        y_pred = trainer._forward(xb)
        steps += 1
        if _has_mask(y_pred):
            trainer._test_outputs(yb, y_pred, swb)
            continue
        pending.append((yb, y_pred, swb))
        rows += _first_tensor(y_pred).shape[0]
        if rows >= CHUNK_SAMPLES:
            flush()
            rows = 0
    if pending:
        flush()
    return steps
