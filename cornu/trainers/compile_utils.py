"""What `compile()` turns losses and metrics into: one loss callable and one metrics list per
model output, resolved against the data the first time they see it."""
import numpy as np
import torch

from cornu import losses as losses_module
from cornu.backend.config import detached
from cornu.callbacks.callback import LazyLogs
from cornu import metrics as metrics_module
from cornu.metrics.accuracy import (BinaryAccuracy, CategoricalAccuracy,
                                    SparseCategoricalAccuracy)
from cornu.metrics.reduction import Mean
from cornu.trainers.chunked_eval import CHUNK_ELEMENTS, CHUNK_SAMPLES, additive_metric, concat
from cornu.utils.compiling import eager_under_compile


def _per_output(spec, output_names, what):
    """A spec for `compile`'s `loss`, `loss_weights` or `metrics` → one entry per output.

    A dict is keyed by output name. For `loss` and `loss_weights` a list holds one entry per
    output; for `metrics` a flat list applies to every output (tf.keras 2) and a list of lists
    (or dicts) holds one entry per output.
    """
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = set(spec) - set(output_names)
        if unknown:
            raise ValueError(f"Unknown output name(s) in `{what}`: {sorted(unknown)}; the model's "
                             f"outputs are {output_names}.")
        return [spec.get(name) for name in output_names]
    per_output = isinstance(spec, (list, tuple)) and (
        what in ("loss", "loss_weights") or spec and all(
            isinstance(s, (list, tuple, dict)) or s is None for s in spec))
    if per_output:
        if len(spec) != n:
            raise ValueError(f"`{what}` is a list of {len(spec)} entries, but the model has {n} "
                             f"output(s) ({output_names}); give one entry per output, or a "
                             "dict keyed by output name.")
        return list(spec)
    return [spec] * n


def as_lists(y, y_pred, output_names):
    """Targets and predictions (one tensor, a list, or a dict keyed by output name) as two
    lists in output order. `output_names` may be a callable, called only for a dict."""
    if type(y_pred) is torch.Tensor and type(y) is torch.Tensor:
        return [y], [y_pred]  # (one output: every step of most models)
    if isinstance(y_pred, dict):
        output_names = output_names() if callable(output_names) else output_names
        y_pred = [y_pred[name] for name in output_names]
    preds = y_pred if isinstance(y_pred, (list, tuple)) else [y_pred]
    if isinstance(y, dict):
        output_names = output_names() if callable(output_names) else output_names
        ys = [y.get(name) for name in output_names]
    else:
        ys = y if isinstance(y, (list, tuple)) else [y]
    if len(ys) != len(preds):
        raise ValueError(f"The model has {len(preds)} output(s) but {len(ys)} target array(s) "
                         "were given.")
    return ys, preds


