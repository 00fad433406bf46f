"""The loops of `fit`/`evaluate`/`predict` for a model that overrides a step (Keras 3's torch
trainer): each batch goes to `model.train_step(data)` (`test_step`, `predict_step`) as the tuple
`(x,)`, `(x, y)` or `(x, y, sample_weight)`, and what the step returns becomes the logs.

A step may return nested dicts (`{m.name: m.result() for m in self.metrics}` holds the compiled
metrics' dict under `compile_metrics`): logs are flattened to scalars by name. Values stay
tensors until something reads them (a callback's batch logs, the epoch's end), so a step costs
no host synchronization.
"""
from collections.abc import Mapping

import numpy as np
import torch

from cornu.callbacks.callback import LazyLogs
from cornu.trainers.compiled_step import step_function
from cornu.utils.packing import pack_x_y_sample_weight


def flatten_logs(logs, check_only=False):
    """A step's logs (maybe nested dicts) → `{name: float}`; a leaf that is not a scalar is an
    error naming it. `check_only` checks shapes without reading values (no host sync)."""
    out = {}
    _flatten_into(out, logs, check_only)
    return out


def _flatten_into(out, logs, check_only, where="logs"):
    if logs is None:
        return
    if not isinstance(logs, Mapping):
        raise ValueError(f"A train/test step must return a dict of metric values (or None); "
                         f"{where} is a {type(logs).__name__}.")
    for key, value in logs.items():
        if isinstance(value, Mapping):
            _flatten_into(out, value, check_only, f"{where}[{key!r}]")
            continue
        if isinstance(value, (torch.Tensor, np.ndarray)):
            if (value.numel() if isinstance(value, torch.Tensor) else value.size) != 1:
                raise ValueError(
                    f"The value of {key!r} in the logs a train/test step returned has shape "
                    f"{tuple(value.shape)}: each value must be a scalar (a 0-d tensor or a "
                    "number), or a dict of them. Reduce it (e.g. `ops.mean`) or leave it out.")
            out[key] = value if check_only else float(value.reshape(()))
        elif isinstance(value, (int, float, np.number, bool)):
            out[key] = value if check_only else float(value)
        else:
            out[key] = value  # strings and other objects pass through, as in Keras


class StepLoop:
    """`fit`/`evaluate`/`predict` through the model's public step methods."""

    builtin = False

    def __init__(self, model):
        self.model = model

    def _step(self, name):
        """`model.<name>`, or its `torch.compile`d form under `compile(jit_compile=True)`."""
        return step_function(self.model, name)

    def _run(self, loop, *args):
        """Runs `loop`, with `compute_loss` told (once) whether any layer can add losses."""
        model = self.model
        model.__dict__["_may_add_losses"] = model._regularized()
        try:
            return loop(*args)
        finally:
            model.__dict__.pop("_may_add_losses", None)
            model._clear_activity_losses()

    def _logs_at_end(self, last):
        """The epoch's logs, as Keras 3: the metrics' results when the last step's logs name the
        same metrics, otherwise the last step's logs."""
        if last is None:
            return {}
        logs = flatten_logs(last)
        metric_logs = flatten_logs(self.model._metrics_result())
        return metric_logs if set(metric_logs) == set(logs) else logs

    def train_epoch(self, batches, callback_list, first=0):
        return self._run(self._train_epoch, batches, callback_list, first)

    def test_epoch(self, adapter, progbar=None, callback_list=None):
        return self._run(self._test_epoch, adapter, progbar, callback_list)

    def _train_epoch(self, batches, callback_list, first=0):
        model, hooks = self.model, callback_list.needs_batch_hooks("train")
        train_step = self._step("train_step")
        last, steps = None, first
        # Keras 3's torch fit: the model in training mode for the epoch's steps (torch layers
        # inside follow it), back in inference mode before validation. (`self(x,
        # training=True)` in each step then switches no mode: ~160 bytecodes a step.)
        model.train(True)
        for step, (xb, yb, swb) in enumerate(batches, first):
            if hooks:
                callback_list.on_batch("train", "begin", step, {})
            logs = train_step(pack_x_y_sample_weight(xb, yb, swb))
            if step == first:
                flatten_logs(logs, check_only=True)
            last, steps = logs, step + 1
            if hooks:
                callback_list.on_batch("train", "end", step,
                                       LazyLogs(lambda logs=logs: flatten_logs(logs)))
            if model.stop_training:
                break
        model.train(False)
        return steps, self._logs_at_end(last)

    # (Keras 3's train_on_batch/test_on_batch hand the step `(x, y, sample_weight)`, Nones kept)
    def train_batch(self, x, y, sw):
        return self._logs_at_end(self._step("train_step")((x, y, sw)))

    def test_batch(self, x, y, sw):
        with torch.no_grad():
            return self._logs_at_end(self._step("test_step")((x, y, sw)))

    def _test_epoch(self, adapter, progbar=None, callback_list=None):
        test_step = self._step("test_step")
        last, steps = None, 0
        with torch.no_grad():
            for step, (xb, yb, swb) in enumerate(adapter.batches()):
                if callback_list is not None:
                    callback_list.on_batch("test", "begin", step, {})
                logs = test_step(pack_x_y_sample_weight(xb, yb, swb))
                if step == 0:
                    flatten_logs(logs, check_only=True)
                last, steps = logs, step + 1
                if progbar is not None and progbar.needs_every_step:
                    progbar.update(steps, lambda: list(flatten_logs(last).items()),
                                   finalize=False)
                if callback_list is not None:
                    callback_list.on_batch("test", "end", step,
                                           LazyLogs(lambda logs=logs: flatten_logs(logs)))
        return steps, self._logs_at_end(last)

    def predict_outputs(self, data):
        with torch.no_grad():
            return self._step("predict_step")(pack_x_y_sample_weight(*data))
