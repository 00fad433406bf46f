"""History: the per-epoch logs of `fit`, under the names the user gave."""
from cornu.callbacks.callback import Callback


class HistoryDict(dict):
    """A dict of metric histories where any era's name of a metric finds it: with
    `metrics=['acc']`, `history['accuracy']` and `history['val_accuracy']` work too."""

    def _resolve(self, key):
        from cornu.metrics import alias_group
        if not isinstance(key, str):
            return None
        prefix = "val_" if key.startswith("val_") else ""
        base = key[len(prefix):]
        for alias in alias_group(base):
            if dict.__contains__(self, prefix + alias):
                return prefix + alias
        return None

    def __missing__(self, key):
        resolved = self._resolve(key)
        if resolved is None:
            raise KeyError(key)
        return dict.__getitem__(self, resolved)

    def __contains__(self, key):
        return dict.__contains__(self, key) or self._resolve(key) is not None

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


class History(Callback):
    """Records each epoch's logs: `fit` returns it, and `.history` maps each metric name to its
    list of values (`history.history["loss"]`)."""

    def __init__(self):
        super().__init__()
        self.history = HistoryDict()
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = HistoryDict()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None and self.model.__dict__.get("history") is not self:
            self.model.history = self  # (once: nn.Module.__setattr__ costs microseconds)
