"""`compile`, `fit`, `evaluate`, `predict`: one trainer for every model (Keras 3's `Trainer`).

`fit`/`evaluate`/`predict` call the public, overridable `train_step(data)`, `test_step(data)`
and `predict_step(data)`, which build on `compute_loss`, `compute_metrics` and `self.metrics`,
as Keras 3 documents them for the torch backend (trainers/step_loop.py runs them). A model that
overrides none of these runs the built-in loops of trainers/builtin_steps.py instead: the same
numbers, cheaper. Data goes through one adapter (`data_adapters.get`) and is converted to
tensors once per call.
"""
import inspect
import math
import warnings

import numpy as np
import torch

from cornu.backend.config import module_device
from cornu import config as keras_config
from cornu import optimizers as optimizers_module
from cornu.callbacks import callback as callback_module
from cornu.callbacks.callback import CallbackList, LazyLogs
from cornu.callbacks.history import History
from cornu.callbacks.nan_watch import NanWatch
from cornu.callbacks.progbar_logger import ProgbarLogger
from cornu.layers import tracking
from cornu.trainers import arguments, auto_jit, distributed, fast_predict, modes, threads
from cornu.trainers import data_adapters as adapters
from cornu.trainers.builtin_steps import OVERRIDABLE, BuiltinLoop, BuiltinSteps
from cornu.trainers.compile_utils import (CompileLoss, CompileMetrics, LossTracker,
                                          per_output_weights)
from cornu.trainers.step_loop import StepLoop, flatten_logs
from cornu.utils import legacy
from cornu.utils.packing import unpack_x_y_sample_weight
from cornu.utils.progbar import Progbar

_BUILTIN = {}  # (class, kind) -> whether the class overrides no step method
_TAKES_TRAINING = {}  # class -> whether its compute_loss takes `training`


def _batch_size(x):
    return next(t for t in adapters.flat(x) if t is not None).shape[0]