def per_output_weights(sample_weight, n):
    """`sample_weight` (None, one array for every output, or one per output) as a list."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, dict):
        sample_weight = list(sample_weight.values())
    return list(sample_weight) if isinstance(sample_weight, (list, tuple)) \
        else [sample_weight] * n


class LossTracker:
    """The epoch's running loss (Keras 3's `Mean(name="loss")` of `model.metrics`): batch
    losses weighted by batch size, summed on the device.

    The first batch's loss is kept as it is, with its weight (`scale`), and multiplied only
    when a second batch comes: an epoch of one batch (tiny data sets) costs no tensor op."""

    def __init__(self, name="loss"):
        self.name = name
        self.reset_state()

    @eager_under_compile  # (a compiled train_step runs the Python counts eagerly)
    def reset_state(self):
        self.total = None
        self.scale = None
        self.count = 0

    @eager_under_compile
    def update_state(self, values, sample_weight=None):
        """Adds `values` (a 0-d loss) with weight `sample_weight` (the batch size; 1 if None)."""
        loss = values if isinstance(values, torch.Tensor) else torch.tensor(float(values))
        batch_size = 1 if sample_weight is None else sample_weight
        if isinstance(batch_size, torch.Tensor):
            batch_size = float(batch_size)
        self.add(loss, batch_size)

    def add(self, loss, batch_size):
        """`update_state` of a loss tensor and a batch size that is a number: what the built-in
        steps call, every step, where no compiled `train_step` runs (so without the wrapper)."""
        loss = detached(loss)
        if loss.ndim:
            loss = loss.mean()
        if self.total is None:
            self.total, self.scale = loss, batch_size
        else:
            if self.scale is not None:
                self.total, self.scale = self.total * self.scale, None
            self.total.add_(loss, alpha=batch_size)  # one in-place op per step
        self.count += batch_size

    @eager_under_compile
    def result(self):
        if self.total is None:
            return torch.tensor(0.0)
        total = self.total if self.scale is None else self.total * self.scale
        return total / self.count

    @property
    def variables(self):
        return []

    def result_float(self):
        """`float(self.result())` without a tensor op: the same float32 arithmetic, in NumPy."""
        if self.total is None:
            return 0.0
        total = np.float32(self.total.item())
        if self.scale is not None:
            total = total * np.float32(self.scale)
        return float(total / np.float32(self.count))


def _check_broadcast(fn, y, y_pred):
    """Targets whose shape cannot meet the predictions' (torch's "The size of tensor a (3) must
    match..." inside the loss), said in the loss's terms, once the loss has failed."""
    inner = getattr(fn, "fn", None)
    if not isinstance(y, torch.Tensor) or not isinstance(y_pred, torch.Tensor) or "sparse" in \
            getattr(inner, "__name__", "sparse"):
        return
    name = inner.__name__
    t, p = losses_module.squeeze_or_expand_to_same_rank(y, y_pred)
    try:
        torch.broadcast_shapes(tuple(t.shape), tuple(p.shape))
    except RuntimeError:
        output = (None,) + tuple(y_pred.shape[1:])
        raise ValueError(f"{name}: targets (y) of shape {tuple(y.shape)} do not match the model's "
                         f"output of shape {output}; give the targets the output's "
                         "shape (or change the last layer's units).") from None


class CompileLoss:
    any_loss = True  # (set per instance: whether any output has a loss)

    def __init__(self, loss, loss_weights, output_names):
        self.output_names = list(output_names)
        specs = _per_output(loss, self.output_names, "loss")
        weights = _per_output(loss_weights, self.output_names, "loss_weights") \
            if loss_weights is not None else [1.0] * len(specs)
        self.fns = [None if s is None else self._wrap(s) for s in specs]
        self.any_loss = any(fn is not None for fn in self.fns)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        # No loss at all is allowed: the model's own `add_loss` losses may be all there is.
        self.multi = len(self.output_names) > 1
        self.trackers = [LossTracker(f"{name}_loss") for name in self.output_names] \
            if self.multi else []
        self.checked = False

    @staticmethod
    def _wrap(spec):
        fn = losses_module.get(spec)
        if isinstance(fn, losses_module.Loss):
            return fn
        if not callable(fn):
            raise ValueError(f"Could not interpret loss identifier: {spec!r}")
        name = spec if isinstance(spec, str) else getattr(fn, "__name__", "loss")
        return losses_module.LossFunctionWrapper(fn, name=name)

    @property
    def metrics(self):
        """The per-output loss trackers (multi-output models), as Keras 3 lists them."""
        return [t for t, fn in zip(self.trackers, self.fns) if fn is not None]

    def check(self, ys, y_preds):
        """Checks labels against each loss once, before training (clear errors, no per-step cost)."""
        self.checked = True
        for name, fn, y, y_pred in zip(self.output_names, self.fns, ys, y_preds):
            if fn is not None and y is None:
                raise ValueError(f"No target data for output {name!r}, which has a loss; pass "
                                 f"its targets (the outputs are {self.output_names}).")
            inner = getattr(fn, "fn", None)
            if inner is losses_module.sparse_categorical_crossentropy and y is not None:
                classes = y_pred.shape[-1]
                lo, hi = float(y.min()), float(y.max())
                if lo < 0 or hi >= classes:
                    raise ValueError(f"sparse_categorical_crossentropy: labels must be integers in "
                                     f"[0, {classes}) for an output of {classes} classes; got "
                                     f"values from {lo:g} to {hi:g}.")

    def __call__(self, ys, y_preds, sample_weights, per_output=None):
        """The weighted total loss. Each output's loss goes to its tracker, or, when a list
        `per_output` is given, onto that list (a compiled step tracks them afterwards)."""
        total = None
        for i, (fn, y, y_pred) in enumerate(zip(self.fns, ys, y_preds)):
            if fn is None:
                continue
            sw = sample_weights[i] if sample_weights is not None else None
            try:
                value = fn(y, y_pred, sw)
            except RuntimeError:  # torch's "The size of tensor a (3) must match ...": say it
                _check_broadcast(fn, y, y_pred)  # in the loss's terms (costs nothing until then)
                raise
            if self.multi:
                if per_output is None:
                    self.trackers[i].update_state(value, y_pred.shape[0])
                else:
                    per_output.append(value)
            weighted = value if self.weights[i] == 1.0 else value * self.weights[i]
            total = weighted if total is None else total + weighted
        return total

    def track(self, per_output, y_preds):
        """Adds losses collected with `per_output=` to the trackers."""
        values = iter(per_output)
        for fn, tracker, y_pred in zip(self.fns, self.trackers, y_preds):
            if fn is not None:
                tracker.update_state(next(values), y_pred.shape[0])

    def results(self):
        if not self.multi:
            return {}
        return {f"{name}_loss": t.result() for name, t, fn in
                zip(self.output_names, self.trackers, self.fns) if fn is not None}

    def reset(self):
        for t in self.trackers:
            t.reset_state()


