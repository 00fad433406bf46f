"""EarlyStopping, ReduceLROnPlateau, CSVLogger, LambdaCallback, TerminateOnNaN,
LearningRateScheduler: Keras 3's semantics."""
import csv
import math
import os
import warnings

import numpy as np
import torch

from cornu.callbacks.callback import Callback


class MonitorCallback(Callback):
    """Shared by callbacks that watch a metric: picks min/max mode as Keras does."""

    def __init__(self, monitor="val_loss", mode="auto", min_delta=0.0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode {mode!r} is unknown, falling back to 'auto'.")
            mode = "auto"
        self.monitor, self.mode = monitor, mode
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        mode = self.mode
        if mode == "auto":
            base = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
            greater = ("acc", "auc", "precision", "recall", "f1", "fmeasure", "r2")
            mode = "max" if any(base.startswith(g) or g in base.split("_") for g in greater) \
                or "accuracy" in base else "min"
        self._resolved_mode = mode
        self.monitor_op = np.greater if mode == "max" else np.less
        self._delta = self.min_delta if mode == "max" else -self.min_delta

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        return bool(self.monitor_op(value - self._delta, reference))

    def _monitor_value(self, logs, warn=True):
        # Any era's name of a metric finds it: Keras 2.2's `val_acc` is `val_accuracy` now.
        from cornu.callbacks.history import HistoryDict
        logs = HistoryDict(logs or {})
        value = logs.get(self.monitor)
        if value is None and warn:
            warnings.warn(f"{type(self).__name__} is conditioned on metric `{self.monitor}` which "
                          f"is not available. Available metrics are: {','.join(logs)}",
                          stacklevel=3)
        return value


class EarlyStopping(MonitorCallback):
    """Stops training when `monitor` has stopped improving.

    Args:
        monitor: the metric to watch (default `val_loss`).
        min_delta: the smallest change that counts as improvement.
        patience: epochs without improvement before stopping.
        mode: `"min"`, `"max"` or `"auto"` (from the metric's name).
        baseline: a value the metric must beat.
        restore_best_weights: put back the weights of the best epoch when stopping.
        start_from_epoch: epochs to wait before watching.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self._monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` when `monitor` has stopped improving.

    Args:
        monitor: the metric to watch (default `val_loss`).
        factor: the multiplier (default 0.1).
        patience: epochs without improvement before reducing.
        mode: `"min"`, `"max"` or `"auto"`.
        min_delta: the smallest change that counts as improvement.
        cooldown: epochs to wait after a reduction.
        min_lr: the learning rate's floor.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        if "epsilon" in kwargs:  # Keras 2 name of min_delta
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau: unexpected keyword argument(s) {sorted(kwargs)}.")
        super().__init__(monitor, mode, min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0, got {factor}.")
        self.factor, self.patience, self.verbose = factor, patience, verbose
        self.cooldown, self.min_lr = cooldown, min_lr
        self.cooldown_counter, self.wait, self.best = 0, 0, None

    def on_train_begin(self, logs=None):
        self.cooldown_counter, self.wait, self.best = 0, 0, None

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        if isinstance(logs, dict):
            logs["learning_rate"] = float(optimizer.learning_rate)
        current = self._monitor_value(logs)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer.learning_rate)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                              f"{new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at the start of each epoch to `schedule(epoch, lr)`
    (or `schedule(epoch)`), and logs it as `learning_rate` (`history['lr']` finds it too).

    Args:
        schedule: a function of the epoch index (from 0) and the current learning rate,
            returning the new learning rate as a float.
        verbose: 1 prints a message each time the rate is set.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            lr = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # a one-argument schedule, as Keras tries it
            lr = self.schedule(epoch)
        if isinstance(lr, (torch.Tensor, np.ndarray)) and lr.ndim == 0:
            lr = lr.item()
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: "
                             f"{lr!r}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(lr)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class CSVLogger(Callback):
    """Streams epoch results to a CSV file (`epoch` column first, then sorted keys)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys = None
        self.writer = None
        self.file = None

    def on_train_begin(self, logs=None):
        exists = os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self.append_header = not (self.append and exists)
        self.file = open(self.filename, "a" if self.append else "w", newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            self.writer = csv.DictWriter(self.file, fieldnames=["epoch"] + self.keys,
                                         delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}}
        self.writer.writerow(row)
        self.file.flush()

    def on_train_end(self, logs=None):
        if self.file is not None:
            self.file.close()
            self.file = None
        self.writer = None


class LambdaCallback(Callback):
    """A callback from plain functions: `LambdaCallback(on_epoch_end=lambda epoch, logs: ...)`."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 on_batch_begin=None, on_batch_end=None, **kwargs):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin or on_batch_begin,
                     on_train_batch_end=on_train_batch_end or on_batch_end, **kwargs)
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stops training when the loss becomes NaN or infinite (reads the loss every batch)."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (math.isnan(loss) or math.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
