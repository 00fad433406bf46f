"""`Callback` (Keras's hooks) and `CallbackList`, which calls per-batch hooks only for the
callbacks that define them, and builds per-batch `logs` only when one of them reads them."""
from collections.abc import Mapping


class Callback:
    """The base class of callbacks: override the `on_*` methods you need.

    `fit`, `evaluate` and `predict` call `on_train_begin`/`end`, `on_epoch_begin`/`end`,
    `on_train_batch_begin`/`end` (and the test/predict forms) with a `logs` dict of the
    current metric values. `self.model` is the model being trained; setting
    `self.model.stop_training = True` ends `fit` after the current batch.
    """

    def __init__(self):
        self.model = None
        self.params = {}
        self.validation_data = None

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs)
    def on_batch_begin(self, batch, logs=None): pass  # Keras 2 names
    def on_batch_end(self, batch, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def _overrides(callback, names):
    flag = getattr(callback, "needs_batch_hooks", None)
    if flag is not None:
        return bool(flag)
    return any(getattr(type(callback), n) is not getattr(Callback, n) for n in names)


class LazyLogs(Mapping):
    """Batch logs computed on first access (reading metric values waits for the device)."""

    def __init__(self, compute):
        self._compute = compute
        self._values = None

    def _get(self):
        if self._values is None:
            self._values = self._compute()
        return self._values

    def __getitem__(self, key):
        return self._get()[key]

    def __iter__(self):
        return iter(self._get())

    def __len__(self):
        return len(self._get())

    def __repr__(self):
        return repr(dict(self._get()))


class CallbackList:
    """The callbacks of one `fit`/`evaluate`/`predict` call, run as one (internal to the trainer)."""

    def __init__(self, callbacks=None, model=None, params=None):
        self.callbacks = list(callbacks or [])
        self.model = model
        self.params = params if params is not None else {}
        for cb in self.callbacks:
            if model is not None:
                cb.set_model(model)
            cb.set_params(self.params)
        self._batch = {mode: [cb for cb in self.callbacks if _overrides(cb, names)]
                       for mode, names in _BATCH_HOOKS.items()}

    def append(self, callback):
        self.callbacks.append(callback)

    def needs_batch_hooks(self, mode):
        return bool(self._batch[mode])

    def _call(self, name, *args):
        for cb in self.callbacks:
            getattr(cb, name)(*args)

    def on_train_begin(self, logs=None): self._call("on_train_begin", logs)
    def on_train_end(self, logs=None): self._call("on_train_end", logs)
    def on_epoch_begin(self, epoch, logs=None): self._call("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._call("on_epoch_end", epoch, logs)
    def on_test_begin(self, logs=None): self._call("on_test_begin", logs)
    def on_test_end(self, logs=None): self._call("on_test_end", logs)
    def on_predict_begin(self, logs=None): self._call("on_predict_begin", logs)
    def on_predict_end(self, logs=None): self._call("on_predict_end", logs)

    def on_batch(self, mode, when, step, logs=None):
        name = f"on_{mode}_batch_{when}"
        for cb in self._batch[mode]:
            getattr(cb, name)(step, logs)
