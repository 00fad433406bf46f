"""`Callback` (Keras's hooks) and `CallbackList`, which calls per-batch hooks only for the
callbacks that define them, and builds per-batch `logs` only when one of them reads them."""

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
    return any(n in vars(callback) or getattr(type(callback), n) is not getattr(Callback, n)
               for n in names)  # (an instance attribute: LambdaCallback's functions)


class LazyLogs(dict):
    """Batch logs, a dict computed on first access (reading metric values waits for the
    device): a callback that never reads its `logs` costs no synchronization."""

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def _fill(self):
        if self._compute is not None:
            compute, self._compute = self._compute, None
            dict.update(self, compute())
        return self


def _lazy(name):
    method = getattr(dict, name)

    def read(self, *args, **kwargs):
        return method(self._fill(), *args, **kwargs)
    read.__name__ = name
    return read


for _name in ("__getitem__", "__iter__", "__len__", "__contains__", "__repr__", "__eq__",
              "__ne__", "__setitem__", "__delitem__", "__or__", "__reversed__", "keys", "items",
              "values", "get", "copy", "pop", "popitem", "setdefault", "update"):
    setattr(LazyLogs, _name, _lazy(_name))
LazyLogs.__hash__ = None


def as_list(callbacks):
    """`callbacks=` as a list: one callback alone is accepted (Keras 3 wraps it); anything that
    is not a callback instance is an error that says what was given."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    for i, cb in enumerate(callbacks):
        if isinstance(cb, type):
            raise TypeError(f"`callbacks[{i}]` is the class {cb.__name__}, not an instance; pass "
                            f"`{cb.__name__}(...)`.")
        if not (hasattr(cb, "set_model") and hasattr(cb, "on_epoch_end")):
            raise TypeError(f"`callbacks[{i}]` must be a `keras.callbacks.Callback`; received "
                            f"{type(cb).__name__} {cb!r:.60}.")
    return list(callbacks)


class CallbackList:
    """The callbacks of one `fit`/`evaluate`/`predict` call, run as one (internal to the trainer)."""

    def __init__(self, callbacks=None, model=None, params=None):
        self.callbacks = as_list(callbacks)
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

    # As in Keras 3, every hook gets a dict of logs (empty where there is nothing to report).
    def on_train_begin(self, logs=None): self._call("on_train_begin", _dict(logs))
    def on_train_end(self, logs=None): self._call("on_train_end", _dict(logs))
    def on_epoch_begin(self, epoch, logs=None): self._call("on_epoch_begin", epoch, _dict(logs))
    def on_epoch_end(self, epoch, logs=None): self._call("on_epoch_end", epoch, _dict(logs))
    def on_test_begin(self, logs=None): self._call("on_test_begin", _dict(logs))
    def on_test_end(self, logs=None): self._call("on_test_end", _dict(logs))
    def on_predict_begin(self, logs=None): self._call("on_predict_begin", _dict(logs))
    def on_predict_end(self, logs=None): self._call("on_predict_end", _dict(logs))

    def on_batch(self, mode, when, step, logs=None):
        name = f"on_{mode}_batch_{when}"
        logs = _dict(logs)
        for cb in self._batch[mode]:
            getattr(cb, name)(step, logs=logs)  # (a keyword, as Keras 3 passes it)


def _dict(logs):
    return {} if logs is None else logs