class Trainer(BuiltinSteps):
    """The training half of `Model`: `compile`, `fit`, `evaluate`, `predict` and their state
    (optimizer, compiled loss and metrics, `history`, `stop_training`).

    A Model is a Trainer and a Layer, as in Keras 3. `fit`/`evaluate`/`predict` call the public
    `train_step`/`test_step`/`predict_step`, which subclasses may override; where none is
    overridden, the built-in loops of trainers/builtin_steps.py run instead.
    """

    def __init__(self):
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = LossTracker()
        self.jit_compile = False
        self._jit_step = None

    # ----------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Configures the model for training: `optimizer`, `loss`, `metrics` (Keras 3's).

        `jit_compile`: True compiles the train step with `torch.compile` (trainers/jit.py; a
        model's own `train_step` too); False runs it eagerly; "auto" (the default) compiles the
        built-in step only where a fit is long enough for it to pay: decided at the start of
        each `fit` from its full-size batches of in-memory data, the model's layers and the
        device (trainers/auto_jit.py; no fit of fewer than 10,000 steps compiles), recorded in
        `history.jit`, printed by `verbose=2`, kept by BackupAndRestore. `model.jit_compile`
        is True only for True, as in Keras 3. See docs/PERFORMANCE.md."""
        for key in ("sample_weight_mode", "target_tensors", "distribute", "experimental_run_tf_function"):
            kwargs.pop(key, None)
        kwargs = legacy.translate("compile", kwargs, "Model.compile")
        if kwargs:
            raise TypeError(f"compile() got unexpected keyword argument(s) {sorted(kwargs)}.")
        loss_weights, metrics = legacy.compile_positional(loss_weights, metrics)
        if loss is None and self.compiled:  # Keras 3: compiling again without a loss keeps it
            loss = self._loss_spec
            loss_weights = self._loss_weights if loss_weights is None else loss_weights
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = loss
        self._loss_spec, self._loss_weights = loss, loss_weights
        self._metrics_spec, self._weighted_spec = metrics, weighted_metrics
        auto_jit.configure(self, jit_compile, run_eagerly)  # ("auto": decided per fit)
        self._jit_step = None
        self.__dict__.pop("_jit_user_steps", None)  # (trainers/compiled_step.py)
        self.run_eagerly = run_eagerly
        self._compile_loss = None
        self._compile_metrics = None
        self.compiled = True
        if self.built:
            self._build_compile()

    def _output_names(self):
        names = getattr(self, "output_names", None)
        return list(names) if names else ["output"]

    def _build_compile(self):
        names = self._output_names()
        self._compile_loss = CompileLoss(self._loss_spec, self._loss_weights, names)
        self._compile_metrics = CompileMetrics(self._metrics_spec, self._weighted_spec, names,
                                               self._compile_loss.fns)

    def _assert_compiled(self):
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model for training "
                               "or evaluation.")

    # ----------------------------------------------------------------- metrics
    @property
    def metrics_names(self):
        if not self.compiled:
            return []
        if self._compile_loss is None and self.built:
            self._build_compile()
        if type(self).metrics is not Trainer.metrics:
            return [n for m in self.metrics for n in
                    (m.names() if isinstance(m, CompileMetrics) else [m.name])]
        names = ["loss"]
        if self._compile_loss is not None and self._compile_loss.multi:
            names += [f"{n}_loss" for n, fn in zip(self._compile_loss.output_names,
                                                   self._compile_loss.fns) if fn is not None]
        if self._compile_metrics is not None:
            names += self._compile_metrics.names()
        elif self._metrics_spec:
            names += [m if isinstance(m, str) else getattr(m, "name", getattr(m, "__name__", "metric"))
                      for m in arguments.listify(self._metrics_spec)]
        return names + [m.name for m in self._own_metrics()]

    @property
    def metrics(self):
        """Keras 3's list: the loss tracker (`loss`), the compiled metrics' container (whose
        `result()` is a dict), per-output loss trackers, then the model's own `Metric`s.
        A new list, kept (a `train_step` reads it every step) until what it is made of changes:
        the compiled objects (`compile()` makes new ones) or the metrics the layers hold."""
        compiled = self.compiled
        if compiled and self._compile_loss is None and self.built:
            self._build_compile()
        # (compile() makes new compiled objects, or None until built: the specs follow them)
        key = (tracking.METRICS_VERSION[0], compiled, self._compile_loss, self._compile_metrics)
        cached = self.__dict__.get("_metrics_list")
        if cached is None or cached[0] != key:
            out = []
            if compiled:
                out.append(self._loss_tracker)
                if self._compile_metrics is not None and (self._metrics_spec or
                                                          self._weighted_spec):
                    out.append(self._compile_metrics)
                if self._compile_loss is not None:
                    out.extend(self._compile_loss.metrics)
            cached = self.__dict__["_metrics_list"] = (key, out + self._own_metrics())
        return list(cached[1])

    def train(self, mode=True):
        """`nn.Module.train(mode)`, with the flags set directly: a `self(x, training=True)`
        call switches modes twice per step, and `nn.Module.__setattr__` per module costs
        microseconds. A module with its own `train()` gets it called, for its subtree."""
        modes.set_mode(self, bool(mode))
        return self

    train.sets_flags_only = True  # the fit loop may set the flags itself (_mode_setter)

    def _own_metrics(self):
        """The `Metric`s the model and its layers hold as attributes (Keras 3 tracks them),
        cached until a layer gains or loses a metric or a sublayer."""
        cached = self.__dict__.get("_held_metrics")
        if cached is None or cached[0] != tracking.METRICS_VERSION[0]:
            cached = self.__dict__["_held_metrics"] = (tracking.METRICS_VERSION[0],
                                                       tracking.held_metrics(self))
        return cached[1]

    def reset_metrics(self):
        if type(self).metrics is not Trainer.metrics:
            for metric in self.metrics:  # a `metrics` property of the user's own
                metric.reset_state()
            return
        self._loss_tracker.reset_state()
        if self._compile_loss is not None:
            self._compile_loss.reset()
        if self._compile_metrics is not None:
            self._compile_metrics.reset()
        for metric in self._own_metrics():
            metric.reset_state()

    def _metrics_result(self):
        """`{name: result}` over `self.metrics` (tensors; a container's dict merged in)."""
        out = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                out.update(result)
            else:
                out[metric.name] = result
        return out

    def get_metrics_result(self):
        """The current results of `self.metrics` as a flat dict of Python floats."""
        return flatten_logs(self._metrics_result())

    # -------------------------------------------------------- Keras 3's steps
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of `y` and `y_pred` plus the model's `self.losses` (regularizers,
        `add_loss`): a 0-d tensor. Override it for losses the compiled one cannot express."""
        loss = None
        compile_loss = self._compile_loss
        if compile_loss is None and self.compiled:
            self._build_compile()
            compile_loss = self._compile_loss
        if compile_loss is not None and compile_loss.any_loss:
            ys, preds = self._as_lists(y, y_pred)
            if not compile_loss.checked:
                compile_loss.check(ys, preds)
            loss = compile_loss(ys, preds, None if sample_weight is None else
                                per_output_weights(sample_weight, len(preds)))
        # (In fit/evaluate, a model no layer of which can add losses skips the walk.)
        extra = self.losses if self.__dict__.get("_may_add_losses", True) \
            else self._activity_losses
        if extra:
            loss = sum(extra[1:], extra[0]) if loss is None else sum(extra, loss)
            self._clear_activity_losses()
        if loss is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`, add "
                             "losses with `add_loss`, or override `compute_loss`.")
        return loss

    def _compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """`compute_loss` as the built-in steps call it: with `training` where the (maybe
        overridden) method takes it, checked to be a scalar."""
        cls = type(self)
        takes = _TAKES_TRAINING.get(cls)
        if takes is None:
            params = inspect.signature(self.compute_loss).parameters
            takes = _TAKES_TRAINING[cls] = "training" in params or any(
                p.kind is p.VAR_KEYWORD for p in params.values())
        kwargs = {"training": training} if takes else {}
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, **kwargs)
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
            shape = tuple(loss.shape) if hasattr(loss, "shape") else type(loss).__name__
            raise ValueError(f"{cls.__name__}.compute_loss() must return a scalar loss (a 0-d "
                             f"tensor); it returned {shape}. Reduce it, e.g. with `ops.mean`.")
        return loss.reshape(()) if loss.ndim else loss

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics; returns the results of `self.metrics` as a dict
        (computed when first read, so a step that returns it waits for nothing)."""
        if self._compile_metrics is not None and (self._metrics_spec or self._weighted_spec):
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return LazyLogs(self._metrics_result)

    def train_step(self, data):
        """One training step on `data` (`x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`):
        forward pass, `compute_loss`, `backward()`, `optimizer.apply`; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        self.zero_grad()
        loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                  training=True)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        if self.optimizer is not None:
            loss = self.optimizer.scale_loss(loss)
        weights = self.trainable_weights
        if weights:
            loss.backward()
            with torch.no_grad():
                self.optimizer.apply([v.grad for v in weights], weights)
        else:
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """One evaluation step on `data`: forward pass, `compute_loss`, metrics; the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                  training=False)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's outputs on the inputs of `data`."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _loop(self, kind="train"):
        """The built-in loops, or the step methods' loop: decided once per fit/evaluate/predict."""
        cls = type(self)
        builtin = _BUILTIN.get((cls, kind))
        if builtin is None:
            names = ("predict_step",) if kind == "predict" else OVERRIDABLE
            builtin = _BUILTIN[(cls, kind)] = all(
                getattr(cls, name) is getattr(Trainer, name) for name in names)
        if kind == "predict" and builtin:  # (holds nothing of a call: kept for the next one)
            return self.__dict__.get("_predict_loop") or \
                self.__dict__.setdefault("_predict_loop", BuiltinLoop(self))
        if builtin and self._own_metrics():
            builtin = False
        return BuiltinLoop(self) if builtin else StepLoop(self)

    # ------------------------------------------------------------- data prep
    _device = module_device  # the device of the model's first parameter

    def _input_specs(self):
        return list(getattr(self, "inputs", None) or [])

    def _ensure_built(self, x):
        if self.built:
            return
        flat = adapters.flat(adapters._structure(x))
        shapes = [(None,) + tuple(a.shape[1:]) if isinstance(a, torch.Tensor)
                  else (None,) + tuple(adapters.as_array(a).shape[1:]) for a in flat]
        if len(shapes) == 1 and len(shapes[0]) == 1:
            shapes = [(None, 1)]  # Keras 2: 1-D data is one feature per sample
        self.build(shapes[0] if len(shapes) == 1 else shapes)
        if self.compiled and self._compile_loss is None:
            self._build_compile()

    def _prepare_x(self, x, method="predict", device=None):
        arguments.check_x(x, method)
        if isinstance(x, list) and adapters._is_scalar_list(x):
            arguments.check_ragged(x, f"Model.{method}: `x`")
        self._ensure_built(x)
        if isinstance(x, dict):  # (the names are read only where they order the data)
            x = adapters.order_by_names(x, getattr(self, "input_names", None), "input")
        specs = self._input_specs()
        x = adapters.standardize_x(x, specs, device or self._device())
        self._check_inputs(x, specs)
        return x

    def _check_inputs(self, x, specs):
        if not specs:
            return
        arrays = adapters.flat(x)
        if len(arrays) != len(specs):
            raise ValueError(f"Model {self.name!r} expects {len(specs)} input(s), but it received "
                             f"{len(arrays)} input array(s).")
        for i, (array, spec) in enumerate(zip(arrays, specs)):
            if isinstance(array, np.ndarray) and not arguments.takes_text(spec):
                raise arguments.text_error(self.name, i, array)
            expected, found = spec.shape, tuple(array.shape)
            if found[1:] == expected[1:] and len(found) == len(expected):
                continue  # (every size known and equal: the test below passes; cheaper per call)
            if len(found) != len(expected):  # (Keras 3 adjusts a rank by one for an axis of 1)
                found = arguments.rank_adjusted(found, expected)
            if len(expected) == len(found) and all(
                    e is None or e == f for e, f in zip(expected[1:], found[1:])):
                continue
            hint = ""
            if len(expected) == len(found) and expected[-1] != found[-1]:
                hint = (f" The data has {found[-1]} features but the model was declared with "
                        f"{expected[-1]} (check `input_shape`/`input_dim`).")
            layer = spec._keras_history[0].name if spec._keras_history else self.name
            raise ValueError(f"Input {i} of layer {self.name!r} is incompatible with the layer: "
                             f"expected shape={expected}, found shape={found} "
                             f"(input layer {layer!r}).{hint}")

    def _prepare(self, x, y, sample_weight, class_weight=None, method="fit"):
        x = self._prepare_x(x, method)
        if isinstance(y, list) and y and adapters._is_scalar_list(y):
            arguments.check_ragged(y, f"Model.{method}: `y`")
        device = self._device()
        names = self._output_names()
        y = adapters.standardize_y(adapters.order_by_names(y, names, "output", True), device)
        sample_weight = adapters.order_by_names(sample_weight, names, "output", True)
        sw = adapters.standardize_sample_weight(sample_weight, device)
        if class_weight is not None and y is not None:
            cw = adapters.class_weights_to_sample_weights(y, class_weight)
            sw = cw if sw is None else adapters.map_arrays(lambda s: s * cw, sw)
        return x, y, sw

    def _preparer(self, method, loop):
        """`data_adapters.get`'s conversion; the built-in steps need targets for a loss."""
        def prepare(x, y, sample_weight, class_weight):
            x, y, sw = self._prepare(x, y, sample_weight, class_weight, method)
            if y is None and loop.builtin and self._loss_spec is not None:
                raise ValueError(f"{method}() needs targets: pass `y` (or a generator of "
                                 "(x, y) batches).")
            return x, y, sw
        return prepare

    # --------------------------------------------------------------------- fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, **kwargs):
        """Trains the model; returns a `History` whose `.history` maps metric names to lists."""
        kwargs = legacy.translate("fit", {**kwargs, "batch_size": batch_size}, "Model.fit")
        batch_size = kwargs.pop("batch_size")
        epochs = kwargs.pop("epochs", epochs)
        steps_per_epoch = kwargs.pop("steps_per_epoch", steps_per_epoch)
        validation_steps = kwargs.pop("validation_steps", validation_steps)
        arguments.check_fit(batch_size, epochs, validation_split, initial_epoch, steps_per_epoch,
                            validation_steps, validation_freq, class_weight)
        epochs, steps_per_epoch = keras_config.fit_limits(epochs, steps_per_epoch)
        options = dict(arguments.check_kwargs("fit", kwargs), device=self._device())
        self._assert_compiled()
        verbose, loop = arguments.verbosity(verbose), self._loop()
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = adapters.split_validation(
                x, y, sample_weight, validation_split)
        train = adapters.get(x, y, sample_weight, batch_size, shuffle, steps_per_epoch,
                             class_weight, self._preparer("fit", loop), **options)
        val = None if validation_data is None else adapters.get_validation(
            validation_data, validation_batch_size or batch_size, validation_steps,
            self._preparer("fit", loop), options)
        callbacks = callback_module.as_list(callbacks)
        dist = distributed.session()  # several processes (torchrun): DDP, data by rank
        if dist is not None:
            loop, train, val, callbacks, verbose = dist.for_fit(self, loop, train, val,
                                                                callbacks, verbose)
        history, watch = History(), NanWatch()
        progbar = [ProgbarLogger()] if verbose else []
        for logger in progbar:
            logger.nan_watch = watch
        callback_list = CallbackList(
            callback_module.as_list(callbacks) + progbar + [history],
            model=self, params={"verbose": verbose, "epochs": epochs,
                                "steps": train.steps_per_epoch})
        self.stop_training = False
        chosen = threads.enter(self, "fit", train, verbose)  # the call's intra-op threads
        jit = auto_jit.enter(self, loop, train, epochs, initial_epoch, verbose, dist is not None)
        try:
            callback_list.on_train_begin({})
            # BackupAndRestore sets where a restored run starts (Keras 3's `_initial_epoch`)
            # and may hand over the first epoch's batches with those already trained skipped.
            initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
            epoch_logs = {}
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callback_list.on_epoch_begin(epoch, {})
                batches, first = train.batches(), 0
                resume = self.__dict__.pop("_resume_batches", None)
                if resume is not None:
                    batches, first = resume(batches)
                steps, epoch_logs = loop.train_epoch(batches, callback_list, first)
                if train.exhausted and not steps:
                    break  # a generator read to its end: no data for this epoch
                callback_list.params["steps_done"] = steps
                watch.epoch_end(epoch, steps, epoch_logs)  # host floats already: no sync
                if val is not None and (epoch + 1) % validation_freq == 0:
                    val_logs = self._test_loop(loop, val, callback_list)
                    epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                callback_list.on_epoch_end(epoch, epoch_logs)
                if train.exhausted and epoch + 1 < epochs:
                    if steps_per_epoch is None:
                        warnings.warn(adapters.RAN_OUT, stacklevel=2)
                    break
                if self.stop_training:
                    break
        finally:
            history.threads, history.jit = threads.leave(self, chosen), auto_jit.leave(self, jit)
            self.train(False)
            for adapter in (a for a in (train, val) if a is not None):
                adapter.close()
        if getattr(self.optimizer, "use_ema", False) and self.optimizer.built:
            self.optimizer.finalize_variable_values(self._trainable_params())  # Keras 3
        callback_list.on_train_end(epoch_logs)
        self.history = history
        return history

    # ---------------------------------------------------------------- evaluate
    def _test_loop(self, loop, adapter, callback_list, progbar=None):
        callback_list.on_test_begin({})
        self.reset_metrics()
        mode = self.training
        self.train(False)
        chosen = threads.enter(self, "evaluate", adapter, 0)  # (inside fit: fit's choice)
        try:
            steps, logs = loop.test_epoch(
                adapter, progbar, callback_list if callback_list.needs_batch_hooks("test") else None)
        finally:
            threads.leave(self, chosen)
            self.train(mode)
        if progbar is not None:
            progbar.target = progbar.target or steps
            progbar.update(steps, list(logs.items()), finalize=True)
        callback_list.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Returns the loss (a scalar), or `[loss, *metrics]` in `metrics_names` order."""
        options = arguments.check_kwargs("evaluate", legacy.translate("evaluate", kwargs, "Model.evaluate"))
        self._assert_compiled()
        verbose, loop = arguments.verbosity(verbose), self._loop("test")
        arguments.check_batch_size(batch_size, "evaluate")
        arguments.check_steps(steps, "steps", "evaluate")
        adapter = adapters.get(x, y, sample_weight, batch_size, steps=steps,
                               prepare=self._preparer("evaluate", loop), device=self._device(),
                               **options)
        dist = distributed.session()
        if dist is not None:
            loop, adapter, callbacks, verbose = dist.for_evaluate(self, loop, adapter, callbacks,
                                                                  verbose)
        callback_list = CallbackList(callbacks, model=self, params={
            "verbose": verbose, "epochs": 1, "steps": adapter.steps_per_epoch})
        progbar = Progbar(adapter.steps_per_epoch, verbose=verbose) if verbose else None
        try:
            logs = self._test_loop(loop, adapter, callback_list, progbar)
        finally:
            adapter.close()
        return logs if return_dict else self._ordered_values(logs)

    def _ordered_values(self, logs):
        """Values in `metrics_names` order (then any other keys, sorted); one value alone."""
        names = self.metrics_names
        values = [logs[n] for n in names if n in logs]
        values += [logs[k] for k in sorted(logs) if k not in names]
        return values[0] if len(values) == 1 else values

    # ----------------------------------------------------------------- predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        """Runs the model in inference mode, in batches; returns NumPy arrays."""
        if verbose == 0 and steps is None and not callbacks and not kwargs and \
                (outputs := fast_predict.run(self, x, batch_size)) is not None:
            return outputs  # (a chain of Dense layers on NumPy data: trainers/fast_predict.py)
        options = arguments.check_kwargs("predict", kwargs)
        verbose, loop = arguments.verbosity(verbose), self._loop("predict")
        arguments.check_batch_size(batch_size, "predict")
        arguments.check_steps(steps, "steps", "predict")  # (`x` is checked by _prepare_x)
        device = self._device()
        adapter = adapters.get(x, batch_size=batch_size, steps=steps, device=device, prepare=lambda
                               bx, by, bsw, cw: (self._prepare_x(bx, device=device), None, None),
                               **options)
        # Predict stops at the end of the data (as arrays cut here without `steps` already do).
        if isinstance(adapter, adapters.ArrayAdapter) and (steps is not None or adapter is x):
            adapter.steps_per_epoch = min(adapter.steps_per_epoch,
                                          math.ceil(adapter.num_samples / adapter.batch_size))
        dist = distributed.session()
        if dist is not None:  # each rank predicts its share; `gather` joins them on all
            adapter, verbose, gather = dist.for_predict(self, adapter, verbose)
        target = adapter.steps_per_epoch
        progbar = Progbar(target, verbose=verbose) if verbose else None
        callback_list = CallbackList(callbacks, model=self, params={
            "verbose": verbose, "epochs": 1, "steps": target}) if callbacks else None
        hooks = callback_list is not None and callback_list.needs_batch_hooks("predict")
        if callback_list is not None:  # (none given: predict on a sample calls no hooks)
            callback_list.on_predict_begin({})
        mode = self.training
        if mode:
            self.train(False)
        outputs, chosen = [], threads.enter(self, "predict", adapter, 0)
        try:
            for step, data in enumerate(adapter.batches()):
                if hooks:
                    callback_list.on_batch("predict", "begin", step, {})
                outputs.append(loop.predict_outputs(data))
                if hooks:
                    callback_list.on_batch("predict", "end", step, {"outputs": outputs[-1]})
                if progbar is not None and progbar.needs_every_step:
                    progbar.update(step + 1, finalize=False)
        finally:
            threads.leave(self, chosen)
            adapter.close()
            if mode:
                self.train(True)
        if progbar is not None:
            progbar.update(len(outputs), finalize=True)
        if callback_list is not None:
            callback_list.on_predict_end({})
        outputs = adapters.concat_outputs(outputs)
        return outputs if dist is None else gather(outputs)

    # ---------------------------------------------------------------- batches
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False,
                       reset_metrics=True):
        self._assert_compiled()
        x, y, sw = self._prepare(x, y, sample_weight, class_weight)
        if reset_metrics:
            self.reset_metrics()
        logs = self._loop().train_batch(x, y, sw)
        return logs if return_dict else self._ordered_values(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False, reset_metrics=True):
        self._assert_compiled()
        x, y, sw = self._prepare(x, y, sample_weight)
        if reset_metrics:
            self.reset_metrics()
        mode = self.training
        self.train(False)
        try:
            logs = self._loop("test").test_batch(x, y, sw)
        finally:
            self.train(mode)
        return logs if return_dict else self._ordered_values(logs)

    def predict_on_batch(self, x):
        x = self._prepare_x(x)
        return adapters.concat_outputs([self._loop("predict").predict_outputs((x, None, None))])

