"""ModelCheckpoint: saves the model (or its weights) each epoch or every n batches, or only when
the monitored value improves."""
import os
import warnings

from cornu.callbacks.basic import MonitorCallback
from cornu.callbacks.history import HistoryDict


class ModelCheckpoint(MonitorCallback):
    """Saves the model or its weights while training.

    Args:
        filepath: where to save; may hold `{epoch:02d}`, `{batch}` (with an integer
            `save_freq`; counted from 1 in the epoch) and any log key (`{val_loss:.2f}`). Its
            name picks the format: `.keras`, `.weights.h5`, or Keras 2 HDF5 for any other name
            (`.h5`, `best_model.hd5`).
        monitor: the log key `save_best_only` watches.
        verbose: 1 prints a line per save.
        save_best_only: save only when `monitor` improves on the best value so far.
        save_weights_only: `model.save_weights` instead of `model.save`.
        mode: `"min"`, `"max"`, or `"auto"` (max for accuracy-like names, else min).
        save_freq: `"epoch"`, or an integer: save after every that many batches (counted
            across epochs, as Keras counts them; the logs are the batch's).
        initial_value_threshold: the best value to beat before the first save
            (`save_best_only`).
        period: Keras 2: save every `period` epochs.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None, period=None, **kwargs):
        kwargs.pop("options", None)
        if kwargs:
            raise TypeError(f"ModelCheckpoint: unexpected keyword argument(s) {sorted(kwargs)}.")
        super().__init__(monitor, mode)
        self.filepath = os.fspath(filepath)
        self.verbose, self.save_best_only = verbose, save_best_only
        self.save_weights_only = save_weights_only
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)
                                     or save_freq < 1):
            raise ValueError(f"ModelCheckpoint: unrecognized save_freq: {save_freq!r}. Expected "
                             "'epoch' or a positive integer (a number of batches).")
        self.save_freq = save_freq
        self.period = period or 1  # Keras 2: save every `period` epochs
        self.best = initial_value_threshold
        self._current_epoch = 0
        self._batches_since_save = 0
        self._last_batch_seen = None

    @property
    def needs_batch_hooks(self):  # only an integer save_freq reads the batches
        return self.save_freq != "epoch"

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch
        else:
            added = batch - self._last_batch_seen
        self._batches_since_save += added
        self._last_batch_seen = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, dict(logs or {}))

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch" and (epoch + 1) % self.period == 0:
            self._save(epoch, None, logs or {})

    def _save(self, epoch, batch, logs):
        if self.monitor_op is None:
            self._set_monitor_op()
        path = self._format_path(epoch, batch, logs)
        if self.save_best_only and not self._improved(epoch, logs, path):
            return
        if not self.save_best_only and self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if os.path.isdir(path):
            raise IOError("Please specify a non-directory filepath for ModelCheckpoint. "
                          f"Filepath used is an existing directory: {path}")
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)

    def _improved(self, epoch, logs, path):
        current = self._monitor_value(logs, warn=False)
        if current is None:  # Keras 3: warn, and save
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=3)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if not self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
            return False
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                  f"{current:.5f}, saving model to {path}")
        self.best = current
        return True

    def _format_path(self, epoch, batch, logs):
        values = {**logs, "epoch": epoch + 1}
        if batch is not None and "batch" not in logs:
            values["batch"] = batch + 1
        values = HistoryDict(values)
        try:
            return self.filepath.format_map(values)
        except KeyError as error:  # KeyError, as Keras 3 raises, with the keys that exist
            raise KeyError(f"ModelCheckpoint: filepath {self.filepath!r} names {{{error.args[0]}}}"
                           f", which is not among this epoch's keys: {sorted(values)}.") from None
        except (ValueError, IndexError) as error:
            raise ValueError(f"ModelCheckpoint: cannot format filepath {self.filepath!r} with "
                             f"this epoch's values {dict(values)}: {error}.") from None
