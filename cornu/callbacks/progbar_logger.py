"""ProgbarLogger: prints `Epoch 1/5` and the progress bar (see utils/progbar.py)."""
import sys

from cornu.callbacks.callback import Callback
from cornu.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints the `Epoch 1/5` lines and the progress bar of `fit`, `evaluate` and `predict`
    (tf.keras 2's text). `fit(verbose=...)` adds it: 1 a bar, 2 one line per epoch."""

    def __init__(self, count_mode="steps", verbose=1):
        super().__init__()
        self.verbose = verbose
        self.progbar = None
        self.needs_batch_hooks = False
        self.nan_watch = None  # fit's NanWatch (callbacks/nan_watch.py), when fit added this bar

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", self.verbose)
        self.epochs = params.get("epochs", 1)
        self.steps = params.get("steps")
        probe = Progbar(self.steps, verbose=self.verbose)
        self.needs_batch_hooks = probe.needs_every_step

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose and self.epochs > 1:
            sys.stdout.write(f"Epoch {epoch + 1}/{self.epochs}\n")
            sys.stdout.flush()
        self.progbar = Progbar(self.steps, verbose=self.verbose)
        self._seen, self._epoch = 0, epoch

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        self.progbar.update(self._seen, (lambda: self._read(batch, logs)) if logs is not None
                            else None, finalize=False)

    def _read(self, batch, logs):
        """The values the bar prints, read only when it redraws; fit's NaN watch sees them."""
        items = list(logs.items())
        if self.nan_watch is not None:
            self.nan_watch.seen(self._epoch, batch, items)
        return items

    def on_epoch_end(self, epoch, logs=None):
        steps = self.params.get("steps_done", self.steps)
        self.progbar.target = self.progbar.target or steps
        self.progbar.update(steps, list((logs or {}).items()), finalize=True)
