"""ModelCheckpoint: saves the model (or its weights) each epoch, or only when it improves."""
import os

from cornu.callbacks.basic import MonitorCallback
from cornu.callbacks.history import HistoryDict


class ModelCheckpoint(MonitorCallback):
    """`filepath` may hold `{epoch:02d}` and any log key (`{val_loss:.2f}`); its name picks the
    format (`.keras`, `.weights.h5`, or Keras 2 HDF5 for other names such as `best_model.hd5`)."""

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
        if save_freq != "epoch":
            raise ValueError("ModelCheckpoint: only save_freq='epoch' is supported.")
        self.period = period or 1  # Keras 2: save every `period` epochs
        self.best = initial_value_threshold

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if (epoch + 1) % self.period:
            return
        if self.monitor_op is None:
            self._set_monitor_op()
        path = self._format_path(epoch, logs)
        if self.save_best_only:
            current = self._monitor_value(logs)
            if current is None:
                return
            if not self._is_improvement(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                previous = "inf" if self.best is None else f"{self.best:.5f}"
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {previous} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)

    def _format_path(self, epoch, logs):
        values = HistoryDict({**logs, "epoch": epoch + 1})
        try:
            return self.filepath.format_map(values)
        except KeyError as error:  # KeyError, as Keras 3 raises, with the keys that exist
            raise KeyError(f"ModelCheckpoint: filepath {self.filepath!r} names {{{error.args[0]}}}"
                           f", which is not among this epoch's keys: {sorted(values)}.") from None
        except (ValueError, IndexError) as error:
            raise ValueError(f"ModelCheckpoint: cannot format filepath {self.filepath!r} with "
                             f"this epoch's values {dict(values)}: {error}.") from None