class CompileMetrics:
    """The metrics given to `compile()`, as the one entry `compile_metrics` of `model.metrics`
    (Keras 3): `update_state(y, y_pred, sample_weight)`, `result()` (a dict by metric name),
    `reset_state()`. Metrics are resolved from the first data they see."""

    name = "compile_metrics"

    def __init__(self, metrics, weighted_metrics, output_names, loss_fns):
        self.output_names = list(output_names)
        self.specs = _per_output(metrics or [], self.output_names, "metrics")
        self.weighted_specs = _per_output(weighted_metrics or [], self.output_names,
                                          "weighted_metrics")
        self.loss_fns = loss_fns
        self.metrics = None  # per output: list of (display name, Metric, weighted)
        self._deferrable = False
        self._pending, self._pending_rows, self._pending_elements = [], 0, 0

    def names(self):
        if self.metrics is not None:
            return [name for per_output in self.metrics for name, _, _ in per_output]
        return [name for i in range(len(self.output_names))
                for name, _, _ in self._named_specs(i)]

    def _named_specs(self, output_index):
        """`(display name, spec, weighted)` for one output. As in Keras, a weighted metric whose
        name an unweighted one already has is shown as `weighted_<name>`."""
        plain = [_base_name(spec) for spec in _as_list(self.specs[output_index])]
        named = [(name, spec, False) for name, spec in
                 zip(plain, _as_list(self.specs[output_index]))]
        for spec in _as_list(self.weighted_specs[output_index]):
            name = _base_name(spec)
            named.append((f"weighted_{name}" if name in plain else name, spec, True))
        if len(self.output_names) > 1:
            prefix = self.output_names[output_index]
            named = [(f"{prefix}_{name}", spec, weighted) for name, spec, weighted in named]
        return named

    def build(self, ys, y_preds):
        self.metrics = []
        for i, (y, y_pred) in enumerate(zip(ys, y_preds)):
            self.metrics.append([(name, self._resolve(spec, y, y_pred, self.loss_fns[i]), weighted)
                                 for name, spec, weighted in self._named_specs(i)])
        metrics = [m for per_output in self.metrics for _, m, _ in per_output]
        self._deferrable = bool(metrics) and all(additive_metric(m) for m in metrics)

    def _resolve(self, spec, y_true, y_pred, loss_fn):
        if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
            # Keras 3 (and tf.keras 2) decide from the shapes alone, not from the loss.
            if y_pred.shape[-1] == 1:
                return BinaryAccuracy(name=spec)
            if y_true is not None and (y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1):
                return SparseCategoricalAccuracy(name=spec)
            return CategoricalAccuracy(name=spec)  # also multi-label sigmoid outputs, as Keras 3
        if isinstance(spec, str) and spec.lower() in ("crossentropy", "ce"):
            if y_pred.shape[-1] == 1:
                fn = losses_module.binary_crossentropy
            elif y_true is not None and (y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1):
                fn = losses_module.sparse_categorical_crossentropy
            else:
                fn = losses_module.categorical_crossentropy
            return metrics_module.MeanMetricWrapper(fn, name=spec)
        metric = metrics_module.get(spec)
        if isinstance(spec, str):
            metric.name = spec
        return metric

    @eager_under_compile  # (a compiled train_step runs the Python state eagerly)
    def update_state(self, y, y_pred, sample_weight=None):
        """Keras 3's container API: targets and predictions as the model gives them."""
        ys, preds = as_lists(y, y_pred, self.output_names)
        if self.metrics is None:
            self.build(ys, preds)
            for metric in self.all_metrics:
                metric._to(preds[0].device)
        self.update_lists(ys, preds, per_output_weights(sample_weight, len(preds)))

    @eager_under_compile
    def result(self):
        """A dict of results by name, computed when first read: a step that returns it (the
        guides' `{m.name: m.result() for m in self.metrics}`) leaves the deferred batches
        deferred until the logs are read."""
        return LazyLogs(self.results)

    @eager_under_compile
    def reset_state(self):
        self.reset()

    @property
    def variables(self):
        return [v for m in self.all_metrics for v in m.variables]

    def update_lists(self, ys, y_preds, sample_weights):
        """Updates every metric; where all are sums over samples (built-in metrics), batches are
        held back and scored ~1,024 samples at a time, with the same results (see
        chunked_eval.py): a training step then costs no metric op. Reading a result flushes."""
        if self._deferrable and (
                getattr(y_preds[0], "_keras_mask", None) is None if len(y_preds) == 1 else
                not any(getattr(p, "_keras_mask", None) is not None for p in y_preds)):
            preds = [detached(y_preds[0])] if len(y_preds) == 1 else [detached(p) for p in y_preds]
            self._pending.append((list(ys), preds, sample_weights))
            self._pending_rows += preds[0].shape[0]
            self._pending_elements += preds[0].numel() if len(preds) == 1 else \
                sum(p.numel() for p in preds)
            if self._pending_rows >= CHUNK_SAMPLES or self._pending_elements >= CHUNK_ELEMENTS:
                self.flush()
            return
        self._update(ys, y_preds, sample_weights)

    def flush(self):
        """Scores the batches held back."""
        if self._pending:
            pending, self._pending = self._pending, []
            self._pending_rows = self._pending_elements = 0
            if len(pending) == 1:  # (concat of one batch is that batch: an epoch of one step)
                self._update(*pending[0])
            else:
                self._update(*(concat([p[i] for p in pending]) for i in range(3)))

    def _update(self, ys, y_preds, sample_weights):
        for i, per_output in enumerate(self.metrics):
            if ys[i] is None:
                continue
            for _, metric, weighted in per_output:
                sw = sample_weights[i] if (weighted and sample_weights is not None) else None
                metric.update_state(ys[i], y_preds[i], sw)

    def results(self):
        self.flush()
        return {name: metric.result() for per_output in (self.metrics or [])
                for name, metric, _ in per_output}

    def results_float(self):
        """`{name: float(metric.result())}`; a plain `Mean` (every accuracy and loss-function
        metric) is read as its two numbers and divided in float32 NumPy, saving the four
        tensor ops of `Mean.result()` per epoch (the same float32 division, and 0 when empty)."""
        self.flush()
        out = {}
        for per_output in self.metrics or []:
            for name, metric, _ in per_output:
                total, count = getattr(metric, "total", None), getattr(metric, "count", None)
                if type(metric).result is Mean.result and isinstance(total, torch.Tensor) and \
                        isinstance(count, torch.Tensor) and total.dtype == torch.float32:
                    c = np.float32(count.item())
                    out[name] = 0.0 if c == 0 else float(np.float32(total.item()) / c)
                else:
                    out[name] = float(metric.result())
        return out

    def reset(self):
        self._pending, self._pending_rows, self._pending_elements = [], 0, 0
        for per_output in self.metrics or []:
            for _, metric, _ in per_output:
                metric.reset_state()

    @property
    def all_metrics(self):
        self.flush()
        return [m for per_output in self.metrics or [] for _, m, _ in per_output]


def _base_name(spec):
    if isinstance(spec, str):
        return spec
    if isinstance(spec, metrics_module.Metric):
        return spec.name
    return getattr(spec, "name", None) or getattr(spec, "__name__", "metric")


def _as_list(specs):
    if specs is None:
        return []
    if isinstance(specs, (list, tuple)):
        return list(specs)
    return [specs]
